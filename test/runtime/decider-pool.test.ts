/**
 * The decider pool: decisions in worker threads (the built dist/runtime/decider-worker.js, kept
 * fresh by the test setup), a watchdog that terminates a worker whose decision runs past its
 * budget, heap limits that turn running out of memory into that decision's failure, and
 * interpreters restored by replay when their worker was replaced.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { DeciderPool, DecisionAborted } from '../../src/runtime/decider-pool.js';
import { RemoteDecider } from '../../src/runtime/remote-decider.js';
import type { DeciderInit, ReplayedTrigger } from '../../src/runtime/decider.js';
import { DurableRunner } from '../../src/runtime/durable-runner.js';
import { MemoryStore } from '../../src/store/memory.js';
import { identityFor } from '../../src/runtime/memory-driver.js';
import { newExecutionSeed } from '../../src/runtime/execution-secrets.js';
import { ENGINE_VERSION } from '../../src/engine/version.js';

const neverTrue = { Variable: '$.never', IsPresent: true, Next: 'Done' };
const LOOP = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Choice', Choices: [neverTrue], Default: 'A' }, Done: { Type: 'Succeed' } } };
const WAIT_THEN_PASS = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1 }, P: { Type: 'Pass', Result: 'done', End: true } } };
(WAIT_THEN_PASS.States.W as Record<string, unknown>).Next = 'P';

function init(definition: object, name: string, extra: Partial<DeciderInit> = {}): DeciderInit {
  return { definition: JSON.stringify(definition), input: {}, identity: identityFor({ executionName: name }), startTime: 0, seed: 'b'.repeat(64), ...extra };
}

let pool: DeciderPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('the watchdog', () => {
  test('a decision past its budget is stopped; the pool goes on serving', async () => {
    pool = new DeciderPool({ workers: 1, maxWorkers: 1, decisionTimeoutMs: 300 });
    // No slice and no history cap: only the watchdog can end this decision.
    const runaway = pool.call({ op: 'start', key: 'runaway', init: init(LOOP, 'runaway'), now: 0 });
    await expect(runaway).rejects.toBeInstanceOf(DecisionAborted);
    await expect(runaway).rejects.toMatchObject({ reason: 'timeout', message: 'A decision ran longer than 0.3 seconds.' });
    const fine = await pool.call({ op: 'start', key: 'fine', init: init(WAIT_THEN_PASS, 'fine'), now: 0 });
    expect(fine.decision!.status).toBe('RUNNING');
    expect(fine.decision!.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered']);
    expect(pool.aborted).toBe(1);
  });

  test('running out of heap fails that decision only', async () => {
    pool = new DeciderPool({ workers: 1, maxWorkers: 1, decisionTimeoutMs: 30_000, workerHeapMb: 64 });
    // Each state doubles a string and the history keeps every one: the heap runs out.
    const grow = {
      StartAt: 'G',
      States: { G: { Type: 'Pass', Parameters: { 's.$': 'States.Format(\'{}{}\', $.s, $.s)' }, Next: 'G2' }, G2: { Type: 'Choice', Choices: [neverTrue], Default: 'G' }, Done: { Type: 'Succeed' } },
    };
    const hog = pool.call({ op: 'start', key: 'hog', init: { ...init(grow, 'hog'), input: { s: 'x'.repeat(1024) } }, now: 0 });
    const error = await hog.then(
      (reply) => reply,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DecisionAborted);
    expect(error).toMatchObject({ reason: 'crash', message: 'The execution used more memory than one decision may (64 MB).' });
    const fine = await pool.call({ op: 'start', key: 'fine', init: init(WAIT_THEN_PASS, 'fine'), now: 0 });
    expect(fine.decision!.status).toBe('RUNNING');
  }, 60_000);
});

describe('restoring', () => {
  test('an interpreter lost with its worker is rebuilt from the triggers decided so far', async () => {
    pool = new DeciderPool({ workers: 1, maxWorkers: 1, decisionTimeoutMs: 300 });
    const log: ReplayedTrigger[] = [];
    const waiting = new RemoteDecider(pool, init(WAIT_THEN_PASS, 'waiting'), () => log);
    const started = await waiting.start(1_000);
    log.push({ time: 1_000, trigger: { type: 'Start' } });
    const timer = started.commands.find((c) => c.type === 'StartTimer');
    expect(timer).toBeDefined();
    // Another execution's runaway decision takes the worker down with the waiting interpreter.
    await expect(pool.call({ op: 'start', key: 'runaway', init: init(LOOP, 'runaway'), now: 0 })).rejects.toBeInstanceOf(DecisionAborted);
    const fired = await waiting.handle({ type: 'TimerFired', timerId: (timer as { timerId: string }).timerId }, 2_000);
    expect(fired.status).toBe('SUCCEEDED');
    expect(waiting.output).toBe('done');
    expect(fired.events.map((e) => e.type)).toEqual(['WaitStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    expect(fired.events[0]!.id).toBe(3);
  });
});

describe('the durable runner with decision workers', () => {
  test('a runaway execution fails with States.Runtime; one waiting beside it finishes', async () => {
    pool = new DeciderPool({ workers: 1, maxWorkers: 1, decisionTimeoutMs: 500 });
    const store = new MemoryStore();
    // Slices and the history cap set far off, so that the loop's first decision runs until the watchdog stops it.
    const runner = new DurableRunner({ store, region: 'us-east-1', accountId: '111111111111', deciders: pool, waitTimeScale: 0.01, sliceMs: 60_000, maxDecisionEvents: 1e12, maxHistoryEvents: 1e12 });
    const base = {
      stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:m',
      type: 'STANDARD' as const,
      input: '{}',
      startDate: Date.now(),
      roleArn: 'arn:aws:iam::111111111111:role/r',
      redriveCount: 0,
      engineVersion: ENGINE_VERSION,
    };
    const arn = (name: string) => `arn:aws:states:us-east-1:111111111111:execution:m:${name}`;
    await runner.start({ ...base, arn: arn('waits'), name: 'waits', definition: JSON.stringify(WAIT_THEN_PASS), seed: newExecutionSeed() });
    await runner.start({ ...base, arn: arn('slow'), name: 'slow', definition: JSON.stringify(LOOP), seed: newExecutionSeed() });
    const ended = async (name: string) => {
      for (let i = 0; i < 200; i++) {
        const record = await store.getExecution(arn(name));
        if (record && record.status !== 'RUNNING') return record;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${name} did not end`);
    };
    const failed = await ended('slow');
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('States.Runtime');
    expect(failed.cause).toMatch(/^A decision ran longer than 0\.5 seconds\./);
    const succeeded = await ended('waits');
    expect(succeeded.status).toBe('SUCCEEDED');
    expect(succeeded.output).toBe('"done"');
    const history = await store.getEvents(arn('slow'), { limit: 100 });
    // Nothing of the runaway decision was kept: the execution started, entered its first state, failed.
    expect(history.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'ExecutionFailed']);
    await runner.close();
  }, 30_000);
});
