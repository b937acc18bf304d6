/**
 * Assembles the server: the store, the durable runner, the API over HTTP, metrics and logs;
 * resumes the executions that were running; and shuts down in order on SIGTERM (stop
 * accepting, let in-flight decisions commit, close the store).
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { DurableRunner } from '../runtime/durable-runner.js';
import type { MockConfigFile } from '../integrations/mock-config.js';
import { createContext, type ApiContext, type ApiLogger } from '../api/context.js';
import { prepareNestedExecution } from '../api/operations/start-execution.js';
import { callSfnAction } from '../api/sdk-integration.js';
import { createApiServer } from '../api/server.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { ConfigError, type ServerConfig } from './config.js';
import { serveConsole } from './console-routes.js';
import { ServerMetrics } from './metrics.js';

export interface RunningServer {
  readonly url: string;
  readonly store: Store;
  readonly runner: DurableRunner;
  readonly metrics: ServerMetrics;
  /** Stops accepting requests, lets in-flight work commit, closes the store. */
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, logger: Logger = pino({ level: config.logLevel })): Promise<RunningServer> {
  const mockConfig = config.mockConfigPath ? await loadMockConfig(config.mockConfigPath) : undefined;
  const store = await openStore(config.db, { synchronous: config.synchronous });
  const metrics = new ServerMetrics();
  const log = apiLogger(logger);
  // The runner starts child executions through the API's checks, and the API moves executions
  // through the runner: the context is made right after the runner.
  let context: ApiContext | undefined;
  const runner = new DurableRunner({
    store,
    region: config.region,
    accountId: config.accountId,
    waitTimeScale: config.waitTimeScale,
    ...(mockConfig ? { mockConfig } : {}),
    log: (level, message, fields) => log[level](message, fields),
    onDecision: (arn, events, status) => metrics.decision(arn, events, status),
    prepareChild: (request) => prepareNestedExecution(context!, request),
    localSdk: { services: ['sfn'], call: (_service, action, parameters, requestId) => callSfnAction(context!, action, parameters, requestId) },
  });
  context = createContext({ store, runner, region: config.region, accountId: config.accountId, log });
  const server = createApiServer(context, {
    extraRoutes: async (req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        const { contentType, body } = await metrics.render();
        res.writeHead(200, { 'Content-Type': contentType });
        res.end(body);
        return true;
      }
      return serveConsole(req, res);
    },
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(new ConfigError(e.code === 'EADDRINUSE' ? `Port ${config.port} on ${config.host} is in use.` : `Cannot listen on ${config.host}:${config.port}: ${e.message}`));
    };
    server.once('error', onError);
    server.listen(config.port, config.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  await runner.resume();
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url, db: config.db, region: config.region, accountId: config.accountId }, 'Stepwise is serving');

  let closing: Promise<void> | undefined;
  return {
    url,
    store,
    runner,
    metrics,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections?.();
          setTimeout(() => server.closeAllConnections?.(), 2000).unref();
        });
        await runner.close();
        await store.close();
        logger.info('Stepwise stopped');
      })()),
  };
}

async function loadMockConfig(path: string): Promise<MockConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read the mock configuration ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as MockConfigFile;
  } catch (e) {
    throw new ConfigError(`The mock configuration ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

function apiLogger(logger: Logger): ApiLogger {
  return {
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}
