/**
 * The firing loop of EventBridge Scheduler schedules: it sleeps until the earliest nextFireAt
 * (at most MAX_SLEEP_MS, so schedules another node created are seen), is woken when a schedule
 * changes, and fires each due schedule by starting an execution through StartExecution's checks
 * (src/api/start-from.ts). Passes run one at a time in a process (the schedules of a batch fire
 * concurrently, each schedule once per batch); between nodes sharing a
 * database, every move of a firing is a compare-and-set on (nextDueAt, attempt).
 *
 * Exactly once. A firing starts its execution first and advances the schedule after. The
 * execution is named after the schedule and the due time, so a firing repeated after a crash
 * between the two, or by a second node that read the schedule before the first advanced it,
 * finds the STANDARD execution of that name and starts nothing (start-from.ts). For EXPRESS
 * state machines the start cannot be recognised (AWS gives their executions no unique name):
 * a crash between start and advance, or two nodes racing, can start a due time's execution
 * twice — at least once, as AWS itself promises for Scheduler targets.
 *
 * Retries. A start that fails is retried after a back-off (schedule-timing.ts) until the target's
 * RetryPolicy gives up — MaximumRetryAttempts retries, or MaximumEventAgeInSeconds after the
 * firing's time — then the firing is recorded as a dead letter (store.deadLetters, with AWS's
 * EXHAUSTED_RETRY_CONDITION in its cause) and the schedule moves on to its next due time.
 * Failures a retry cannot mend (a target Stepwise does not start, an input that is not JSON, a
 * name or ARN StartExecution refuses) are dead letters at once.
 *
 * Catch-up after downtime (docs: to be described in the Scheduler page). When the loop starts,
 * and whenever it finds a schedule behind:
 *  - due times whose firing instant (due time + flexible-window offset) is within the target's
 *    MaximumEventAgeInSeconds of now are fired, oldest first, each exactly once;
 *  - older ones are skipped, and recorded as ONE dead letter per schedule and pass, error
 *    `Scheduler.EventExpired`, saying how many firings and between which due times. AWS names
 *    no error for this (its dead-letter events carry EXHAUSTED_RETRY_CONDITION
 *    MaximumEventAgeInSeconds): the name is ours.
 * DISABLED schedules never fire; an update (re-enabling included) starts the firings over from
 * the update's time, so the due times a disabled schedule missed are not fired, as on AWS.
 * One-time (`at`) schedules fire once; with ActionAfterCompletion DELETE, a schedule with no due
 * time left is deleted in the same compare-and-set that records its last firing.
 *
 * Targets. A state machine ARN starts that state machine with the target's Input (`{}` without
 * one). The universal target `arn:aws:scheduler:::aws-sdk:sfn:startExecution` takes StartExecution's
 * request as its Input (`{"StateMachineArn": …, "Input": …}`); a `Name` in it is not used (each
 * firing needs its own name for exactly-once). Any other target is accepted by the API (AWS
 * accepts what the role may reach) and every firing of it is a dead letter
 * `Stepwise.UnsupportedTarget`, so it fails visibly, never silently.
 */
import { createHash } from 'node:crypto';
import type { ApiContext } from '../api/context.js';
import { AwsError } from '../api/errors.js';
import { startExecutionFrom } from '../api/start-from.js';
import type { ScheduleAdvance, ScheduleRecord } from '../store/schedules.js';
import type { DeadLetterRecord } from '../store/types.js';
import { dueAfter, dueTimesIn, firingExecutionName, firingOf, flexOffsetMs, retryBackoffMs, substituteContext } from './schedule-timing.js';

const MAX_SLEEP_MS = 30_000;
/** Schedules read per query of a pass. */
const BATCH = 100;
/** Firings one pass makes at most before it yields (a long catch-up is spread over passes). */
const MAX_FIRINGS_PER_PASS = 10_000;
/** Expired due times counted exactly at most; beyond, the dead letter says "at least". */
const MAX_COUNTED = 100_000;
const UNIVERSAL_SFN_TARGET = 'arn:aws:scheduler:::aws-sdk:sfn:startExecution';
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+(:[^:]+)?$/;
/** StartExecution errors that a retry cannot mend. */
const PERMANENT_ERRORS = new Set(['InvalidName', 'InvalidArn', 'InvalidExecutionInput', 'ValidationException', 'StateMachineTypeNotSupported']);

type Failure = { readonly error: string; readonly cause: string; readonly permanent: boolean };

export class ScheduleRunner {
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private armGeneration = 0;
  private closed = false;

  constructor(private readonly ctx: ApiContext) {}

  /** Fires what is due now (the catch-up after downtime), then sleeps until the next firing. */
  start(): void {
    void this.runDue().catch(() => undefined);
  }

  /** A schedule changed: re-read when the next firing is. */
  wake(): void {
    if (!this.closed) void this.arm();
  }

  /**
   * Fires every schedule due at the clock's time, retries included; resolves to the firings
   * made (executions started or dead letters written) once they are done. Joins the passes
   * under way: passes never overlap in a process.
   */
  runDue(): Promise<number> {
    const run = this.chain.then(() => this.pass());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Stops the loop and waits for the pass under way, so the runner and store can close after. */
  async close(): Promise<void> {
    this.closed = true;
    this.armGeneration++;
    clearTimeout(this.timer);
    await this.chain;
  }

  private async pass(): Promise<number> {
    if (this.closed) return 0;
    let fired = 0;
    let failed = false;
    try {
      for (;;) {
        const now = this.ctx.clock.now();
        const due = await this.ctx.store.schedules.dueSchedules(now, BATCH);
        if (due.length === 0) break;
        if (this.closed) return fired;
        // The schedules of a batch fire together: each is its own compare-and-set, and their
        // starts share the store's group commits, so a thousand schedules due on the same
        // minute start within a second rather than one after another.
        fired += (await Promise.all(due.map((record) => this.fire(record, now)))).reduce((a, b) => a + b, 0);
        if (fired >= MAX_FIRINGS_PER_PASS) break;
      }
    } catch (e) {
      failed = true;
      this.ctx.log.error('scheduler: a pass failed; retrying shortly', { error: e instanceof Error ? e.message : String(e) });
      throw e;
    } finally {
      if (!this.closed) void this.arm(failed ? 1_000 : fired >= MAX_FIRINGS_PER_PASS ? 0 : undefined);
    }
    return fired;
  }

  /** Sets the wake-up timer: at the earliest nextFireAt, or after `delayMs` when given. */
  private async arm(delayMs?: number): Promise<void> {
    const generation = ++this.armGeneration;
    let delay = delayMs;
    if (delay === undefined) {
      try {
        const next = await this.ctx.store.schedules.nextFireAt();
        delay = next === undefined ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, Math.max(10, next - this.ctx.clock.now()));
      } catch {
        delay = 1_000;
      }
    }
    if (generation !== this.armGeneration || this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runDue().catch(() => undefined), delay);
    this.timer.unref();
  }

  /** One firing of one schedule (or the skip of its expired due times); resolves to 1 when it did something. */
  private async fire(record: ScheduleRecord, now: number): Promise<number> {
    const due = record.nextDueAt;
    if (due === undefined) return 0;
    const fireAt = due + flexOffsetMs(record, due);
    const maxAgeMs = record.target.retryPolicy.maximumEventAgeInSeconds * 1000;
    if (fireAt < now - maxAgeMs) return this.skipExpired(record, due, now, maxAgeMs);

    const attemptNumber = record.attempt + 1;
    const input = substituteContext(record.target.input ?? '{}', { scheduleArn: record.arn, dueAt: due, attemptNumber });
    const failure = await this.startFiring(record, due, input);
    if (!failure) return this.advance(record, this.after(record, due));

    const retries = record.target.retryPolicy.maximumRetryAttempts;
    const retryAt = now + retryBackoffMs(attemptNumber);
    const condition = failure.permanent ? undefined : attemptNumber > retries ? 'MaximumRetryAttempts' : retryAt - fireAt > maxAgeMs ? 'MaximumEventAgeInSeconds' : undefined;
    if (!failure.permanent && condition === undefined) {
      this.ctx.log.warn('scheduler: a firing failed; retrying', { schedule: record.arn, dueAt: due, attempt: attemptNumber, error: failure.error });
      return this.advance(record, { nextDueAt: due, nextFireAt: retryAt, attempt: attemptNumber });
    }
    this.ctx.log.warn('scheduler: a firing failed; giving up', { schedule: record.arn, dueAt: due, attempts: attemptNumber, error: failure.error });
    await this.deadLetter(record, due, attemptNumber, {
      payload: input,
      error: failure.error,
      cause: condition ? `${failure.cause} (EXHAUSTED_RETRY_CONDITION ${condition})` : failure.cause,
      attempts: attemptNumber,
      eventTime: due,
      time: now,
    });
    return this.advance(record, this.after(record, due));
  }

  /** Starts the firing's execution; resolves to why it failed, or undefined once it runs (or ran). */
  private async startFiring(record: ScheduleRecord, due: number, input: string): Promise<Failure | undefined> {
    const request = this.requestOf(record, input);
    if ('error' in request) return request;
    try {
      await startExecutionFrom(
        this.ctx,
        { stateMachineArn: request.stateMachineArn, name: firingExecutionName(record, due), input: request.input },
        { type: 'schedule', arn: record.arn, scheduledTime: due },
      );
      return undefined;
    } catch (e) {
      if (e instanceof AwsError) return { error: e.type, cause: e.message, permanent: PERMANENT_ERRORS.has(e.type) };
      return { error: 'InternalServerException', cause: e instanceof Error ? e.message : String(e), permanent: false };
    }
  }

  private requestOf(record: ScheduleRecord, input: string): { stateMachineArn: string; input: string } | Failure {
    const target = record.target.arn;
    if (STATE_MACHINE_ARN.test(target)) return { stateMachineArn: target, input };
    if (target === UNIVERSAL_SFN_TARGET) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(input);
      } catch {
        parsed = undefined;
      }
      const request = parsed as { StateMachineArn?: unknown; Input?: unknown } | undefined;
      if (typeof request !== 'object' || request === null || typeof request.StateMachineArn !== 'string') {
        return { error: 'Stepwise.InvalidTargetInput', cause: `The Input of a ${UNIVERSAL_SFN_TARGET} target must be a JSON object with a StateMachineArn.`, permanent: true };
      }
      // StartExecution's input is JSON text; an object given instead is taken as that text.
      const executionInput = request.Input === undefined ? '{}' : typeof request.Input === 'string' ? request.Input : JSON.stringify(request.Input);
      return { stateMachineArn: request.StateMachineArn, input: executionInput };
    }
    return {
      error: 'Stepwise.UnsupportedTarget',
      cause: `Stepwise's scheduler starts Step Functions state machines (a state machine ARN or ${UNIVERSAL_SFN_TARGET}); it cannot invoke ${target}.`,
      permanent: true,
    };
  }

  /** Skips the due times too old for the retry policy, recording them as one dead letter, and moves to the first one still in time. */
  private async skipExpired(record: ScheduleRecord, due: number, now: number, maxAgeMs: number): Promise<number> {
    const horizon = now - maxAgeMs;
    const windowMs = record.flexibleTimeWindow.mode === 'FLEXIBLE' ? (record.flexibleTimeWindow.maximumWindowInMinutes ?? 0) * 60_000 : 0;
    // Due times before horizon - window are expired whatever their offset: count them in one go.
    const certain = dueTimesIn(record, due, horizon - windowMs, MAX_COUNTED);
    let skipped = certain.length;
    const atLeast = skipped === MAX_COUNTED;
    let last = certain.at(-1) ?? due;
    let next: number | undefined = skipped === 0 ? due : dueAfter(record, atLeast ? Math.max(last, horizon - windowMs - 1) : last);
    while (next !== undefined && next + flexOffsetMs(record, next) < horizon) {
      skipped++;
      last = next;
      next = dueAfter(record, next);
    }
    const iso = (ms: number) => new Date(ms).toISOString();
    const count = `${atLeast ? 'At least ' : ''}${skipped} firing${skipped === 1 ? '' : 's'}`;
    const between = skipped === 1 ? `due at ${iso(due)}` : `due between ${iso(due)} and ${iso(last)}`;
    await this.deadLetter(record, due, record.attempt, {
      payload: substituteContext(record.target.input ?? '{}', { scheduleArn: record.arn, dueAt: due, attemptNumber: record.attempt + 1 }),
      error: 'Scheduler.EventExpired',
      cause: `${count} ${between} ${skipped === 1 ? 'was' : 'were'} older than the target's MaximumEventAgeInSeconds (${maxAgeMs / 1000}) when they could be fired, and ${skipped === 1 ? 'was' : 'were'} skipped (EXHAUSTED_RETRY_CONDITION MaximumEventAgeInSeconds).`,
      attempts: record.attempt,
      eventTime: due,
      time: now,
    });
    this.ctx.log.warn('scheduler: skipped firings too old to fire', { schedule: record.arn, skipped, from: due, to: last });
    return this.advance(record, this.after(record, next, true));
  }

  /** The state after a due time is done: its next due time, or the end (deleted with ActionAfterCompletion DELETE). */
  private after(record: ScheduleRecord, due: number | undefined, dueIsNext = false): ScheduleAdvance {
    const next = dueIsNext ? due : due === undefined ? undefined : dueAfter(record, due);
    if (next === undefined && record.actionAfterCompletion === 'DELETE') return { delete: true };
    return firingOf(record, next);
  }

  private async advance(record: ScheduleRecord, next: ScheduleAdvance): Promise<number> {
    const moved = await this.ctx.store.schedules.advanceSchedule(record.arn, record.nextDueAt!, record.attempt, next);
    // Not moved: an update, a delete or another node came first; what it wrote stands.
    if (!moved) this.ctx.log.info('scheduler: the schedule changed during its firing; not advanced', { schedule: record.arn });
    return 1;
  }

  /** Writes a dead letter whose id derives from the firing, so writing it again (a repeated firing) adds nothing. */
  private async deadLetter(record: ScheduleRecord, due: number, attempt: number, fields: Pick<DeadLetterRecord, 'payload' | 'error' | 'cause' | 'attempts' | 'eventTime' | 'time'>): Promise<void> {
    const hex = createHash('sha256').update(`${record.arn}\n${due}\n${attempt}\n${fields.error}`).digest('hex');
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    await this.ctx.store.deadLetters.add([{ id, source: 'schedule', sourceArn: record.arn, targetArn: record.target.arn, ...fields }]);
  }
}
