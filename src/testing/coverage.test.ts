// Coverage counted from real runs (the testing API's runStateMachine) of small machines whose
// numbers are worked out by hand in the comments.
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../engine/events.js';
import { Coverage, formatCoverageSummary, formatLcov, jsonLineLocator, type MachineCoverage } from './coverage.js';
import type { InlineMocks } from './mocks.js';
import { runStateMachine } from './run.js';

// Line numbers matter: the lcov expectations below count them in this text.
const MACHINE_TEXT = `{
  "StartAt": "Route",
  "States": {
    "Route": {
      "Type": "Choice",
      "Choices": [
        { "Variable": "$.kind", "StringEquals": "a", "Next": "Work" },
        { "Variable": "$.kind", "StringEquals": "b", "Next": "Work" }
      ],
      "Default": "Skip"
    },
    "Work": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Catch": [{ "ErrorEquals": ["Oops"], "Next": "Recover" }],
      "Next": "Done"
    },
    "Recover": { "Type": "Pass", "Next": "Done" },
    "Skip": { "Type": "Pass", "End": true },
    "Done": { "Type": "Succeed" }
  }
}
`;
const MACHINE = JSON.parse(MACHINE_TEXT) as unknown;
const SOURCE = { file: 'machine.asl.json', lineOf: jsonLineLocator(MACHINE_TEXT) };

async function eventsOf(definition: unknown, input: unknown, mocks?: InlineMocks): Promise<readonly HistoryEvent[]> {
  const run = await runStateMachine(definition, { input, ...(mocks ? { mocks } : {}) });
  return run.events;
}

/** Run A: rule 0 to Work, which succeeds. Run B: rule 1 to Work (the same target), whose error the Catcher takes. */
async function runsAandB(): Promise<Coverage> {
  const coverage = new Coverage();
  coverage.add(MACHINE, await eventsOf(MACHINE, { kind: 'a' }, { Work: { Return: {} } }), SOURCE);
  coverage.add(MACHINE, await eventsOf(MACHINE, { kind: 'b' }, { Work: { Throw: { Error: 'Oops', Cause: 'x' } } }), SOURCE);
  return coverage;
}

const hits = (items: ReadonlyArray<{ label?: string; name?: string; hits: number }>) => Object.fromEntries(items.map((i) => [i.label ?? i.name, i.hits]));

describe('Coverage', () => {
  it('counts states, transitions, Choice rules and Catchers of two runs, telling apart two rules to the same state', async () => {
    const [machine] = (await runsAandB()).report().machines as [MachineCoverage];
    expect(machine.runs).toBe(2);
    // A: Route → Work → Done. B: Route → Work → Recover → Done. Skip never.
    expect(hits(machine.states)).toEqual({ Route: 2, Work: 2, Recover: 1, Skip: 0, Done: 2 });
    expect(hits(machine.transitions)).toEqual({
      'StartAt → Route': 2,
      'Route → Work (Choices[0])': 1,
      'Route → Work (Choices[1])': 1,
      'Route → Skip (Default)': 0,
      'Work → Done': 1,
      'Work → Recover (Catch[0]: Oops)': 1,
      'Recover → Done': 1,
      'Skip → (end)': 0,
      'Done → (end)': 2,
    });
    // 4 of 5 states; 7 of 9 transitions; 2 of 3 Choice branches; 1 of 1 Catcher. Rounded down as Istanbul does.
    expect(machine.totals).toEqual({
      states: { covered: 4, total: 5, percent: 80 },
      transitions: { covered: 7, total: 9, percent: 77.77 },
      choiceRules: { covered: 2, total: 3, percent: 66.66 },
      catchers: { covered: 1, total: 1, percent: 100 },
    });
  });

  it('writes lcov: a line per state at its key, a branch per Choice rule, Default and Catcher at their lines', async () => {
    expect(formatLcov((await runsAandB()).report())).toBe(
      [
        'TN:',
        'SF:machine.asl.json',
        'BRDA:7,0,0,1', // Choices[0], line 7
        'BRDA:8,0,1,1', // Choices[1], line 8
        'BRDA:10,0,2,0', // Default, line 10: the branch after the rules
        'BRDA:15,1,0,1', // Work's Catch[0], line 15: a block of its own
        'BRF:4',
        'BRH:3',
        'DA:4,2', // "Route"
        'DA:12,2', // "Work"
        'DA:18,1', // "Recover"
        'DA:19,0', // "Skip"
        'DA:20,2', // "Done"
        'LF:5',
        'LH:4',
        'end_of_record',
        '',
      ].join('\n'),
    );
  });

  it('prints an Istanbul-like summary with the states never entered and the transitions never taken', async () => {
    const coverage = await runsAandB();
    coverage.add({ StartAt: 'Only', States: { Only: { Type: 'Pass', End: true } } }, [], { file: 'never.asl.json' });
    expect(formatCoverageSummary(coverage.report())).toEqual([
      '-------------------|----------|---------------|----------------|------------|---------------------',
      'File               | % States | % Transitions | % Choice rules | % Catchers | States never entered',
      '-------------------|----------|---------------|----------------|------------|---------------------',
      // 4 of 6 states, 7 of 11 transitions over both machines.
      'All state machines |    66.66 |         63.63 |          66.66 |        100 |',
      ' machine.asl.json  |       80 |         77.77 |          66.66 |        100 | Skip',
      ' never.asl.json    |        0 |             0 |              - |          - | Only',
      '-------------------|----------|---------------|----------------|------------|---------------------',
      'machine.asl.json: transitions never taken: Route → Skip (Default); Skip → (end)',
      'never.asl.json: transitions never taken: StartAt → Only; Only → (end)',
    ]);
  });

  it('reaches 100% with a third run through the Default, and marks branches of a state never entered with "-"', async () => {
    const coverage = await runsAandB();
    coverage.add(MACHINE, await eventsOf(MACHINE, { kind: 'z' }), SOURCE);
    const [machine] = coverage.report().machines as [MachineCoverage];
    expect(machine.totals.states.percent).toBe(100);
    expect(machine.totals.transitions).toEqual({ covered: 9, total: 9, percent: 100 });

    const unrun = new Coverage();
    unrun.add(MACHINE, [], SOURCE);
    const lcov = formatLcov(unrun.report());
    expect(lcov).toContain('BRDA:7,0,0,-\nBRDA:8,0,1,-\nBRDA:10,0,2,-\nBRDA:15,1,0,-\nBRF:4\nBRH:0\n');
    expect(unrun.report().machines[0]!.runs).toBe(0);
  });

  it('follows Parallel branches and Map iterations into their workflows, whatever characters the state names hold', async () => {
    const definition = {
      StartAt: 'Fan out',
      States: {
        'Fan out': {
          Type: 'Parallel',
          Next: 'Done',
          Branches: [
            { StartAt: 'A/1', States: { 'A/1': { Type: 'Pass', End: true } } },
            {
              StartAt: 'B#0',
              States: {
                'B#0': {
                  Type: 'Map',
                  ItemsPath: '$.items',
                  End: true,
                  ItemProcessor: {
                    StartAt: 'Item',
                    States: {
                      Item: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 1, Next: 'Big' }], Default: 'Small' },
                      Big: { Type: 'Pass', End: true },
                      Small: { Type: 'Pass', End: true },
                    },
                  },
                },
              },
            },
          ],
        },
        Done: { Type: 'Succeed' },
      },
    };
    const coverage = new Coverage();
    // Iteration frames are '/Fan out#1/B#0#<i>': the parent is found through the names.
    coverage.add(definition, await eventsOf(definition, { items: [{ n: 1 }, { n: 2 }, { n: 3 }] }), { name: 'nested' });
    const [machine] = coverage.report().machines as [MachineCoverage];
    expect(hits(machine.states)).toEqual({ 'Fan out': 1, 'A/1': 1, 'B#0': 1, Item: 3, Big: 2, Small: 1, Done: 1 });
    expect(machine.states.find((s) => s.name === 'Item')).toMatchObject({ parent: 'B#0', pointer: '/States/Fan out/Branches/1/States/B#0/ItemProcessor/States/Item' });
    expect(hits(machine.transitions)).toEqual({
      'StartAt → Fan out': 1,
      'Fan out → Done': 1,
      'StartAt → A/1': 1,
      'A/1 → (end)': 1,
      'StartAt → B#0': 1,
      'B#0 → (end)': 1,
      'StartAt → Item': 3,
      'Item → Big (Choices[0])': 2,
      'Item → Small (Default)': 1,
      'Big → (end)': 2,
      'Small → (end)': 1,
      'Done → (end)': 1,
    });
  });

  it('counts a retried Parallel branch as started again, and a Fail state as the end of its workflow', async () => {
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 1, MaxAttempts: 1 }],
          Branches: [{ StartAt: 'Call', States: { Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } }],
          Next: 'Give up',
        },
        'Give up': { Type: 'Fail', Error: 'Done' },
      },
    };
    const coverage = new Coverage();
    coverage.add(definition, await eventsOf(definition, {}, { Call: [{ Throw: { Error: 'Busy' } }, { Return: {} }] }), { name: 'retried' });
    const [machine] = coverage.report().machines as [MachineCoverage];
    // Call is entered once per attempt of Both; only the second attempt ends (End) normally.
    expect(hits(machine.states)).toEqual({ Both: 1, Call: 2, 'Give up': 1 });
    expect(hits(machine.transitions)).toEqual({ 'StartAt → Both': 1, 'Both → Give up': 1, 'StartAt → Call': 2, 'Call → (end)': 1, 'Give up → (end)': 1 });
  });

  it('without the engine notes (a history from elsewhere) falls back on the state entered next', async () => {
    const strip = (events: readonly HistoryEvent[]) =>
      events.map((e) => {
        if (!e.details) return e;
        const { choiceRule: _rule, catcher: _catcher, ...details } = e.details;
        return { ...e, details };
      });
    const coverage = new Coverage();
    coverage.add(MACHINE, strip(await eventsOf(MACHINE, { kind: 'b' }, { Work: { Throw: { Error: 'Oops' } } })), SOURCE);
    coverage.add(MACHINE, strip(await eventsOf(MACHINE, { kind: 'z' })), SOURCE);
    const [machine] = coverage.report().machines as [MachineCoverage];
    expect(hits(machine.transitions)).toEqual({
      'StartAt → Route': 2,
      // Rule 1 was taken, but without the note only "a rule to Work" is known: the first gets it.
      'Route → Work (Choices[0])': 1,
      'Route → Work (Choices[1])': 0,
      'Route → Skip (Default)': 1,
      'Work → Done': 0,
      'Work → Recover (Catch[0]: Oops)': 1,
      'Recover → Done': 1,
      'Skip → (end)': 1,
      'Done → (end)': 1,
    });
  });

  it('adds up runs of one file and reports machines apart, with totals over all', async () => {
    const coverage = await runsAandB();
    const other = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    coverage.add(other, await eventsOf(other, {}), { file: 'other.asl.json' });
    const report = coverage.report();
    expect(report.machines.map((m) => [m.file, m.runs])).toEqual([
      ['machine.asl.json', 2],
      ['other.asl.json', 1],
    ]);
    expect(report.totals.states).toEqual({ covered: 5, total: 6, percent: 83.33 });
    expect(report.totals.transitions).toEqual({ covered: 9, total: 11, percent: 81.81 });
  });
});
