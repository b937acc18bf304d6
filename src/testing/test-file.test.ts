// Test files are user input: each mistake is one message naming the file, the line and the field.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTestFile, TestFileError } from './test-file.js';

const DEFINITION = '{ StartAt: A, States: { A: { Type: Task, Resource: "arn:aws:states:::lambda:invoke", Next: B }, B: { Type: Pass, End: true } } }';
const EXAMPLE = fileURLToPath(new URL('../../examples/testing/order.sfn-test.yaml', import.meta.url));

function problem(text: string, file = 'x.sfn-test.yaml'): string {
  try {
    parseTestFile(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(TestFileError);
    return (e as Error).message;
  }
  throw new Error('the test file was accepted');
}

describe('parseTestFile', () => {
  it('reads the example: definition and mockConfig from files next to it, tests with their lines', () => {
    const file = parseTestFile(`definition: ./order.asl.json\nmockConfig: ./MockConfigFile.json\ntests:\n  - name: a\n    testCase: HappyPath\n  - name: b\n    input: [1]\n    expect: { status: FAILED, error: E }\n`, EXAMPLE);
    expect(file.definitionFile).toMatch(/examples\/testing\/order\.asl\.json$/);
    expect(file.coverageFile).toBe(file.definitionFile);
    expect(file.stateMachineName).toBeUndefined(); // the mockConfig has one state machine: the testing API picks it
    expect(Object.keys(file.mockConfig!.MockedResponses!)).toEqual(['ChargeApproved', 'Shipped']);
    expect(file.tests.map((t) => [t.name, t.line, t.input, t.testCase, t.expect])).toEqual([
      ['a', 4, {}, 'HappyPath', {}],
      ['b', 6, [1], undefined, { status: 'FAILED', error: 'E' }],
    ]);
    // The definition's lines are its file's: "Check order" is on line 5 there.
    expect(file.lineOf('/States/Check order')).toBe(5);
  });

  it('places an inline definition in the test file, and merges the file’s mocks under each test’s', () => {
    const file = parseTestFile(
      `mocks:\n  A: { Return: 1 }\ndefinition:\n  StartAt: A\n  States:\n    A: { Type: Task, Resource: "arn:aws:states:::lambda:invoke", Next: B }\n    B: { Type: Pass, End: true }\ntests:\n  - name: own\n    mocks: { A: [ { Throw: { Error: E } }, { Return: 2 } ] }\n  - name: shared\n`,
      'inline.sfn-test.yaml',
    );
    expect(file.coverageFile).toBe('inline.sfn-test.yaml');
    expect([file.lineOf('/States/A'), file.lineOf('/States/B'), file.lineOf('/StartAt')]).toEqual([6, 7, 4]);
    expect(file.tests.map((t) => t.mocks)).toEqual([{ A: [{ Throw: { Error: 'E' } }, { Return: 2 }] }, { A: { Return: 1 } }]);
  });

  it.each([
    ['a list', '- 1\n', 'x.sfn-test.yaml:1: must be an object (a mapping), not a list'],
    ['an unknown field', `definition: ${DEFINITION}\ntest: []\n`, "x.sfn-test.yaml:2: test: not a field here (did you mean 'tests'?); the fields are definition, stateMachineName, mockConfig, mocks, tests"],
    ['no tests', `definition: ${DEFINITION}\ntests: []\n`, 'x.sfn-test.yaml:2: tests: is empty: give at least one test'],
    ['a definition of the wrong type', 'definition: 42\ntests: [{ name: a }]\n', 'x.sfn-test.yaml:1: definition: must be the path of a definition file or a definition object, not number 42'],
    ['a test without a name', `definition: ${DEFINITION}\ntests:\n  - input: {}\n`, 'x.sfn-test.yaml:3: tests[0].name: is missing'],
    ['two tests of one name', `definition: ${DEFINITION}\ntests:\n  - name: a\n  - name: a\n`, "x.sfn-test.yaml:4: tests[1].name: 'a' is the name of another test of this file too: test names must be unique"],
    ['a testCase without mockConfig', `definition: ${DEFINITION}\ntests:\n  - name: a\n    testCase: Happy\n`, "x.sfn-test.yaml:4: tests[0].testCase: 'Happy' is a test case of a mockConfig, and the file has no mockConfig"],
    ['an empty list of answers', `definition: ${DEFINITION}\ntests:\n  - name: a\n    mocks: { A: [] }\n`, 'x.sfn-test.yaml:4: tests[0].mocks.A: is an empty list: give at least one answer ({ Return: … } or { Throw: { Error, Cause } })'],
    ['a Throw with a number', `definition: ${DEFINITION}\ntests:\n  - name: a\n    mocks: { A: { Throw: { Error: 5 } } }\n`, 'x.sfn-test.yaml:4: tests[0].mocks.A.Throw.Error: must be a non-empty string, not number 5'],
    ['a Throw with an unknown field', `definition: ${DEFINITION}\ntests:\n  - name: a\n    mocks: { A: { Throw: { Errors: x } } }\n`, "x.sfn-test.yaml:4: tests[0].mocks.A.Throw.Errors: not a field here (did you mean 'Error'?); the fields are Error, Cause"],
    ['output and outputContains', `definition: ${DEFINITION}\ntests:\n  - name: a\n    expect: { output: 1, outputContains: {} }\n`, 'x.sfn-test.yaml:4: tests[0].expect.outputContains: output checks the output already: give one of output and outputContains'],
    ['a scalar outputContains', `definition: ${DEFINITION}\ntests:\n  - name: a\n    expect: { outputContains: 3 }\n`, 'x.sfn-test.yaml:4: tests[0].expect.outputContains: must be an object or a list (a part of the output), not number 3; use output for a whole value'],
    ['SUCCEEDED with an error', `definition: ${DEFINITION}\ntests:\n  - name: a\n    expect: { status: SUCCEEDED, error: E }\n`, 'x.sfn-test.yaml:4: tests[0].expect.status: SUCCEEDED contradicts the expected error or cause, which only an execution that did not succeed has'],
    ['a path with an unknown state', `definition: ${DEFINITION}\ntests:\n  - name: a\n    expect:\n      path: [A, C]\n`, "x.sfn-test.yaml:5: tests[0].expect.path[1]: the definition has no state 'C' (its states: A, B)"],
    ['checks of an unknown state', `definition: ${DEFINITION}\ntests:\n  - name: a\n    expect:\n      states:\n        Nope: { retries: 1 }\n`, 'x.sfn-test.yaml:6: tests[0].expect.states.Nope: the definition has no such state (its states: A, B)'],
    ['negative retries', `definition: ${DEFINITION}\ntests:\n  - name: a\n    expect:\n      states:\n        A: { retries: -1 }\n`, 'x.sfn-test.yaml:6: tests[0].expect.states.A.retries: must be a whole number >= 0, not number -1'],
    ['a state name with spaces', `definition: ${DEFINITION}\ntests:\n  - name: a\n    mocks: { "Charge card": { Return: 1 } }\n`, 'x.sfn-test.yaml:4: tests[0].mocks["Charge card"]: the definition has no such state to mock (its states: A, B)'],
    ['a value JSON cannot hold', `definition: ${DEFINITION}\ntests:\n  - name: a\n    input: { n: .nan }\n`, 'x.sfn-test.yaml:4: tests[0].input.n: NaN is not a number JSON can hold'],
    ['a mockConfig of the wrong shape', `definition: ${DEFINITION}\nmockConfig: { StateMachines: [] }\ntests: [{ name: a }]\n`, "x.sfn-test.yaml:2: mockConfig: StateMachines must be an object (Step Functions Local's MockConfigFile format), not a list"],
    ['a missing mockConfig file', `definition: ${DEFINITION}\nmockConfig: ./nope.json\ntests: [{ name: a }]\n`, 'x.sfn-test.yaml:2: mockConfig: cannot read the mock config file nope.json: no such file'],
  ])('refuses %s', (_, text, message) => {
    expect(problem(text)).toBe(message);
  });

  it('refuses YAML that expands without limit, and JSON that only YAML would forgive', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
    expect(problem(bomb)).toMatch(/^x\.sfn-test\.yaml: the test file cannot be read: Excessive alias count/);
    expect(problem('{ "definition": {}, }', 'x.sfn-test.json')).toMatch(/^x\.sfn-test\.json:1: the test file is not valid JSON: /);
    expect(problem('a: 1\na: 2\n')).toBe('x.sfn-test.yaml:2: the test file is not valid YAML: Map keys must be unique');
  });
});
