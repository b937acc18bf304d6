// The `stepwise` command as a user runs it: the built dist/cli/main.js in a child process,
// checked by its stdout, stderr and exit status (test/global-setup.ts builds dist/ first).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const TMP = mkdtempSync(join(tmpdir(), 'stepwise-cli-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function stepwise(args: string[], options: { stdin?: string; interruptAfterMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (options.interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs);
    child.stdin.end(options.stdin ?? '');
  });
}

function tmpFile(name: string, content: unknown): string {
  const file = join(TMP, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** No stack trace: a user's mistake is a message, not a crash. */
function expectNoStack(run: Run): void {
  expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(run.stderr).not.toContain('internal error');
}

const HELLO = 'examples/hello-world.asl.json';
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: the build failed (see the global setup's output)`);
});

describe('stepwise (general)', () => {
  it('prints the version', async () => {
    const run = await stepwise(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('prints help on --help and to stderr with exit 2 when no command is given', async () => {
    const help = await stepwise(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: stepwise <command>');
    expect(help.stdout).toContain('validate FILE...');
    const none = await stepwise([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: stepwise <command>');
  });

  it('rejects an unknown command or option with exit 2 and no stack trace', async () => {
    const command = await stepwise(['frobnicate']);
    expect(command.code).toBe(2);
    expect(command.stderr).toBe("stepwise: unknown command 'frobnicate' (commands: validate, run, test, view, serve, backup, schedules, rules, routes; see stepwise --help)\n");
    const option = await stepwise(['run', HELLO, '--no-such-option']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^stepwise: Unknown option '--no-such-option'/);
    expectNoStack(option);
  });

  it('prints the options of serve, and refuses a bad one in one line with exit 2', async () => {
    const help = await stepwise(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: stepwise serve [options]');
    for (const option of ['--host HOST', '--port PORT', '--db PATH', '--region REGION', '--account-id ID', '--mock-config FILE', '--wait-time-scale N', '--log-level LEVEL']) {
      expect(help.stdout).toContain(option);
    }
    for (const variable of ['STEPWISE_PORT', 'STEPWISE_DB', 'SFN_MOCK_CONFIG', 'WAIT_TIME_SCALE']) expect(help.stdout).toContain(variable);
    const bad = await stepwise(['serve', '--port', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe("stepwise: --port must be a number from 0 to 65535, not 'abc'.\n");
    expectNoStack(bad);
  });
});

describe('stepwise validate', () => {
  it('accepts every example', async () => {
    const files = ['examples/hello-world.asl.json', 'examples/map-retry-catch.asl.json', 'examples/jsonata-orders.asl.json'];
    const run = await stepwise(['validate', ...files]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const file of files) expect(run.stdout).toContain(`${file}: valid`);
    expect(run.stdout).toContain('3 files valid');
  });

  it('reports each problem with file, location and code, and exits 1', async () => {
    const file = tmpFile('missing-target.asl.json', { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
    const run = await stepwise(['validate', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}: /States/A/Next: ERROR MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere`);
    expect(run.stderr).toMatch(/\d+ errors? in 1 of 1 file\n$/);
  });

  it('reports JSON syntax errors as problems of the file', async () => {
    const file = tmpFile('broken.asl.json', '{"StartAt": "A", "States": {');
    const run = await stepwise(['validate', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^${escape(file)}: .*line: 1, column: 29\\]: ERROR INVALID_JSON_DESCRIPTION: Unexpected end-of-input`));
    expectNoStack(run);
  });

  it('places each problem at its line and column with --format json, and as GitHub annotations with --format github', async () => {
    // Pretty-printed as people write them: the Next that names nothing is on line 6.
    const text = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } }, null, 2);
    const file = tmpFile('placed.asl.json', text);
    const json = await stepwise(['validate', '--format', 'json', file]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.valid).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ file, line: 6, column: 7, severity: 'ERROR', code: 'MISSING_TRANSITION_TARGET', location: '/States/A/Next' }),
    );
    expect(text.split('\n')[5]!.slice(6)).toMatch(/^"Next"/);

    const github = await stepwise(['validate', '--format', 'github', file]);
    expect(github.code).toBe(1);
    expect(github.stdout).toContain(`::error file=${file},line=6,col=7,endLine=6,endColumn=13,title=MISSING_TRANSITION_TARGET::Missing 'Next' target: Nowhere (/States/A/Next)`);

    // A JSON syntax error is placed where the parser stopped; a valid file has no problems.
    const broken = await stepwise(['validate', '--format', 'json', tmpFile('broken-placed.asl.json', '{\n  "StartAt": "A",\n  "States": {')]);
    expect(JSON.parse(broken.stdout).problems[0]).toMatchObject({ code: 'INVALID_JSON_DESCRIPTION', line: 3 });
    const valid = await stepwise(['validate', '--format', 'github', HELLO]);
    expect(valid).toMatchObject({ code: 0, stdout: '' });
    expect((await stepwise(['validate', '--format', 'xml', HELLO])).code).toBe(2);
  });

  it('keeps going past a bad file and summarises', async () => {
    const bad = tmpFile('no-states.asl.json', { StartAt: 'A' });
    const run = await stepwise(['validate', HELLO, bad]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${HELLO}: valid`);
    expect(run.stderr).toContain(`${bad}: `);
    expect(run.stderr).toMatch(/in 1 of 2 files\n$/);
  });

  it('exits 2 for a file that does not exist, or no file at all', async () => {
    const missing = await stepwise(['validate', 'no/such/file.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no/such/file.json: cannot read file no/such/file.json: no such file');
    const none = await stepwise(['validate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('validate needs at least one FILE');
  });
});

describe('stepwise run', () => {
  it('prints the output as pretty JSON on success', async () => {
    const run = await stepwise(['run', HELLO, '--input', '@examples/hello-world.input.json', '--wait-time-scale', '0']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ IsHelloWorldExample: true }, { IsHelloWorldExample: true }]);
    expect(run.stdout).toBe(`${JSON.stringify([{ IsHelloWorldExample: true }, { IsHelloWorldExample: true }], null, 2)}\n`);
  });

  it('reads the input from stdin with --input @-', async () => {
    const run = await stepwise(['run', HELLO, '-i', '@-', '--wait-time-scale', '0'], { stdin: '{"IsHelloWorldExample": true, "n": 1}' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ IsHelloWorldExample: true, n: 1 }, { IsHelloWorldExample: true, n: 1 }]);
  });

  it('prints status, error and cause to stderr and exits 1 when the execution fails', async () => {
    const run = await stepwise(['run', HELLO, '--input', '{"IsHelloWorldExample": false}']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('Execution FAILED\n  cause: Not Hello World\n');
  });

  it('prints the error name of a failed task', async () => {
    const run = await stepwise([
      'run', 'examples/map-retry-catch.asl.json', '-i', '@examples/map-retry-catch.input.json',
      '--mock-config', 'examples/map-retry-catch.mock-config.json', '--test-case', 'GatewayDown', '--wait-time-scale', '0',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('Execution FAILED\n  error: PaymentGateway.Timeout\n  cause: The payment gateway did not answer (mocked).\n');
  });

  it('runs with mocked responses from a MockConfigFile', async () => {
    const run = await stepwise([
      'run', 'examples/map-retry-catch.asl.json', '-i', '@examples/map-retry-catch.input.json',
      '--mock-config', 'examples/map-retry-catch.mock-config.json', '--test-case', 'AllApproved',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ orderCount: 3, charged: ['A-1', 'A-2', 'A-3'] });
  });

  it('runs task handlers from an ES module', async () => {
    const run = await stepwise([
      'run', 'examples/map-retry-catch.asl.json', '-i', '@examples/map-retry-catch.input.json',
      '--handlers', 'examples/handlers.mjs', '--wait-time-scale', '0',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ charged: ['A-1', 'A-3'], declined: ['A-2'] });
  });

  it('runs child executions of the state machines given with --state-machine', async () => {
    const args = ['run', 'examples/ship-orders.asl.json', '-i', '@examples/ship-orders.input.json'];
    const run = await stepwise([...args, '--state-machine', 'examples/ship-order.asl.json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ labels: ['PO-A-1', 'FR-A-2', 'PO-A-3'], count: 3 });
    const without = await stepwise(args);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('--state-machine FILE');
    const invalid = await stepwise([...args, '--state-machine', 'examples/ship-orders.input.json']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^stepwise: examples\/ship-orders\.input\.json is not a valid state machine definition:/);
  });

  it('names the state machines of a mock config that does not have the one asked for', async () => {
    const args = ['run', 'examples/map-retry-catch.asl.json', '--mock-config', 'examples/map-retry-catch.mock-config.json'];
    const name = await stepwise([...args, '--test-case', 'AllApproved', '--state-machine-name', 'other']);
    expect(name.code).toBe(2);
    expect(name.stderr).toBe(
      "stepwise: mock config examples/map-retry-catch.mock-config.json has no state machine 'other'; pass --state-machine-name with one of: map-retry-catch\n",
    );
    const testCase = await stepwise([...args, '--test-case', 'Nope']);
    expect(testCase.code).toBe(2);
    expect(testCase.stderr).toContain("has no test case 'Nope' (test cases: AllApproved, GatewayDown)");
    const alone = await stepwise(args);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--mock-config needs --test-case NAME');
  });

  it('prints the history as a table before the output with --history', async () => {
    const run = await stepwise(['run', HELLO, '-i', '{"IsHelloWorldExample": true}', '--history', '--wait-time-scale', '0']);
    expect(run.code).toBe(0);
    const [table, output] = run.stdout.split('\n\n');
    const lines = table!.split('\n');
    expect(lines[0]).toMatch(/^id\s+elapsed\s+type\s+state\s+frame\s+detail$/);
    expect(lines[1]).toMatch(/^ *1\s+\+0\.\d{3}s\s+ExecutionStarted\s+input \{"IsHelloWorldExample":true\}$/);
    expect(table).toMatch(/WaitStateEntered\s+Wait 3 sec/);
    expect(lines.at(-1)).toMatch(/ExecutionSucceeded\s+output \[\{"IsHelloWorldExample":true\},\{"IsHelloWorldExample":true\}\]$/);
    expect(JSON.parse(output!)).toEqual([{ IsHelloWorldExample: true }, { IsHelloWorldExample: true }]);
  });

  it('prints GetExecutionHistory events as JSON lines with --history-format jsonl', async () => {
    const run = await stepwise(['run', HELLO, '-i', '{"IsHelloWorldExample": true}', '--history-format', 'jsonl', '--wait-time-scale', '0']);
    expect(run.code).toBe(0);
    const events = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { id: number; type: string; [k: string]: unknown });
    expect(events[0]).toMatchObject({ id: 1, previousEventId: 0, type: 'ExecutionStarted' });
    expect(events[0]!.executionStartedEventDetails).toMatchObject({ input: '{"IsHelloWorldExample":true}' });
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionSucceeded',
      executionSucceededEventDetails: { output: '[{"IsHelloWorldExample":true},{"IsHelloWorldExample":true}]' },
    });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
  });

  it('exits 2 with the diagnostics for an invalid definition', async () => {
    const file = tmpFile('invalid.asl.json', { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
    const run = await stepwise(['run', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`stepwise: ${file} is not a valid state machine definition:`);
    expect(run.stderr).toContain('MISSING_TRANSITION_TARGET');
    expectNoStack(run);
  });

  it('exits 2 without a stack trace for bad input JSON, a missing file or a bad scale', async () => {
    const input = await stepwise(['run', HELLO, '--input', '{nope']);
    expect(input.code).toBe(2);
    expect(input.stderr).toMatch(/^stepwise: --input is not valid JSON: /);
    expectNoStack(input);
    const inputFile = await stepwise(['run', HELLO, '--input', '@missing.json']);
    expect(inputFile.code).toBe(2);
    expect(inputFile.stderr).toBe('stepwise: cannot read --input file missing.json: no such file\n');
    const file = await stepwise(['run', 'missing.asl.json']);
    expect(file.code).toBe(2);
    expect(file.stderr).toBe('stepwise: cannot read definition missing.asl.json: no such file\n');
    const scale = await stepwise(['run', HELLO, '--wait-time-scale', 'fast']);
    expect(scale.code).toBe(2);
    expect(scale.stderr).toBe("stepwise: --wait-time-scale must be a number >= 0 (got 'fast')\n");
    const two = await stepwise(['run', HELLO, HELLO]);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('run needs exactly one FILE (got 2)');
  });

  it('runs on virtual time with --virtual-time: an hour-long Wait passes at once, with its times in $$', async () => {
    const file = tmpFile('hour.asl.json', {
      StartAt: 'W',
      States: { W: { Type: 'Wait', Seconds: 3600, Next: 'P' }, P: { Type: 'Pass', Parameters: { 'entered.$': '$$.State.EnteredTime', 'started.$': '$$.Execution.StartTime' }, End: true } },
    });
    const run = await stepwise(['run', file, '--virtual-time']);
    expect(run.code, run.stderr).toBe(0);
    const { entered, started } = JSON.parse(run.stdout) as { entered: string; started: string };
    expect(Date.parse(entered) - Date.parse(started)).toBe(3_600_000);
  });

  it('exits 3 when the execution times out', async () => {
    const file = tmpFile('slow.asl.json', { TimeoutSeconds: 1, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });
    const run = await stepwise(['run', file]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^Execution TIMED_OUT\n/);
    expect(run.stdout).toBe('');
  });

  it('exits 4 when interrupted (Ctrl-C aborts the execution)', async () => {
    const file = tmpFile('long.asl.json', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });
    const run = await stepwise(['run', file], { interruptAfterMs: 1500 });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^Execution ABORTED\n/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
