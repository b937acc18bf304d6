/**
 * Slices: a decision stops between two states once it has used its budget, and goes on with a
 * Continue trigger. In memory this is what lets `signal`, timers and Ctrl-C in while a loop of
 * states runs; on the server it is what keeps executions fair. The cut is recorded as a step
 * count, so a replay that is given it makes the same decisions.
 */
import { describe, expect, test } from 'vitest';
import { execute } from '../../src/index.js';
import { Interpreter } from '../../src/engine/interpreter.js';
import type { Decision, Trigger } from '../../src/engine/model.js';
import type { HistoryEvent } from '../../src/engine/events.js';
import { identityFor } from '../../src/runtime/memory-driver.js';

const SEED = 'a'.repeat(64);
const neverTrue = { Variable: '$.never', IsPresent: true, Next: 'Done' };
/** A valid machine that loops for ever (its Choice never finds `$.never`). */
const LOOP = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Choice', Choices: [neverTrue], Default: 'A' }, Done: { Type: 'Succeed' } } };

describe('in memory: a loop that never waits', () => {
  test('fails with States.Runtime at 25,000 events by default, as AWS does', async () => {
    const result = await execute(LOOP, {});
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toMatch(/maximum number of history events \(25000\)/);
    expect(result.events).toHaveLength(25_000);
    expect(result.events.at(-1)!.type).toBe('ExecutionFailed');
  });

  test('maxHistoryEvents sets another limit', async () => {
    const result = await execute(LOOP, {}, { maxHistoryEvents: 1_000 });
    expect(result.status).toBe('FAILED');
    expect(result.events).toHaveLength(1_000);
  });

  test('with no limit, the AbortSignal stops it, and timers fire while it runs', async () => {
    const controller = new AbortController();
    let ticks = 0;
    const ticker = setInterval(() => {
      ticks++;
      if (ticks === 3) controller.abort();
    }, 10);
    const t0 = performance.now();
    const result = await execute(LOOP, {}, { maxHistoryEvents: 0, signal: controller.signal });
    clearInterval(ticker);
    expect(result.status).toBe('ABORTED');
    expect(ticks).toBeGreaterThanOrEqual(3);
    // It ran on, yielding, until the signal: far more than one slice's worth of events.
    expect(result.events.length).toBeGreaterThan(100);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  test('an already aborted signal ends the execution at once', async () => {
    const result = await execute(LOOP, {}, { maxHistoryEvents: 0, signal: AbortSignal.abort() });
    expect(result.status).toBe('ABORTED');
  });

  test('maxDurationMs ends a long execution TIMED_OUT', async () => {
    const result = await execute(LOOP, {}, { maxHistoryEvents: 0, maxDurationMs: 50 });
    expect(result.status).toBe('TIMED_OUT');
    expect(result.error).toBe('States.Timeout');
  });
});

/** Runs an interpreter to its end, cutting every decision after `steps` steps; returns the history and the log. */
async function runSliced(definition: object, input: unknown, steps: number | undefined) {
  const interp = new Interpreter({ definition: definition as never, input, identity: identityFor({ executionName: 'x' }), startTime: 0, seed: SEED });
  const log: Array<{ trigger: Trigger | { type: 'Start' }; steps?: number }> = [];
  const budget = steps === undefined ? undefined : { maxSteps: steps };
  let decision: Decision = await interp.start(0, budget);
  log.push({ trigger: { type: 'Start' }, ...(decision.more ? { steps: decision.steps } : {}) });
  let cuts = 0;
  while (decision.status === 'RUNNING') {
    expect(decision.more, 'a machine without tasks or waits only stops on its budget').toBe(true);
    cuts++;
    decision = await interp.handle({ type: 'Continue' }, 0, budget);
    log.push({ trigger: { type: 'Continue' }, ...(decision.more ? { steps: decision.steps } : {}) });
  }
  return { interp, history: interp.history(), log, cuts };
}

function shape(events: readonly HistoryEvent[]) {
  return events.map((e) => ({ id: e.id, type: e.type, frame: e.frame, details: e.details }));
}

const MIXED = {
  StartAt: 'Seed',
  States: {
    Seed: { Type: 'Pass', Parameters: { 'items.$': 'States.ArrayRange(1, 30, 1)', 'id.$': 'States.UUID()' }, Next: 'Fan' },
    Fan: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 4,
      ItemProcessor: {
        StartAt: 'Twice',
        States: {
          Twice: { Type: 'Pass', Parameters: { 'v.$': 'States.MathAdd($, $)' }, Next: 'Both' },
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'L', States: { L: { Type: 'Pass', End: true } } },
              { StartAt: 'R', QueryLanguage: 'JSONata', States: { R: { Type: 'Pass', Output: '{% $states.input.v * 3 %}', End: true } } },
            ],
            End: true,
          },
        },
      },
      Next: 'Sum',
    },
    Sum: { Type: 'Pass', Parameters: { 'n.$': 'States.ArrayLength($)' }, End: true },
  },
};

describe('slicing does not change what an execution does', () => {
  test.each([1, 2, 7, 50])('cut every %i steps: the same history as one uncut decision', async (steps) => {
    const whole = await runSliced(MIXED, {}, undefined);
    const sliced = await runSliced(MIXED, {}, steps);
    expect(whole.interp.status).toBe('SUCCEEDED');
    expect(sliced.cuts).toBeGreaterThan(0);
    expect(sliced.interp.output).toEqual(whole.interp.output);
    expect(shape(sliced.history).map((e) => [e.type, e.frame, e.details])).toEqual(shape(whole.history).map((e) => [e.type, e.frame, e.details]));
  });

  test('a replay given the logged step counts regenerates the sliced history event for event', async () => {
    // Cut by a clock (as the drivers do): where it stops is known only from the log.
    const interp = new Interpreter({ definition: MIXED as never, input: {}, identity: identityFor({ executionName: 'x' }), startTime: 0, seed: SEED });
    let calls = 0;
    const budget = { shouldYield: () => ++calls % 5 === 0 };
    const log: Array<{ trigger: Trigger | { type: 'Start' }; steps?: number }> = [];
    let decision = await interp.start(0, budget);
    log.push({ trigger: { type: 'Start' }, ...(decision.more ? { steps: decision.steps } : {}) });
    while (decision.status === 'RUNNING') {
      decision = await interp.handle({ type: 'Continue' }, 0, budget);
      log.push({ trigger: { type: 'Continue' }, ...(decision.more ? { steps: decision.steps } : {}) });
    }
    expect(log.filter((l) => l.steps !== undefined).length).toBeGreaterThan(3);

    const again = new Interpreter({ definition: MIXED as never, input: {}, identity: identityFor({ executionName: 'x' }), startTime: 0, seed: SEED });
    for (const entry of log) {
      const replayBudget = entry.steps !== undefined ? { maxSteps: entry.steps } : undefined;
      if (entry.trigger.type === 'Start') await again.start(0, replayBudget);
      else await again.handle(entry.trigger, 0, replayBudget);
    }
    expect(shape(again.history())).toEqual(shape(interp.history()));
    expect(again.output).toEqual(interp.output);
  });

  test('the byte budget cuts a decision that produces large outputs', async () => {
    const big = { blob: 'x'.repeat(100_000) };
    const chain = { StartAt: 'S0', States: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`S${i}`, i === 19 ? { Type: 'Pass', End: true } : { Type: 'Pass', Next: `S${i + 1}` }])) };
    const interp = new Interpreter({ definition: chain as never, input: big, identity: identityFor({ executionName: 'x' }), startTime: 0, seed: SEED, maxPayloadBytes: 256 * 1024 });
    const first = await interp.start(0, { maxBytes: 500_000 });
    expect(first.more).toBe(true);
    expect(first.steps).toBeGreaterThan(1);
    expect(first.steps).toBeLessThan(20);
  });

  test('the event budget cuts a decision after that many events', async () => {
    const interp = new Interpreter({ definition: LOOP as never, input: {}, identity: identityFor({ executionName: 'x' }), startTime: 0, seed: SEED });
    const first = await interp.start(0, { maxEvents: 100 });
    expect(first.more).toBe(true);
    expect(first.events.length).toBeGreaterThanOrEqual(100);
    expect(first.events.length).toBeLessThan(110);
  });
});
