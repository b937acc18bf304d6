import { describe, expect, it } from 'vitest';
import { compareTimestamps, parseTimestamp } from './timestamp.js';

describe('parseTimestamp', () => {
  it.each([
    ['1970-01-01T00:00:00Z', 0, 0],
    ['1970-01-01T00:00:01.5Z', 1, 500_000_000],
    ['1970-01-01T00:00:00.123456789Z', 0, 123_456_789],
    ['1970-01-01T01:00:00+01:00', 0, 0],
    ['1969-12-31T23:30:00-00:30', 0, 0],
    ['1969-12-31T23:59:59Z', -1, 0],
    ['2016-03-14T01:59:00Z', 1457920740, 0],
    ['2000-02-29T00:00:00Z', 951782400, 0],
    ['0001-01-01T00:00:00Z', -62135596800, 0],
    ['9999-12-31T23:59:59.999Z', 253402300799, 999_000_000],
  ])('reads %s as %d s + %d ns', (text, seconds, nanos) => {
    expect(parseTimestamp(text)).toEqual({ seconds, nanos });
  });

  it('agrees with Date for millisecond timestamps', () => {
    for (const text of ['2012-10-09T19:00:55.832Z', '2024-02-29T23:59:59.001+05:45', '1999-12-31T00:00:00-08:00']) {
      const parsed = parseTimestamp(text)!;
      expect(parsed.seconds * 1000 + parsed.nanos / 1e6).toBe(Date.parse(text));
    }
  });

  it.each([
    ['no zone', '2012-10-09T19:00:55'],
    ['a date alone', '2023-02-24'],
    ['a space separator', '2012-10-09 19:00:55Z'],
    ['a lowercase t', '2012-10-09t19:00:55Z'],
    ['a lowercase z', '2012-10-09T19:00:55z'],
    ['Python isoformat', '2023-02-24 12:15:56.832957'],
    ['an empty fraction', '2012-10-09T19:00:55.Z'],
    ['ten fraction digits', '2012-10-09T19:00:55.1234567890Z'],
    ['a compact offset', '2012-10-09T19:00:55+0100'],
    ['an hour-only offset', '2012-10-09T19:00:55+01'],
    ['an offset of 24 hours', '2012-10-09T19:00:55+24:00'],
    ['month 13', '2012-13-09T19:00:55Z'],
    ['month 0', '2012-00-09T19:00:55Z'],
    ['day 0', '2012-10-00T19:00:55Z'],
    ['April 31', '2012-04-31T19:00:55Z'],
    ['February 29 of a common year', '2023-02-29T00:00:00Z'],
    ['February 29 of 1900', '1900-02-29T00:00:00Z'],
    ['hour 24', '2012-10-09T24:00:00Z'],
    ['minute 60', '2012-10-09T19:60:00Z'],
    ['a leap second', '2016-12-31T23:59:60Z'],
    ['a two-digit year', '12-10-09T19:00:55Z'],
    ['a five-digit year', '20120-10-09T19:00:55Z'],
    ['trailing text', '2012-10-09T19:00:55Z '],
    ['leading text', ' 2012-10-09T19:00:55Z'],
    ['signs in fields', '2012-+1-09T19:00:55Z'],
    ['an empty string', ''],
  ])('rejects %s (%j)', (_title, text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });
});

describe('compareTimestamps', () => {
  const at = (text: string) => parseTimestamp(text)!;
  it('orders by instant, whatever the offset, down to the nanosecond', () => {
    expect(compareTimestamps(at('2012-10-09T19:00:55Z'), at('2012-10-09T20:00:55+01:00'))).toBe(0);
    expect(compareTimestamps(at('2012-10-09T19:00:55Z'), at('2012-10-09T19:00:56Z'))).toBeLessThan(0);
    expect(compareTimestamps(at('2012-10-09T19:00:55.000000002Z'), at('2012-10-09T19:00:55.000000001Z'))).toBeGreaterThan(
      0,
    );
    expect(compareTimestamps(at('2012-10-09T19:00:55.1Z'), at('2012-10-09T19:00:55.100Z'))).toBe(0);
  });
});
