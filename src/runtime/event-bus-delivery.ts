/**
 * The event bus's delivery worker: claims due rows of the outbox (store/event-bus.ts), sends
 * each to its target (event-bus-targets.ts), and completes the row, reschedules it with a
 * back-off, or gives it up to the dead letters (`store.deadLetters`, source `rule`).
 *
 * Retries follow the target's RetryPolicy ("How EventBridge retries delivering events"):
 * MaximumRetryAttempts (default 185) and MaximumEventAgeInSeconds (default 86,400), "with an
 * exponential back off and jitter". AWS does not publish the curve; Stepwise waits
 * min(2^(attempt-1), 300) seconds, times a random factor in [0.5, 1).
 *
 * Delivery is at least once, as on AWS: a row whose worker died is claimed again once its
 * lease runs out. State machine targets are started under a name derived from the event, rule
 * and target, so a repeated delivery finds the execution it started (exactly one execution).
 *
 * Times come from the context's clock (tests move it); the worker sleeps until the next row is
 * due, and at most a second, so rows another process wrote are found too.
 */
import type { ClaimedDelivery } from '../store/event-bus.js';
import type { EventBus } from './event-bus.js';
import { TargetSenders, type DeliveryOutcome } from './event-bus-targets.js';

const DEFAULT_MAX_RETRIES = 185;
const DEFAULT_MAX_AGE_SECONDS = 86_400;
/** Rows claimed at once (and so delivered concurrently) by one worker. */
const BATCH = 32;
/** How long a claim is held: far longer than a delivery may take (an API destination: 5 s). */
const LEASE_MS = 60_000;
const POLL_MS = 1_000;
const MAX_BACKOFF_MS = 300_000;

export class DeliveryWorker {
  private readonly senders: TargetSenders;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private closed = false;
  private again = false;

  constructor(private readonly bus: EventBus) {
    this.senders = new TargetSenders(bus);
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.wake();
  }

  /** Something is due now (PutEvents wrote rows): run without waiting for the timer. */
  wake(): void {
    if (!this.started || this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.pump().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      } else this.sleep();
    });
  }

  /** Delivers until nothing is due now and nothing is in flight. */
  async drain(): Promise<void> {
    for (;;) {
      await this.running;
      const delivered = await this.runOnce();
      if (delivered === 0 && !this.running) return;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
    await this.senders.close();
  }

  private async pump(): Promise<void> {
    try {
      while (!this.closed && (await this.runOnce()) > 0);
    } catch (e) {
      this.bus.ctx.log.error('event delivery failed', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private sleep(): void {
    if (this.closed) return;
    void this.bus.ctx.store.eventBus.nextDeliveryDue().then(
      (due) => {
        if (this.closed || this.running) return;
        const wait = due === undefined ? POLL_MS : Math.min(POLL_MS, Math.max(0, due - this.bus.ctx.clock.now()));
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.wake(), wait);
        this.timer.unref();
      },
      () => undefined, // the store is closing
    );
  }

  /** Claims what is due now and delivers it; resolves to the number of rows claimed. */
  private async runOnce(): Promise<number> {
    if (this.closed) return 0;
    const claimed = await this.bus.ctx.store.eventBus.claimDeliveries(this.bus.ctx.clock.now(), BATCH, LEASE_MS);
    await Promise.all(claimed.map((row) => this.deliver(row)));
    return claimed.length;
  }

  private async deliver(row: ClaimedDelivery): Promise<void> {
    const { ctx } = this.bus;
    const store = ctx.store.eventBus;
    const compiled = await this.bus.ruleByArn(row.ruleArn);
    const target = compiled?.targets.find((t) => t.id === row.targetId);
    if (!compiled || !target) {
      // The rule or target was removed after the event matched: nothing to deliver to.
      await store.completeDelivery(row.id, row.claim);
      return;
    }
    const policy = (target.target.RetryPolicy ?? {}) as { MaximumRetryAttempts?: unknown; MaximumEventAgeInSeconds?: unknown };
    const maxRetries = typeof policy.MaximumRetryAttempts === 'number' ? policy.MaximumRetryAttempts : DEFAULT_MAX_RETRIES;
    const maxAgeMs = (typeof policy.MaximumEventAgeInSeconds === 'number' ? policy.MaximumEventAgeInSeconds : DEFAULT_MAX_AGE_SECONDS) * 1000;
    const now = ctx.clock.now();
    const giveUp = async (error: string, cause: string, attempts: number): Promise<void> => {
      // Written before the row goes: a crash in between leaves a duplicate dead letter, never none.
      await ctx.store.deadLetters.add([
        { id: crypto.randomUUID(), source: 'rule', sourceArn: row.ruleArn, targetArn: target.arn, targetId: target.id, payload: row.event, error, cause, attempts, eventTime: row.eventTime, time: ctx.clock.now() },
      ]);
      await store.completeDelivery(row.id, row.claim);
    };
    if (now - row.eventTime > maxAgeMs) {
      return giveUp('MaximumEventAgeExceeded', `The event is older than the target's MaximumEventAgeInSeconds (${maxAgeMs / 1000}).`, row.attempts);
    }
    let outcome: DeliveryOutcome;
    try {
      outcome = await this.senders.send(row, compiled.rule, target);
    } catch (e) {
      outcome = { ok: false, retry: true, error: 'InternalFailure', cause: e instanceof Error ? e.message : String(e) };
    }
    if (outcome.ok) {
      await store.completeDelivery(row.id, row.claim);
      return;
    }
    if ('later' in outcome) {
      // Held back by the destination's InvocationRateLimitPerSecond: not an attempt.
      await store.rescheduleDelivery(row.id, row.claim, row.attempts, now + outcome.later);
      return;
    }
    const attempts = row.attempts + 1;
    const retries = attempts - 1;
    const next = now + this.backoff(attempts);
    if (outcome.retry && retries < maxRetries && next - row.eventTime <= maxAgeMs) {
      await store.rescheduleDelivery(row.id, row.claim, attempts, next);
      return;
    }
    const why = !outcome.retry ? 'not retried (an error EventBridge does not retry)' : retries >= maxRetries ? `after ${attempts} attempts (MaximumRetryAttempts ${maxRetries})` : `the next attempt would pass MaximumEventAgeInSeconds (${maxAgeMs / 1000})`;
    ctx.log.warn('event not delivered', { rule: row.ruleArn, target: target.id, error: outcome.error });
    await giveUp(outcome.error, `${outcome.cause} Given up ${why}.`, attempts);
  }

  private backoff(attempt: number): number {
    const random = this.bus.options.random ?? Math.random;
    return Math.min(2 ** (attempt - 1) * 1000, MAX_BACKOFF_MS) * (0.5 + random() / 2);
  }
}
