/**
 * Retention: closed executions are deleted `retentionDays` after they closed. AWS's quota
 * "Execution history retention time" is 90 days after an execution closes (reducible to 30 on
 * request); then its history is gone and its name can be used again, as it can here once the
 * row is deleted. AWS has no "keep forever"; Stepwise's 0 means that (nothing is purged).
 *
 * The purge runs a minute after start and then every hour, in small batches (one short
 * transaction each) with a pause in between, so requests and decisions go on while a backlog is
 * cleared. An execution counts from its stop date (the runner's clock). Dead letters (undelivered
 * schedule firings and events) are kept as long, counted from when they were given up.
 */
import type { Store } from '../store/types.js';

export const DAY_MS = 24 * 60 * 60 * 1000;
/** AWS's "Execution history retention time". */
export const DEFAULT_RETENTION_DAYS = 90;

export interface RetentionOptions {
  readonly store: Pick<Store, 'purgeClosedExecutions' | 'deadLetters'>;
  /** Days a closed execution is kept; 0 keeps them forever (no purge runs). */
  readonly retentionDays: number;
  readonly clock?: { now(): number };
  /** Delay of the first purge after start (default one minute: start-up and recovery first). */
  readonly firstRunMs?: number;
  /** Between purges (default one hour). */
  readonly intervalMs?: number;
  /** Executions per transaction (default 500; the store may take fewer with long histories). */
  readonly batchSize?: number;
  /** Pause between two batches (default 10 ms), so a backlog never holds the store for long. */
  readonly pauseMs?: number;
  readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

export class RetentionLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private readonly clock: { now(): number };

  constructor(private readonly options: RetentionOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /** Schedules the purges (nothing when retention is 0 days: keep forever). */
  start(): void {
    if (this.options.retentionDays <= 0 || this.stopped) return;
    this.schedule(this.options.firstRunMs ?? 60_000);
  }

  /**
   * Deletes every execution closed more than retentionDays ago, batch by batch; resolves to
   * how many. A purge already under way is joined rather than run twice.
   */
  runOnce(): Promise<number> {
    return (this.running ??= this.purge().finally(() => (this.running = undefined)));
  }

  /** Stops scheduling and waits for the batch under way, so the store can be closed after. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((e: unknown) => this.options.log?.('warn', 'retention: purge failed; retrying at the next run', { error: String(e) }))
        .finally(() => {
          if (!this.stopped) this.schedule(this.options.intervalMs ?? 60 * 60 * 1000);
        });
    }, delayMs);
    // The loop never keeps the process alive by itself.
    this.timer.unref();
  }

  private async purge(): Promise<number> {
    const days = this.options.retentionDays;
    if (days <= 0) return 0;
    const closedBefore = this.clock.now() - days * DAY_MS;
    const batchSize = this.options.batchSize ?? 500;
    let total = 0;
    while (!this.stopped) {
      const purged = await this.options.store.purgeClosedExecutions(closedBefore, batchSize);
      if (purged === 0) break;
      total += purged;
      // Let the requests and decisions that queued during the batch run before the next one.
      await new Promise<void>((resolve) => setTimeout(resolve, this.options.pauseMs ?? 10));
    }
    if (total > 0) this.options.log?.('info', 'retention: closed executions purged', { purged: total, closedBefore: new Date(closedBefore).toISOString(), retentionDays: days });
    let letters = 0;
    while (!this.stopped) {
      const purged = await this.options.store.deadLetters.purge(closedBefore, batchSize);
      if (purged === 0) break;
      letters += purged;
    }
    if (letters > 0) this.options.log?.('info', 'retention: dead letters purged', { purged: letters, before: new Date(closedBefore).toISOString(), retentionDays: days });
    return total;
  }
}
