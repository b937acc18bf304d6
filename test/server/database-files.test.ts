// The SQLite database holds every execution's input and output: Stepwise creates it 0600 (its
// -wal and -shm files follow its mode) in folders it creates 0700; an existing folder or file
// keeps its mode, and the server warns when others can read the file. Real files in a temp dir.
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../src/server/config.js';
import { startServer } from '../../src/server/start.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from './serve-process.js';

const temp = tempDir('db-files');
afterAll(() => temp.remove());

const mode = (path: string) => statSync(path).mode & 0o777;

describe('database file permissions', () => {
  it('creates the file, its -wal and -shm 0600 in new folders 0700', async () => {
    const file = join(temp.dir, 'new', 'nested', 'stepwise.db');
    const store = await openSqliteStore(file);
    try {
      await store.createActivity({ arn: 'arn:aws:states:us-east-1:111111111111:activity:a', name: 'a', createdAt: 0 }, { tags: [], maxActivities: 10 });
      expect(mode(join(temp.dir, 'new'))).toBe(0o700);
      expect(mode(join(temp.dir, 'new', 'nested'))).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect(mode(`${file}-wal`)).toBe(0o600);
      expect(mode(`${file}-shm`)).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it("leaves an existing folder's mode and an existing file's mode alone", async () => {
    const folder = join(temp.dir, 'shared');
    mkdirSync(folder, { mode: 0o755 });
    chmodSync(folder, 0o755);
    const file = join(folder, 'stepwise.db');
    writeFileSync(file, '');
    chmodSync(file, 0o640);
    const store = await openSqliteStore(file);
    await store.close();
    expect(mode(folder)).toBe(0o755);
    expect(mode(file)).toBe(0o640);
  });

  it('warns at start when others can read the database, and not otherwise', async () => {
    const logs = async (file: string) => {
      let text = '';
      const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk), done()) });
      const server = await startServer(parseServeArgs(['--port', '0', '--db', file], {}), pino({ level: 'info' }, sink));
      await server.close();
      return text;
    };
    const shared = join(temp.dir, 'readable', 'stepwise.db');
    await (await openSqliteStore(shared)).close();
    chmodSync(shared, 0o644);
    expect(await logs(shared)).toContain(`can be read by other users of this machine; it holds every execution's input and output (chmod 600 ${shared})`);
    const private_ = join(temp.dir, 'private', 'stepwise.db');
    expect(await logs(private_)).not.toContain('can be read by other users');
  });
});
