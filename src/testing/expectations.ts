/**
 * What a test file expects (test-file.ts) against what a run did (TestResult): a list of
 * mismatches, each with the lines that show it (a line diff of JSON for whole values, the
 * differing fields for partial matches). Pure, so `stepwise test`, JUnit and tests share it.
 */
import type { TestExpectation } from './test-file.js';

/** The parts of a TestResult the checks read (TestResult has them). */
export interface RunOutcome {
  readonly status: string;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  path(): string[];
  state(name: string): { readonly entered: number; readonly retries: number; readonly input?: unknown; readonly output?: unknown; readonly error?: string; readonly cause?: string };
}

export interface Mismatch {
  /** What was checked: `status`, `output`, `states["Ship"].retries`. */
  readonly field: string;
  /** One line: `status: expected SUCCEEDED, got FAILED`. */
  readonly summary: string;
  /** More lines that show the difference (a diff, the differing fields). */
  readonly details: readonly string[];
}

export function checkExpectations(expect: TestExpectation, run: RunOutcome): Mismatch[] {
  const out: Mismatch[] = [];
  const expectsFailure = 'error' in expect || 'cause' in expect || 'causeContains' in expect;
  const status = expect.status ?? (expectsFailure ? undefined : 'SUCCEEDED');
  if (status !== undefined && run.status !== status) {
    const why = run.status === 'SUCCEEDED' ? [] : [`error: ${run.error ?? '(none)'}`, ...(run.cause !== undefined ? [`cause: ${run.cause}`] : [])];
    out.push({ field: 'status', summary: `status: expected ${status}, got ${run.status}`, details: why });
  } else if (status === undefined && run.status === 'SUCCEEDED') {
    out.push({ field: 'status', summary: 'status: expected the execution to fail (an error or cause is expected), got SUCCEEDED', details: [] });
  }
  if ('error' in expect && run.error !== expect.error) out.push(valueMismatch('error', expect.error, run.error));
  if ('cause' in expect && run.cause !== expect.cause) out.push(valueMismatch('cause', expect.cause, run.cause));
  if ('causeContains' in expect && !(run.cause ?? '').includes(expect.causeContains!)) {
    out.push({ field: 'cause', summary: `cause: expected it to contain ${JSON.stringify(expect.causeContains)}, got ${run.cause === undefined ? 'no cause' : JSON.stringify(run.cause)}`, details: [] });
  }
  if ('output' in expect) {
    const mismatch = compareWhole('output', expect.output, run.output);
    if (mismatch) out.push(mismatch);
  }
  if ('outputContains' in expect) {
    const differences = partialDifferences(expect.outputContains, run.output, 'output');
    if (differences.length > 0) out.push({ field: 'output', summary: 'output: does not contain what outputContains gives', details: differences });
  }
  if (expect.path !== undefined) {
    const actual = run.path();
    if (!deepEqual(expect.path, actual)) {
      out.push({ field: 'path', summary: 'path: the top-level states entered differ', details: [`expected: ${arrowPath(expect.path)}`, `actual:   ${arrowPath(actual)}`] });
    }
  }
  for (const [name, checks] of Object.entries(expect.states ?? {})) {
    const state = run.state(name);
    const at = `states[${JSON.stringify(name)}]`;
    for (const key of ['entered', 'retries', 'error', 'cause'] as const) {
      if (key in checks && state[key] !== checks[key]) out.push(valueMismatch(`${at}.${key}`, checks[key], state[key]));
    }
    for (const key of ['input', 'output'] as const) {
      if (!(key in checks)) continue;
      const mismatch = compareWhole(`${at}.${key}`, checks[key], state[key]);
      if (mismatch) out.push(mismatch);
    }
  }
  return out;
}

function valueMismatch(field: string, expected: unknown, actual: unknown): Mismatch {
  return { field, summary: `${field}: expected ${show(expected)}, got ${show(actual)}`, details: [] };
}

function compareWhole(field: string, expected: unknown, actual: unknown): Mismatch | undefined {
  if (deepEqual(expected, actual)) return undefined;
  // Small values read best on one line; larger ones as a diff.
  if (show(expected).length + show(actual).length <= 80) return valueMismatch(field, expected, actual);
  return { field, summary: `${field}: differs (- expected, + actual)`, details: lineDiff(canonicalJson(expected).split('\n'), canonicalJson(actual).split('\n')) };
}

/**
 * Where `actual` does not contain `expected`: objects need the expected keys (others may be
 * there), arrays the same length with each item containing the expected one (as Jest's
 * toMatchObject), anything else equality.
 */
export function partialDifferences(expected: unknown, actual: unknown, path: string): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list, got ${show(actual)}`];
    if (actual.length !== expected.length) return [`${path}: expected a list of ${expected.length}, got ${actual.length}: ${show(actual)}`];
    return expected.flatMap((item, index) => partialDifferences(item, actual[index], `${path}[${index}]`));
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return [`${path}: expected an object, got ${show(actual)}`];
    return Object.entries(expected).flatMap(([key, value]) => {
      const at = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      if (!Object.hasOwn(actual, key)) return [`${at}: missing (expected ${show(value)})`];
      return partialDifferences(value, actual[key], at);
    });
  }
  return deepEqual(expected, actual) ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

/** JSON equality: key order does not matter, types do (1 is not "1"). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Pretty JSON with sorted keys, so a diff shows differences of value, not of key order. */
function canonicalJson(value: unknown): string {
  if (value === undefined) return '(nothing)';
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isPlainObject(value)) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
  return value;
}

/** A line diff (longest common subsequence): '  ' same, '- ' expected only, '+ ' actual only. */
export function lineDiff(expected: readonly string[], actual: readonly string[]): string[] {
  // Outputs of a test are small; past this size a quadratic table is not worth it.
  if (expected.length * actual.length > 250_000) return [...expected.map((l) => `- ${l}`), ...actual.map((l) => `+ ${l}`)];
  const n = expected.length;
  const m = actual.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = expected[i] === actual[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] === actual[j]) {
      out.push(`  ${expected[i++]}`);
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push(`- ${expected[i++]}`);
    else out.push(`+ ${actual[j++]}`);
  }
  return out;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function arrowPath(path: readonly string[]): string {
  return path.length === 0 ? '(no state)' : path.join(' → ');
}
