/**
 * The API's in-memory runs are bounded like executions: TestState and EXPRESS executions
 * (StartSyncExecution) stop at AWS's 25,000-event quota, and an EXPRESS execution at its
 * duration limit (AWS: 5 minutes; shortened here), instead of running for ever on the server.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { harness, type Harness } from './helpers.js';

const neverTrue = { Variable: '$.never', IsPresent: true, Next: 'Done' };
const LOOP_STATES = { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Choice', Choices: [neverTrue], Default: 'A' }, Done: { Type: 'Succeed' } };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('TestState', () => {
  test('a Map whose iterations loop for ever fails at the history quota', async () => {
    h = await harness();
    const state = { Type: 'Map', ItemProcessor: { StartAt: 'A', States: LOOP_STATES }, End: true };
    const result = await h.ok('TestState', { definition: JSON.stringify(state), roleArn: 'arn:aws:iam::111111111111:role/r', input: '[1]' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toMatch(/maximum number of history events \(25000\)/);
  });
});

describe('EXPRESS executions', () => {
  test('StartSyncExecution of a loop that never waits ends FAILED at the history quota', async () => {
    h = await harness();
    const machine = await h.createMachine('express-loop', JSON.stringify({ StartAt: 'A', States: LOOP_STATES }), { type: 'EXPRESS' });
    const result = await h.ok('StartSyncExecution', { stateMachineArn: machine });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
  });

  test('an EXPRESS execution past its duration limit ends TIMED_OUT', async () => {
    // The runner's limit is AWS's 5 minutes; this runner is given 200 ms.
    h = await harness({ runnerLimits: { expressMaxDurationMs: 200 } });
    const machine = await h.createMachine('express-wait', JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } }), { type: 'EXPRESS' });
    const t0 = Date.now();
    const result = await h.ok('StartSyncExecution', { stateMachineArn: machine });
    expect(result.status).toBe('TIMED_OUT');
    expect(result.error).toBe('States.Timeout');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
