/**
 * AWS's six-field cron (minutes hours day-of-month month day-of-week year), as documented in the
 * EventBridge "Cron expressions reference" (docs.aws.amazon.com/eventbridge/latest/userguide/
 * eb-cron-expressions.html), which EventBridge Scheduler shares:
 *
 *   Minutes 0-59 `, - * /` · Hours 0-23 `, - * /` · Day-of-month 1-31 `, - * ? / L W` ·
 *   Month 1-12 or JAN-DEC `, - * /` · Day-of-week 1-7 or SUN-SAT `, - * ? L #` · Year 1970-2199 `, - * /`
 *
 * Exactly one of day-of-month / day-of-week is `?`. A `#` day-of-week holds a single expression
 * (`3#1,6#3` is invalid). Choices where the doc is silent (AWS's cron descends from Quartz, so
 * Quartz's reading is taken): `L`, `LW` and `nW` stand alone in day-of-month; `L` alone in
 * day-of-week means Saturday (the last day of the week); a range whose start exceeds its end
 * wraps (`FRI-MON`, `22-2`); `nW` on a day the month lacks (31W in April) never fires.
 *
 * Parsing returns null for anything invalid; expressions.ts turns that into AWS's error.
 */
import { cronWeekday, daysInMonth } from './time-zones.js';

export type DayOfMonthRule =
  | { readonly type: 'any' }
  | { readonly type: 'days'; readonly days: readonly number[] }
  | { readonly type: 'last' }
  | { readonly type: 'lastWeekday' }
  | { readonly type: 'nearestWeekday'; readonly day: number };

/** Weekdays use cron numbering: 1 = SUN … 7 = SAT. */
export type DayOfWeekRule =
  | { readonly type: 'any' }
  | { readonly type: 'weekdays'; readonly weekdays: readonly number[] }
  | { readonly type: 'last'; readonly weekday: number }
  | { readonly type: 'nth'; readonly weekday: number; readonly nth: number };

export interface CronFields {
  /** Sorted, distinct allowed values. */
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: readonly number[];
  readonly years: readonly number[];
  readonly dayOfMonth: DayOfMonthRule;
  readonly dayOfWeek: DayOfWeekRule;
}

export const MIN_YEAR = 1970;
export const MAX_YEAR = 2199;

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly allowStep: boolean;
}

const MINUTES: FieldSpec = { min: 0, max: 59, allowStep: true };
const HOURS: FieldSpec = { min: 0, max: 23, allowStep: true };
const DAYS_OF_MONTH: FieldSpec = { min: 1, max: 31, allowStep: true };
const MONTHS: FieldSpec = { min: 1, max: 12, names: MONTH_NAMES, allowStep: true };
const WEEKDAYS: FieldSpec = { min: 1, max: 7, names: WEEKDAY_NAMES, allowStep: false };
const YEARS: FieldSpec = { min: MIN_YEAR, max: MAX_YEAR, allowStep: true };

function parseValue(token: string, spec: FieldSpec): number | null {
  if (/^\d{1,4}$/.test(token)) {
    const value = Number(token);
    return value >= spec.min && value <= spec.max ? value : null;
  }
  const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  return index >= 0 ? spec.min + index : null;
}

/** A list of `*`, `v`, `a-b`, each optionally `/step`; null when invalid. */
function parseList(text: string, spec: FieldSpec): number[] | null {
  const allowed = new Set<number>();
  for (const item of text.split(',')) {
    const [rangeText, stepText, extra] = item.split('/');
    if (extra !== undefined || rangeText === undefined || rangeText === '') return null;
    let step = 1;
    if (stepText !== undefined) {
      if (!spec.allowStep || !/^\d{1,4}$/.test(stepText)) return null;
      step = Number(stepText);
      if (step < 1) return null;
    }
    let start: number;
    let end: number;
    if (rangeText === '*') {
      [start, end] = [spec.min, spec.max];
    } else if (rangeText.includes('-')) {
      const [from, to, more] = rangeText.split('-');
      if (more !== undefined || from === undefined || to === undefined) return null;
      const a = parseValue(from, spec);
      const b = parseValue(to, spec);
      if (a === null || b === null) return null;
      [start, end] = [a, b];
    } else {
      const a = parseValue(rangeText, spec);
      if (a === null) return null;
      // `a/step` runs from a to the field's end (`1/10` in minutes: 1, 11, 21 …).
      [start, end] = [a, stepText === undefined ? a : spec.max];
    }
    const span = spec.max - spec.min + 1;
    const length = end >= start ? end - start : end + span - start; // wrapping range
    for (let offset = 0; offset <= length; offset += step) {
      allowed.add(((start - spec.min + offset) % span) + spec.min);
    }
  }
  return [...allowed].sort((a, b) => a - b);
}

function parseDayOfMonth(text: string): DayOfMonthRule | null {
  const upper = text.toUpperCase();
  if (upper === '?') return { type: 'any' };
  if (upper === 'L') return { type: 'last' };
  if (upper === 'LW') return { type: 'lastWeekday' };
  const nearest = /^(\d{1,2})W$/.exec(upper);
  if (nearest) {
    const day = Number(nearest[1]);
    return day >= 1 && day <= 31 ? { type: 'nearestWeekday', day } : null;
  }
  const days = parseList(text, DAYS_OF_MONTH);
  return days ? { type: 'days', days } : null;
}

function parseDayOfWeek(text: string): DayOfWeekRule | null {
  const upper = text.toUpperCase();
  if (upper === '?') return { type: 'any' };
  if (upper === 'L') return { type: 'last', weekday: 7 };
  const last = /^([A-Z]{3}|\d)L$/.exec(upper);
  if (last) {
    const weekday = parseValue(last[1]!, WEEKDAYS);
    return weekday === null ? null : { type: 'last', weekday };
  }
  const nth = /^([A-Z]{3}|\d)#(\d)$/.exec(upper);
  if (nth) {
    const weekday = parseValue(nth[1]!, WEEKDAYS);
    const n = Number(nth[2]);
    return weekday === null || n < 1 || n > 5 ? null : { type: 'nth', weekday, nth: n };
  }
  const weekdays = parseList(text, WEEKDAYS);
  return weekdays ? { type: 'weekdays', weekdays } : null;
}

/** The fields inside `cron(…)`; null when AWS would reject them. */
export function parseCronFields(inner: string): CronFields | null {
  const parts = inner.trim().split(/\s+/);
  if (parts.length !== 6) return null;
  const [minuteText, hourText, domText, monthText, dowText, yearText] = parts as [
    string, string, string, string, string, string,
  ];
  // `?` belongs to exactly one of the two day fields.
  if ((domText === '?') === (dowText === '?')) return null;
  const minutes = parseList(minuteText, MINUTES);
  const hours = parseList(hourText, HOURS);
  const months = parseList(monthText, MONTHS);
  const years = parseList(yearText, YEARS);
  const dayOfMonth = parseDayOfMonth(domText);
  const dayOfWeek = parseDayOfWeek(dowText);
  if (!minutes || !hours || !months || !years || !dayOfMonth || !dayOfWeek) return null;
  return { minutes, hours, months, years, dayOfMonth, dayOfWeek };
}

function isWeekday(year: number, month: number, day: number): boolean {
  const weekday = cronWeekday(year, month, day);
  return weekday !== 1 && weekday !== 7;
}

/** Quartz's `nW`: the weekday nearest `day`, never leaving the month. */
function nearestWeekday(year: number, month: number, day: number): number | undefined {
  const length = daysInMonth(year, month);
  if (day > length) return undefined;
  const weekday = cronWeekday(year, month, day);
  if (weekday === 7) return day === 1 ? 3 : day - 1; // Saturday: Friday, or Monday the 3rd
  if (weekday === 1) return day === length ? day - 2 : day + 1; // Sunday: Monday, or Friday
  return day;
}

/** The days of (year, month) the two day fields allow, as a membership array indexed by day. */
export function allowedDays(fields: CronFields, year: number, month: number): boolean[] {
  const length = daysInMonth(year, month);
  const allowed = new Array<boolean>(length + 1).fill(false);
  const dom = fields.dayOfMonth;
  const dow = fields.dayOfWeek;
  if (dom.type !== 'any') {
    switch (dom.type) {
      case 'days':
        for (const day of dom.days) if (day <= length) allowed[day] = true;
        break;
      case 'last':
        allowed[length] = true;
        break;
      case 'lastWeekday': {
        let day = length;
        while (!isWeekday(year, month, day)) day--;
        allowed[day] = true;
        break;
      }
      case 'nearestWeekday': {
        const day = nearestWeekday(year, month, dom.day);
        if (day !== undefined) allowed[day] = true;
        break;
      }
    }
    return allowed;
  }
  const firstWeekday = cronWeekday(year, month, 1);
  const weekdayOf = (day: number) => ((firstWeekday - 1 + day - 1) % 7) + 1;
  switch (dow.type) {
    case 'any': // unreachable: parse rejects `?` in both fields
      break;
    case 'weekdays':
      for (let day = 1; day <= length; day++) if (dow.weekdays.includes(weekdayOf(day))) allowed[day] = true;
      break;
    case 'last': {
      let day = length;
      while (weekdayOf(day) !== dow.weekday) day--;
      allowed[day] = true;
      break;
    }
    case 'nth': {
      const first = 1 + ((dow.weekday - firstWeekday + 7) % 7);
      const day = first + 7 * (dow.nth - 1);
      if (day <= length) allowed[day] = true; // a 5th Friday only in months that have one
      break;
    }
  }
  return allowed;
}

/** A wall-clock minute; fields may overflow (minute 60, day 32, month 13) while searching. */
export interface WallMinute {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function firstAtLeast(sorted: readonly number[], value: number): number | undefined {
  for (const candidate of sorted) if (candidate >= value) return candidate;
  return undefined;
}

/**
 * The first wall-clock minute at or after `from` that the fields match, or undefined past
 * MAX_YEAR. Jumps field by field (year, month, day, hour, minute), so a sparse expression such
 * as `0 0 29 2 ? *` costs a few hundred steps, not a minute-by-minute walk.
 */
export function nextMatchingMinute(fields: CronFields, from: WallMinute): WallMinute | undefined {
  const t = { ...from };
  const carry = (field: 'year' | 'month' | 'day' | 'hour') => {
    t[field]++;
    if (field === 'year') t.month = 1;
    if (field === 'year' || field === 'month') t.day = 1;
    if (field !== 'hour') t.hour = 0;
    t.minute = 0;
  };
  for (;;) {
    if (t.month > 12) carry('year');
    const year = firstAtLeast(fields.years, t.year);
    if (year === undefined) return undefined;
    if (year !== t.year) Object.assign(t, { year, month: 1, day: 1, hour: 0, minute: 0 });

    const month = firstAtLeast(fields.months, t.month);
    if (month === undefined) {
      carry('year');
      continue;
    }
    if (month !== t.month) Object.assign(t, { month, day: 1, hour: 0, minute: 0 });

    const days = allowedDays(fields, t.year, t.month);
    let day = Math.max(t.day, 1);
    while (day < days.length && !days[day]) day++;
    if (day >= days.length) {
      carry('month');
      continue;
    }
    if (day !== t.day) Object.assign(t, { day, hour: 0, minute: 0 });

    const hour = firstAtLeast(fields.hours, t.hour);
    if (hour === undefined) {
      carry('day');
      continue;
    }
    if (hour !== t.hour) Object.assign(t, { hour, minute: 0 });

    const minute = firstAtLeast(fields.minutes, t.minute);
    if (minute === undefined) {
      carry('hour');
      continue;
    }
    t.minute = minute;
    return t;
  }
}
