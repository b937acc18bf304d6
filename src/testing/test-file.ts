/**
 * State machine test files (`*.sfn-test.yaml`, `.yml` or `.json`), as `stepwise test` runs them:
 * a definition, optionally a Step Functions Local MockConfigFile, and test cases with inline
 * mocks in MockConfigFile's words (`Return`, `Throw: {Error, Cause}`) and what to expect.
 *
 * ```yaml
 * definition: ./order.asl.json        # relative to this file, or the definition inline
 * mockConfig: ./MockConfigFile.json   # optional, Step Functions Local format
 * stateMachineName: order             # optional: the state machine of mockConfig
 * mocks:                              # optional: inline mocks every test starts from
 *   Charge card: { Return: { ok: true } }
 * tests:
 *   - name: happy path
 *     input: { orderId: "1" }
 *     testCase: HappyPath             # a test case of mockConfig
 *     mocks:                          # per test; wins over the file's for its states
 *       Ship: [ { Throw: { Error: Busy } }, { Return: {} } ]   # one answer per call
 *     expect:
 *       status: SUCCEEDED             # default: SUCCEEDED, unless error or cause is expected
 *       output: { ... }               # deep equality (or outputContains: a partial match)
 *       error: States.TaskFailed
 *       cause: ...                    # or causeContains: a part of it
 *       path: [Validate, Charge card, Ship, Done]   # the top-level states entered, in order
 *       states:
 *         Ship: { retries: 1, input: {...}, output: {...}, entered: 1, error: ..., cause: ... }
 * ```
 *
 * A test file is user input: everything is checked before anything runs, and a mistake is a
 * TestFileError that names the file, the line and the field.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { parseDefinition, validateDefinition, type Diagnostic } from '../asl/validate.js';
import { statesOf } from '../asl/structure.js';
import type { MockConfigFile } from '../integrations/mock-config.js';
import type { MockAnswer } from './mocks.js';
import { lineAndColumn, locateSyntaxError } from '../asl/json-positions.js';
import { jsonLineLocator, type LineLocator } from './coverage.js';

export const EXECUTION_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type ExpectedStatus = (typeof EXECUTION_STATUSES)[number];

/** Checks of one state; a field is checked only when present (`output: null` expects null). */
export interface StateExpectation {
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly retries?: number;
  readonly entered?: number;
}

export interface TestExpectation {
  /** Undefined: SUCCEEDED, or not checked when an error or cause is expected (see checkExpectations). */
  readonly status?: ExpectedStatus;
  readonly output?: unknown;
  readonly outputContains?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly causeContains?: string;
  readonly path?: readonly string[];
  readonly states?: Readonly<Record<string, StateExpectation>>;
}

export interface TestCaseSpec {
  readonly name: string;
  /** The test's line in its file (for reports). */
  readonly line: number;
  readonly input: unknown;
  readonly testCase?: string;
  /** The file's mocks with the test's own over them. */
  readonly mocks?: Readonly<Record<string, MockAnswer | readonly MockAnswer[]>>;
  readonly expect: TestExpectation;
}

export interface TestFile {
  /** The test file, as it was named. */
  readonly file: string;
  readonly definition: unknown;
  /** The definition's file, when it is not inline. */
  readonly definitionFile?: string;
  /** Where coverage places the definition's parts: its file, or the test file when inline. */
  readonly coverageFile: string;
  readonly lineOf: LineLocator;
  readonly stateMachineName?: string;
  readonly mockConfig?: MockConfigFile;
  readonly tests: readonly TestCaseSpec[];
}

/** A test file that cannot be used as written; the message names the file, line and field. */
export class TestFileError extends Error {
  override readonly name = 'TestFileError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/** The file names `stepwise test` looks for in folders. */
export const TEST_FILE_PATTERN = /\.sfn-test\.(?:ya?ml|json)$/i;

const FILE_FIELDS = ['definition', 'stateMachineName', 'mockConfig', 'mocks', 'tests'] as const;
const TEST_FIELDS = ['name', 'input', 'testCase', 'mocks', 'expect'] as const;
const EXPECT_FIELDS = ['status', 'output', 'outputContains', 'error', 'cause', 'causeContains', 'path', 'states'] as const;
const STATE_FIELDS = ['input', 'output', 'error', 'cause', 'retries', 'entered'] as const;

type Path = ReadonlyArray<string | number>;

/** Reads, parses and checks a test file and what it names (definition, mockConfig). */
export function loadTestFile(file: string): TestFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TestFileError(file, `${file}: cannot read the test file: ${reason(e)}`);
  }
  return parseTestFile(text, file);
}

/** Parses and checks a test file's text; `file` names it in errors and locates relative paths. */
export function parseTestFile(text: string, file: string): TestFile {
  const parsed = parseYaml(text, file, 'test file', /\.json$/i.test(file));
  const checker = new Checker(file, parsed.lineOf);
  const root = checker.object(parsed.value, []);
  checker.knownFields(root, [], FILE_FIELDS);
  checker.jsonOnly(root, []);

  const definition = loadDefinition(root, checker, file, parsed.lineOf);
  const stateNames = new Set(statesOf(definition.value).map((s) => s.name));
  const stateMachineName = root.stateMachineName === undefined ? undefined : checker.string(root.stateMachineName, ['stateMachineName']);
  const mockConfig = root.mockConfig === undefined ? undefined : loadMockConfig(root.mockConfig, checker, file);
  const fileMocks = root.mocks === undefined ? undefined : checker.mocks(root.mocks, ['mocks'], stateNames);

  if (!Array.isArray(root.tests)) checker.fail(['tests'], root.tests === undefined ? 'is missing: give a list of tests' : `must be a list of tests, not ${describe(root.tests)}`);
  const tests = root.tests as unknown[];
  if (tests.length === 0) checker.fail(['tests'], 'is empty: give at least one test');
  const names = new Set<string>();
  const specs = tests.map((value, index): TestCaseSpec => {
    const at: Path = ['tests', index];
    const test = checker.object(value, at);
    checker.knownFields(test, at, TEST_FIELDS);
    const name = checker.string(test.name, [...at, 'name']);
    if (names.has(name)) checker.fail([...at, 'name'], `'${name}' is the name of another test of this file too: test names must be unique`);
    names.add(name);
    const testCase = test.testCase === undefined ? undefined : checker.string(test.testCase, [...at, 'testCase']);
    if (testCase !== undefined && mockConfig === undefined) checker.fail([...at, 'testCase'], `'${testCase}' is a test case of a mockConfig, and the file has no mockConfig`);
    const ownMocks = test.mocks === undefined ? undefined : checker.mocks(test.mocks, [...at, 'mocks'], stateNames);
    const mocks = fileMocks || ownMocks ? { ...fileMocks, ...ownMocks } : undefined;
    const expect = test.expect === undefined ? {} : checker.expectation(test.expect, [...at, 'expect'], stateNames);
    return {
      name,
      line: parsed.lineOf(pointerOf(at)) ?? 1,
      input: test.input === undefined ? {} : test.input,
      ...(testCase !== undefined ? { testCase } : {}),
      ...(mocks ? { mocks } : {}),
      expect,
    };
  });

  return {
    file,
    definition: definition.value,
    ...(definition.file !== undefined ? { definitionFile: definition.file } : {}),
    coverageFile: definition.file ?? file,
    lineOf: definition.lineOf,
    ...(stateMachineName !== undefined ? { stateMachineName } : mockConfig !== undefined && definition.file !== undefined ? defaultMachineName(mockConfig, definition.file) : {}),
    ...(mockConfig !== undefined ? { mockConfig } : {}),
    tests: specs,
  };
}

/**
 * The state machine of a mockConfig with several, when one has the definition file's name
 * (`order.asl.json` → `order`), as `stepwise run` picks it.
 */
function defaultMachineName(config: MockConfigFile, definitionFile: string): { stateMachineName?: string } {
  const machines = Object.keys(config.StateMachines ?? {});
  const name = basename(definitionFile).replace(/(\.asl)?\.(json|ya?ml)$/i, '');
  return machines.length > 1 && machines.includes(name) ? { stateMachineName: name } : {};
}

// ------------------------------------------------------------------ what the file names

interface LoadedDefinition {
  readonly value: unknown;
  readonly file?: string;
  readonly lineOf: LineLocator;
}

function loadDefinition(root: Record<string, unknown>, checker: Checker, file: string, fileLines: LineLocator): LoadedDefinition {
  const value = root.definition;
  if (value === undefined) checker.fail(['definition'], 'is missing: give the path of the definition file (relative to this test file) or the definition itself');
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    checkDiagnostics(validateDefinition(value), checker, 'the inline definition', (pointer) => fileLines(`/definition${pointer}`));
    return { value, lineOf: (pointer) => fileLines(`/definition${pointer}`) };
  }
  if (typeof value !== 'string' || value.trim() === '') checker.fail(['definition'], `must be the path of a definition file or a definition object, not ${describe(value)}`);
  const path = resolve(dirname(file), value);
  const shown = relativeTo(file, value);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return checker.fail(['definition'], `cannot read the definition file ${shown}: ${reason(e)}`);
  }
  if (/\.ya?ml$/i.test(path)) {
    const parsed = parseYaml(text, shown, 'definition', false);
    checkDiagnostics(validateDefinition(parsed.value), checker, `the definition ${shown}`, parsed.lineOf);
    return { value: parsed.value, file: shown, lineOf: parsed.lineOf };
  }
  const { definition, diagnostics } = parseDefinition(text);
  const lineOf = jsonLineLocator(text);
  checkDiagnostics(diagnostics, checker, `the definition ${shown}`, lineOf);
  return { value: definition, file: shown, lineOf };
}

function checkDiagnostics(diagnostics: readonly Diagnostic[], checker: Checker, what: string, lineOf: LineLocator): void {
  const errors = diagnostics.filter((d) => d.severity === 'ERROR');
  if (errors.length === 0) return;
  const lines = errors.map((d) => {
    const line = d.location ? lineOf(d.location.replace(/\[(\d+)\]/g, '/$1')) : undefined;
    return `  ${line !== undefined ? `line ${line}: ` : ''}${d.code}: ${d.message}${d.location ? ` (at ${d.location})` : ''}`;
  });
  checker.fail(['definition'], `${what} is not a valid state machine definition (see stepwise validate):\n${lines.join('\n')}`);
}

function loadMockConfig(value: unknown, checker: Checker, file: string): MockConfigFile {
  let config = value;
  if (typeof value === 'string') {
    const shown = relativeTo(file, value);
    let text: string;
    try {
      text = readFileSync(resolve(dirname(file), value), 'utf8');
    } catch (e) {
      return checker.fail(['mockConfig'], `cannot read the mock config file ${shown}: ${reason(e)}`);
    }
    try {
      config = JSON.parse(text);
    } catch (e) {
      return checker.fail(['mockConfig'], `the mock config file ${shown} is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) checker.fail(['mockConfig'], `must be the path of a MockConfigFile or a MockConfigFile object, not ${describe(config)}`);
  const record = config as Record<string, unknown>;
  for (const key of ['StateMachines', 'MockedResponses']) {
    const part = record[key];
    if (part !== undefined && (typeof part !== 'object' || part === null || Array.isArray(part))) checker.fail(['mockConfig'], `${key} must be an object (Step Functions Local's MockConfigFile format), not ${describe(part)}`);
  }
  return config as MockConfigFile;
}

// ------------------------------------------------------------------ parsing and checking

interface ParsedYaml {
  readonly value: unknown;
  readonly lineOf: LineLocator;
}

/**
 * YAML with its lines kept, so errors and coverage can name them. JSON is YAML too, but YAML
 * forgives what JSON does not (a trailing comma, comments): a `.json` file must be JSON.
 */
function parseYaml(text: string, file: string, what: string, strictJson: boolean): ParsedYaml {
  if (strictJson) {
    try {
      JSON.parse(text);
    } catch (e) {
      const message = (e as Error).message;
      const at = locateSyntaxError(text, message);
      throw new TestFileError(file, `${file}${at ? `:${lineAndColumn(text, at.from).line}` : ''}: the ${what} is not valid JSON: ${message}`);
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const line = lineCounter.linePos(error.pos[0]).line;
    throw new TestFileError(file, `${file}:${line}: the ${what} is not valid YAML: ${error.message.split('\n')[0]!.replace(/:$/, '')}`);
  }
  let value: unknown;
  try {
    // maxAliasCount keeps a "billion laughs" of aliases from expanding without limit.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new TestFileError(file, `${file}: the ${what} cannot be read: ${(e as Error).message}`);
  }
  return { value, lineOf: yamlLineLocator(doc, lineCounter) };
}

/** The line of a JSON pointer's deepest existing part in a YAML document (a map member: its key). */
function yamlLineLocator(doc: Document, lines: LineCounter): LineLocator {
  return (pointer) => {
    let node: unknown = doc.contents;
    let offset = (node as { range?: [number, number, number] } | null)?.range?.[0];
    const tokens = pointer === '' ? [] : pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    for (const token of tokens) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === token);
        if (!pair) break;
        offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(token)] as { range?: [number, number, number] } | undefined;
        if (!item || !/^\d+$/.test(token)) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    return offset === undefined ? undefined : lines.linePos(offset).line;
  };
}

class Checker {
  constructor(
    private readonly file: string,
    private readonly lineOf: LineLocator,
  ) {}

  fail(path: Path, message: string): never {
    const line = this.lineOf(pointerOf(path));
    throw new TestFileError(this.file, `${this.file}${line !== undefined ? `:${line}` : ''}: ${path.length ? `${display(path)}: ` : ''}${message}`);
  }

  object(value: unknown, path: Path): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, `must be an object (a mapping), not ${describe(value)}`);
    return value as Record<string, unknown>;
  }

  string(value: unknown, path: Path): string {
    if (typeof value !== 'string' || value === '') this.fail(path, value === undefined ? 'is missing' : `must be a non-empty string, not ${describe(value)}`);
    return value as string;
  }

  count(value: unknown, path: Path): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) this.fail(path, `must be a whole number >= 0, not ${describe(value)}`);
    return value as number;
  }

  knownFields(object: Record<string, unknown>, path: Path, known: readonly string[]): void {
    for (const key of Object.keys(object)) {
      if (known.includes(key)) continue;
      const near = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
      this.fail([...path, key], `not a field here${near ? ` (did you mean '${near}'?)` : ''}; the fields are ${known.join(', ')}`);
    }
  }

  /** Payloads go to the engine as JSON: no YAML-only values (dates, binary, sets, NaN). */
  jsonOnly(value: unknown, path: Path): void {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) this.fail(path, `${value} is not a number JSON can hold`);
      return;
    }
    if (Array.isArray(value)) return value.forEach((item, index) => this.jsonOnly(item, [...path, index]));
    if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      for (const [key, item] of Object.entries(value)) this.jsonOnly(item, [...path, key]);
      return;
    }
    this.fail(path, `${describe(value)} is not a JSON value`);
  }

  mocks(value: unknown, path: Path, states: ReadonlySet<string>): Record<string, MockAnswer | MockAnswer[]> {
    const mocks = this.object(value, path);
    const out: Record<string, MockAnswer | MockAnswer[]> = {};
    for (const [state, answers] of Object.entries(mocks)) {
      const at = [...path, state];
      if (!states.has(state)) this.fail(at, `the definition has no such state to mock (its states: ${[...states].join(', ') || 'none'})`);
      if (Array.isArray(answers)) {
        if (answers.length === 0) this.fail(at, 'is an empty list: give at least one answer ({ Return: … } or { Throw: { Error, Cause } })');
        out[state] = answers.map((answer, index) => this.answer(answer, [...at, index]));
      } else out[state] = this.answer(answers, at);
    }
    return out;
  }

  private answer(value: unknown, path: Path): MockAnswer {
    const answer = this.object(value, path);
    const keys = Object.keys(answer);
    if (keys.length !== 1 || (keys[0] !== 'Return' && keys[0] !== 'Throw')) {
      this.fail(path, `must have exactly one of Return or Throw (as in a MockConfigFile), not ${keys.length ? keys.join(', ') : 'nothing'}`);
    }
    if (keys[0] === 'Throw') {
      const thrown = this.object(answer.Throw, [...path, 'Throw']);
      this.knownFields(thrown, [...path, 'Throw'], ['Error', 'Cause']);
      for (const key of ['Error', 'Cause']) if (thrown[key] !== undefined) this.string(thrown[key], [...path, 'Throw', key]);
    }
    return answer as MockAnswer;
  }

  expectation(value: unknown, path: Path, states: ReadonlySet<string>): TestExpectation {
    const expect = this.object(value, path);
    this.knownFields(expect, path, EXPECT_FIELDS);
    if (expect.status !== undefined && !(EXECUTION_STATUSES as readonly unknown[]).includes(expect.status)) {
      this.fail([...path, 'status'], `must be one of ${EXECUTION_STATUSES.join(', ')}, not ${describe(expect.status)}`);
    }
    if ('output' in expect && 'outputContains' in expect) this.fail([...path, 'outputContains'], 'output checks the output already: give one of output and outputContains');
    if ('cause' in expect && 'causeContains' in expect) this.fail([...path, 'causeContains'], 'cause checks the cause already: give one of cause and causeContains');
    if ('outputContains' in expect && (typeof expect.outputContains !== 'object' || expect.outputContains === null)) {
      this.fail([...path, 'outputContains'], `must be an object or a list (a part of the output), not ${describe(expect.outputContains)}; use output for a whole value`);
    }
    for (const key of ['error', 'cause', 'causeContains'] as const) if (key in expect) this.string(expect[key], [...path, key]);
    const failing = 'error' in expect || 'cause' in expect || 'causeContains' in expect;
    if (failing && expect.status === 'SUCCEEDED') this.fail([...path, 'status'], 'SUCCEEDED contradicts the expected error or cause, which only an execution that did not succeed has');
    if ('path' in expect) {
      if (!Array.isArray(expect.path)) this.fail([...path, 'path'], `must be a list of state names, not ${describe(expect.path)}`);
      (expect.path as unknown[]).forEach((name, index) => {
        const state = this.string(name, [...path, 'path', index]);
        if (!states.has(state)) this.fail([...path, 'path', index], `the definition has no state '${state}' (its states: ${[...states].join(', ')})`);
      });
    }
    if ('states' in expect) {
      const byState = this.object(expect.states, [...path, 'states']);
      for (const [name, checks] of Object.entries(byState)) {
        const at = [...path, 'states', name];
        if (!states.has(name)) this.fail(at, `the definition has no such state (its states: ${[...states].join(', ')})`);
        const check = this.object(checks, at);
        this.knownFields(check, at, STATE_FIELDS);
        for (const key of ['error', 'cause'] as const) if (key in check) this.string(check[key], [...at, key]);
        for (const key of ['retries', 'entered'] as const) if (key in check) this.count(check[key], [...at, key]);
      }
    }
    return expect as TestExpectation;
  }
}

// ------------------------------------------------------------------ helpers

/** `tests[2].mocks["Charge card"][0]`: how a field is shown in messages. */
function display(path: Path): string {
  return path
    .map((token, index) => (typeof token === 'number' ? `[${token}]` : /^[A-Za-z_$][\w$]*$/.test(token) ? `${index === 0 ? '' : '.'}${token}` : `[${JSON.stringify(token)}]`))
    .join('');
}

function pointerOf(path: Path): string {
  return path.map((t) => `/${String(t).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return Object.getPrototypeOf(value) === Object.prototype ? 'an object' : `a ${value.constructor?.name ?? 'non-JSON value'}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
}

/** A path the test file gives, as seen from where the test file was named (its folder joined on). */
function relativeTo(file: string, path: string): string {
  return isAbsolute(path) ? path : join(dirname(file), path);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
