/**
 * Wall-clock arithmetic for IANA time zones with Node's built-in Intl (no tz database of our
 * own). EventBridge Scheduler evaluates cron and at expressions in ScheduleExpressionTimezone
 * local time, so the schedule code thinks in wall-clock tuples and asks this module which
 * instants (0, 1 or 2 across a DST change) carry a given wall-clock time.
 */

export interface WallTime {
  readonly year: number;
  readonly month: number; // 1-12
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_CACHED_FORMATTERS = 256; // zones are untrusted input: keep the cache bounded

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Throws RangeError for an unknown zone; callers validate first with isValidTimeZone.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= MAX_CACHED_FORMATTERS) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0 || timeZone.length > 50) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time at `epochMs` in `timeZone` (milliseconds dropped). */
export function wallTimeAt(epochMs: number, timeZone: string): WallTime {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year!,
    month: fields.month!,
    day: fields.day!,
    hour: fields.hour! % 24,
    minute: fields.minute!,
    second: fields.second!,
  };
}

function wallAsUtcMs(wall: WallTime): number {
  const ms = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // Date.UTC maps years 0-99 to 1900-1999; schedules never reach them, but stay exact anyway.
  return wall.year < 100 ? new Date(ms).setUTCFullYear(wall.year) : ms;
}

/** Local offset (ms, east of UTC positive) in force at `epochMs`. */
export function offsetAt(epochMs: number, timeZone: string): number {
  const floored = Math.floor(epochMs / 1000) * 1000;
  return wallAsUtcMs(wallTimeAt(floored, timeZone)) - floored;
}

const DAY_MS = 86_400_000;

/**
 * Every instant whose wall-clock time in `timeZone` is `wall`, earliest first: none inside a
 * spring-forward gap, two inside a fall-back overlap, otherwise one. Offsets are sampled a day
 * either side, which covers every real transition (they are months apart).
 */
export function instantsForWallTime(wall: WallTime, timeZone: string): number[] {
  const asUtc = wallAsUtcMs(wall);
  const offsets = new Set([
    offsetAt(asUtc - DAY_MS, timeZone),
    offsetAt(asUtc, timeZone),
    offsetAt(asUtc + DAY_MS, timeZone),
  ]);
  const instants: number[] = [];
  for (const offset of offsets) {
    const candidate = asUtc - offset;
    if (offsetAt(candidate, timeZone) === offset && !instants.includes(candidate)) instants.push(candidate);
  }
  return instants.sort((a, b) => a - b);
}

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * For a wall time inside a spring-forward gap: the instant it names under the offset in force
 * before the change (02:30 on the night New York jumps from 02:00 to 03:00 gives 03:30 EDT).
 */
export function gapWallTimeInstant(wall: WallTime, timeZone: string): number {
  const asUtc = wallAsUtcMs(wall);
  return asUtc - offsetAt(asUtc - DAY_MS, timeZone);
}

export function daysInMonth(year: number, month: number): number {
  if (month !== 2) return MONTH_LENGTHS[month - 1]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Day of week with cron numbering: 1 = Sunday … 7 = Saturday. */
export function cronWeekday(year: number, month: number, day: number): number {
  const probe = new Date(Date.UTC(2000, month - 1, day));
  probe.setUTCFullYear(year);
  return probe.getUTCDay() + 1;
}
