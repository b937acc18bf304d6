// `stepwise test` as a user runs it: the built CLI in a child process on the examples under
// examples/testing (all pass) and examples/testing-failing (some fail on purpose), and on test
// files written here to be wrong in the ways people get them wrong.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseXML } from '@aws-sdk/xml-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, ROOT, runCli, tempDir, type CliRun } from '../server/serve-process.js';
import { parseRecording } from '../../src/runtime/recording.js';

type Run = CliRun;

/** The built `stepwise`, run in `cwd` (test discovery and report paths depend on it). */
function stepwise(args: readonly string[], cwd = ROOT): Promise<Run> {
  return runCli(args, { cwd });
}

const temp = tempDir('test-command');
const EXAMPLE_DEFINITION = join(ROOT, 'examples', 'testing', 'order.asl.json');

function write(path: string, text: string): string {
  const file = join(temp.dir, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function expectNoStack(run: Run): void {
  expect(run.stdout + run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(run.stdout + run.stderr).not.toContain('internal error');
}

/** An XML element's children of one name, as parseXML gives them (one child is not wrapped in a list). */
function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

beforeAll(() => assertBuilt());
afterAll(() => temp.remove());

describe('stepwise test', () => {
  it('passes the example tests: one line per test and a final count, exit 0', async () => {
    const run = await stepwise(['test', 'examples/testing']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('examples/testing/order.sfn-test.yaml');
    expect(lines.filter((l) => l.startsWith('  ✓ '))).toHaveLength(5);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✓ a busy payment service is retried \(\d+ ms\)$/));
    expect(lines.at(-1)).toMatch(/^5 passed, 0 failed \(5 tests in 1 file, \d+\.\d\d s\)$/);
  });

  it('fails the deliberately failing examples with a diff of what differs, exit 1', async () => {
    const run = await stepwise(['test', 'examples/testing-failing']);
    expect(run.code).toBe(1);
    const out = run.stdout;
    expect(out).toMatch(/ {2}✓ a small order is charged and shipped \(\d+ ms\)\n/);
    // A whole output: a line diff of its JSON, expected (-) against actual (+).
    expect(out).toMatch(/ {2}✗ expects a tracking id the mock does not give \(\d+ ms\)\n {6}output: differs \(- expected, \+ actual\)\n/);
    expect(out).toContain('        -     "trackingId": "TRK-999"\n        +     "trackingId": "TRK-2"\n');
    // The path, and a per-state check.
    expect(out).toContain(
      [
        '      path: the top-level states entered differ',
        '        expected: Check order → Charge card → Ship',
        '        actual:   Check order → Charge card → Report declined',
        '      states["Charge card"].retries: expected 1, got 0',
      ].join('\n'),
    );
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/^1 passed, 2 failed \(3 tests in 1 file, /);
  });

  it('records each test’s execution with --record, in the format stepwise view opens', async () => {
    const dir = join(temp.dir, 'recordings');
    const run = await stepwise(['test', 'examples/testing', '--record', dir]);
    expect(run.code).toBe(0);
    const file = join(dir, 'order.sfn-test.yaml--a-declined-card-is-reported-not-shipped.json');
    const recording = parseRecording(readFileSync(file, 'utf8'));
    expect(recording.execution.status).toBe('SUCCEEDED');
    expect(recording.events.filter((e) => e.type.endsWith('StateEntered')).map((e) => (e.stateEnteredEventDetails as { name: string }).name)).toEqual([
      'Check order',
      'Charge card',
      'Report declined',
    ]);
  });

  it('writes JUnit XML CI systems read: a suite per file, a case per test, failures with their details', async () => {
    const report = join(temp.dir, 'reports', 'nested', 'junit.xml');
    const run = await stepwise(['test', 'examples/testing', 'examples/testing-failing', '--junit', report]);
    expect(run.code).toBe(1);
    const xml = readFileSync(report, 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    const root = parseXML(xml).testsuites;
    expect(root).toMatchObject({ name: 'stepwise test', tests: '8', failures: '2', errors: '0', skipped: '0' });
    const suites = list(root.testsuite);
    expect(suites.map((s: { name: string }) => s.name)).toEqual(['examples/testing/order.sfn-test.yaml', 'examples/testing-failing/order-mistakes.sfn-test.yaml']);
    expect(suites.map((s: { tests: string; failures: string }) => [s.tests, s.failures])).toEqual([
      ['5', '0'],
      ['3', '2'],
    ]);
    const cases = list(suites[1].testcase) as Array<Record<string, any>>;
    expect(cases.map((c) => c.classname)).toEqual(Array(3).fill('examples/testing-failing/order-mistakes.sfn-test.yaml'));
    for (const c of cases) expect(Number(c.time)).toBeGreaterThanOrEqual(0);
    expect(cases[0]!.failure).toBeUndefined();
    expect(cases[1]!.failure).toMatchObject({ type: 'AssertionError', message: 'output: differs (- expected, + actual)' });
    expect(cases[1]!.failure['#text']).toContain('-     "trackingId": "TRK-999"');
    // Quotes and arrows survive the attribute's escaping.
    expect(cases[2]!.failure.message).toBe('path: the top-level states entered differ; states["Charge card"].retries: expected 1, got 0');
    expect(cases[2]!.line).toBe('26'); // the test's first line in its file
  });

  it('prints the coverage summary and writes lcov whose lines are the definition file’s', async () => {
    const dir = join(temp.dir, 'cov');
    const run = await stepwise(['test', 'examples/testing-failing', '--coverage-dir', dir]);
    expect(run.code).toBe(1);
    // The failing tests never reach Reject, nor the VIP rule or the Default.
    expect(run.stdout).toContain(
      [
        'File                             | % States | % Transitions | % Choice rules | % Catchers | States never entered',
        '---------------------------------|----------|---------------|----------------|------------|---------------------',
        'All state machines               |       80 |         66.66 |          33.33 |        100 |',
        ' examples/testing/order.asl.json |       80 |         66.66 |          33.33 |        100 | Reject',
      ].join('\n'),
    );
    expect(run.stdout).toContain('examples/testing/order.asl.json: transitions never taken: Check order → Charge card (Choices[1]); Check order → Reject (Default); Reject → (end)');
    expect(run.stdout).toContain(`Coverage written to ${join(dir, 'stepwise.lcov')} (lcov)`);
    const lcov = readFileSync(join(dir, 'stepwise.lcov'), 'utf8').split('\n');
    const definition = readFileSync(EXAMPLE_DEFINITION, 'utf8').split('\n');
    const lineOf = (text: string) => definition.findIndex((l) => l.includes(text)) + 1;
    expect(lcov).toContain('SF:examples/testing/order.asl.json');
    expect(lcov.filter((l) => l.startsWith('DA:'))).toEqual([
      `DA:${lineOf('"Check order": {')},3`,
      `DA:${lineOf('"Charge card": {')},3`,
      `DA:${lineOf('"Ship": {')},2`,
      `DA:${lineOf('"Report declined": {')},1`,
      `DA:${lineOf('"Reject": {')},0`,
    ]);
    expect(lcov).toContain(`BRDA:${lineOf('"Default": "Reject"')},0,2,0`);
    expect(lcov).toContain(`BRDA:${lineOf('"ErrorEquals": ["CardDeclined"]')},1,0,1`);
    expect(lcov.slice(-2)).toEqual(['end_of_record', '']);
  });

  it('writes coverage/stepwise.lcov under the working folder with --coverage and finds test files there by default', async () => {
    const project = join(temp.dir, 'project');
    write('project/flows/pass.sfn-test.yml', `definition: { StartAt: P, States: { P: { Type: Pass, End: true } } }\ntests:\n  - name: passes\n`);
    write('project/flows/deeper/also.sfn-test.json', JSON.stringify({ definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, tests: [{ name: 'also passes', expect: { output: {} } }] }));
    // Not test files: another name, and a dependency's tests.
    write('project/flows/notes.yaml', 'tests: nonsense');
    write('project/node_modules/dep/broken.sfn-test.yaml', 'definition: [');
    const run = await stepwise(['test', '--coverage'], project);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter((l) => !l.startsWith(' ') && l.includes('sfn-test'))).toEqual(['flows/deeper/also.sfn-test.json', 'flows/pass.sfn-test.yml']);
    expect(run.stdout).toMatch(/\n2 passed, 0 failed \(2 tests in 2 files, /);
    // An inline definition's lines are in its test file.
    const lcov = readFileSync(join(project, 'coverage', 'stepwise.lcov'), 'utf8');
    expect(lcov).toContain('SF:flows/pass.sfn-test.yml\nBRF:0\nBRH:0\nDA:1,1\nLF:1\nLH:1\nend_of_record\n');
    expect(lcov).toContain('SF:flows/deeper/also.sfn-test.json\n');
  });

  it('reports a test file that cannot be used with its file, line and field, runs the others, exit 2', async () => {
    const good = write('mixed/good.sfn-test.yaml', `definition: ${EXAMPLE_DEFINITION}\ntests:\n  - name: rejected\n    input: { amount: 500 }\n    expect: { status: FAILED, error: OrderRejected }\n`);
    const typo = write('mixed/typo.sfn-test.yaml', `definition: ${EXAMPLE_DEFINITION}\ntests:\n  - name: typo\n    expected: { status: FAILED }\n`);
    const report = join(temp.dir, 'mixed.xml');
    const run = await stepwise(['test', good, typo, '--junit', report]);
    expect(run.code).toBe(2);
    expectNoStack(run);
    expect(run.stdout).toContain(`  ✓ rejected (`);
    expect(run.stdout).toContain(`  ! ${typo}:4: tests[0].expected: not a field here (did you mean 'expect'?); the fields are name, input, testCase, mocks, expect\n`);
    expect(run.stdout).toMatch(/\n1 passed, 0 failed, 1 error \(2 tests in 2 files/);
    const root = parseXML(readFileSync(report, 'utf8')).testsuites;
    expect(root).toMatchObject({ tests: '2', failures: '0', errors: '1' });
    expect(list(root.testsuite)[1].testcase.error.type).toBe('TestFileError');
  });

  it('reports a test the testing API cannot run as written (a test case the mockConfig lacks) as an error, exit 2', async () => {
    const file = write(
      'config/missing-case.sfn-test.yaml',
      `definition: ${EXAMPLE_DEFINITION}\nmockConfig: ${join(ROOT, 'examples', 'testing', 'MockConfigFile.json')}\ntests:\n  - name: sad path\n    input: { amount: 5 }\n    testCase: SadPath\n`,
    );
    const run = await stepwise(['test', file]);
    expect(run.code).toBe(2);
    expectNoStack(run);
    expect(run.stdout).toMatch(/ {2}! sad path \(\d+ ms\)\n {6}TestConfigurationError: State machine 'order' in the mockConfig has no test case 'SadPath' \(it has 'HappyPath'\)\./);
  });

  it('refuses hostile test files with one clear message each', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['no-definition.sfn-test.yaml', 'tests:\n  - name: x\n', /^no-definition\.sfn-test\.yaml:1: definition: is missing: give the path of the definition file/],
      ['missing-file.sfn-test.yaml', 'definition: ./nope.asl.json\ntests: [{ name: x }]\n', /^missing-file\.sfn-test\.yaml:1: definition: cannot read the definition file nope\.asl\.json: no such file$/],
      ['tests-string.sfn-test.yaml', `definition: ${EXAMPLE_DEFINITION}\ntests: everything\n`, /^tests-string\.sfn-test\.yaml:2: tests: must be a list of tests, not the string "everything"$/],
      ['bad-status.sfn-test.yaml', `definition: ${EXAMPLE_DEFINITION}\ntests:\n  - name: x\n    expect:\n      status: SUCCESS\n`, /^bad-status\.sfn-test\.yaml:5: tests\[0\]\.expect\.status: must be one of SUCCEEDED, FAILED, TIMED_OUT, ABORTED, not the string "SUCCESS"$/],
      ['bad-mock.sfn-test.yaml', `definition: ${EXAMPLE_DEFINITION}\ntests:\n  - name: x\n    mocks:\n      Ship: { Returns: 1 }\n`, /^bad-mock\.sfn-test\.yaml:5: tests\[0\]\.mocks\.Ship: must have exactly one of Return or Throw \(as in a MockConfigFile\), not Returns$/],
      ['unknown-state.sfn-test.yaml', `definition: ${EXAMPLE_DEFINITION}\ntests:\n  - name: x\n    mocks:\n      Shipp: { Return: 1 }\n`, /^unknown-state\.sfn-test\.yaml:5: tests\[0\]\.mocks\.Shipp: the definition has no such state to mock \(its states: Check order, Charge card, Ship, Report declined, Reject\)$/],
      ['not-yaml.sfn-test.yaml', 'definition: [\n', /^not-yaml\.sfn-test\.yaml:2: the test file is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a \]$/],
      ['not-json.sfn-test.json', '{"definition": {}, }', /^not-json\.sfn-test\.json:1: the test file is not valid JSON: /],
      ['invalid-def.sfn-test.yaml', 'definition: { StartAt: A, States: { A: { Type: Pass } } }\ntests: [{ name: x }]\n', /^invalid-def\.sfn-test\.yaml:1: definition: the inline definition is not a valid state machine definition \(see stepwise validate\):\n {6}line 1: SCHEMA_VALIDATION_FAILED: This object should have only one of the following fields: \[Next, End\] \(at \/States\/A\)\n {6}MISSING_END_STATE: Workflow has no terminal state$/],
    ];
    for (const [name, text] of cases) write(`hostile/${name}`, text);
    const run = await stepwise(['test', '.'], join(temp.dir, 'hostile'));
    expect(run.code).toBe(2);
    expectNoStack(run);
    // Each file: its name, then its one problem.
    const blocks = run.stdout.split(/\n(?=\S)/);
    for (const [name, , message] of cases) {
      const block = blocks.find((b) => b.startsWith(`${name}\n`));
      expect(block, name).toBeDefined();
      expect(block!.slice(name.length + 1).trimEnd().replace(/^ {2}! /, ''), name).toMatch(message);
    }
    expect(run.stdout).toMatch(/\n0 passed, 0 failed, 9 errors \(9 tests in 9 files/);
  });

  it('says what is wrong with the command line, exit 2', async () => {
    const missing = await stepwise(['test', 'no/such/folder']);
    expect(missing).toMatchObject({ code: 2, stdout: '', stderr: 'stepwise: no such file or folder: no/such/folder\n' });
    const empty = join(temp.dir, 'empty');
    mkdirSync(empty);
    const none = await stepwise(['test'], empty);
    expect(none).toMatchObject({ code: 2, stderr: 'stepwise: no test files in this folder (test files are named *.sfn-test.yaml, *.sfn-test.yml or *.sfn-test.json)\n' });
    const option = await stepwise(['test', '--coverage-directory', 'x']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^stepwise: Unknown option '--coverage-directory'/);
    const help = await stepwise(['test', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: stepwise test [FILE|FOLDER...] [options]');
    expect((await stepwise(['--help'])).stdout).toContain('test [FILE|FOLDER...]');
    expect(existsSync(join(ROOT, 'coverage'))).toBe(false);
  });
});
