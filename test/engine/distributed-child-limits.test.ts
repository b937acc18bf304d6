// Distributed Map iterations are child executions: each has its own history quota, and a
// States.Runtime failure inside one fails that child only (issue 8, finding 1). Run in a child
// process with a deadline, because a regression loops synchronously and would hang vitest.
import { describe, expect, it } from 'vitest';
import { executeIsolated } from './isolated-execute.js';

/** A Distributed Map over [1, 2, 3] whose child for item 2 loops between two Pass states forever. */
function loopingChild(mapFields: Record<string, unknown> = {}, executionType = 'STANDARD') {
  return {
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ...mapFields,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: executionType },
          StartAt: 'Which',
          States: {
            Which: { Type: 'Choice', Choices: [{ Variable: '$', NumericEquals: 2, Next: 'Ping' }], Default: 'Done' },
            Ping: { Type: 'Pass', Next: 'Pong' },
            Pong: { Type: 'Pass', Next: 'Ping' },
            Done: { Type: 'Pass', Parameters: { 'item.$': '$' }, End: true },
          },
        },
        Next: 'After',
      },
      After: { Type: 'Succeed' },
      ...(mapFields.Catch ? { Caught: { Type: 'Pass', End: true } } : {}),
    },
  };
}

const HISTORY_CAUSE = 'The execution reached the maximum number of history events (25000).';

describe('Distributed Map child executions: their own history quota', () => {
  it('fails a child that loops forever, and with it the Map (no tolerance), quickly', async () => {
    const result = await executeIsolated(loopingChild(), [1, 2, 3]);
    expect(result.status).toBe('FAILED');
    // The child failed with States.Runtime; the parent's Map fails because its Map Run failed.
    expect(result.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(result.types).toEqual(['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunFailed', 'MapStateFailed', 'ExecutionFailed']);
    expect(result.elapsedMs).toBeLessThan(2_000);
  });

  it('fails only that child: with ToleratedFailurePercentage 100 the Map succeeds with the other outputs', async () => {
    const result = await executeIsolated(loopingChild({ ToleratedFailurePercentage: 100 }), [1, 2, 3]);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual([{ item: 1 }, { Error: 'States.Runtime', Cause: HISTORY_CAUSE }, { item: 3 }]);
  });

  it('applies the same quota to EXPRESS children', async () => {
    const result = await executeIsolated(loopingChild({ ToleratedFailureCount: 1 }, 'EXPRESS'), [1, 2, 3]);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual([{ item: 1 }, { Error: 'States.Runtime', Cause: HISTORY_CAUSE }, { item: 3 }]);
  });

  it("lets the Map's Catch handle the child's failure", async () => {
    const result = await executeIsolated(loopingChild({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }] }), [1, 2, 3]);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ Error: 'States.ExceedToleratedFailureThreshold', Cause: 'The specified tolerated failure threshold was exceeded' });
  });

  it('counts a nested Map and Parallel inside the child towards the child, not the parent', async () => {
    const definition = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ToleratedFailureCount: 1,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Inner',
            States: {
              Inner: {
                Type: 'Parallel',
                Branches: [{ StartAt: 'Ping', States: { Ping: { Type: 'Pass', Next: 'Pong' }, Pong: { Type: 'Pass', Next: 'Ping' } } }],
                End: true,
              },
            },
          },
          End: true,
        },
      },
    };
    const result = await executeIsolated(definition, [1]);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual([{ Error: 'States.Runtime', Cause: HISTORY_CAUSE }]);
  });
});

describe('Distributed Map child executions: a States.Runtime error fails the child only', () => {
  const definition = (mapFields: Record<string, unknown>) => ({
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ...mapFields,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Read',
          States: { Read: { Type: 'Pass', InputPath: '$.present', End: true } },
        },
        End: true,
      },
      ...(mapFields.Catch ? { Caught: { Type: 'Pass', End: true } } : {}),
    },
  });
  const items = [{ present: 1 }, { absent: 2 }];

  it('records the error as that item\'s failure within tolerance', async () => {
    const result = await executeIsolated(definition({ ToleratedFailureCount: 1 }), items);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual([
      1,
      {
        Error: 'States.Runtime',
        // The event id is the child's own: its ExecutionStarted is #1, the state's entry #2.
        Cause: "An error occurred while executing the state 'Read' (entered at the event id #2). Invalid path '$.present' : No results for path: $['present']",
      },
    ]);
  });

  it("is caught by the Map's Catch", async () => {
    const result = await executeIsolated(definition({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }] }), items);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ Error: 'States.ExceedToleratedFailureThreshold' });
  });
});
