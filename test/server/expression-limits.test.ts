// The expression limits of `stepwise serve` (--jsonata-timeout-ms, --jsonata-max-sequence,
// --jsonata-max-string-length, --jsonpath-max-steps): parsed and checked like every other flag,
// and in force where user logic runs, which is a decision worker (the default), not the thread
// that parsed them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListStateMachinesCommand, StartExecutionCommand, TestStateCommand, type DescribeExecutionCommandOutput, type SFNClient } from '@aws-sdk/client-sfn';
import { parseServeArgs } from '../../src/server/config.js';
import { ROLE, assertBuilt, hasStackTrace, pollUntil, runCli, sdk, startServe, stopAll, type ServeProcess } from './serve-process.js';

/** Builds a 2,000-character string: within the default 4 MiB, beyond 1,024. */
const PAD = JSON.stringify({ QueryLanguage: 'JSONata', StartAt: 'Pad', States: { Pad: { Type: 'Pass', Output: "{% $pad('', 2000, 'x') %}", End: true } } });
/** 100 × 100 comparisons plus the nodes visited: within the default budget, beyond 1,000 steps. */
const FILTER = JSON.stringify({ StartAt: 'Filter', States: { Filter: { Type: 'Pass', InputPath: '$.a[?(@ in $.a)]', End: true } } });
const NUMBERS = { a: Array.from({ length: 100 }, (_, i) => i) };

afterAll(stopAll);

async function runToEnd(client: SFNClient, name: string, definition: string, input: unknown = {}): Promise<DescribeExecutionCommandOutput> {
  const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE }));
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  return pollUntil(async () => {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    return described.status === 'RUNNING' ? undefined : described;
  }, `${name} to end`);
}

describe('expression limits on a running server', { timeout: 90_000 }, () => {
  let limited: ServeProcess;
  let defaults: ServeProcess;

  beforeAll(async () => {
    assertBuilt();
    [limited, defaults] = await Promise.all([
      startServe({ db: ':memory:', args: ['--jsonata-max-string-length', '1024', '--jsonpath-max-steps', '1000'] }),
      startServe({ db: ':memory:' }),
    ]);
  });

  it('--jsonata-max-string-length reaches the decision workers: a longer string fails with States.QueryEvaluationError', async () => {
    const client = sdk(limited.url);
    const failed = await runToEnd(client, 'pad', PAD);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('States.QueryEvaluationError');
    expect(failed.cause).toContain('Expression evaluation memory limit exceeded');
    client.destroy();
  });

  it('the default accepts the same string', async () => {
    const client = sdk(defaults.url);
    const succeeded = await runToEnd(client, 'pad', PAD);
    expect(succeeded.status, succeeded.cause).toBe('SUCCEEDED');
    expect(JSON.parse(succeeded.output!)).toBe('x'.repeat(2000));
    client.destroy();
  });

  it('--jsonpath-max-steps reaches them too: a filter beyond the budget fails with States.Runtime', async () => {
    const limitedClient = sdk(limited.url);
    const failed = await runToEnd(limitedClient, 'filter', FILTER, NUMBERS);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('States.Runtime');
    expect(failed.cause).toContain('exceeded its budget of 1000 steps');
    limitedClient.destroy();
    const defaultClient = sdk(defaults.url);
    const succeeded = await runToEnd(defaultClient, 'filter', FILTER, NUMBERS);
    expect(succeeded.status, succeeded.cause).toBe('SUCCEEDED');
    expect(JSON.parse(succeeded.output!)).toEqual(NUMBERS.a);
    defaultClient.destroy();
  });
});

describe('TestState is bounded like an execution', { timeout: 90_000 }, () => {
  it('fails a runaway expression in the tested state with AWS’s error, quickly, and the server keeps answering', async () => {
    const server = await startServe({ db: ':memory:' });
    const client = sdk(server.url);
    const test = (definition: object, input: unknown) => client.send(new TestStateCommand({ definition: JSON.stringify(definition), roleArn: ROLE, input: JSON.stringify(input) }));
    // A cubic JSONPath filter over 5,000 items: 25 million comparisons, beyond the 10 million steps.
    const many = { a: Array.from({ length: 5_000 }, (_, i) => i) };
    const started = Date.now();
    const [filtered, listed] = await Promise.all([
      test({ Type: 'Pass', InputPath: '$.a[?(@ in $.a)]', End: true }, many),
      // Another client meanwhile: served at once.
      client.send(new ListStateMachinesCommand({})),
    ]);
    expect(filtered).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(filtered.cause).toContain('exceeded its budget');
    expect(listed.stateMachines).toEqual([]);
    // A sequence beyond AWS's $range limit, and a catastrophic regular expression (linear time here).
    const range = await test({ Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $sum([1..100000000]) %}', End: true }, {});
    expect(range).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    const regex = await test({ Type: 'Pass', QueryLanguage: 'JSONata', Output: "{% $contains($states.input.s, /^(a+)+$/) %}", End: true }, { s: `${'a'.repeat(40)}!` });
    expect(regex).toMatchObject({ status: 'SUCCEEDED', output: 'false' });
    expect(Date.now() - started).toBeLessThan(30_000);
    client.destroy();
    await server.stop();
  });
});

describe('expression limit flags', () => {
  const FLAGS = [
    ['jsonata-timeout-ms', 'STEPWISE_JSONATA_TIMEOUT_MS', 'jsonataTimeoutMs', 2_000],
    ['jsonata-max-sequence', 'STEPWISE_JSONATA_MAX_SEQUENCE', 'jsonataMaxSequence', 360_145],
    ['jsonata-max-string-length', 'STEPWISE_JSONATA_MAX_STRING_LENGTH', 'jsonataMaxStringLength', 4_194_304],
    ['jsonpath-max-steps', 'STEPWISE_JSONPATH_MAX_STEPS', 'jsonPathMaxSteps', 10_000_000],
  ] as const;

  it('default as documented, and come from the option first, then the environment', () => {
    for (const [option, variable, field, fallback] of FLAGS) {
      expect(parseServeArgs([], {}).isolation[field]).toBe(fallback);
      expect(parseServeArgs([], { [variable]: '77' }).isolation[field]).toBe(77);
      expect(parseServeArgs([`--${option}`, '5'], { [variable]: '77' }).isolation[field]).toBe(5);
    }
  });

  it('refuse what is not a positive whole number, naming the option', () => {
    for (const [option, variable] of FLAGS) {
      for (const bad of ['0', '-1', '1.5', 'abc']) {
        expect(() => parseServeArgs([`--${option}=${bad}`], {})).toThrow(`--${option} must be a whole number from 1 to 9007199254740991, not '${bad}'.`);
      }
      expect(() => parseServeArgs([], { [variable]: 'x' })).toThrow(`--${option} must be a whole number from 1 to 9007199254740991, not 'x'.`);
    }
  });

  it('make serve exit 2 with one line and no stack trace', { timeout: 60_000 }, async () => {
    const run = await runCli(['serve', '--port', '0', '--db', ':memory:', '--jsonata-max-string-length', '0']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toBe("stepwise: --jsonata-max-string-length must be a whole number from 1 to 9007199254740991, not '0'.\n");
    expect(hasStackTrace(run.stderr)).toBe(false);
    const fromEnv = await runCli(['serve', '--port', '0', '--db', ':memory:'], { env: { STEPWISE_JSONATA_TIMEOUT_MS: 'soon' } });
    expect(fromEnv.code, fromEnv.stderr).toBe(2);
    expect(fromEnv.stderr).toBe("stepwise: --jsonata-timeout-ms must be a whole number from 1 to 9007199254740991, not 'soon'.\n");
  });
});
