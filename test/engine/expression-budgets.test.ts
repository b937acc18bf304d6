// User logic that used to hold the thread for minutes or hours (issue 8, findings 2 and 5):
// catastrophic regular expressions in JSONata and JSONPath, cubic JSONPath filters, and JSONata
// built-ins that escape jsonata's time limit. Each must end its state quickly with AWS's error.
// Run in a child process with a deadline: a regression blocks the thread synchronously.
import { describe, expect, it } from 'vitest';
import { executeIsolated } from './isolated-execute.js';

const EVIL = 'a'.repeat(40) + '!';

function jsonataPass(output: string) {
  return { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: output, End: true } } };
}

describe('JSONata: built-ins that escape the time limit', () => {
  it('fails $string([1..10000000]) with States.QueryEvaluationError within a second or two', async () => {
    const result = await executeIsolated(jsonataPass('{% $string([1..10000000]) %}'), {});
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.QueryEvaluationError');
    expect(result.cause).toContain('Expression evaluation memory limit exceeded');
    expect(result.elapsedMs).toBeLessThan(2_000);
  });

  it('fails a string doubled past the limit with &, and a huge $pad', async () => {
    const doubling = '{% ($double := function($s, $n) { $n = 0 ? $s : $double($s & $s, $n - 1) }; $length($uppercase($double("abcdefgh", 25)))) %}';
    for (const output of [doubling, '{% $length($pad("x", 1000000000)) %}']) {
      const result = await executeIsolated(jsonataPass(output), {});
      expect(result, output).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
      expect(result.cause).toContain('Expression evaluation memory limit exceeded');
      expect(result.elapsedMs).toBeLessThan(2_000);
    }
  });
});

describe('JSONata: regular expressions', () => {
  it('answers a catastrophic $match in linear time', async () => {
    for (const pattern of ['/^(a+)+$/', '/^(a+)+$/i', '/(a|a)+$/']) {
      const result = await executeIsolated(jsonataPass(`{% $count($match($states.input.s, ${pattern})) %}`), { s: EVIL });
      expect(result, pattern).toMatchObject({ status: 'SUCCEEDED', output: 0 });
      expect(result.elapsedMs).toBeLessThan(2_000);
    }
    const replaced = await executeIsolated(jsonataPass('{% $replace($states.input.s, /^(a+)+$/, "x") %}'), { s: EVIL });
    expect(replaced).toMatchObject({ status: 'SUCCEEDED', output: EVIL });
  });

  it('fails its state, catchably, on an exponential pattern the linear engine cannot run', async () => {
    const output = '{% $contains($states.input.s, /^(a+)+\\1$/) %}';
    const failed = await executeIsolated(jsonataPass(output), { s: EVIL });
    expect(failed).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(failed.cause).toContain('is refused');
    expect(failed.elapsedMs).toBeLessThan(2_000);
    // Inside a Map iteration, the Map's Catch handles it.
    const inMap = {
      QueryLanguage: 'JSONata',
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          Items: '{% [$states.input.s] %}',
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $contains($states.input, /^(a+)+\\1$/) %}', End: true } } },
          Catch: [{ ErrorEquals: ['States.QueryEvaluationError'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    };
    const caught = await executeIsolated(inMap, { s: EVIL });
    expect(caught.status).toBe('SUCCEEDED');
    expect(caught.output).toMatchObject({ Error: 'States.QueryEvaluationError' });
  });
});

describe('JSONPath: regular expressions and filters', () => {
  const pass = (parameters: Record<string, unknown>) => ({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: parameters, End: true } } });

  it('answers a catastrophic =~ in linear time', async () => {
    const input = { items: [{ s: EVIL }, { s: 'aaa' }] };
    for (const flags of ['', 'i']) {
      const result = await executeIsolated(pass({ 'matched.$': `$.items[?(@.s =~ /(a+)+/${flags})].s` }), input);
      expect(result, flags).toMatchObject({ status: 'SUCCEEDED', output: { matched: ['aaa'] } });
      expect(result.elapsedMs).toBeLessThan(2_000);
    }
  });

  it('fails a cubic nested `in` filter with States.Runtime once it exceeds its step budget', async () => {
    const a = Array.from({ length: 3000 }, (_, i) => i);
    const result = await executeIsolated(pass({ 'x.$': '$.a[?(@ in $.a[?(@ in $.a)])]' }), { a });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toMatch(/^An error occurred while executing the state 'P' \(entered at the event id #2\)\. The JSONPath evaluation exceeded its budget of 10000000 steps/);
    expect(result.elapsedMs).toBeLessThan(2_000);
  });

  it('still evaluates ordinary filters over a large input', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ id: i, tags: ['t', String(i % 7)] }));
    const result = await executeIsolated(pass({ 'n.$': '$.items[?(@.id in [1, 2, 3] || @.tags anyof ["3"])].id' }), { items });
    expect(result.status).toBe('SUCCEEDED');
    expect((result.output as { n: number[] }).n.length).toBe(2 + 714);
  });
});
