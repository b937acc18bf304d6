import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../validate.js';

const end = { Type: 'Pass', End: true };

function diagnostics(definition: unknown) {
  return validateDefinition(definition);
}

describe('workflow structure', () => {
  it('accepts a minimal machine', () => {
    expect(diagnostics({ StartAt: 'A', States: { A: end } })).toEqual([]);
  });

  it('requires States and StartAt, listed in one diagnostic at the root', () => {
    expect(diagnostics({})).toEqual([
      { severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'These fields are required: [States, StartAt]', location: '/' },
    ]);
    expect(diagnostics({ States: { A: end } })).toEqual([
      { severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'These fields are required: [StartAt]', location: '/' },
    ]);
  });

  it('refuses unknown top-level fields at the root', () => {
    expect(diagnostics({ StartAt: 'A', States: { A: end }, Coment: 'typo' })).toEqual([
      { severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: "Field 'Coment' is not supported", location: '/' },
    ]);
  });

  it('checks the types of top-level fields', () => {
    const list = diagnostics({ StartAt: 5, States: { A: end }, Comment: [], TimeoutSeconds: 0, Version: '2.0' });
    expect(list.map((d) => [d.message, d.location])).toEqual([
      ['Expected value of type [STRING]', '/Comment'],
      ['Minimum value is 1', '/TimeoutSeconds'],
      ['Value should be one of the following: [1.0]', '/Version'],
      ['Expected value of type [STRING]', '/StartAt'],
    ]);
  });

  it('refuses an empty States object', () => {
    const list = diagnostics({ StartAt: 'A', States: {} });
    expect(list[0]).toEqual({ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'Value cannot be empty', location: '/States' });
  });

  it('reports a state that is not an object, or has no Type, or an unknown one', () => {
    const list = diagnostics({ StartAt: 'A', States: { A: end, B: 3, C: { End: true }, D: { Type: 'Sleep', End: true } } });
    expect(list.filter((d) => d.code === 'SCHEMA_VALIDATION_FAILED').map((d) => [d.message, d.location])).toEqual([
      ['Expected value of type [OBJECT]', '/States/B'],
      ['These fields are required: [Type]', '/States/C'],
      ["The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]", '/States/D/Type'],
    ]);
  });
});

describe('transitions', () => {
  it('reports a Next that names no state, at the Next field', () => {
    const list = diagnostics({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Ghost' }, Z: end } });
    expect(list).toContainEqual({
      severity: 'ERROR',
      code: 'MISSING_TRANSITION_TARGET',
      message: "Missing 'Next' target: Ghost",
      location: '/States/A/Next',
    });
  });

  it("names every kind of transition 'Next' in the message, and locates it precisely", () => {
    const list = diagnostics({
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'G1' }], Default: 'G2' },
        T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'G3' }] },
      },
    });
    expect(list.filter((d) => d.message.startsWith('Missing')).map((d) => [d.message, d.location])).toEqual([
      ["Missing 'Next' target: G2", '/States/C/Default'],
      ["Missing 'Next' target: G1", '/States/C/Choices[0]/Next'],
      ["Missing 'Next' target: G3", '/States/T/Catch[0]/Next'],
    ]);
  });

  it('reports a dangling StartAt, then every state as unreachable', () => {
    expect(diagnostics({ StartAt: 'Nope', States: { A: end } })).toEqual([
      { severity: 'ERROR', code: 'MISSING_TRANSITION_TARGET', message: "Missing 'Next' target: Nope", location: '/StartAt' },
      { severity: 'ERROR', code: 'MISSING_TRANSITION_TARGET', message: 'State "A" is not reachable.', location: '/States/A' },
    ]);
  });

  it('reports unreachable states, keeping a / in the name as is', () => {
    expect(diagnostics({ StartAt: 'Start', States: { Start: end, 'a/b': end } })).toEqual([
      { severity: 'ERROR', code: 'MISSING_TRANSITION_TARGET', message: 'State "a/b" is not reachable.', location: '/States/a/b' },
    ]);
  });

  it('reaches states through Choices, Default and Catch', () => {
    const definition = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'C', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'F' }] },
        C: { Type: 'Choice', Choices: [{ Variable: '$.x', BooleanEquals: true, Next: 'S' }], Default: 'F' },
        S: { Type: 'Succeed' },
        F: { Type: 'Fail' },
      },
    };
    expect(diagnostics(definition)).toEqual([]);
  });

  it('resolves targets only within the same workflow', () => {
    const list = diagnostics({
      StartAt: 'P',
      States: {
        P: { Type: 'Parallel', Next: 'Done', Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', Next: 'Done' } } }] },
        Done: { Type: 'Succeed' },
      },
    });
    expect(list).toContainEqual({
      severity: 'ERROR',
      code: 'MISSING_TRANSITION_TARGET',
      message: "Missing 'Next' target: Done",
      location: '/States/P/Branches[0]/States/B/Next',
    });
  });

  it('reports unreachable states inside an ItemProcessor and a branch', () => {
    const inner = { StartAt: 'W', States: { W: end, Ghost: end } };
    const list = diagnostics({
      StartAt: 'M',
      States: {
        M: { Type: 'Map', ItemProcessor: inner, Next: 'P' },
        P: { Type: 'Parallel', Branches: [{ StartAt: 'W2', States: { W2: end, Ghost2: end } }], End: true },
      },
    });
    expect(list.map((d) => [d.code, d.message, d.location])).toEqual([
      ['MISSING_TRANSITION_TARGET', 'State "Ghost" is not reachable.', '/States/M/ItemProcessor/States/Ghost'],
      ['MISSING_TRANSITION_TARGET', 'State "Ghost2" is not reachable.', '/States/P/Branches[0]/States/Ghost2'],
    ]);
  });
});

describe('terminal states', () => {
  it('refuses a top-level workflow without a terminal state, without a location', () => {
    expect(diagnostics({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } } })).toEqual([
      { severity: 'ERROR', code: 'MISSING_END_STATE', message: 'Workflow has no terminal state', location: '' },
    ]);
  });

  it('does not also report unreachable states then', () => {
    const list = diagnostics({
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' }, Unused: { Type: 'Pass', Next: 'A' } },
    });
    expect(list.map((d) => d.code)).toEqual(['MISSING_END_STATE']);
  });

  it('reports a dangling target before the missing end state', () => {
    expect(diagnostics({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'NOPE' } } }).map((d) => d.code)).toEqual([
      'MISSING_TRANSITION_TARGET',
      'MISSING_END_STATE',
    ]);
  });

  it('counts an unreachable terminal state, which is then reported as unreachable', () => {
    const list = diagnostics({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' }, C: end } });
    expect(list).toEqual([
      { severity: 'ERROR', code: 'MISSING_TRANSITION_TARGET', message: 'State "C" is not reachable.', location: '/States/C' },
    ]);
  });

  it('accepts a nested workflow that never ends', () => {
    const loop = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } } };
    expect(diagnostics({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: loop, End: true } } })).toEqual([]);
  });

  it('takes Succeed, Fail and End: true as terminal', () => {
    for (const terminal of [{ Type: 'Succeed' }, { Type: 'Fail' }, end]) {
      expect(diagnostics({ StartAt: 'A', States: { A: terminal } })).toEqual([]);
    }
  });
});

describe('state names', () => {
  it('refuses names longer than 80 characters', () => {
    const name = 'x'.repeat(81);
    expect(diagnostics({ StartAt: name, States: { [name]: end } })).toEqual([
      {
        severity: 'ERROR',
        code: 'INVALID_STATE_NAME',
        message: `Invalid State name: State '${name}' exceeds the 80-character limit allowed by the service`,
        location: `/States/${name}`,
      },
    ]);
  });

  it('counts characters, not UTF-16 units', () => {
    const name = '😀'.repeat(80);
    expect(diagnostics({ StartAt: name, States: { [name]: end } })).toEqual([]);
  });

  it('refuses the same name in two nested workflows', () => {
    const list = diagnostics({
      StartAt: 'A',
      States: {
        A: { Type: 'Parallel', End: true, Branches: [{ StartAt: 'X', States: { X: end } }, { StartAt: 'X', States: { X: end } }] },
      },
    });
    expect(list).toEqual([
      { severity: 'ERROR', code: 'DUPLICATE_STATE_NAME', message: 'Duplicate State name: X', location: '/States/A/Branches[1]/States/X' },
    ]);
  });

  it('refuses a nested state named like a top-level one', () => {
    const list = diagnostics({ StartAt: 'M', States: { M: { Type: 'Map', End: true, ItemProcessor: { StartAt: 'M', States: { M: end } } } } });
    expect(list.map((d) => [d.code, d.location])).toEqual([['DUPLICATE_STATE_NAME', '/States/M/ItemProcessor/States/M']]);
  });

  it('treats names like constructor and __proto__ as ordinary names', () => {
    const definition = JSON.parse(
      '{"StartAt":"constructor","States":{"constructor":{"Type":"Pass","Next":"__proto__"},"__proto__":{"Type":"Pass","Next":"toString"}}}',
    );
    expect(diagnostics(definition)).toEqual([
      { severity: 'ERROR', code: 'MISSING_TRANSITION_TARGET', message: "Missing 'Next' target: toString", location: '/States/__proto__/Next' },
      { severity: 'ERROR', code: 'MISSING_END_STATE', message: 'Workflow has no terminal state', location: '' },
    ]);
  });
});

describe('nesting', () => {
  it('refuses workflows nested too deeply', () => {
    let workflow: Record<string, unknown> = { StartAt: 'Leaf', States: { Leaf: end } };
    for (let i = 0; i < 100; i++) {
      workflow = { StartAt: `P${i}`, States: { [`P${i}`]: { Type: 'Parallel', Branches: [workflow], End: true } } };
    }
    const list = diagnostics(workflow);
    expect(list).toHaveLength(1);
    expect(list[0]!.code).toBe('TOO_DEEPLY_NESTED');
    expect(list[0]!.message).toBe('The states are too deeply nested.');
  });

  it('validates ItemProcessor, Iterator and branch fields', () => {
    const list = diagnostics({
      StartAt: 'P',
      States: { P: { Type: 'Parallel', End: true, Branches: [{ StartAt: 'B', States: { B: end }, ProcessorConfig: {} }, 'x'] } },
    });
    expect(list.map((d) => [d.message, d.location])).toEqual([
      ["Field 'ProcessorConfig' is not supported", '/States/P/Branches[0]'],
      ['Expected value of type [OBJECT]', '/States/P/Branches[1]'],
    ]);
  });
});
