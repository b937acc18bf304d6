/**
 * Assembles the server: the store, the durable runner, the API over HTTP, metrics and logs;
 * resumes the executions that were running; and shuts down in order on SIGTERM (stop
 * accepting, let in-flight decisions commit, close the store).
 */
import '../regexp-engine.js'; // linear-time fallback for user regular expressions, set once per process
import { hostsPinnedToLoopback } from './sync-host.js';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import type { HistoryEvent } from '../engine/events.js';
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
import { ApiAuth } from '../api/authorize.js';
import { AuthFileError, loadKeysFile, type AuthKeys } from '../auth/keys-file.js';
import { createApiServer, requestRecord } from '../api/server.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { ConfigError, type ServerConfig } from './config.js';
import { serveConsole, serveConsoleConfig } from './console-routes.js';
import { httpTriggers, routeName } from './http-triggers.js';
import { executionLabels, ServerMetrics } from './metrics.js';
import { DEFAULT_RETENTION_DAYS, RetentionLoop } from './retention.js';
import { AccessLog } from './access-log.js';
import { bindRefusal, isLoopbackAddress, screenRequest } from './request-guard.js';
import { readTls } from './tls.js';
import { claimSqliteFile } from './sqlite-owner.js';
import { redact } from '../store/postgres/db.js';

export interface RunningServer {
  readonly url: string;
  readonly store: Store;
  readonly runner: DurableRunner;
  readonly metrics: ServerMetrics;
  /** Where --metrics-port serves /metrics and /health, when it is set. */
  readonly metricsUrl?: string;
  /** Purges closed executions after --retention-days (hourly, and a minute after start). */
  readonly retention: RetentionLoop;
  /** The EventBridge event bus (PutEvents, rules, deliveries); `drain()` waits for due deliveries (tests). */
  readonly events: EventBus;
  /** Fires EventBridge Scheduler schedules; `runDue()` fires what is due at the clock's time (tests). */
  readonly scheduler: ScheduleRunner;
  /** Stops accepting requests, lets in-flight work commit, closes the store. */
  close(): Promise<void>;
  /**
   * Rereads --tls-cert and --tls-key for new connections; when either cannot be used, the old
   * certificate stays and the log says why (false). True without TLS.
   */
  reloadTls(): boolean;
  /** SIGHUP: everything that can change while serving is reread (the certificate, the access log's file). */
  reload(): Promise<void>;
  /**
   * Rereads the keys file (--auth-file): true when its keys and roles now apply; when the file
   * has problems the previous keys stay and the log lists the problems (false). True without one.
   */
  reloadAuth(): boolean;
}

export interface StartOptions {
  /** The time the runner stamps and retention measures from (tests move it; default Date.now). */
  readonly clock?: { now(): number };
}

export async function startServer(config: ServerConfig, logger: Logger = pino({ level: config.logLevel }), options: StartOptions = {}): Promise<RunningServer> {
  const keys = config.authFile !== undefined;
  const unsafe = bindRefusal(config.host, { keys, insecure: config.insecure ?? false });
  if (unsafe !== undefined) throw new ConfigError(unsafe);
  if (!keys && !isLoopbackAddress(config.host)) {
    logger.warn({ host: config.host }, 'serving a non-loopback address without a keys file (--insecure): anyone who can reach it can read every execution and use the whole API');
  }
  let tls = config.tls ? readTls(config.tls) : undefined;
  // Opened now, so that a path that cannot be written is an error before anything starts.
  const accessLog = config.accessLog !== undefined ? openAccessLog(config.accessLog, logger) : undefined;
  // Read before anything starts: a keys file with problems is a start-up error listing them all.
  const authKeys = config.authFile !== undefined ? readKeys(config.authFile) : undefined;
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
    defaultBucketsFolder: bucketsFolder(config.db),
    ...(config.lambdaEndpoint !== undefined ? { lambdaEndpoint: config.lambdaEndpoint } : {}),
    log: (level, message, fields) => logger[level](fields ?? {}, message),
  });
  const store = await openStore(config.db, { synchronous: config.synchronous });
  // One SQLite file, one server: claimed once the store could open it (its errors come first),
  // before anything runs; kept until the store is closed.
  let ownership: { release(): unknown } | undefined;
  try {
    // PostgreSQL is shared: several servers on one database split the work (docs/multi-node.md).
    if (isSqliteFile(config.db)) ownership = claimSqliteFile(resolve(config.db));
  } catch (e) {
    await store.close();
    throw e;
  }
  warnIfOthersCanRead(config.db, logger);
  const metrics = new ServerMetrics();
  const log = apiLogger(logger);
  // The runner starts child executions through the API's checks, and the API moves executions
  // through the runner: the context is made right after the runner.
  let context: ApiContext | undefined;
  let auth: ApiAuth | undefined;
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
    // Named by where it serves (known once it listens): a restart on the same address takes its
    // predecessor's executions over at once (src/store/cluster.ts).
    ...(store.cluster ? { cluster: { leaseMs: config.nodeLeaseMs ?? 10_000, name: () => {
      const where = server.address() as AddressInfo;
      return `${hostname()}/${where.address}:${where.port}`;
    } } } : {}),
    onDecision: (arn, events, status) => {
      metrics.decision(arn, events, status);
      if (status !== 'RUNNING') logExecutionEnd(logger, arn, events, status);
      // Step Functions Execution Status Change events (best effort: see EventBus.executionDecided).
      bus?.executionDecided(arn, events, status);
    },
    // With a keys file, what an execution starts or calls is authorised by its role (authorize.ts).
    prepareChild: async (request, parentArn) => {
      const refusal = await auth?.authorizeExecution(parentArn, 'states:StartExecution', request);
      if (refusal) throw refusal;
      return prepareNestedExecution(context!, request, parentArn);
    },
    localSdk: {
      services: ['sfn'],
      call: (_service, action, parameters, requestId, caller) =>
        callSfnAction(context!, action, parameters, requestId, caller, auth ? (iamAction, input) => auth!.authorizeExecution(caller, iamAction, input) : undefined),
    },
  });
  context = createContext({
    store, runner, region: config.region, accountId: config.accountId, log, ...(options.clock ? { clock: options.clock } : {}),
    limits: { ...(config.maxHistoryPageBytes !== undefined ? { maxHistoryPageBytes: config.maxHistoryPageBytes } : {}), ...config.quotas },
  });
  auth = authKeys ? new ApiAuth(context, authKeys) : undefined;
  const triggers = httpTriggers(context, project.httpTriggers);
  bus = new EventBus(context, { connections: project.connections });
  integrations.useBus(bus);
  metrics.countEvents(bus);
  const scheduler = new ScheduleRunner(context);
  const schedules = schedulerRoutes(context, { onChange: () => scheduler.wake(), ...(auth ? { auth } : {}) });
  const server = createApiServer(context, {
    ...(tls ? { tls } : {}),
    ...(accessLog ? { onRequest: (req, res) => accessLog.track(req, res) } : {}),
    // Host is checked where DNS rebinding is the only way in: loopback without keys (request-guard.ts);
    // `sync-localhost` passes when the hosts file pins it to loopback (sync-host.ts).
    screen: screenRequest({ checkHost: !keys && isLoopbackAddress(config.host), allowedHosts: [...(config.allowedHosts ?? []), ...hostsPinnedToLoopback()], allowedOrigins: config.allowedOrigins ?? [] }),
    ...(auth ? { auth } : {}),
    ...(config.basePath !== undefined ? { basePath: config.basePath } : {}),
    events: bus,
    stepwise: { httpTriggers: project.httpTriggers, routeName },
    extraRoutes: async (req, res) => {
      if (await triggers(req, res)) return true;
      if (req.method === 'GET' && req.url === '/metrics' && !config.metrics) {
        // Prometheus does not sign its scrapes: with a keys file the metrics (state machine
        // names, counts) are served only on their own listener, which the operator binds.
        if (auth) {
          res.writeHead(403, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ message: 'With --auth-file, /metrics is served on --metrics-port only (bind it where only Prometheus reaches).' }));
          return true;
        }
        await sendMetrics(metrics, res);
        return true;
      }
      if (await schedules(req, res)) return true;
      if (serveConsoleConfig(req, res, { region: config.region, accountId: config.accountId, authRequired: auth !== undefined })) return true;
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
  // The metrics listener next, so that a port in use stops the start before any work resumes.
  // A start that fails from here on closes what it opened: the process must exit, not hang on a listener.
  const abandon = async (e: unknown, metricsListener?: { close(): Promise<void> }): Promise<never> => {
    server.close();
    await metricsListener?.close().catch(() => undefined);
    await runner.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    await ownership?.release();
    await accessLog?.close();
    await deciders?.close();
    await integrations.close();
    throw e;
  };
  const metricsServer = await listening.then(() => (config.metrics ? listenForMetrics(config.metrics, metrics) : undefined)).catch((e: unknown) => abandon(e));
  // Resuming reads the store (and, on PostgreSQL, joins the other nodes): a database that fails
  // now stops the start with its error.
  await runner.resume().catch((e: unknown) => abandon(e, metricsServer));
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
  const url = `${tls ? 'https' : 'http'}://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info(
    { url, ...(metricsServer ? { metricsUrl: metricsServer.url } : {}), db: isSqliteFile(config.db) || config.db === ':memory:' ? config.db : redact(config.db), region: config.region, accountId: config.accountId, config: project.file ?? null, project: describeProjectConfig(project) },
    'Stepwise is serving',
  );

  const reloadTls = (): boolean => {
    if (!config.tls || !tls) return true;
    try {
      tls = readTls(config.tls);
    } catch (e) {
      logger.warn({ error: (e as Error).message }, 'TLS certificate not reloaded; the previous one stays in use');
      return false;
    }
    (server as import('node:https').Server).setSecureContext({ cert: tls.cert, key: tls.key });
    logger.info({ certificate: tls.description }, 'TLS certificate reloaded');
    return true;
  };
  const reloadAuth = (): boolean => {
    if (config.authFile === undefined || !auth) return true;
    try {
      auth.reload(loadKeysFile(config.authFile));
    } catch (e) {
      const problems = e instanceof AuthFileError ? e.problems : [{ path: '', message: (e as Error).message }];
      logger.warn({ file: config.authFile, problems }, 'keys file not reloaded; the previous keys stay in use');
      return false;
    }
    logger.info({ file: config.authFile }, 'keys file reloaded');
    return true;
  };
  // What SIGHUP rereads, in order (a reloader goes here for each file read at start).
  const reloaders: Array<() => unknown> = [reloadTls, () => accessLog?.reopen(), reloadAuth];

  let closing: Promise<void> | undefined;
  return {
    reloadTls,
    reloadAuth,
    reload: async () => {
      for (const reloader of reloaders) await reloader();
    },
    url,
    ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
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
        await metricsServer?.close();
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
        await ownership?.release();
        await accessLog?.close();
        logger.info('Stepwise stopped');
      })()),
  };
}

function readKeys(file: string): AuthKeys {
  try {
    return loadKeysFile(file);
  } catch (e) {
    if (e instanceof AuthFileError) throw new ConfigError(e.message);
    throw e;
  }
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

/**
 * A database file Stepwise creates is 0600 (src/store/sqlite/database.ts); one made otherwise
 * (copied, restored from a backup) keeps its mode, and the operator hears that others can read it.
 */
function warnIfOthersCanRead(db: string, logger: Logger): void {
  if (db === ':memory:' || /^postgres(ql)?:/i.test(db)) return;
  try {
    const mode = statSync(db).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      logger.warn({ db, mode: `0${mode.toString(8)}` }, `the database file can be read by other users of this machine; it holds every execution's input and output (chmod 600 ${db})`);
    }
  } catch {
    // Not a file Stepwise can stat (it opened it, so this does not happen in practice).
  }
}

function openAccessLog(destination: string, logger: Logger): AccessLog {
  try {
    return new AccessLog(destination, { factsOf: requestRecord, warn: (message, fields) => logger.warn(fields ?? {}, message) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`Cannot open the access log ${destination}: ${code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' ? 'permission denied' : (e as Error).message}.`);
  }
}

function apiLogger(logger: Logger): ApiLogger {
  return {
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}

/**
 * One line per execution that ends (issue 11: execution ends and failures at info), with what an
 * operator searches by: the execution, its state machine and type, the status, and for a failure
 * the error name. Never the cause or any payload: they can hold the workflow's data.
 */
function logExecutionEnd(logger: Logger, executionArn: string, events: readonly HistoryEvent[], status: string): void {
  const { state_machine: stateMachine, type } = executionLabels(executionArn);
  const end = events.at(-1);
  const error = status === 'SUCCEEDED' ? undefined : (end?.details as { error?: unknown } | undefined)?.error;
  logger.info({ executionArn, stateMachine, type, status, ...(typeof error === 'string' ? { error } : {}) }, 'execution ended');
}

async function sendMetrics(metrics: ServerMetrics, res: ServerResponse): Promise<void> {
  const { contentType, body } = await metrics.render();
  res.writeHead(200, { 'Content-Type': contentType });
  res.end(body);
}

/** --metrics-port: `GET /metrics` and `GET /health`, unsigned, on an address of their own. */
async function listenForMetrics(where: { readonly host: string; readonly port: number }, metrics: ServerMetrics): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    req.resume();
    if (req.method === 'GET' && path === '/metrics') return void sendMetrics(metrics, res).catch(() => res.destroy());
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/health') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end('{"status":"ok"}');
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"message":"Not found: this port serves /metrics and /health."}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new ConfigError(e.code === 'EADDRINUSE' ? `--metrics-port ${where.port} on ${where.host} is in use.` : `Cannot listen on ${where.host}:${where.port} for metrics: ${e.message}`)),
    );
    server.listen(where.port, where.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An SQLite file path (not `:memory:`, not a PostgreSQL URL). */
/**
 * Where buckets that neither the configuration maps nor S3 serves are kept: beside the SQLite
 * file (a ResultWriter's files land there), in ./.stepwise/buckets for PostgreSQL (each node its
 * own: map buckets to S3 or a shared folder when several nodes run, docs/multi-node.md), and in
 * a temporary folder for :memory:.
 */
function bucketsFolder(db: string): string {
  if (db === ':memory:') return join(tmpdir(), `stepwise-buckets-${process.pid}`);
  if (!isSqliteFile(db)) return resolve('.stepwise', 'buckets');
  return join(dirname(resolve(db)), 'buckets');
}

function isSqliteFile(db: string): boolean {
  return db !== ':memory:' && !/^postgres(ql)?:\/\//i.test(db);
}
