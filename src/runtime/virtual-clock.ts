/**
 * Virtual time for in-memory runs: a clock that only moves when told to, or, with
 * `autoAdvance`, by itself whenever every run on it is waiting for time and nothing else.
 *
 * Runs on a virtual clock schedule their timers (Wait states, retry back-off, TimeoutSeconds,
 * HeartbeatSeconds, the execution's timeout) here instead of on setTimeout, and *hold* the
 * clock while they have work that is not waiting for time: a decision, a trigger queued, a
 * task handler or integration call in flight. Time moves only while nobody holds it, so a
 * 24-hour Wait passes at once, yet a task handler that takes real milliseconds to answer is
 * never overtaken by its own timeout. A handler that wants to take virtual time waits with its
 * context's `sleep()`, which does not hold the clock.
 *
 * Settling: work can be under way with no hold for a moment (a promise chain between a handler's
 * answer and the run taking it). Before moving, the clock lets the event loop turn a few times
 * and moves only if still nobody holds it and nothing changed.
 */
import type { Clock } from './memory-driver.js';

/** A clock that drivers schedule their timers on and hold while they have work (see above). */
export interface SchedulingClock extends Clock {
  /** Calls `fire` when the clock reaches `dueAt` (ms since the epoch); returns the cancel. */
  schedule(dueAt: number, fire: () => void): () => void;
  /** Marks work under way: the clock does not move until every hold is released. Returns the release (idempotent). */
  hold(): () => void;
  /** Resolves after `ms` on this clock, without holding it; rejects with the signal's reason on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function isSchedulingClock(clock: Clock): clock is SchedulingClock {
  return typeof (clock as Partial<SchedulingClock>).schedule === 'function' && typeof (clock as Partial<SchedulingClock>).hold === 'function' && typeof (clock as Partial<SchedulingClock>).sleep === 'function';
}

interface PendingTimer {
  readonly dueAt: number;
  /** Ties at one instant fire in the order they were scheduled. */
  readonly sequence: number;
  readonly fire: () => void;
}

/** Event-loop turns with nobody holding the clock before it moves. */
const SETTLE_TURNS = 3;

export interface VirtualClockOptions {
  /** Where the clock starts: a Date, ISO 8601 text or ms since the epoch. Default: the real time now. */
  readonly start?: Date | string | number;
  /**
   * Whether the clock moves by itself to the next timer whenever nobody holds it (default
   * true). Without it, only `advance()` and `advanceTo()` move it.
   */
  readonly autoAdvance?: boolean;
}

export class VirtualClock implements SchedulingClock {
  private time: number;
  private timers: PendingTimer[] = [];
  private sequence = 0;
  private holds = 0;
  /** Bumped on every hold, release, schedule and fire: a settle that saw a change starts over. */
  private generation = 0;
  private autoAdvance: boolean;
  private moving = false;
  private readonly idleListeners = new Set<() => void>();

  constructor(options: VirtualClockOptions = {}) {
    this.time = startTime(options.start);
    this.autoAdvance = options.autoAdvance ?? true;
  }

  now(): number {
    return this.time;
  }

  schedule(dueAt: number, fire: () => void): () => void {
    const timer: PendingTimer = { dueAt: Math.max(dueAt, this.time), sequence: this.sequence++, fire };
    // Kept sorted by (dueAt, sequence); timers are few (one per waiting state), so an insertion
    // into an array beats a heap's constant factors.
    let at = this.timers.length;
    while (at > 0 && compare(this.timers[at - 1]!, timer) > 0) at--;
    this.timers.splice(at, 0, timer);
    this.changed();
    return () => {
      const index = this.timers.indexOf(timer);
      if (index >= 0) {
        this.timers.splice(index, 1);
        this.changed();
      }
    };
  }

  hold(): () => void {
    this.holds++;
    this.generation++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.changed();
    };
  }

  /** Resolves after `ms` of virtual time; does not hold the clock (a task handler waiting for time). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const cancel = this.schedule(this.time + Math.max(0, ms), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = () => {
        cancel();
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Moves the clock `ms` forward, firing the timers due on the way in order, each once the runs
   * have done what the previous one started. Resolves when the clock is there and the runs
   * have settled.
   */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance() takes a duration of at least 0 ms, not ${ms}.`);
    await this.advanceTo(this.time + ms);
  }

  /** Moves the clock to `time` (ms since the epoch, not before now), as advance() does. */
  async advanceTo(time: number): Promise<void> {
    if (time < this.time) throw new RangeError(`The virtual clock cannot go back (from ${new Date(this.time).toISOString()} to ${new Date(time).toISOString()}).`);
    const wasAuto = this.autoAdvance;
    this.autoAdvance = false; // this advance decides where time goes
    try {
      for (;;) {
        await this.settled();
        const next = this.timers[0];
        if (next === undefined || next.dueAt > time) break;
        this.fireNext();
      }
      this.time = time;
      this.generation++;
      await this.settled();
    } finally {
      this.autoAdvance = wasAuto;
      if (wasAuto) this.changed();
    }
  }

  /** Turns automatic advancing on or off (the testing API's controlled runs start with it off). */
  setAutoAdvance(on: boolean): void {
    this.autoAdvance = on;
    if (on) this.changed();
  }

  /**
   * Calls `listener` each time the clock has settled with nobody holding it and no timer left:
   * the runs on it can only go on if something outside answers them.
   */
  onIdle(listener: () => void): () => void {
    this.idleListeners.add(listener);
    return () => this.idleListeners.delete(listener);
  }

  /** Resolves once nobody has held the clock for a few event-loop turns. */
  async settled(): Promise<void> {
    for (;;) {
      const seen = this.generation;
      let quiet = true;
      for (let turn = 0; turn < SETTLE_TURNS; turn++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.holds > 0 || this.generation !== seen) {
          quiet = false;
          break;
        }
      }
      if (quiet) return;
      if (this.holds > 0) await this.released();
    }
  }

  private releasedWaiters: Array<() => void> = [];

  private released(): Promise<void> {
    return new Promise((resolve) => this.releasedWaiters.push(resolve));
  }

  private fireNext(): void {
    const timer = this.timers.shift()!;
    if (timer.dueAt > this.time) this.time = timer.dueAt;
    this.generation++;
    timer.fire();
  }

  private changed(): void {
    this.generation++;
    if (this.holds === 0 && this.releasedWaiters.length > 0) {
      const waiters = this.releasedWaiters;
      this.releasedWaiters = [];
      for (const w of waiters) w();
    }
    if (this.autoAdvance && !this.moving && this.holds === 0) void this.moveOn();
  }

  /** Automatic advancing: while nobody holds the clock, jump to the next timer and fire it. */
  private async moveOn(): Promise<void> {
    this.moving = true;
    try {
      for (;;) {
        await this.settled();
        if (!this.autoAdvance) return;
        if (this.timers.length === 0) {
          for (const listener of [...this.idleListeners]) listener();
          return;
        }
        // Every timer due at this instant fires before the runs take their turn, as setTimeout
        // would fire them in one pass.
        const dueAt = this.timers[0]!.dueAt;
        while (this.timers.length > 0 && this.timers[0]!.dueAt === dueAt) this.fireNext();
      }
    } finally {
      this.moving = false;
    }
  }
}

function compare(a: PendingTimer, b: PendingTimer): number {
  return a.dueAt - b.dueAt || a.sequence - b.sequence;
}

function startTime(start: Date | string | number | undefined): number {
  if (start === undefined) return Date.now();
  const ms = start instanceof Date ? start.getTime() : typeof start === 'string' ? Date.parse(start) : start;
  if (!Number.isFinite(ms)) throw new RangeError(`The virtual clock's start must be a date, not ${String(start)}.`);
  return ms;
}
