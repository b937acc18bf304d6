/**
 * What every API operation is handed: the store it reads, the runner that moves executions, the
 * account it pretends to be, its limits, a clock and a logger. Operations never reach for
 * globals (Date.now, Math.random, console): tests swap any of these.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_ACCOUNT_ID } from '../runtime/memory-driver.js';
import type { ExecutionRunner } from './runner.js';
import type { Store } from '../store/types.js';

export interface ApiLimits {
  /** Largest request body the server reads (bytes). */
  readonly maxRequestBytes: number;
  /** Execution input and task output (SensitiveData), in UTF-8 bytes: 256 KiB on AWS. */
  readonly maxPayloadBytes: number;
  /** How long GetActivityTask waits for a task before answering without one: 60 s on AWS. */
  readonly activityPollMs: number;
  /** Tags per resource: 50 on AWS. */
  readonly maxTagsPerResource: number;
  /** How long the server waits for a request body to arrive completely. */
  readonly requestBodyTimeoutMs: number;
  /**
   * GetExecutionHistory stops a page before the event that would take its response beyond this
   * many bytes (always answering at least one event). AWS documents no response size, only
   * that a page "might" hold fewer than maxResults events: 1 MiB is our choice.
   */
  readonly maxHistoryPageBytes: number;
  /** RUNNING executions at most (ExecutionLimitExceeded): 1,000,000 per account and region on AWS. */
  readonly maxOpenExecutions: number;
  /** State machines at most (StateMachineLimitExceeded): 10,000 on AWS. */
  readonly maxStateMachines: number;
  /** Activities at most (ActivityLimitExceeded): 10,000 on AWS. */
  readonly maxActivities: number;
  /** EventBridge Scheduler schedules at most (ServiceQuotaExceededException): 1,000,000 on AWS. */
  readonly maxSchedules: number;
  /** Schedule groups at most, `default` included (ServiceQuotaExceededException): 500 on AWS. */
  readonly maxScheduleGroups: number;
  /** EventBridge rules per event bus (LimitExceededException): 300 on AWS. */
  readonly maxRulesPerBus: number;
  /**
   * Executions one execution may start (`states:startExecution` tasks and the SDK integration's
   * `startExecution`), and how deep such starts may nest. AWS documents no such quota: see
   * quotas.ts for the defaults chosen and why.
   */
  readonly maxChildExecutions: number;
  readonly maxExecutionDepth: number;
  /** Token buckets by action name (ThrottlingException); an action without one is not throttled. */
  readonly apiRateLimits: ApiRateLimits;
}

/** A token bucket: `bucket` requests at once, refilled at `refillPerSecond`. */
export interface RateLimit {
  readonly bucket: number;
  readonly refillPerSecond: number;
}

export type ApiRateLimits = Readonly<Record<string, RateLimit>>;

export const DEFAULT_LIMITS: ApiLimits = {
  maxRequestBytes: 1024 * 1024,
  maxPayloadBytes: 256 * 1024,
  activityPollMs: 60_000,
  maxTagsPerResource: 50,
  requestBodyTimeoutMs: 10_000,
  maxHistoryPageBytes: 1024 * 1024,
  maxOpenExecutions: 1_000_000,
  maxStateMachines: 10_000,
  maxSchedules: 1_000_000,
  maxScheduleGroups: 500,
  maxRulesPerBus: 300,
  maxActivities: 10_000,
  maxChildExecutions: 1_000,
  maxExecutionDepth: 10,
  // Unlimited, unlike AWS: a local server has one tenant (`--api-rate-limits aws` gives AWS's buckets).
  apiRateLimits: {},
};

export interface ApiConfig {
  readonly region: string;
  readonly accountId: string;
  readonly limits: ApiLimits;
}

export interface ApiLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: ApiLogger = { info() {}, warn() {}, error() {} };

export interface ApiContext {
  readonly store: Store;
  readonly runner: ExecutionRunner;
  readonly config: ApiConfig;
  /** Milliseconds since the epoch. */
  readonly clock: { now(): number };
  readonly log: ApiLogger;
  /** A number in [0, 1): alias routing draws with it. Default Math.random. */
  readonly random?: () => number;
  /** Generated execution names and revision ids. Default crypto.randomUUID. */
  readonly newId?: () => string;
}

/** The name the brief uses for it. */
export type Context = ApiContext;

export interface ContextOptions {
  readonly store: Store;
  readonly runner: ExecutionRunner;
  readonly region?: string;
  readonly accountId?: string;
  readonly limits?: Partial<ApiLimits>;
  readonly clock?: { now(): number };
  readonly log?: ApiLogger;
  readonly random?: () => number;
  readonly newId?: () => string;
}

/** A context with AWS's defaults for everything not given. */
export function createContext(options: ContextOptions): ApiContext {
  return {
    store: options.store,
    runner: options.runner,
    config: {
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
      limits: { ...DEFAULT_LIMITS, ...options.limits },
    },
    clock: options.clock ?? { now: () => Date.now() },
    log: options.log ?? silentLogger,
    ...(options.random ? { random: options.random } : {}),
    ...(options.newId ? { newId: options.newId } : {}),
  };
}

export function newId(ctx: ApiContext): string {
  return ctx.newId ? ctx.newId() : randomUUID();
}

export function draw(ctx: ApiContext): number {
  return ctx.random ? ctx.random() : Math.random();
}
