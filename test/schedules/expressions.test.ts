import { describe, expect, it } from 'vitest';
import {
  ScheduleExpressionError,
  dueTimesBetween,
  nextDueTime,
  parseScheduleExpression,
} from '../../src/schedules/expressions.js';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const next = (expression: string, after: string, options: Parameters<typeof nextDueTime>[2] = {}) =>
  iso(nextDueTime(parseScheduleExpression(expression), t(after), options));

describe('parseScheduleExpression', () => {
  it.each([
    // examples from the EventBridge cron reference and the Scheduler user guide
    'cron(0 10 * * ? *)',
    'cron(15 12 * * ? *)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0/10 * ? * MON-FRI *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 LW * ? *)',
    'cron(0 0 15W * ? *)',
    'cron(0 0 ? * 6L *)',
    'cron(0 0 1 JAN,FEB,MAR ? 2024-2030)',
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(1 day)',
    'rate(7 days)',
    'at(2024-02-29T23:59:59)',
  ])('accepts %s', (text) => {
    expect(parseScheduleExpression(text).text).toBe(text);
  });

  it.each([
    'rate(1 minutes)', // value 1 takes the singular unit
    'rate(5 minute)',
    'rate(0 minutes)',
    'rate(-1 minutes)',
    'rate(5 seconds)',
    'rate(5  minutes)',
    'cron(0 10 * * * *)', // neither day field is ?
    'cron(0 10 ? * ? *)', // both are
    'cron(0 10 * * ?)', // five fields
    'cron(0 10 * * ? * *)',
    'cron(60 10 * * ? *)',
    'cron(0 24 * * ? *)',
    'cron(0 0 32 * ? *)',
    'cron(0 0 0 * ? *)',
    'cron(0 0 ? 13 * *)',
    'cron(0 0 ? * 8 *)',
    'cron(0 0 ? * 3#1,6#3 *)', // one # expression only
    'cron(0 0 ? * 3#6 *)',
    'cron(0 0 ? * 1/2 *)', // / is not a day-of-week wildcard
    'cron(0 0 * * ? 1969)',
    'cron(0 0 * * ? 2200)',
    'cron(0/0 * * * ? *)',
    'cron(0 0 L,5 * ? *)',
    'cron(0 0 * FOO ? *)',
    'at(2023-02-29T00:00:00)',
    'at(2024-13-01T00:00:00)',
    'at(2024-01-01 00:00:00)',
    'at(2024-01-01T24:00:00)',
    'every 5 minutes',
    '',
  ])('rejects %j with a ValidationException', (text) => {
    expect(() => parseScheduleExpression(text)).toThrow(ScheduleExpressionError);
  });

  it('words the error as the Scheduler ValidationException', () => {
    const error = (() => {
      try {
        parseScheduleExpression('rate(1 minutes)');
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error?.name).toBe('ValidationException');
    expect(error?.message).toBe('Invalid Schedule Expression rate(1 minutes).');
  });

  it('rejects an unknown time zone when evaluating', () => {
    expect(() => next('cron(0 10 * * ? *)', '2024-01-01T00:00:00Z', { timeZone: 'Mars/Olympus' })).toThrow(
      ScheduleExpressionError,
    );
  });
});

describe('cron due times (UTC)', () => {
  it.each([
    ['cron(0 10 * * ? *)', '2024-01-01T10:00:00Z', '2024-01-02T10:00:00.000Z'], // strictly after
    ['cron(0 10 * * ? *)', '2024-01-01T09:59:59Z', '2024-01-01T10:00:00.000Z'],
    ['cron(1/10 * * * ? *)', '2024-01-01T10:51:00Z', '2024-01-01T11:01:00.000Z'],
    ['cron(0 8-17/3 * * ? *)', '2024-01-01T11:00:00Z', '2024-01-01T14:00:00.000Z'],
    ['cron(0 22-2 * * ? *)', '2024-01-01T02:00:00Z', '2024-01-01T22:00:00.000Z'], // wrapping range
    ['cron(0 12 ? * MON-FRI *)', '2024-01-06T00:00:00Z', '2024-01-08T12:00:00.000Z'], // Sat → Mon
    ['cron(0 12 ? * FRI-MON *)', '2024-01-02T00:00:00Z', '2024-01-05T12:00:00.000Z'], // Tue → Fri
    ['cron(0 0 1 JAN,JUL ? *)', '2024-01-01T00:00:00Z', '2024-07-01T00:00:00.000Z'],
    ['cron(0 0 31 * ? *)', '2024-04-01T00:00:00Z', '2024-05-31T00:00:00.000Z'], // April has no 31st
  ])('%s after %s is %s', (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });

  it.each([
    ['cron(0 0 L * ? *)', '2024-02-01T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['cron(0 0 L * ? *)', '2023-02-01T00:00:00Z', '2023-02-28T00:00:00.000Z'],
    ['cron(0 0 LW 8 ? 2024)', '2024-01-01T00:00:00Z', '2024-08-30T00:00:00.000Z'], // 31st is a Saturday
    ['cron(0 0 15W 6 ? 2024)', '2024-01-01T00:00:00Z', '2024-06-14T00:00:00.000Z'], // Sat 15th → Fri 14th
    ['cron(0 0 1W 6 ? 2024)', '2024-01-01T00:00:00Z', '2024-06-03T00:00:00.000Z'], // Sat 1st → Mon 3rd
    ['cron(0 0 30W 6 ? 2024)', '2024-01-01T00:00:00Z', '2024-06-28T00:00:00.000Z'], // Sun 30th (last) → Fri 28th
    ['cron(0 0 10W 6 ? 2024)', '2024-01-01T00:00:00Z', '2024-06-10T00:00:00.000Z'], // already a Monday
    ['cron(0 10 ? * 3#2 *)', '2024-01-01T00:00:00Z', '2024-01-09T10:00:00.000Z'], // 2nd Tuesday
    ['cron(0 0 ? * 6#5 *)', '2024-01-01T00:00:00Z', '2024-03-29T00:00:00.000Z'], // first month with a 5th Friday
    ['cron(0 0 ? * 5L *)', '2024-02-01T00:00:00Z', '2024-02-29T00:00:00.000Z'], // last Thursday
    ['cron(0 0 ? * L *)', '2024-01-01T00:00:00Z', '2024-01-27T00:00:00.000Z'], // L alone: last Saturday
  ])('%s after %s is %s', (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });

  it('jumps field by field for sparse schedules', () => {
    expect(next('cron(0 0 29 2 ? *)', '2025-01-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('cron(0 0 29 2 ? *)', '2025-01-01T00:00:00Z', { timeZone: 'America/New_York' })).toBe(
      '2028-02-29T05:00:00.000Z',
    );
    expect(next('cron(0 0 1 1 ? 2199)', '2024-01-01T00:00:00Z')).toBe('2199-01-01T00:00:00.000Z');
    expect(next('cron(0 0 1 1 ? 2199)', '2199-01-01T00:00:00Z')).toBeUndefined();
    expect(next('cron(0 0 30 2 ? *)', '2024-01-01T00:00:00Z')).toBeUndefined(); // never exists
  });

  it('keeps within StartDate and EndDate, inclusive', () => {
    const window = { startDate: t('2024-05-01T10:00:00Z'), endDate: t('2024-05-03T10:00:00Z') };
    expect(next('cron(0 10 * * ? *)', '2024-01-01T00:00:00Z', window)).toBe('2024-05-01T10:00:00.000Z');
    expect(next('cron(0 10 * * ? *)', '2024-05-02T10:00:00Z', window)).toBe('2024-05-03T10:00:00.000Z');
    expect(next('cron(0 10 * * ? *)', '2024-05-03T10:00:00Z', window)).toBeUndefined();
  });
});

describe('cron in a time zone across daylight saving time', () => {
  const newYork = { timeZone: 'America/New_York' };
  const berlin = { timeZone: 'Europe/Berlin' };

  it('follows local time: 09:00 Berlin is 08:00Z in winter, 07:00Z in summer', () => {
    const expression = parseScheduleExpression('cron(0 9 * * ? *)');
    expect(dueTimesBetween(expression, t('2024-03-30T00:00:00Z'), t('2024-04-01T00:00:00Z'), { ...berlin, limit: 10 }).map(iso)).toEqual([
      '2024-03-30T08:00:00.000Z',
      '2024-03-31T07:00:00.000Z',
    ]);
  });

  it('skips a time that spring-forward removes', () => {
    // New York jumps 02:00 EST → 03:00 EDT on 2024-03-10; 02:30 does not exist that night.
    expect(next('cron(30 2 * * ? *)', '2024-03-09T12:00:00Z', newYork)).toBe('2024-03-11T06:30:00.000Z');
    // Berlin jumps 02:00 CET → 03:00 CEST on 2024-03-31.
    expect(next('cron(30 2 * * ? *)', '2024-03-30T12:00:00Z', berlin)).toBe('2024-04-01T00:30:00.000Z');
  });

  it('runs a repeated time only once when clocks fall back', () => {
    // New York repeats 01:00-02:00 on 2024-11-03 (EDT 05:00Z-06:00Z, then EST 06:00Z-07:00Z).
    expect(next('cron(30 1 * * ? *)', '2024-11-03T04:00:00Z', newYork)).toBe('2024-11-03T05:30:00.000Z');
    expect(next('cron(30 1 * * ? *)', '2024-11-03T05:30:00Z', newYork)).toBe('2024-11-04T06:30:00.000Z');
    // Asked from inside the second pass, the repeated minutes are already spent.
    expect(next('cron(30 1 * * ? *)', '2024-11-03T06:10:00Z', newYork)).toBe('2024-11-04T06:30:00.000Z');

    const everyHalfHour = parseScheduleExpression('cron(0/30 * * * ? *)');
    expect(dueTimesBetween(everyHalfHour, t('2024-11-03T04:00:00Z'), t('2024-11-03T08:00:00Z'), { ...newYork, limit: 20 }).map(iso)).toEqual([
      '2024-11-03T04:30:00.000Z',
      '2024-11-03T05:00:00.000Z',
      '2024-11-03T05:30:00.000Z',
      '2024-11-03T07:00:00.000Z',
      '2024-11-03T07:30:00.000Z',
      '2024-11-03T08:00:00.000Z',
    ]);
    // Berlin repeats 02:00-03:00 on 2024-10-27 (CEST 00:00Z-01:00Z, then CET 01:00Z-02:00Z).
    expect(next('cron(15 2 * * ? *)', '2024-10-26T12:00:00Z', berlin)).toBe('2024-10-27T00:15:00.000Z');
    expect(next('cron(15 2 * * ? *)', '2024-10-27T00:15:00Z', berlin)).toBe('2024-10-28T01:15:00.000Z');
  });
});

describe('rate due times', () => {
  const anchor = t('2024-01-01T00:00:00Z');

  it('starts at the anchor (creation) and repeats every interval', () => {
    const rate = parseScheduleExpression('rate(5 minutes)');
    expect(iso(nextDueTime(rate, anchor - 1, { anchorMs: anchor }))).toBe('2024-01-01T00:00:00.000Z');
    expect(iso(nextDueTime(rate, anchor, { anchorMs: anchor }))).toBe('2024-01-01T00:05:00.000Z');
    expect(iso(nextDueTime(rate, anchor + 7 * 60_000, { anchorMs: anchor }))).toBe('2024-01-01T00:10:00.000Z');
  });

  it('starts at StartDate when there is one and stops after EndDate', () => {
    const rate = parseScheduleExpression('rate(1 hour)');
    const options = { startDate: t('2024-06-01T12:30:00Z'), endDate: t('2024-06-01T14:30:00Z') };
    expect(iso(nextDueTime(rate, anchor, options))).toBe('2024-06-01T12:30:00.000Z');
    expect(dueTimesBetween(rate, anchor, t('2025-01-01T00:00:00Z'), { ...options, limit: 10 }).map(iso)).toEqual([
      '2024-06-01T12:30:00.000Z',
      '2024-06-01T13:30:00.000Z',
      '2024-06-01T14:30:00.000Z',
    ]);
  });

  it('counts a day as 24 hours, whatever the time zone does', () => {
    const rate = parseScheduleExpression('rate(1 day)');
    const start = t('2024-03-09T12:00:00Z');
    expect(iso(nextDueTime(rate, start, { anchorMs: start, timeZone: 'America/New_York' }))).toBe('2024-03-10T12:00:00.000Z');
  });

  it('needs an anchor without a StartDate', () => {
    expect(() => nextDueTime(parseScheduleExpression('rate(1 day)'), anchor)).toThrow(TypeError);
  });
});

describe('at due times', () => {
  it('is one wall-clock time in the schedule time zone', () => {
    expect(next('at(2024-06-01T12:00:00)', '2024-01-01T00:00:00Z')).toBe('2024-06-01T12:00:00.000Z');
    expect(next('at(2024-06-01T12:00:00)', '2024-01-01T00:00:00Z', { timeZone: 'Europe/Berlin' })).toBe('2024-06-01T10:00:00.000Z');
    expect(next('at(2024-06-01T12:00:00)', '2024-06-01T12:00:00Z')).toBeUndefined();
  });

  it('ignores StartDate and EndDate', () => {
    const options = { startDate: t('2025-01-01T00:00:00Z'), endDate: t('2025-02-01T00:00:00Z') };
    expect(next('at(2024-06-01T12:00:00)', '2024-01-01T00:00:00Z', options)).toBe('2024-06-01T12:00:00.000Z');
  });

  it('resolves a time inside a DST gap or overlap (our choice; AWS does not say)', () => {
    const newYork = { timeZone: 'America/New_York' };
    expect(next('at(2024-03-10T02:30:00)', '2024-01-01T00:00:00Z', newYork)).toBe('2024-03-10T07:30:00.000Z'); // 03:30 EDT
    expect(next('at(2024-11-03T01:30:00)', '2024-01-01T00:00:00Z', newYork)).toBe('2024-11-03T05:30:00.000Z'); // first 01:30
  });
});

describe('dueTimesBetween', () => {
  it('lists (from, to] up to the limit', () => {
    const everyMinute = parseScheduleExpression('cron(* * * * ? *)');
    const from = t('2024-01-01T00:00:00Z');
    expect(dueTimesBetween(everyMinute, from, from + 3 * 60_000, { limit: 10 }).map(iso)).toEqual([
      '2024-01-01T00:01:00.000Z',
      '2024-01-01T00:02:00.000Z',
      '2024-01-01T00:03:00.000Z',
    ]);
    const capped = dueTimesBetween(everyMinute, from, from + 86_400_000, { limit: 500, timeZone: 'Europe/Berlin' });
    expect(capped).toHaveLength(500);
    expect(iso(capped[499])).toBe('2024-01-01T08:20:00.000Z');
    expect(dueTimesBetween(everyMinute, from, from + 60_000, { limit: 0 })).toEqual([]);
  });
});
