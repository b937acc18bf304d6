// One SQLite file, one server: a second `stepwise serve` on the same file refuses to start and
// says why; the first one's claim goes with it, however it ends (SIGTERM, or kill -9).
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, startServe, stopAll, tempDir } from './serve-process.js';

const tmp = tempDir('sqlite-owner');
afterAll(async () => {
  await stopAll();
  tmp.remove();
});

describe('one SQLite file, one server', { timeout: 60_000 }, () => {
  it('refuses a second server on the same file, pointing to PostgreSQL; the file is free again once the first stops or dies', async () => {
    assertBuilt();
    const db = join(tmp.dir, 'shared', 'stepwise.db');
    const first = await startServe({ db });
    const second = await runCli(['serve', '--port', '0', '--db', db, '--log-level', 'warn']);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/^stepwise: Another Stepwise server is using .*shared\/stepwise\.db: one SQLite file serves one server .*--db postgres:\/\//);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    // The first one still serves.
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
    await first.kill(); // kill -9: the operating system drops its lock
    const third = await startServe({ db });
    expect((await fetch(`${third.url}/health`)).status).toBe(200);
    await third.stop();
    const fourth = await startServe({ db });
    await fourth.stop();
  });
});
