/**
 * Timestamps of the States language: the RFC 3339 profile of ISO 8601 with an uppercase `T`
 * between date and time and an uppercase `Z` when there is no numeric offset
 * (`2016-03-14T01:59:00Z`, `2016-03-14T01:59:00.123+01:00`). Anything else, including a
 * lowercase `t`/`z`, a space separator, a missing zone or a date alone, is not a timestamp.
 *
 * Parsed by hand (no regex, no Date) because Choice rules parse the variable's value on every
 * evaluation, and because Date drops precision below the millisecond.
 */

/** An instant with nanosecond precision: whole seconds since the epoch plus a nanosecond part. */
export interface Timestamp {
  readonly seconds: number;
  readonly nanos: number;
}

const ZERO = 48;
const MAX_FRACTION_DIGITS = 9;

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** Days from 1970-01-01 to the given civil date (proleptic Gregorian calendar). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Parses a States-language timestamp; `undefined` when the text is not one. */
export function parseTimestamp(text: string): Timestamp | undefined {
  // Shortest form: YYYY-MM-DDTHH:MM:SSZ (20 characters).
  if (text.length < 20) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (
    year < 0 ||
    text.charCodeAt(4) !== 45 /* - */ ||
    month < 1 ||
    month > 12 ||
    text.charCodeAt(7) !== 45 /* - */ ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    text.charCodeAt(10) !== 84 /* T */ ||
    hour < 0 ||
    hour > 23 ||
    text.charCodeAt(13) !== 58 /* : */ ||
    minute < 0 ||
    minute > 59 ||
    text.charCodeAt(16) !== 58 /* : */ ||
    second < 0 ||
    second > 59
  ) {
    return undefined;
  }

  let pos = 19;
  let nanos = 0;
  if (text.charCodeAt(pos) === 46 /* . */) {
    pos++;
    const start = pos;
    while (pos < text.length) {
      const d = text.charCodeAt(pos) - ZERO;
      if (d < 0 || d > 9) break;
      pos++;
    }
    const count = pos - start;
    if (count === 0 || count > MAX_FRACTION_DIGITS) return undefined;
    nanos = digits(text, start, count) * 10 ** (MAX_FRACTION_DIGITS - count);
  }

  let offsetSeconds = 0;
  const zone = text.charCodeAt(pos);
  if (zone === 90 /* Z */) {
    pos++;
  } else if (zone === 43 /* + */ || zone === 45 /* - */) {
    if (text.length !== pos + 6 || text.charCodeAt(pos + 3) !== 58 /* : */) return undefined;
    const offsetHour = digits(text, pos + 1, 2);
    const offsetMinute = digits(text, pos + 4, 2);
    if (offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59) return undefined;
    offsetSeconds = (offsetHour * 3600 + offsetMinute * 60) * (zone === 45 ? -1 : 1);
    pos += 6;
  } else {
    return undefined;
  }
  if (pos !== text.length) return undefined;

  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  return { seconds, nanos };
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}
