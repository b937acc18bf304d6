// `stepwise serve --db postgres://…` against the PostgreSQL server of this machine (CI creates a
// fresh database per run; STEPWISE_TEST_POSTGRES names it): executions run and survive a
// kill -9, and a second server on the same database refuses to start (servers do not share
// work yet).
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStateMachineCommand, DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ROLE, assertBuilt, pollUntil, runCli, sdk, startServe, stopAll } from './serve-process.js';

const BASE = process.env.STEPWISE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const database = `stepwise_serve_${randomBytes(4).toString('hex')}`;
let url: string;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BASE, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`Cannot use PostgreSQL at ${BASE} (${(e as Error).message}). Start it with \`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\`, or set STEPWISE_TEST_POSTGRES.`);
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  assertBuilt();
  await admin((c) => c.query(`CREATE DATABASE ${database}`));
  const parsed = new URL(BASE);
  parsed.pathname = `/${database}`;
  url = parsed.toString();
});

afterAll(async () => {
  await stopAll();
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
});

describe('stepwise serve on PostgreSQL', { timeout: 90_000 }, () => {
  it('runs executions, keeps them across kill -9, and refuses a second server on the same database', async () => {
    const first = await startServe({ db: url });
    const client = sdk(first.url);
    const definition = { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 2, Next: 'Done' }, Done: { Type: 'Pass', Result: 'done', End: true } } };
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name: 'on-postgres', roleArn: ROLE, definition: JSON.stringify(definition) }));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'survives' }));

    const second = await runCli(['serve', '--port', '0', '--db', url, '--log-level', 'warn']);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/^stepwise: Another Stepwise server is using this PostgreSQL database/);

    await first.kill();
    const third = await startServe({ db: url });
    const after = sdk(third.url);
    const done = await pollUntil(async () => {
      const d = await after.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    }, 'the execution to end after the restart');
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '"done"' });
    await third.stop();
  });
});
