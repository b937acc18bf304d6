/**
 * `stepwise serve` settings: command-line options first, then environment variables, then
 * defaults. Every mistake is a ConfigError with a sentence for the user, never a stack trace.
 */
import { parseArgs } from 'node:util';
import type { ApiLimits, ApiRateLimits, RateLimit } from '../api/context.js';
import { operations } from '../api/operations/index.js';
import { awsRateLimits } from '../api/throttling.js';
import { DEFAULT_EXPRESSION_LIMITS } from '../asl/limits.js';
import { DEFAULT_RETENTION_DAYS } from './retention.js';
import { normaliseAllowedHost, normaliseOrigin } from './request-guard.js';

/** A hundred years: beyond it a cutoff date means nothing. */
const MAX_RETENTION_DAYS = 36_500;

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** SQLite file path, `:memory:`, or (later) a postgres:// URL. */
  readonly db: string;
  readonly region: string;
  readonly accountId: string;
  /** Path of a Step Functions Local MockConfigFile (SFN_MOCK_CONFIG). */
  readonly mockConfigPath?: string;
  readonly waitTimeScale: number;
  readonly logLevel: string;
  /** SQLite durability: FULL (default) commits survive power loss; NORMAL survives process crashes. */
  readonly synchronous: 'FULL' | 'NORMAL';
  /** The API's quotas and rate limits (AWS's defaults when absent). */
  readonly quotas?: QuotaConfig;
  /** Days a closed execution is kept before it is purged (default 90, as AWS); 0 keeps them forever. */
  readonly retentionDays?: number;
  /** On PostgreSQL: a node's lease (ms); after it runs out other nodes take its executions over (docs/multi-node.md). */
  readonly nodeLeaseMs?: number;
  /** Containment of executions (docs/limits.md). */
  readonly isolation: IsolationConfig;
  /** GetExecutionHistory's byte budget per page (AWS documents none; default 1 MiB). */
  readonly maxHistoryPageBytes?: number;
  /** The project configuration file (--config, STEPWISE_CONFIG; else ./stepwise.config.json if present). */
  readonly configPath?: string;
  /** A Lambda API for functions the configuration does not declare (--lambda-endpoint, LAMBDA_ENDPOINT). */
  readonly lambdaEndpoint?: string;
  /** The keys file: access keys and IAM policies every API call is verified and authorised with (--auth-file; src/auth/). */
  readonly authFile?: string;
  /** Serve a non-loopback address without a keys file (--insecure): throwaway environments only. */
  readonly insecure?: boolean;
  /** Host names a loopback server without keys answers beside localhost (--allowed-host; src/server/request-guard.ts). */
  readonly allowedHosts?: readonly string[];
  /** Origins whose pages may call the server beside its own (--allowed-origin). */
  readonly allowedOrigins?: readonly string[];
  /** PEM certificate chain and private key: serve HTTPS (--tls-cert, --tls-key; reloaded on SIGHUP). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Where the access log goes: a file, or `-` for standard output (--access-log). */
  readonly accessLog?: string;
  /** Serve everything under this path prefix (`/stepwise`) for a reverse proxy that keeps it (--base-path). */
  readonly basePath?: string;
  /**
   * Serve `GET /metrics` (and `/health`) on a listener of their own (--metrics-port,
   * --metrics-host, default 127.0.0.1), and no longer on the API's port.
   */
  readonly metrics?: { readonly host: string; readonly port: number };
}

/** Where decisions run and what bounds them. */
export interface IsolationConfig {
  /** Decision worker threads; 0 decides on the server's thread (sliced, but with no watchdog). */
  readonly decisionWorkers: number;
  /** Wall-clock budget of one decision (ms). */
  readonly decisionTimeoutMs: number;
  /** Heap of each decision worker (MB). */
  readonly workerMemoryMb: number;
  /** Most events in one execution's history (AWS: 25,000). */
  readonly maxHistoryEvents: number;
  /** Executions kept in memory between triggers; the rest are rebuilt from the store. */
  readonly maxLiveExecutions: number;
  /** A decision yields to other executions after this long (ms)… */
  readonly sliceMs: number;
  /** …or this many history events… */
  readonly maxDecisionEvents: number;
  /** …or this many bytes of state output. */
  readonly maxDecisionBytes: number;
  /** How long an EXPRESS execution may run (ms; AWS: 5 minutes). */
  readonly expressMaxDurationMs: number;
  /** How long one TestState call may run (ms). */
  readonly testStateMaxDurationMs: number;
  /** How long one JSONata evaluation may run (ms; src/asl/limits.ts). */
  readonly jsonataTimeoutMs: number;
  /** Longest sequence one JSONata evaluation may build (AWS's `$range` limit, 360,145). */
  readonly jsonataMaxSequence: number;
  /** Longest string one JSONata evaluation may build, in characters (UTF-16 code units). */
  readonly jsonataMaxStringLength: number;
  /** Steps one JSONPath evaluation may take before its state fails with States.Runtime. */
  readonly jsonPathMaxSteps: number;
}

/** The quotas `serve` takes flags for (src/api/quotas.ts, src/api/throttling.ts). */
export type QuotaConfig = Pick<ApiLimits, 'maxOpenExecutions' | 'maxStateMachines' | 'maxActivities' | 'maxSchedules' | 'maxScheduleGroups' | 'maxRulesPerBus' | 'maxChildExecutions' | 'maxExecutionDepth' | 'apiRateLimits'>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The environment variables `serve` reads, for --help and the README. */
export const ENVIRONMENT = {
  STEPWISE_HOST: 'address to listen on (default 127.0.0.1)',
  STEPWISE_PORT: 'port (default 8083)',
  STEPWISE_DB: 'database: a SQLite file (default ./.stepwise/stepwise.db; one server per file), :memory:, or postgres://USER:PASSWORD@HOST:PORT/DATABASE (several servers may share one: docs/multi-node.md)',
  STEPWISE_NODE_LEASE_SECONDS: 'on PostgreSQL: how long a node that stops renewing keeps its executions before other nodes take them over (default 10)',
  STEPWISE_REGION: 'region in ARNs (default us-east-1)',
  STEPWISE_ACCOUNT_ID: 'account in ARNs (default 111111111111)',
  SFN_MOCK_CONFIG: 'Step Functions Local mock configuration file',
  STEPWISE_CONFIG: 'project configuration: functions, connections, endpoints, buckets, routes (default ./stepwise.config.json when it exists)',
  LAMBDA_ENDPOINT: 'a Lambda API (sam local start-lambda, serverless-offline) for functions the configuration does not declare',
  WAIT_TIME_SCALE: 'multiplies Wait and retry delays; 0 makes them instant (default 1)',
  STEPWISE_LOG_LEVEL: 'pino log level: fatal, error, warn, info, debug, trace, silent (default info)',
  STEPWISE_SQLITE_SYNCHRONOUS: 'FULL (default) or NORMAL',
  STEPWISE_MAX_OPEN_EXECUTIONS: 'RUNNING executions at most, then ExecutionLimitExceeded (default 1000000, as AWS)',
  STEPWISE_MAX_STATE_MACHINES: 'state machines at most, then StateMachineLimitExceeded (default 10000, as AWS)',
  STEPWISE_MAX_ACTIVITIES: 'activities at most, then ActivityLimitExceeded (default 10000, as AWS)',
  STEPWISE_MAX_SCHEDULES: 'EventBridge Scheduler schedules at most, then ServiceQuotaExceededException (default 1000000, as AWS)',
  STEPWISE_MAX_SCHEDULE_GROUPS: 'schedule groups at most, default included, then ServiceQuotaExceededException (default 500, as AWS)',
  STEPWISE_MAX_RULES_PER_BUS: 'EventBridge rules per event bus, then LimitExceededException (default 300, as AWS)',
  STEPWISE_MAX_CHILD_EXECUTIONS: 'executions one execution may start, then ExecutionLimitExceeded (default 1000)',
  STEPWISE_MAX_EXECUTION_DEPTH: 'how deep executions started by executions may nest (default 10)',
  STEPWISE_API_RATE_LIMITS: "token buckets per action, ThrottlingException when empty: none (default), aws (AWS's buckets), and/or Action=BUCKET/REFILL_PER_SECOND, comma-separated",
  STEPWISE_RETENTION_DAYS: 'days a closed execution (history, tasks, Map Runs) is kept before it is deleted; 0 keeps them forever (default 90, as AWS)',
  STEPWISE_DECISION_WORKERS: 'worker threads that run decisions (default 2; 0 runs them on the server thread, with no watchdog)',
  STEPWISE_DECISION_TIMEOUT: 'seconds one decision may run before its execution fails with States.Runtime (default 10)',
  STEPWISE_WORKER_MEMORY_MB: 'heap of each decision worker in MB (default 512)',
  STEPWISE_MAX_HISTORY_EVENTS: "most events in one execution's history (default 25000, as AWS)",
  STEPWISE_MAX_LIVE_EXECUTIONS: 'executions kept in memory between their triggers (default 500)',
  STEPWISE_DECISION_SLICE_MS: 'a decision yields to other executions after this many milliseconds (default 20)',
  STEPWISE_DECISION_MAX_EVENTS: '… or after recording this many history events (default 1000)',
  STEPWISE_DECISION_MAX_BYTES: '… or after producing this many bytes of state output (default 8388608)',
  STEPWISE_EXPRESS_TIMEOUT: 'seconds an EXPRESS execution may run before it ends TIMED_OUT (default 300, as AWS)',
  STEPWISE_TEST_STATE_TIMEOUT: 'seconds one TestState call may run (default 60)',
  STEPWISE_JSONATA_TIMEOUT_MS: 'milliseconds one JSONata evaluation may run, then States.QueryEvaluationError (default 2000)',
  STEPWISE_JSONATA_MAX_SEQUENCE: "longest array one JSONata evaluation may build, $range included (default 360145, as AWS's $range)",
  STEPWISE_JSONATA_MAX_STRING_LENGTH: 'longest string one JSONata evaluation may build, in characters (one per byte of ASCII; default 4194304)',
  STEPWISE_JSONPATH_MAX_STEPS: 'nodes visited and values compared in one JSONPath evaluation, then States.Runtime (default 10000000)',
  STEPWISE_MAX_HISTORY_PAGE_BYTES: 'bytes of one GetExecutionHistory response at most, beyond one event (default 1048576)',
  STEPWISE_AUTH_FILE: 'keys file (JSON; stepwise.auth.schema.json): every API call must be SigV4-signed by one of its keys and allowed by its IAM policies; reread on SIGHUP',
  STEPWISE_INSECURE: 'true: listen on a non-loopback address without a keys file, for throwaway environments (default false)',
  STEPWISE_ALLOWED_HOSTS: 'host names, comma-separated, a loopback server without a keys file answers beside localhost, 127.0.0.1 and [::1]',
  STEPWISE_ALLOWED_ORIGINS: "origins (https://app.example.com), comma-separated, whose web pages may call the server beside its own",
  STEPWISE_TLS_CERT: 'PEM certificate (chain) file: serve HTTPS; reread on SIGHUP',
  STEPWISE_TLS_KEY: "PEM private key file of --tls-cert's certificate",
  STEPWISE_METRICS_PORT: 'serve GET /metrics and /health on this port, unsigned, and /metrics no longer on the API port (with a keys file, the only way to /metrics)',
  STEPWISE_METRICS_HOST: 'the address of --metrics-port (default 127.0.0.1)',
  STEPWISE_ACCESS_LOG: 'a file to append one JSON line per request to, or - for standard output (default: none)',
  STEPWISE_BASE_PATH: 'serve the API, the console, /health and everything else under this path (/stepwise), for a reverse proxy that passes it through (default: none)',
} as const;

export const SERVE_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  db: { type: 'string' },
  region: { type: 'string' },
  'account-id': { type: 'string' },
  'mock-config': { type: 'string' },
  config: { type: 'string' },
  'lambda-endpoint': { type: 'string' },
  'wait-time-scale': { type: 'string' },
  'log-level': { type: 'string' },
  synchronous: { type: 'string' },
  'max-open-executions': { type: 'string' },
  'max-state-machines': { type: 'string' },
  'max-activities': { type: 'string' },
  'max-schedules': { type: 'string' },
  'max-schedule-groups': { type: 'string' },
  'max-rules-per-bus': { type: 'string' },
  'max-child-executions': { type: 'string' },
  'max-execution-depth': { type: 'string' },
  'api-rate-limits': { type: 'string' },
  'retention-days': { type: 'string' },
  'node-lease-seconds': { type: 'string' },
  'decision-workers': { type: 'string' },
  'decision-timeout': { type: 'string' },
  'worker-memory-mb': { type: 'string' },
  'max-history-events': { type: 'string' },
  'max-live-executions': { type: 'string' },
  'decision-slice-ms': { type: 'string' },
  'decision-max-events': { type: 'string' },
  'decision-max-bytes': { type: 'string' },
  'express-timeout': { type: 'string' },
  'test-state-timeout': { type: 'string' },
  'jsonata-timeout-ms': { type: 'string' },
  'jsonata-max-sequence': { type: 'string' },
  'jsonata-max-string-length': { type: 'string' },
  'jsonpath-max-steps': { type: 'string' },
  'max-history-page-bytes': { type: 'string' },
  'auth-file': { type: 'string' },
  insecure: { type: 'boolean' },
  'allowed-host': { type: 'string', multiple: true },
  'allowed-origin': { type: 'string', multiple: true },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'access-log': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'base-path': { type: 'string' },
} as const;

export function parseServeArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args: [...args], options: SERVE_OPTIONS, strict: true, allowPositionals: false }).values as Record<string, string | undefined>;
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const pick = (option: string, variable: string): string | undefined => values[option] ?? (env[variable] === '' ? undefined : env[variable]);

  const portText = pick('port', 'STEPWISE_PORT') ?? '8083';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new ConfigError(`--port must be a number from 0 to 65535, not '${portText}'.`);
  const metricsPortText = pick('metrics-port', 'STEPWISE_METRICS_PORT');
  if (metricsPortText !== undefined && (!/^\d+$/.test(metricsPortText) || Number(metricsPortText) > 65535)) {
    throw new ConfigError(`--metrics-port must be a number from 0 to 65535, not '${metricsPortText}'.`);
  }

  const scaleText = pick('wait-time-scale', 'WAIT_TIME_SCALE') ?? '1';
  const waitTimeScale = Number(scaleText);
  if (!Number.isFinite(waitTimeScale) || waitTimeScale < 0) throw new ConfigError(`--wait-time-scale must be a number of at least 0, not '${scaleText}'.`);

  const accountId = pick('account-id', 'STEPWISE_ACCOUNT_ID') ?? '111111111111';
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError(`--account-id must be 12 digits, not '${accountId}'.`);
  const region = pick('region', 'STEPWISE_REGION') ?? 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new ConfigError(`--region must look like us-east-1, not '${region}'.`);

  const synchronous = (pick('synchronous', 'STEPWISE_SQLITE_SYNCHRONOUS') ?? 'FULL').toUpperCase();
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') throw new ConfigError(`--synchronous must be FULL or NORMAL, not '${synchronous}'.`);

  const retentionText = pick('retention-days', 'STEPWISE_RETENTION_DAYS') ?? String(DEFAULT_RETENTION_DAYS);
  const retentionDays = Number(retentionText);
  if (!/^\d+$/.test(retentionText) || retentionDays > MAX_RETENTION_DAYS) {
    throw new ConfigError(`--retention-days must be a whole number of days from 0 (keep forever) to ${MAX_RETENTION_DAYS}, not '${retentionText}'.`);
  }

  const mockConfigPath = pick('mock-config', 'SFN_MOCK_CONFIG');
  const configPath = pick('config', 'STEPWISE_CONFIG');
  const lambdaEndpoint = pick('lambda-endpoint', 'LAMBDA_ENDPOINT');
  const authFile = pick('auth-file', 'STEPWISE_AUTH_FILE');
  const basePath = pick('base-path', 'STEPWISE_BASE_PATH');
  // Segments of URL-safe characters only: the prefix is compared with the path as sent, unencoded.
  if (basePath !== undefined && (!/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath) || /\/\.{1,2}(\/|$)/.test(basePath))) {
    throw new ConfigError(`--base-path must start with / and not end with one, with segments of letters, digits and . _ ~ - (e.g. /stepwise), not '${basePath}'.`);
  }
  if (lambdaEndpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(lambdaEndpoint)) throw new ConfigError(`--lambda-endpoint must be an http(s) URL, not '${lambdaEndpoint}'.`);
  const whole = (option: string, variable: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const text = pick(option, variable) ?? String(fallback);
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) throw new ConfigError(`--${option} must be a whole number from ${min} to ${max}, not '${text}'.`);
    return value;
  };
  const isolation: IsolationConfig = {
    decisionWorkers: whole('decision-workers', 'STEPWISE_DECISION_WORKERS', 2, 0, 64),
    decisionTimeoutMs: whole('decision-timeout', 'STEPWISE_DECISION_TIMEOUT', 10, 1, 3600) * 1000,
    workerMemoryMb: whole('worker-memory-mb', 'STEPWISE_WORKER_MEMORY_MB', 512, 64),
    maxHistoryEvents: whole('max-history-events', 'STEPWISE_MAX_HISTORY_EVENTS', 25_000, 10),
    maxLiveExecutions: whole('max-live-executions', 'STEPWISE_MAX_LIVE_EXECUTIONS', 500, 1),
    sliceMs: whole('decision-slice-ms', 'STEPWISE_DECISION_SLICE_MS', 20, 1),
    maxDecisionEvents: whole('decision-max-events', 'STEPWISE_DECISION_MAX_EVENTS', 1_000, 10),
    maxDecisionBytes: whole('decision-max-bytes', 'STEPWISE_DECISION_MAX_BYTES', 8 * 1024 * 1024, 1024),
    expressMaxDurationMs: whole('express-timeout', 'STEPWISE_EXPRESS_TIMEOUT', 300, 1, 31_536_000) * 1000,
    testStateMaxDurationMs: whole('test-state-timeout', 'STEPWISE_TEST_STATE_TIMEOUT', 60, 1, 86_400) * 1000,
    jsonataTimeoutMs: whole('jsonata-timeout-ms', 'STEPWISE_JSONATA_TIMEOUT_MS', DEFAULT_EXPRESSION_LIMITS.jsonataTimeoutMs, 1),
    jsonataMaxSequence: whole('jsonata-max-sequence', 'STEPWISE_JSONATA_MAX_SEQUENCE', DEFAULT_EXPRESSION_LIMITS.jsonataMaxSequence, 1),
    jsonataMaxStringLength: whole('jsonata-max-string-length', 'STEPWISE_JSONATA_MAX_STRING_LENGTH', DEFAULT_EXPRESSION_LIMITS.jsonataMaxStringLength, 1),
    jsonPathMaxSteps: whole('jsonpath-max-steps', 'STEPWISE_JSONPATH_MAX_STEPS', DEFAULT_EXPRESSION_LIMITS.jsonPathMaxSteps, 1),
  };
  return {
    host: pick('host', 'STEPWISE_HOST') ?? '127.0.0.1',
    port,
    db: pick('db', 'STEPWISE_DB') ?? './.stepwise/stepwise.db',
    region,
    accountId,
    ...(mockConfigPath !== undefined ? { mockConfigPath } : {}),
    ...(configPath !== undefined ? { configPath } : {}),
    ...(lambdaEndpoint !== undefined ? { lambdaEndpoint } : {}),
    ...(authFile !== undefined ? { authFile } : {}),
    ...(basePath !== undefined ? { basePath } : {}),
    waitTimeScale,
    logLevel: pick('log-level', 'STEPWISE_LOG_LEVEL') ?? 'info',
    synchronous,
    retentionDays,
    nodeLeaseMs: whole('node-lease-seconds', 'STEPWISE_NODE_LEASE_SECONDS', 10, 2, 3600) * 1000,
    isolation,
    ...parseExposure(values as Record<string, unknown>, env),
    ...(metricsPortText !== undefined ? { metrics: { host: pick('metrics-host', 'STEPWISE_METRICS_HOST') ?? '127.0.0.1', port: Number(metricsPortText) } } : {}),
    maxHistoryPageBytes: whole('max-history-page-bytes', 'STEPWISE_MAX_HISTORY_PAGE_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    quotas: {
      maxOpenExecutions: whole('max-open-executions', 'STEPWISE_MAX_OPEN_EXECUTIONS', 1_000_000, 1),
      maxStateMachines: whole('max-state-machines', 'STEPWISE_MAX_STATE_MACHINES', 10_000, 1),
      maxActivities: whole('max-activities', 'STEPWISE_MAX_ACTIVITIES', 10_000, 1),
      maxSchedules: whole('max-schedules', 'STEPWISE_MAX_SCHEDULES', 1_000_000, 1),
      maxScheduleGroups: whole('max-schedule-groups', 'STEPWISE_MAX_SCHEDULE_GROUPS', 500, 1),
      maxRulesPerBus: whole('max-rules-per-bus', 'STEPWISE_MAX_RULES_PER_BUS', 300, 1),
      maxChildExecutions: whole('max-child-executions', 'STEPWISE_MAX_CHILD_EXECUTIONS', 1_000, 0),
      maxExecutionDepth: whole('max-execution-depth', 'STEPWISE_MAX_EXECUTION_DEPTH', 10, 0),
      apiRateLimits: parseRateLimits(pick('api-rate-limits', 'STEPWISE_API_RATE_LIMITS') ?? 'none', region),
    },
  };
}

/**
 * `--api-rate-limits`: `none`, `aws` (AWS's token buckets for the region), and/or buckets of
 * one's own as `Action=BUCKET/REFILL_PER_SECOND`, comma-separated; later items override earlier
 * ones (`aws,StartExecution=50/10`).
 */
export function parseRateLimits(text: string, region: string): ApiRateLimits {
  const limits: Record<string, RateLimit> = {};
  for (const item of text.split(',').map((part) => part.trim())) {
    if (item === 'none') continue;
    if (item === 'aws') {
      Object.assign(limits, awsRateLimits(region));
      continue;
    }
    const match = /^([A-Za-z]+)=(\d+)\/(\d+(?:\.\d+)?)$/.exec(item);
    if (!match) {
      throw new ConfigError(`--api-rate-limits must be none, aws, or comma-separated Action=BUCKET/REFILL_PER_SECOND items (e.g. StartExecution=1300/300), not '${item}'.`);
    }
    const [, action, bucket, refill] = match as unknown as [string, string, string, string];
    if (!Object.prototype.hasOwnProperty.call(operations, action)) throw new ConfigError(`--api-rate-limits names '${action}', which is not a Step Functions action.`);
    if (Number(bucket) < 1) throw new ConfigError(`--api-rate-limits needs a bucket of at least 1 request for ${action}, not ${bucket}.`);
    limits[action] = { bucket: Number(bucket), refillPerSecond: Number(refill) };
  }
  return limits;
}

/**
 * What decides who may reach the server and how: --insecure, --allowed-host, --allowed-origin
 * (repeatable; their variables are comma-separated and used only when no option is given),
 * --tls-cert/--tls-key (both or neither) and --access-log.
 */
function parseExposure(values: Record<string, unknown>, env: NodeJS.ProcessEnv): Pick<ServerConfig, 'insecure' | 'allowedHosts' | 'allowedOrigins' | 'tls' | 'accessLog'> {
  const text = (option: string, variable: string): string | undefined => (values[option] as string | undefined) ?? (env[variable] || undefined);
  const list = (option: string, variable: string): string[] => {
    const given = values[option] as string[] | undefined;
    return (given ?? (env[variable] ?? '').split(',')).map((item) => item.trim()).filter((item) => item !== '');
  };
  const insecureText = env.STEPWISE_INSECURE?.trim().toLowerCase() ?? '';
  if (!['', 'true', 'false', '1', '0'].includes(insecureText)) throw new ConfigError(`STEPWISE_INSECURE must be true or false, not '${env.STEPWISE_INSECURE}'.`);
  const insecure = values.insecure === true || insecureText === 'true' || insecureText === '1';
  const allowedHosts = list('allowed-host', 'STEPWISE_ALLOWED_HOSTS').map((item) => {
    const name = normaliseAllowedHost(item);
    if (name === undefined) throw new ConfigError(`--allowed-host must be a host name or an IP address, without scheme or port (e.g. stepwise.internal), not '${item}'.`);
    return name;
  });
  const allowedOrigins = list('allowed-origin', 'STEPWISE_ALLOWED_ORIGINS').map((item) => {
    const origin = normaliseOrigin(item);
    if (origin === undefined) throw new ConfigError(`--allowed-origin must be an origin: scheme://host[:port] with no path (e.g. https://app.example.com), not '${item}'.`);
    return origin;
  });
  const certFile = text('tls-cert', 'STEPWISE_TLS_CERT');
  const keyFile = text('tls-key', 'STEPWISE_TLS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(`HTTPS needs both --tls-cert and --tls-key (or STEPWISE_TLS_CERT and STEPWISE_TLS_KEY); only ${certFile !== undefined ? '--tls-cert' : '--tls-key'} was given.`);
  }
  const accessLog = text('access-log', 'STEPWISE_ACCESS_LOG');
  return {
    insecure,
    allowedHosts,
    allowedOrigins,
    ...(certFile !== undefined && keyFile !== undefined ? { tls: { certFile, keyFile } } : {}),
    ...(accessLog !== undefined ? { accessLog } : {}),
  };
}
