/**
 * `stepwise test [FILE|FOLDER...]`: runs state machine test files (test-file.ts) with the testing
 * API, one line per test and a diff for each failure, for CI without writing JavaScript; with
 * `--junit` a JUnit XML report, with `--coverage` the states, transitions, Choice rules and
 * Catchers the tests exercised (a summary and an lcov file).
 *
 * Exit status: 0 every test passed, 1 a test failed, 2 a test file or a test cannot be used as
 * written (it is reported with the others, which still run) or a usage error.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InvalidDefinitionError } from '../index.js';
import { runStateMachine } from '../testing/run.js';
import type { TestResult } from '../testing/result.js';
import { ExecutionStalledError, TestConfigurationError } from '../testing/errors.js';
import { Coverage, formatCoverageSummary, formatLcov } from '../testing/coverage.js';
import { checkExpectations, type Mismatch } from '../testing/expectations.js';
import { formatJUnit, type JUnitCase, type JUnitSuite } from '../testing/junit.js';
import { loadTestFile, TEST_FILE_PATTERN, TestFileError, type TestCaseSpec, type TestFile } from '../testing/test-file.js';
import { EXIT, UsageError } from './io.js';

export const TEST_HELP = `Usage: stepwise test [FILE|FOLDER...] [options]

Runs state machine tests written as files: *.sfn-test.yaml, *.sfn-test.yml or *.sfn-test.json.
Folders are searched recursively (node_modules and hidden folders are skipped); without
FILE or FOLDER, the current folder. A file named explicitly runs whatever its name.
Each test runs the definition in memory on virtual time (Waits, retry intervals and timeouts
take no real time), its tasks answered by mocks in Step Functions Local's words.

Options:
      --junit FILE            also write the results as JUnit XML (CI test reports)
      --coverage              print the state machine coverage (states, transitions, Choice
                              rules, Catchers) and write it as lcov to coverage/stepwise.lcov
      --coverage-dir DIR      write the lcov file to DIR/stepwise.lcov (implies --coverage)
      --record DIR            write each test's execution to DIR/<file>--<test>.json, to look
                              at with stepwise view (graph, history)
  -h, --help                  this help

A test file:
  definition: ./order.asl.json        # relative to the test file (.json, .yaml), or inline
  mockConfig: ./MockConfigFile.json   # optional: a Step Functions Local MockConfigFile
  stateMachineName: order             # optional: its state machine (default: the only one,
                                      # or the one named as the definition file)
  mocks:                              # optional: mocks of every test of the file
    Charge card: { Return: { ok: true } }
  tests:
    - name: retries a busy shipper
      input: { orderId: "1" }
      testCase: HappyPath             # a test case of mockConfig, and/or mocks:
      mocks:                          # by state: one answer, or a list of one per call
        Ship: [ { Throw: { Error: Busy, Cause: try later } }, { Return: { id: 7 } } ]
      expect:
        status: SUCCEEDED             # SUCCEEDED (default) | FAILED | TIMED_OUT | ABORTED
        output: { id: 7 }             # equal to; or outputContains: a part of the output
        error: States.TaskFailed      # and cause: TEXT, or causeContains: TEXT
        path: [Validate, Charge card, Ship, Done]   # the top-level states entered, in order
        states:                       # per state: input, output, error, cause, retries, entered
          Ship: { retries: 1 }

Exit status: 0 every test passed, 1 a test failed, 2 a test file or test cannot be used as
written (the other tests still run), or a usage error.

Examples:
  stepwise test                                   # every *.sfn-test.* file below here
  stepwise test examples/testing --coverage
  stepwise test tests/ --junit reports/stepwise.xml --coverage-dir reports/coverage
`;

export interface TestArguments {
  readonly paths: readonly string[];
  readonly junit?: string;
  readonly coverage?: boolean;
  readonly coverageDir?: string;
  /** A folder for a recording of every test's execution (stepwise view shows one). */
  readonly record?: string;
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

type Outcome =
  | { readonly kind: 'passed' }
  | { readonly kind: 'failed'; readonly mismatches: readonly Mismatch[] }
  | { readonly kind: 'error'; readonly type: string; readonly message: string };

interface Ran {
  readonly test: TestCaseSpec;
  readonly ms: number;
  readonly outcome: Outcome;
}

export async function testCommand(args: TestArguments, io: Output, cwd = process.cwd()): Promise<number> {
  const files = findTestFiles(args.paths.length > 0 ? args.paths : ['.'], cwd);
  if (files.length === 0) {
    throw new UsageError(`no test files in ${args.paths.length > 0 ? args.paths.join(', ') : 'this folder'} (test files are named *.sfn-test.yaml, *.sfn-test.yml or *.sfn-test.json)`);
  }
  const wantCoverage = args.coverage === true || args.coverageDir !== undefined;
  const coverage = new Coverage();
  const suites: JUnitSuite[] = [];
  const counts = { passed: 0, failed: 0, errors: 0 };
  const started = performance.now();

  for (const file of files) {
    io.out(file);
    const timestamp = new Date().toISOString().replace(/\.\d+Z$/, '');
    let loaded: TestFile;
    try {
      loaded = loadTestFile(file);
    } catch (e) {
      if (!(e instanceof TestFileError)) throw e;
      counts.errors++;
      io.out(indent(`! ${e.message}`, '  '));
      suites.push({ name: file, file, timestamp, cases: [{ name: '(test file)', classname: file, timeSeconds: 0, file, error: { message: firstLine(e.message), details: e.message, type: e.name } }] });
      continue;
    }
    const coverageSource = { file: portable(loaded.coverageFile, cwd), lineOf: loaded.lineOf };
    coverage.add(loaded.definition, [], coverageSource);
    const cases: JUnitCase[] = [];
    for (const test of loaded.tests) {
      const ran = await runTest(loaded, test, (result) => {
        coverage.add(loaded.definition, result.events, coverageSource);
        if (args.record !== undefined) {
          writeReport(join(args.record, `${fileSlug(file)}--${fileSlug(test.name)}.json`), `${JSON.stringify(result.recording())}\n`, '--record');
        }
      });
      counts[ran.outcome.kind === 'passed' ? 'passed' : ran.outcome.kind === 'failed' ? 'failed' : 'errors']++;
      for (const line of describeRun(ran)) io.out(line);
      cases.push(junitCase(ran, file));
    }
    suites.push({ name: file, file, timestamp, cases });
  }

  if (args.junit !== undefined) writeReport(args.junit, formatJUnit(suites), '--junit');
  if (wantCoverage) {
    const report = coverage.report();
    const lcovFile = join(args.coverageDir ?? 'coverage', 'stepwise.lcov');
    writeReport(lcovFile, formatLcov(report), '--coverage-dir');
    io.out('');
    for (const line of formatCoverageSummary(report)) io.out(line);
    io.out(`Coverage written to ${lcovFile} (lcov)`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const total = counts.passed + counts.failed + counts.errors;
  io.out('');
  io.out(
    `${counts.passed} passed, ${counts.failed} failed${counts.errors > 0 ? `, ${counts.errors} ${counts.errors === 1 ? 'error' : 'errors'}` : ''}` +
      ` (${total} ${total === 1 ? 'test' : 'tests'} in ${files.length} ${files.length === 1 ? 'file' : 'files'}, ${seconds} s)`,
  );
  return counts.errors > 0 ? EXIT.USAGE : counts.failed > 0 ? EXIT.FAILED : EXIT.SUCCEEDED;
}

async function runTest(file: TestFile, test: TestCaseSpec, onResult: (result: TestResult) => void): Promise<Ran> {
  const started = performance.now();
  let outcome: Outcome;
  try {
    const result = await runStateMachine(file.definition, {
      input: test.input,
      ...(test.mocks ? { mocks: test.mocks } : {}),
      // A test that names no test case and mocks nothing reaches no task (or means to show an
      // unmocked task failing): the file's mockConfig has nothing to answer it with.
      ...(file.mockConfig && (test.testCase !== undefined || test.mocks) ? { mockConfig: file.mockConfig } : {}),
      ...(test.testCase !== undefined ? { testCase: test.testCase } : {}),
      ...(file.stateMachineName !== undefined ? { stateMachineName: file.stateMachineName } : {}),
      time: 'virtual',
    });
    onResult(result);
    const mismatches = checkExpectations(test.expect, result);
    outcome = mismatches.length === 0 ? { kind: 'passed' } : { kind: 'failed', mismatches };
  } catch (e) {
    // The test cannot run as written (a mock of no state, a test case the mockConfig lacks, a
    // task nothing answers); anything else is a bug of Stepwise and stops the command.
    if (!(e instanceof TestConfigurationError || e instanceof ExecutionStalledError || e instanceof InvalidDefinitionError)) throw e;
    outcome = { kind: 'error', type: e.name, message: e.message };
  }
  return { test, ms: performance.now() - started, outcome };
}

function describeRun(ran: Ran): string[] {
  const ms = `(${Math.round(ran.ms)} ms)`;
  const { outcome } = ran;
  if (outcome.kind === 'passed') return [`  ✓ ${ran.test.name} ${ms}`];
  if (outcome.kind === 'error') return [`  ! ${ran.test.name} ${ms}`, indent(`${outcome.type}: ${outcome.message}`, '      ')];
  const lines = [`  ✗ ${ran.test.name} ${ms}`];
  for (const m of outcome.mismatches) {
    lines.push(`      ${m.summary}`);
    for (const detail of m.details) lines.push(`        ${detail}`);
  }
  return lines;
}

function junitCase(ran: Ran, file: string): JUnitCase {
  const base = { name: ran.test.name, classname: file, timeSeconds: ran.ms / 1000, file, line: ran.test.line };
  const { outcome } = ran;
  if (outcome.kind === 'passed') return base;
  if (outcome.kind === 'error') return { ...base, error: { message: firstLine(outcome.message), details: outcome.message, type: outcome.type } };
  const details = outcome.mismatches.flatMap((m) => [m.summary, ...m.details.map((d) => `  ${d}`)]).join('\n');
  return { ...base, failure: { message: outcome.mismatches.map((m) => m.summary).join('; '), details, type: 'AssertionError' } };
}

// ------------------------------------------------------------------ files

/**
 * The test files under `paths`, each once, in a stable order: a file as named, a folder's
 * `*.sfn-test.*` files found recursively (symbolic links to folders are not followed, so a
 * link cannot make the walk loop).
 */
export function findTestFiles(paths: readonly string[], cwd: string): string[] {
  const found = new Map<string, string>();
  const add = (path: string) => {
    const key = resolve(cwd, path);
    if (!found.has(key)) found.set(key, path);
  };
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(resolve(cwd, path));
    } catch {
      throw new UsageError(`no such file or folder: ${path}`);
    }
    if (!stat.isDirectory()) {
      add(path);
      continue;
    }
    const walk = (folder: string) => {
      const entries = readdirSync(resolve(cwd, folder), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const child = folder === '.' ? entry.name : join(folder, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(child);
        } else if ((entry.isFile() || entry.isSymbolicLink()) && TEST_FILE_PATTERN.test(entry.name)) add(child);
      }
    };
    walk(path);
  }
  return [...found.values()];
}

/** A path relative to the working folder with '/' (how lcov consumers match files to the repository), else absolute. */
function portable(file: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, file));
  if (rel.startsWith('..') || isAbsolute(rel)) return resolve(cwd, file);
  return rel.split(sep).join('/');
}

/** A name for a file: letters, digits, dots and dashes ('order.sfn-test.yaml', 'a busy shipper' → 'a-busy-shipper'). */
function fileSlug(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  return base.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'test';
}

function writeReport(file: string, text: string, option: string): void {
  try {
    mkdirSync(dirname(resolve(file)), { recursive: true });
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`${option}: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line, index) => (index === 0 ? `${prefix}${line}` : `${prefix}  ${line}`))
    .join('\n');
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}
