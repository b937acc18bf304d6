/**
 * EventBridge Scheduler schedule expressions — `rate(…)`, `cron(…)`, `at(…)` — parsed once and
 * evaluated purely: no clock, no timers. Callers pass "now" in. A building block for a Scheduler
 * API; nothing wires it yet.
 *
 * AWS behaviour followed (EventBridge Scheduler User Guide, "Schedule types in EventBridge
 * Scheduler", docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html; re:Post
 * "How can I adjust my Amazon EventBridge schedule for daylight saving?"):
 *  - rate: "a positive number" and a unit minute(s)/hour(s)/day(s); a day is a 24-hour duration,
 *    so rates ignore DST and time zones. The first occurrence is StartDate; without one the
 *    schedule "starts invoking its target immediately", i.e. at creation (`anchorMs`).
 *  - cron and at are evaluated in ScheduleExpressionTimezone local time (default UTC).
 *  - DST: "When the time shifts forward in Spring, your schedule invocation gets skipped if the
 *    cron expression falls on a non-existent date and time. When the time shifts back in the
 *    Fall, your schedule runs only once and doesn't repeat its invocation." Implemented: a wall
 *    time inside the gap has no due time; a repeated wall time is due at its first (earlier)
 *    instant only — which of the two AWS picks is not documented; the earlier is our choice.
 *  - StartDate and EndDate: the API reference says Scheduler "ignores StartDate for one-time
 *    schedules"; EndDate is ignored for them too (same reference). Both bound recurring schedules
 *    inclusively.
 */
import { MIN_YEAR, nextMatchingMinute, parseCronFields } from './cron.js';
import type { CronFields, WallMinute } from './cron.js';
import { daysInMonth, gapWallTimeInstant, instantsForWallTime, isValidTimeZone, wallTimeAt } from './time-zones.js';
import type { WallTime } from './time-zones.js';

export type { CronFields, DayOfMonthRule, DayOfWeekRule } from './cron.js';
export type { WallTime } from './time-zones.js';

export type ScheduleExpression =
  | { readonly kind: 'rate'; readonly text: string; readonly everyMs: number }
  | ({ readonly kind: 'cron'; readonly text: string } & CronFields)
  /** A wall-clock time in the schedule's time zone. */
  | { readonly kind: 'at'; readonly text: string; readonly at: WallTime };

/**
 * A CreateSchedule/UpdateSchedule ValidationException. The wording `Invalid Schedule Expression
 * <expression>.` is the one LocalStack's Scheduler emulation raises (localstack/localstack
 * services/scheduler/provider.py); AWS's own text for each case is not documented.
 */
export class ScheduleExpressionError extends Error {
  override readonly name = 'ValidationException';
}

export interface DueTimeOptions {
  /** ScheduleExpressionTimezone (IANA name); default UTC. */
  readonly timeZone?: string;
  /** StartDate, epoch ms (inclusive); ignored for `at`. */
  readonly startDate?: number;
  /** EndDate, epoch ms (inclusive); ignored for `at`. */
  readonly endDate?: number;
  /**
   * For rate schedules without a StartDate: when the schedule began (its creation), which is its
   * first occurrence. Required then, since AWS anchors rates to it.
   */
  readonly anchorMs?: number;
}

const MAX_EXPRESSION_LENGTH = 256; // the ScheduleExpression member's maximum length
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

function invalid(text: string): ScheduleExpressionError {
  const shown = text.length > MAX_EXPRESSION_LENGTH ? `${text.slice(0, MAX_EXPRESSION_LENGTH)}…` : text;
  return new ScheduleExpressionError(`Invalid Schedule Expression ${shown}.`);
}

export function parseScheduleExpression(text: string): ScheduleExpression {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_EXPRESSION_LENGTH) throw invalid(String(text));
  const rate = /^rate\((\d{1,10}) (minute|hour|day)(s?)\)$/.exec(text);
  if (rate) {
    const value = Number(rate[1]);
    // AWS's rule: value 1 takes the singular unit, any larger value the plural.
    if (value < 1 || (value === 1) !== (rate[3] === '')) throw invalid(text);
    return { kind: 'rate', text, everyMs: value * UNIT_MS[rate[2] as keyof typeof UNIT_MS] };
  }
  const cron = /^cron\((.*)\)$/.exec(text);
  if (cron) {
    const fields = parseCronFields(cron[1]!);
    if (!fields) throw invalid(text);
    return { kind: 'cron', text, ...fields };
  }
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text);
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [number, number, number, number, number, number];
    // The doc gives only the format; a real calendar date from 1970 on is our requirement.
    const valid =
      year >= MIN_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) &&
      hour <= 23 && minute <= 59 && second <= 59;
    if (!valid) throw invalid(text);
    return { kind: 'at', text, at: { year, month, day, hour, minute, second } };
  }
  throw invalid(text);
}

function resolveTimeZone(timeZone: string | undefined): string {
  const zone = timeZone ?? 'UTC';
  // Our wording: AWS's text for an unknown ScheduleExpressionTimezone is not documented.
  if (!isValidTimeZone(zone)) throw new ScheduleExpressionError(`Invalid ScheduleExpressionTimezone ${zone.slice(0, 64)}.`);
  return zone;
}

/**
 * Resolves an `at` wall time. The doc says nothing of an `at` inside a DST gap or overlap; we
 * take the earlier instant of an overlap, and for a gap the instant the clock would show with
 * the offset in force before the change (02:30 on a spring-forward night becomes 03:30), so a
 * one-time schedule never silently vanishes.
 */
function atInstant(at: WallTime, timeZone: string): number {
  return instantsForWallTime(at, timeZone)[0] ?? gapWallTimeInstant(at, timeZone);
}

function nextCronTime(fields: CronFields, afterMs: number, timeZone: string): number | undefined {
  const start = wallTimeAt(afterMs, timeZone);
  let from: WallMinute | undefined = { year: start.year, month: start.month, day: start.day, hour: start.hour, minute: start.minute + 1 };
  // Each pass skips one minute that is in a DST gap or was already due; a gap or an overlap
  // is at most a few hours, so this bound is never reached for a real zone.
  for (let guard = 0; guard < 10_000 && from; guard++) {
    const wall: WallMinute | undefined = nextMatchingMinute(fields, from);
    if (!wall) return undefined;
    const instants = instantsForWallTime({ ...wall, second: 0 }, timeZone);
    // Spring forward: no instant, skipped. Fall back: only the first instant counts.
    if (instants.length > 0 && instants[0]! > afterMs) return instants[0]!;
    from = { ...wall, minute: wall.minute + 1 };
  }
  return undefined;
}

/**
 * The first due time strictly after `afterMs` (epoch ms), in `timeZone` (IANA, default UTC),
 * within [startDate, endDate] if given; undefined when there is none.
 */
export function nextDueTime(expression: ScheduleExpression, afterMs: number, options: DueTimeOptions = {}): number | undefined {
  const timeZone = resolveTimeZone(options.timeZone);
  if (expression.kind === 'at') {
    const due = atInstant(expression.at, timeZone);
    return due > afterMs ? due : undefined;
  }
  const after = options.startDate !== undefined ? Math.max(afterMs, options.startDate - 1) : afterMs;
  let due: number | undefined;
  if (expression.kind === 'rate') {
    const anchor = options.startDate ?? options.anchorMs;
    if (anchor === undefined) throw new TypeError('A rate schedule without a startDate needs anchorMs (its creation time)');
    const steps = after < anchor ? 0 : Math.floor((after - anchor) / expression.everyMs) + 1;
    due = anchor + steps * expression.everyMs;
  } else {
    due = nextCronTime(expression, after, timeZone);
  }
  if (due === undefined || (options.endDate !== undefined && due > options.endDate)) return undefined;
  return due;
}

/** Every due time in (fromMs, toMs], at most `limit` (for catching up after downtime). */
export function dueTimesBetween(
  expression: ScheduleExpression,
  fromMs: number,
  toMs: number,
  options: DueTimeOptions & { readonly limit: number },
): number[] {
  const due: number[] = [];
  const limit = Math.max(0, Math.floor(options.limit));
  let cursor = fromMs;
  while (due.length < limit) {
    const next = nextDueTime(expression, cursor, options);
    if (next === undefined || next > toMs) break;
    due.push(next);
    cursor = next;
  }
  return due;
}
