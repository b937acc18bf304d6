// `stepwise schedules|rules|routes list` against a running `stepwise serve`: what the AWS CLI
// and the configuration file set up, listed as a table or JSON; a server that is not there is a
// one-line message and exit status 2.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { ACCOUNT, CLI, REGION, ROLE, assertBuilt, cleanEnv, sdk, startServe, stopAll, tempDir, type ServeProcess } from './serve-process.js';

const run = promisify(execFile);
const MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nightly`;
let tmp: ReturnType<typeof tempDir>;
let server: ServeProcess;

async function stepwise(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: cleanEnv() });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('list-command');
  const config = join(tmp.dir, 'stepwise.config.json');
  writeFileSync(config, JSON.stringify({ httpTriggers: [{ path: '/reports', stateMachine: 'nightly', apiKey: 'k'.repeat(24) }] }));
  server = await startServe({ db: join(tmp.dir, 'stepwise.db'), args: ['--config', config] });
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  await sdk(server.url).send(new CreateStateMachineCommand({ name: 'nightly', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }));
  await new SchedulerClient({ endpoint: server.url, region: REGION, credentials }).send(
    new CreateScheduleCommand({
      Name: 'every-night',
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: MACHINE, RoleArn: ROLE },
    }),
  );
  const events = new EventBridgeClient({ endpoint: server.url, region: REGION, credentials });
  await events.send(new PutRuleCommand({ Name: 'on-order', EventPattern: JSON.stringify({ source: ['shop'] }) }));
  await events.send(new PutTargetsCommand({ Rule: 'on-order', Targets: [{ Id: 'start', Arn: MACHINE, RoleArn: ROLE }] }));
});

afterAll(async () => {
  await stopAll();
  tmp?.remove();
});

describe('stepwise schedules|rules|routes list', { timeout: 60_000 }, () => {
  it('lists schedules with their expression, time zone, state and target', async () => {
    const { code, stdout } = await stepwise('schedules', 'list', '--endpoint', server.url);
    expect(code).toBe(0);
    const [header, row, ...rest] = stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+GROUP\s+EXPRESSION\s+STATE\s+TARGET$/);
    expect(row).toMatch(new RegExp(`^every-night\\s+default\\s+cron\\(0 2 \\* \\* \\? \\*\\) Europe/Paris\\s+ENABLED\\s+${MACHINE}$`));
    expect(rest).toEqual([]);
  });

  it('lists rules with their pattern and targets, and routes without their secrets, also as JSON', async () => {
    const rules = await stepwise('rules', 'list', '--endpoint', server.url, '--json');
    expect(rules.code).toBe(0);
    expect(JSON.parse(rules.stdout)).toEqual([{ NAME: 'on-order', BUS: 'default', PATTERN: '{"source":["shop"]}', STATE: 'ENABLED', TARGETS: MACHINE }]);
    const routes = await stepwise('routes', 'list', '--endpoint', server.url);
    expect(routes.code).toBe(0);
    expect(routes.stdout).toMatch(new RegExp(`^ROUTE\\s+STATE MACHINE\\s+INPUT\\s+WAIT\\s+REQUIRES\\nPOST /reports\\s+${MACHINE}\\s+body\\s+false\\s+API_KEY\\n$`));
    expect(routes.stdout).not.toContain('k'.repeat(24));
  });

  it('says what is wrong when the server is not there or the command is misspelt', async () => {
    const absent = await stepwise('schedules', 'list', '--endpoint', 'http://127.0.0.1:9');
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/cannot reach the Stepwise server at http:\/\/127\.0\.0\.1:9/);
    const misspelt = await stepwise('rules', 'lsit');
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toMatch(/rules has one subcommand: stepwise rules list/);
  });
});
