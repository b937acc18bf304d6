// `stepwise backup FILE` (the built CLI) against a running `stepwise serve` that keeps writing:
// the copy opens as a Stepwise database holding every execution committed before it began.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateStateMachineCommand, ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE, assertBuilt, hasStackTrace, runCli, sdk, startServe, stopAll, tempDir } from '../server/serve-process.js';

const temp = tempDir('backup');
const db = join(temp.dir, 'live', 'stepwise.db');
const WAIT = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } });

beforeAll(() => assertBuilt());
afterAll(async () => {
  await stopAll();
  temp.remove();
});

async function listAll(endpoint: string, stateMachineArn: string): Promise<string[]> {
  const client = sdk(endpoint);
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    names.push(...page.executions!.map((e) => e.name!));
    nextToken = page.nextToken;
  } while (nextToken);
  client.destroy();
  return names;
}

describe('stepwise backup', () => {
  it('copies the database while the server writes; the copy serves the executions', async () => {
    const serve = await startServe({ db });
    const client = sdk(serve.url);
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name: 'backed-up', roleArn: ROLE, definition: WAIT }));
    const before: string[] = [];
    for (let i = 0; i < 50; i++) before.push((await client.send(new StartExecutionCommand({ stateMachineArn, name: `before-${i}` }))).executionArn!.split(':').at(-1)!);

    // Executions keep starting while the backup runs.
    let writing = true;
    let during = 0;
    const writer = (async () => {
      while (writing) await client.send(new StartExecutionCommand({ stateMachineArn, name: `during-${during++}` }));
    })();
    const file = join(temp.dir, 'copy.db');
    const run = await runCli(['backup', file, '--db', db]);
    writing = false;
    await writer;
    client.destroy();
    await serve.stop();

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(during).toBeGreaterThan(0); // the server did write while the copy was taken
    expect(run.stdout).toMatch(new RegExp(`^Backed up ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} to .*copy\\.db: [\\d.]+ [KM]iB, 1 state machine, \\d+ executions\\.\\n$`));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(existsSync(`${file}.partial-${process.pid}`)).toBe(false);

    const restored = await startServe({ db: file });
    const names = await listAll(restored.url, stateMachineArn!);
    await restored.stop();
    expect(names).toEqual(expect.arrayContaining(before));
    const copied = Number(/, (\d+) executions\./.exec(run.stdout)![1]);
    expect(names).toHaveLength(copied);
  });

  it('refuses to overwrite a file unless --force, and replaces it with --force', async () => {
    const file = join(temp.dir, 'exists.db');
    writeFileSync(file, 'an older backup');
    const refused = await runCli(['backup', file, '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`stepwise: ${file} exists; choose another FILE, or add --force to replace it\n`);
    const forced = await runCli(['backup', file, '--db', db, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('1 state machine');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses :memory:, a database that does not exist, and a file that is not a Stepwise database', async () => {
    const memory = await runCli(['backup', join(temp.dir, 'm.db'), '--db', ':memory:']);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain('an in-memory database (:memory:) lives inside its server and cannot be backed up');
    const missing = await runCli(['backup', join(temp.dir, 'n.db'), '--db', join(temp.dir, 'nothing.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('there is no database at');
    expect(existsSync(join(temp.dir, 'nothing.db'))).toBe(false);
    const foreign = join(temp.dir, 'notes.txt');
    writeFileSync(foreign, 'not a database at all, just some text that is long enough to have a header '.repeat(10));
    const notStepwise = await runCli(['backup', join(temp.dir, 'f.db'), '--db', foreign]);
    expect(notStepwise.code).toBe(2);
    expect(notStepwise.stderr).toMatch(/stepwise: cannot read the database .*notes\.txt: it is not an SQLite database/);
    for (const run of [memory, missing, notStepwise]) expect(hasStackTrace(run.stderr)).toBe(false);
    const usage = await runCli(['backup']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('backup needs exactly one FILE');
  });

  it('reads --db from STEPWISE_DB', async () => {
    const file = join(temp.dir, 'from-env.db');
    const run = await runCli(['backup', file], { env: { STEPWISE_DB: db } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Backed up ${db}`);
  });
});
