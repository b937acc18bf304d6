// The summary line CI reads must count every way a run can fail, not only failed tests: a
// separate vitest runs throwaway suites (in a temp dir) through the real reporter.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const REPORTER = join(ROOT, 'test', 'summary-reporter.ts');

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs vitest on `files` (globals on, so they import nothing) and returns its exit status and summary line. */
function runSuites(files: Record<string, string>): { status: number | null; summary: string | undefined; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-reporter-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    `export default { test: { globals: true, include: ['*.test.mjs'], reporters: ['default', ${JSON.stringify(REPORTER)}] } };\n`,
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  // The outer vitest's variables would make the inner one think it is a worker.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'TEST' && k !== 'NODE_ENV'));
  const result = spawnSync(process.execPath, [VITEST, 'run', '--root', dir, '--config', join(dir, 'vitest.config.mjs')], {
    cwd: dir,
    env: { ...env, CI: 'true', NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  const summary = output.split('\n').filter((line) => /^\d+ passed, \d+ failed/.test(line)).pop();
  return { status: result.status, summary, output };
}

describe('the CI summary line', () => {
  it('counts a failing beforeAll, a failing afterAll, a file that cannot load and an unhandled error as failures', () => {
    const run = runSuites({
      'passes.test.mjs': "it('passes', () => {});\n",
      'setup.test.mjs': "describe('needs setup', () => {\n  beforeAll(() => { throw new Error('setup failed'); });\n  it('never runs', () => {});\n});\n",
      'teardown.test.mjs': "afterAll(() => { throw new Error('teardown failed'); });\nit('runs', () => {});\n",
      'broken.test.mjs': "throw new Error('cannot load');\n",
      'escapes.test.mjs': "it('leaves an exception behind', async () => {\n  setTimeout(() => { throw new Error('escaped'); }, 1);\n  await new Promise((r) => setTimeout(r, 50));\n});\n",
    });
    expect(run.status, run.output).toBe(1);
    // passes, runs, leaves…: 3 passed; setup + teardown + broken + the escaped error: 4 failed.
    expect(run.summary, run.output).toBe('3 passed, 4 failed, 1 skipped');
  });

  it('reads 0 failed for a run that passes', () => {
    const run = runSuites({ 'passes.test.mjs': "it('passes', () => {});\nit.skip('later', () => {});\n" });
    expect(run.status, run.output).toBe(0);
    expect(run.summary, run.output).toBe('1 passed, 0 failed, 1 skipped');
  });
});
