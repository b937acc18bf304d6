// The stepwise-sfn package as a user gets it: packed with `npm pack` (which runs its prepare
// build), installed into a scratch project outside the repository by npm with no compiler on
// the PATH, then used there: execute(), a vitest suite and a node:test suite on the testing
// API with virtual time (a 24-hour Wait, a 300-second task timeout), and the stepwise CLI.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM_CLI = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
const VITEST_VERSION = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'vitest', 'package.json'), 'utf8')) as { version: string }).version;

let scratch: string;
let env: NodeJS.ProcessEnv;

/** npm, run by this Node with a PATH that holds node and sh only: no python, make or compiler. */
async function npm(args: string[], cwd: string) {
  return run(process.execPath, [NPM_CLI, ...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 });
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'stepwise-scratch-'));
  const bin = join(scratch, '.bin-node-only');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync('/bin/sh', join(bin, 'sh')); // install scripts run in a shell (vitest's esbuild has one)
  env = {
    HOME: process.env.HOME,
    PATH: bin,
    npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? tmpdir(), '.npm'),
    // Native builds would need a compiler; none is there to find.
    CXX: join(bin, 'no-cxx'),
    CC: join(bin, 'no-cc'),
  };
  // Packing is the maintainer's step (it builds, with the repository's tools); installing is the user's.
  await run(process.execPath, [NPM_CLI, 'pack', join(ROOT, 'packages', 'stepwise-sfn'), '--pack-destination', scratch], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  const { version } = JSON.parse(readFileSync(join(ROOT, 'packages', 'stepwise-sfn', 'package.json'), 'utf8')) as { version: string };
  const tarball = `stepwise-sfn-${version}.tgz`;
  const project = join(scratch, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  await npm(['install', join(scratch, tarball), `vitest@${VITEST_VERSION}`, '--prefer-offline', '--no-audit', '--no-fund'], project);
  writeFileSync(join(project, 'order.asl.json'), JSON.stringify(ORDER));
  writeFileSync(join(project, 'order.vitest.test.mjs'), VITEST_SUITE);
  writeFileSync(join(project, 'order.node.test.mjs'), NODE_TEST_SUITE);
}, 300_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const ORDER = {
  StartAt: 'Wait a day',
  States: {
    'Wait a day': { Type: 'Wait', Seconds: 86_400, Next: 'Charge' },
    Charge: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      TimeoutSeconds: 300,
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.failure', Next: 'Too slow' }],
      Next: 'Done',
    },
    'Too slow': { Type: 'Pass', End: true },
    Done: { Type: 'Succeed' },
  },
};

const SHARED_CASES = `
import { readFileSync } from 'node:fs';
import { runStateMachine } from 'stepwise-sfn/testing';
import { execute } from 'stepwise-sfn';
const definition = JSON.parse(readFileSync(new URL('./order.asl.json', import.meta.url), 'utf8'));
const START = '2026-01-01T00:00:00.000Z';
export async function waitsADay() {
  const run = await runStateMachine(definition, { startTime: START, mocks: { Charge: { Return: { paid: true } } } });
  return { status: run.status, path: run.path(), exited: run.history.find((e) => e.type === 'WaitStateExited').timestamp.toISOString() };
}
export async function timesOut() {
  const run = await runStateMachine(definition, { startTime: START, handlers: { Charge: (input, context) => context.sleep('10m') } });
  return { path: run.path(), caught: run.caught('Charge'), timedOut: run.history.find((e) => e.type === 'TaskTimedOut').timestamp.toISOString() };
}
export async function executes() {
  return (await execute({ StartAt: 'P', States: { P: { Type: 'Pass', Result: 42, End: true } } })).output;
}
`;

const EXPECTED_WAIT = { status: 'SUCCEEDED', path: ['Wait a day', 'Charge', 'Done'], exited: '2026-01-02T00:00:00.000Z' };
const EXPECTED_TIMEOUT = {
  path: ['Wait a day', 'Charge', 'Too slow'],
  caught: { index: 0, errorEquals: ['States.Timeout'], next: 'Too slow', error: 'States.Timeout' },
  timedOut: '2026-01-02T00:05:00.000Z',
};

const VITEST_SUITE = `${SHARED_CASES}
import { expect, test } from 'vitest';
test('a 24-hour Wait', async () => expect(await waitsADay()).toEqual(${JSON.stringify(EXPECTED_WAIT)}));
test('a 300 s task timeout', async () => expect(await timesOut()).toEqual(${JSON.stringify(EXPECTED_TIMEOUT)}));
test('execute()', async () => expect(await executes()).toBe(42));
`;

const NODE_TEST_SUITE = `${SHARED_CASES}
import { test } from 'node:test';
import assert from 'node:assert/strict';
test('a 24-hour Wait', async () => assert.deepEqual(await waitsADay(), ${JSON.stringify(EXPECTED_WAIT)}));
test('a 300 s task timeout', async () => assert.deepEqual(await timesOut(), ${JSON.stringify(EXPECTED_TIMEOUT)}));
test('execute()', async () => assert.equal(await executes(), 42));
`;

describe('the stepwise-sfn package in a scratch project', () => {
  it('installs without native code or the server’s dependencies', () => {
    const installed = readdirSync(join(scratch, 'project', 'node_modules'));
    expect(installed).toContain('stepwise-sfn');
    for (const serverOnly of ['better-sqlite3', 'pg', 'pino', 'prom-client']) expect(installed).not.toContain(serverOnly);
    const manifest = JSON.parse(readFileSync(join(scratch, 'project', 'node_modules', 'stepwise-sfn', 'package.json'), 'utf8')) as { dependencies: object };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['jsonata', 'yaml']);
    expect(existsSync(join(scratch, 'project', 'node_modules', 'stepwise-sfn', 'dist', 'console', 'index.html'))).toBe(true);
  });

  it('runs a vitest suite on the testing API, virtual time included, in under 2 s', async () => {
    const report = join(scratch, 'vitest.json');
    await run(process.execPath, [join('node_modules', 'vitest', 'vitest.mjs'), 'run', 'order.vitest.test.mjs', '--reporter=json', `--outputFile=${report}`], { cwd: join(scratch, 'project'), env: { ...env, CI: 'true' } });
    const result = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; testResults: Array<{ startTime: number; endTime: number }> };
    expect([result.numPassedTests, result.numFailedTests]).toEqual([3, 0]);
    const file = result.testResults[0]!;
    expect(file.endTime - file.startTime).toBeLessThan(2_000);
  }, 120_000);

  it('runs a node:test suite on the testing API, virtual time included, in under 2 s', async () => {
    const { stdout } = await run(process.execPath, ['--test', '--test-reporter=tap', 'order.node.test.mjs'], { cwd: join(scratch, 'project'), env });
    expect(stdout).toMatch(/# pass 3\n/);
    expect(stdout).toMatch(/# fail 0\n/);
    const duration = Number(/# duration_ms ([\d.]+)/.exec(stdout)?.[1]);
    expect(duration).toBeLessThan(2_000);
  }, 60_000);

  it('has the stepwise command for validate, run and test (with coverage), and says where serve is', async () => {
    const cwd = join(scratch, 'project');
    const cli = join('node_modules', 'stepwise-sfn', 'dist', 'cli', 'main.js');
    expect((await run(process.execPath, [cli, 'validate', 'order.asl.json'], { cwd, env })).stdout).toContain('order.asl.json');
    const ran = await run(process.execPath, [cli, 'run', 'order.asl.json', '--route', 'Charge=return:{"ok":1}', '--wait-time-scale', '0'], { cwd, env });
    expect(JSON.parse(ran.stdout)).toEqual({ ok: 1 });
    writeFileSync(join(cwd, 'order.sfn-test.yaml'), 'definition: ./order.asl.json\ntests:\n  - name: paid\n    mocks: { Charge: { Return: { paid: true } } }\n    expect: { status: SUCCEEDED, path: [Wait a day, Charge, Done] }\n');
    const tested = await run(process.execPath, [cli, 'test', '--coverage'], { cwd, env });
    expect(tested.stdout).toMatch(/1 passed, 0 failed/);
    expect(tested.stdout).toContain('order');
    const serve = await run(process.execPath, [cli, 'serve'], { cwd, env }).catch((e: { code: number; stderr: string }) => e);
    expect(serve).toMatchObject({ code: 2 });
    expect((serve as { stderr: string }).stderr).toContain('stepwise-sfn-server');
  }, 60_000);
});
