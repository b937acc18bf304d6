// execute() on a VirtualClock, without the testing API: the option the README documents.
import { expect, it } from 'vitest';
import { execute, VirtualClock } from '../../src/index.js';

it('runs a week-long Wait at once on a VirtualClock, with the real times in the history', async () => {
  const clock = new VirtualClock({ start: '2026-03-01T00:00:00Z' });
  const result = await execute({ StartAt: 'Week', States: { Week: { Type: 'Wait', Seconds: 604_800, End: true } } }, {}, { clock });
  expect(result.status).toBe('SUCCEEDED');
  expect(result.history.at(-1)!.timestamp.toISOString()).toBe('2026-03-08T00:00:00.000Z');
  expect(clock.now()).toBe(Date.parse('2026-03-08T00:00:00Z'));
});
