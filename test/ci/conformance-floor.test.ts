// CI's conformance floor is a set of case ids: each regression is named, and new passes cannot
// hide one. Runs the real .ci/conformance-floor.mjs on reports shaped as run.mjs --json writes them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../.ci/conformance-floor.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stepwise-floor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Verdict = 'passed' | 'failed' | 'skipped';
let files = 0;
function report(mode: string, verdicts: Record<string, Verdict>): string {
  const file = join(dir, `${mode}-${++files}.json`);
  const results = Object.entries(verdicts).map(([id, verdict]) => ({ id, category: 'core', features: [], ms: 1, verdict }));
  writeFileSync(file, JSON.stringify({ mode, seconds: 1, summary: {}, results }));
  return file;
}
function floor(ids: string[]): string {
  const file = join(dir, `floor-${++files}.txt`);
  writeFileSync(file, `# a comment\n\n${ids.join('\n')}\n`);
  return file;
}
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('.ci/conformance-floor.mjs', () => {
  it('fails naming each floor id that fails in either mode, even when as many new ids pass', () => {
    const project = report('project', { a: 'passed', b: 'failed', c: 'passed', d: 'passed', e: 'passed' });
    const endpoint = report('endpoint', { a: 'passed', b: 'passed', c: 'failed', d: 'passed', e: 'passed' });
    const r = run('check', floor(['a', 'b', 'c']), project, endpoint);
    expect(r.status).toBe(1);
    expect(r.err).toContain('REGRESSED b: fails in the project run');
    expect(r.err).toContain('REGRESSED c: fails in the endpoint run');
    expect(r.err).not.toContain('REGRESSED a');
    expect(r.out).toContain('NEW PASS d');
    expect(r.out).toContain('NEW PASS e');
  });

  it('counts an id the runner skips in one mode by what the other mode says, and an id gone from the corpus as lost', () => {
    const project = report('project', { a: 'passed', s: 'skipped' });
    const endpoint = report('endpoint', { a: 'passed', s: 'passed' });
    expect(run('check', floor(['a', 's']), project, endpoint).status).toBe(0);
    const gone = run('check', floor(['a', 's', 'old']), project, endpoint);
    expect(gone.status).toBe(1);
    expect(gone.err).toContain('REGRESSED old: not in the project run');
    const skippedEverywhere = run('check', floor(['s']), project, report('endpoint', { a: 'passed', s: 'skipped' }));
    expect(skippedEverywhere.status).toBe(1);
    expect(skippedEverywhere.err).toContain('REGRESSED s: skipped in every run');
  });

  it('refuses an empty floor and a report that is not one', () => {
    const ok = report('project', { a: 'passed' });
    expect(run('check', floor([]), ok).status).toBe(1);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"summary":{"passed":700}}');
    expect(run('check', floor(['a']), bad).status).toBe(2);
  });

  it('adds the ids that pass in every mode that runs them, keeping the ones already listed', () => {
    const file = floor(['kept']);
    const project = report('project', { a: 'passed', b: 'failed', s: 'skipped' });
    const endpoint = report('endpoint', { a: 'passed', b: 'passed', s: 'passed' });
    expect(run('add', file, project, endpoint).status).toBe(0);
    const ids = readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(ids).toEqual(['a', 'kept', 's']);
  });
});
