/**
 * Assembles the server: the store, the durable runner, the API over HTTP, metrics and logs;
 * resumes the executions that were running; and shuts down in order on SIGTERM (stop
 * accepting, let in-flight decisions commit, close the store).
 */
import '../regexp-engine.js'; // linear-time fallback for user regular expressions, set once per process
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { DurableRunner } from '../runtime/durable-runner.js';
import { ScheduleRunner } from '../runtime/scheduler.js';
import { schedulerRoutes } from '../api/scheduler/router.js';
import { DeciderPool } from '../runtime/decider-pool.js';
import { EventBus } from '../runtime/event-bus.js';
import { TaskIntegrationsWithBus } from '../runtime/event-bus-integration.js';
import { ConfigFileError, describeProjectConfig, loadProjectConfig } from '../config/load.js';
import { configureExpressionLimits, type ExpressionLimits } from '../asl/limits.js';
import type { MockConfigFile } from '../integrations/mock-config.js';
import { createContext, type ApiContext, type ApiLogger } from '../api/context.js';
import { prepareNestedExecution } from '../api/operations/start-execution.js';
import { callSfnAction } from '../api/sdk-integration.js';
import { createApiServer } from '../api/server.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { ConfigError, type ServerConfig } from './config.js';
import { serveConsole } from './console-routes.js';
import { httpTriggers, routeName } from './http-triggers.js';
import { ServerMetrics } from './metrics.js';
import { DEFAULT_RETENTION_DAYS, RetentionLoop } from './retention.js';

export interface RunningServer {
  readonly url: string;
  readonly store: Store;
  readonly runner: DurableRunner;
  readonly metrics: ServerMetrics;
  /** Purges closed executions after --retention-days (hourly, and a minute after start). */
  readonly retention: RetentionLoop;
  /** The EventBridge event bus (PutEvents, rules, deliveries); `drain()` waits for due deliveries (tests). */
  readonly events: EventBus;
  /** Fires EventBridge Scheduler schedules; `runDue()` fires what is due at the clock's time (tests). */
  readonly scheduler: ScheduleRunner;
  /** Stops accepting requests, lets in-flight work commit, closes the store. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** The time the runner stamps and retention measures from (tests move it; default Date.now). */
  readonly clock?: { now(): number };
}

export async function startServer(config: ServerConfig, logger: Logger = pino({ level: config.logLevel }), options: StartOptions = {}): Promise<RunningServer> {
  const mockConfig = config.mockConfigPath ? await loadMockConfig(config.mockConfigPath) : undefined;
  let project;
  try {
    project = loadProjectConfig({ ...(config.configPath !== undefined ? { file: config.configPath } : {}) });
  } catch (e) {
    if (e instanceof ConfigFileError) throw new ConfigError(e.message);
    throw e;
  }
  // Tasks reach functions and services through these (the server answers aws-sdk:sfn itself).
  const integrations = new TaskIntegrationsWithBus(project, {
    region: config.region,
    accountId: config.accountId,
    localSdkServices: ['sfn'],
    // Unmapped buckets, when S3 cannot be reached: beside the database (a ResultWriter's files land there).
    defaultBucketsFolder: config.db === ':memory:' ? join(tmpdir(), `stepwise-buckets-${process.pid}`) : join(dirname(resolve(config.db)), 'buckets'),
    ...(config.lambdaEndpoint !== undefined ? { lambdaEndpoint: config.lambdaEndpoint } : {}),
    log: (level, message, fields) => logger[level](fields ?? {}, message),
  });
  const store = await openStore(config.db, { synchronous: config.synchronous });
  const metrics = new ServerMetrics();
  const log = apiLogger(logger);
  // The runner starts child executions through the API's checks, and the API moves executions
  // through the runner: the context is made right after the runner.
  let context: ApiContext | undefined;
  let bus: EventBus | undefined;
  const { isolation } = config;
  // Process-wide, before anything is evaluated: this thread evaluates too (TestState, validation,
  // and every decision with --decision-workers 0), and each decision worker applies the same
  // limits when it loads.
  const expressionLimits: ExpressionLimits = {
    jsonataTimeoutMs: isolation.jsonataTimeoutMs,
    jsonataMaxSequence: isolation.jsonataMaxSequence,
    jsonataMaxStringLength: isolation.jsonataMaxStringLength,
    jsonPathMaxSteps: isolation.jsonPathMaxSteps,
  };
  configureExpressionLimits(expressionLimits);
  // User logic runs in these workers, never on the thread that serves the API (docs/architecture.md).
  const deciders =
    isolation.decisionWorkers > 0
      ? new DeciderPool({
          workers: isolation.decisionWorkers,
          decisionTimeoutMs: isolation.decisionTimeoutMs,
          workerHeapMb: isolation.workerMemoryMb,
          // The runner drops idle executions from memory (and from their worker); busy ones can be
          // many more (a fan-out of children), so a worker's own limit is only a safety net.
          maxHostedPerWorker: Math.max(2_000, isolation.maxLiveExecutions * 4),
          expressionLimits,
          log: (level, message, fields) => log[level](message, fields),
        })
      : undefined;
  const runner = new DurableRunner({
    store,
    region: config.region,
    accountId: config.accountId,
    waitTimeScale: config.waitTimeScale,
    ...(options.clock ? { clock: options.clock } : {}),
    maxHistoryEvents: isolation.maxHistoryEvents,
    maxLiveExecutions: isolation.maxLiveExecutions,
    sliceMs: isolation.sliceMs,
    maxDecisionEvents: isolation.maxDecisionEvents,
    maxDecisionBytes: isolation.maxDecisionBytes,
    expressMaxDurationMs: isolation.expressMaxDurationMs,
    testStateMaxDurationMs: isolation.testStateMaxDurationMs,
    ...(deciders ? { deciders } : {}),
    ...(mockConfig ? { mockConfig } : {}),
    integrations,
    log: (level, message, fields) => logger[level](fields ?? {}, message),
    onDecision: (arn, events, status) => {
      metrics.decision(arn, events, status);
      // Step Functions Execution Status Change events (best effort: see EventBus.executionDecided).
      bus?.executionDecided(arn, events, status);
    },
    prepareChild: (request, parentArn) => prepareNestedExecution(context!, request, parentArn),
    localSdk: { services: ['sfn'], call: (_service, action, parameters, requestId, caller) => callSfnAction(context!, action, parameters, requestId, caller) },
  });
  context = createContext({
    store, runner, region: config.region, accountId: config.accountId, log, ...(options.clock ? { clock: options.clock } : {}),
    limits: { ...(config.maxHistoryPageBytes !== undefined ? { maxHistoryPageBytes: config.maxHistoryPageBytes } : {}), ...config.quotas },
  });
  const triggers = httpTriggers(context, project.httpTriggers);
  bus = new EventBus(context, { connections: project.connections });
  integrations.useBus(bus);
  metrics.countEvents(bus);
  const scheduler = new ScheduleRunner(context);
  const schedules = schedulerRoutes(context, { onChange: () => scheduler.wake() });
  const server = createApiServer(context, {
    events: bus,
    stepwise: { httpTriggers: project.httpTriggers, routeName },
    extraRoutes: async (req, res) => {
      if (await triggers(req, res)) return true;
      if (req.method === 'GET' && req.url === '/metrics') {
        const { contentType, body } = await metrics.render();
        res.writeHead(200, { 'Content-Type': contentType });
        res.end(body);
        return true;
      }
      if (await schedules(req, res)) return true;
      return serveConsole(req, res);
    },
  });
  const listening = new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(new ConfigError(e.code === 'EADDRINUSE' ? `Port ${config.port} on ${config.host} is in use.` : `Cannot listen on ${config.host}:${config.port}: ${e.message}`));
    };
    server.once('error', onError);
    server.listen(config.port, config.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  await listening.catch(async (e: unknown) => {
    await deciders?.close();
    await integrations.close();
    throw e;
  });
  await runner.resume();
  const retention = new RetentionLoop({
    store,
    retentionDays: config.retentionDays ?? DEFAULT_RETENTION_DAYS,
    ...(options.clock ? { clock: options.clock } : {}),
    log: (level, message, fields) => log[level](message, fields),
  });
  retention.start();
  bus.start();
  scheduler.start();
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url, db: config.db, region: config.region, accountId: config.accountId, config: project.file ?? null, project: describeProjectConfig(project) }, 'Stepwise is serving');

  let closing: Promise<void> | undefined;
  return {
    url,
    store,
    runner,
    metrics,
    retention,
    events: bus,
    scheduler,
    close: () =>
      (closing ??= (async () => {
        await retention.stop();
        await scheduler.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections?.();
          setTimeout(() => server.closeAllConnections?.(), 2000).unref();
        });
        await bus.close(); // deliveries in flight finish before the runner they start executions on
        await runner.close();
        await deciders?.close();
        await integrations.close();
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
