/**
 * A real server on a real SQLite file with a clock the tests move, and the real SDK clients
 * (EventBridge Scheduler and Step Functions) pointed at it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { pino } from 'pino';
import { parseServeArgs } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/scheduler`;
export const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
/** 2026-01-01T00:00:00Z */
export const T0 = Date.UTC(2026, 0, 1);
export const MINUTE = 60_000;

export interface TestServer {
  readonly server: RunningServer;
  readonly scheduler: SchedulerClient;
  readonly sfn: SFNClient;
  close(): Promise<void>;
}

export function tempFolder(name: string): { file: () => string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), `stepwise-${name}-`));
  let files = 0;
  return { file: () => join(root, `db-${++files}`, 'stepwise.db'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A server on `db` (a SQLite file, or a PostgreSQL URL several servers may share). */
export async function boot(db: string, clock: { now(): number }): Promise<TestServer> {
  const server = await startServer(parseServeArgs(['--port', '0', '--db', db, '--region', REGION, '--account-id', ACCOUNT], {}), pino({ level: 'silent' }), { clock });
  const options = { endpoint: server.url, region: REGION, maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  const scheduler = new SchedulerClient(options);
  const sfn = new SFNClient(options);
  return {
    server,
    scheduler,
    sfn,
    close: async () => {
      scheduler.destroy();
      sfn.destroy();
      await server.close();
    },
  };
}

export async function createMachine(sfn: SFNClient, name: string, type: 'STANDARD' | 'EXPRESS' = 'STANDARD'): Promise<string> {
  return (await sfn.send(new CreateStateMachineCommand({ name, definition: PASS, roleArn: ROLE, type }))).stateMachineArn!;
}

/** Every execution of the machine, oldest first. */
export async function executionsOf(sfn: SFNClient, stateMachineArn: string): Promise<ExecutionListItem[]> {
  const all: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    all.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return all.reverse();
}
