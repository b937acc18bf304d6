/**
 * Durations as tests write them: a number of milliseconds, or text such as `'300s'`, `'5m'`,
 * `'24h'`, `'1d 2h'`, `'1500ms'`.
 */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export type Duration = number | string;

/** The duration in milliseconds; a RangeError names what could not be read. */
export function durationMs(duration: Duration): number {
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) throw new RangeError(`A duration must be a number of milliseconds of at least 0, not ${duration}.`);
    return duration;
  }
  const text = String(duration).trim();
  const parts = text.split(/\s+/);
  let total = 0;
  for (const part of parts) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(part);
    if (!match) throw new RangeError(`Cannot read the duration '${text}': write a number of milliseconds or e.g. '1500ms', '300s', '5m', '24h', '1d 2h'.`);
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return total;
}
