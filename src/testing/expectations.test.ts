// What a test file expects, checked against real runs; and the diffs that show a difference.
import { describe, expect, it } from 'vitest';
import { checkExpectations, lineDiff, partialDifferences } from './expectations.js';
import { runStateMachine } from './run.js';

const MACHINE = {
  StartAt: 'Charge',
  States: {
    Charge: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 1, MaxAttempts: 2 }],
      ResultSelector: { 'id.$': '$.Payload.id' },
      Next: 'Done',
    },
    Done: { Type: 'Pass', Parameters: { 'charge.$': '$.id', items: [1, 2], note: 'the receipt goes to the customer' }, End: true },
  },
};

const charged = () => runStateMachine(MACHINE, { input: { order: 1 }, mocks: { Charge: [{ Throw: { Error: 'Busy' } }, { Return: { Payload: { id: 'c1' } } }] } });
const failed = () => runStateMachine(MACHINE, { mocks: { Charge: { Throw: { Error: 'Declined', Cause: 'card 0002 declined' } } } });

describe('checkExpectations', () => {
  it('passes a run that does what the test expects', async () => {
    const run = await charged();
    expect(
      checkExpectations(
        { status: 'SUCCEEDED', output: { items: [1, 2], charge: 'c1', note: 'the receipt goes to the customer' }, path: ['Charge', 'Done'], states: { Charge: { retries: 1, entered: 1, input: { order: 1 }, output: { id: 'c1' } } } },
        run,
      ),
    ).toEqual([]);
    expect(checkExpectations({ outputContains: { charge: 'c1' } }, run)).toEqual([]);
    expect(checkExpectations({ error: 'Declined', causeContains: '0002' }, await failed())).toEqual([]);
  });

  it('expects SUCCEEDED by default, and says how the run failed', async () => {
    expect(checkExpectations({}, await failed())).toEqual([{ field: 'status', summary: 'status: expected SUCCEEDED, got FAILED', details: ['error: Declined', 'cause: card 0002 declined'] }]);
    expect(checkExpectations({ error: 'Declined' }, await charged())).toEqual([
      { field: 'status', summary: 'status: expected the execution to fail (an error or cause is expected), got SUCCEEDED', details: [] },
      { field: 'error', summary: 'error: expected "Declined", got nothing', details: [] },
    ]);
  });

  it('shows a whole output as a line diff of sorted JSON, a partial one as the fields that differ', async () => {
    const run = await charged();
    expect(checkExpectations({ output: { note: 'the receipt goes to the customer', charge: 'c2', items: [1, 2] } }, run)).toEqual([
      {
        field: 'output',
        summary: 'output: differs (- expected, + actual)',
        details: ['  {', '-   "charge": "c2",', '+   "charge": "c1",', '    "items": [', '      1,', '      2', '    ],', '    "note": "the receipt goes to the customer"', '  }'],
      },
    ]);
    // Small values differ on one line.
    expect(checkExpectations({ output: 'c1' }, run)[0]!.summary).toBe('output: expected "c1", got {"charge":"c1","items":[1,2],"note":"the receipt goes to the customer"}');
    expect(checkExpectations({ outputContains: { charge: 'c2', items: [1], extra: true } }, run)).toEqual([
      { field: 'output', summary: 'output: does not contain what outputContains gives', details: ['output.charge: expected "c2", got "c1"', 'output.items: expected a list of 1, got 2: [1,2]', 'output.extra: missing (expected true)'] },
    ]);
    expect(checkExpectations({ path: ['Charge'], states: { Charge: { retries: 0, output: 'x' } } }, run).map((m) => m.summary)).toEqual([
      'path: the top-level states entered differ',
      'states["Charge"].retries: expected 0, got 1',
      'states["Charge"].output: expected "x", got {"id":"c1"}',
    ]);
  });
});

describe('partialDifferences', () => {
  it('matches objects by the keys given and lists item by item, as toMatchObject does', () => {
    expect(partialDifferences({ a: { b: 1 } }, { a: { b: 1, c: 2 }, d: 3 }, 'output')).toEqual([]);
    expect(partialDifferences([{ id: 1 }], [{ id: 1, x: 0 }], 'output')).toEqual([]);
    expect(partialDifferences({ 'a b': 1 }, { 'a b': '1' }, 'output')).toEqual(['output["a b"]: expected 1, got "1"']);
    expect(partialDifferences({ a: 1 }, null, 'output')).toEqual(['output: expected an object, got null']);
  });
});

describe('lineDiff', () => {
  it('keeps common lines and marks removed (-) before added (+)', () => {
    expect(lineDiff(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual(['  a', '- b', '+ x', '  c', '+ d']);
  });
});
