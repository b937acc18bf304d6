// A server with a keys file, driven by the real SDK clients, raw HTTP and the AWS CLI: every
// API call is SigV4-verified and authorised by the key's IAM policies; executions act with the
// policies of their state machine's role; SIGHUP (reloadAuth) rereads the file.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutRuleCommand, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { CreateScheduleGroupCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateStateMachineCommand, DeleteStateMachineCommand, DescribeExecutionCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const SM = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:`;
const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
const ROLE_OK = `arn:aws:iam::${ACCOUNT}:role/parent`;
const ROLE_UNLISTED = `arn:aws:iam::${ACCOUNT}:role/nobody`;

const allow = (Action: unknown, Resource: unknown = '*') => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] });
const key = (id: string, name: string, policies: unknown[]) => ({ accessKeyId: id, secretAccessKey: `${name}-secret-0123456789abcdef`, name, policies });
const ADMIN = key('AKIAADMIN00000000001', 'admin', [allow(['states:*', 'events:*', 'scheduler:*', 'stepwise:*'])]);
const READER = key('AKIAREADER0000000001', 'reader', [
  allow(['states:List*', 'states:Describe*', 'events:List*', 'scheduler:List*', 'scheduler:Get*']),
  { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'states:DeleteStateMachine', Resource: `${SM}*` }] },
]);
const KEYS = {
  keys: [ADMIN, READER],
  roles: {
    [ROLE_OK]: [allow('states:StartExecution', `${SM}child-ok`), allow('states:DescribeExecution')],
  },
};

let dir: string;
let keysFile: string;
let server: RunningServer;

const credentials = (k: { accessKeyId: string; secretAccessKey: string }) => ({ accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey });
const sfn = (k: { accessKeyId: string; secretAccessKey: string }, extra: Record<string, unknown> = {}) =>
  new SFNClient({ endpoint: server.url, region: REGION, credentials: credentials(k), ...extra });

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (e) {
    const error = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

async function settled(client: SFNClient, executionArn: string): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${executionArn} still RUNNING`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-auth-'));
  keysFile = join(dir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify(KEYS));
  server = await startServer(
    parseServeArgs(['--port', '0', '--db', join(dir, 'stepwise.db'), '--region', REGION, '--account-id', ACCOUNT, '--auth-file', keysFile, '--decision-workers', '0'], {}),
    pino({ level: 'silent' }),
  );
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Step Functions with a keys file', { timeout: 60_000 }, () => {
  it('serves a key its policies allow', async () => {
    const admin = sfn(ADMIN);
    const { stateMachineArn } = await admin.send(new CreateStateMachineCommand({ name: 'allowed', definition: PASS, roleArn: ROLE_OK }));
    const { executionArn } = await admin.send(new StartExecutionCommand({ stateMachineArn }));
    expect((await settled(admin, executionArn!)).status).toBe('SUCCEEDED');
    expect((await sfn(READER).send(new ListStateMachinesCommand({}))).stateMachines!.map((m) => m.name)).toContain('allowed');
  });

  it('refuses what no policy allows, and what a policy denies, with AccessDeniedException', async () => {
    const reader = sfn(READER);
    expect(await failure(reader.send(new CreateStateMachineCommand({ name: 'sneaky', definition: PASS, roleArn: ROLE_OK })))).toEqual({
      name: 'AccessDeniedException',
      message: `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: states:CreateStateMachine on resource: ${SM}sneaky because no identity-based policy allows the states:CreateStateMachine action`,
      status: 400,
    });
    expect((await failure(reader.send(new DeleteStateMachineCommand({ stateMachineArn: `${SM}allowed` })))).message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: states:DeleteStateMachine on resource: ${SM}allowed with an explicit deny in an identity-based policy`,
    );
  });

  it('refuses a wrong secret, an unknown key, and an unsigned request', async () => {
    expect(await failure(sfn({ ...ADMIN, secretAccessKey: 'not-the-secret-at-all-000' }).send(new ListStateMachinesCommand({})))).toEqual({
      name: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      status: 400,
    });
    expect(await failure(sfn({ accessKeyId: 'AKIAUNKNOWN000000001', secretAccessKey: 'whatever-secret-000000' }).send(new ListStateMachinesCommand({})))).toEqual({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      status: 400,
    });
    const unsigned = await fetch(server.url, { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AWSStepFunctions.ListStateMachines' }, body: '{}' });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toEqual({ __type: 'com.amazon.coral.service#MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('refuses a clock off by 10 minutes either way', async () => {
    const late = await failure(sfn(ADMIN, { systemClockOffset: -10 * 60_000, maxAttempts: 1 }).send(new ListStateMachinesCommand({})));
    expect(late.name).toBe('InvalidSignatureException');
    expect(late.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
    const early = await failure(sfn(ADMIN, { systemClockOffset: 10 * 60_000, maxAttempts: 1 }).send(new ListStateMachinesCommand({})));
    expect(early.message).toMatch(/^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/);
  });

  it('accepts the presigned query-string form, and refuses it signed with another secret', async () => {
    const presign = async (secretAccessKey: string) => {
      const signer = new SignatureV4({ credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey }, region: REGION, service: 'states', sha256: Hash.bind(null, 'sha256') });
      const url = new URL(server.url);
      const body = '{}';
      const request = new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListStateMachines' },
        body,
      });
      // The target stays a header: the server reads the action from X-Amz-Target.
      const signed = await signer.presign(request, { expiresIn: 60, unhoistableHeaders: new Set(['x-amz-target']) });
      const query = new URLSearchParams(signed.query as Record<string, string>).toString();
      return fetch(`${server.url}/?${query}`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListStateMachines' }, body });
    };
    const good = await presign(ADMIN.secretAccessKey);
    expect(good.status).toBe(200);
    expect(((await good.json()) as { stateMachines?: unknown }).stateMachines).toBeDefined();
    const bad = await presign('someone-elses-secret-000');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { __type?: string }).__type).toBe('com.amazon.coral.service#InvalidSignatureException');
  });
});

describe('EventBridge and the Scheduler with a keys file', { timeout: 60_000 }, () => {
  it('authorises AWSEvents calls as events:<Action> on the rule', async () => {
    const events = (k: typeof ADMIN) => new EventBridgeClient({ endpoint: server.url, region: REGION, credentials: credentials(k) });
    await events(ADMIN).send(new PutRuleCommand({ Name: 'orders', EventPattern: JSON.stringify({ source: ['shop'] }) }));
    expect((await events(READER).send(new ListRulesCommand({}))).Rules!.map((r) => r.Name)).toContain('orders');
    const denied = await failure(events(READER).send(new PutRuleCommand({ Name: 'orders', EventPattern: JSON.stringify({ source: ['x'] }) })));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toContain(`events:PutRule on resource: arn:aws:events:${REGION}:${ACCOUNT}:rule/orders because no identity-based policy allows`);
  });

  it('authorises Scheduler routes as scheduler:<Action>, refusing over REST with 403', async () => {
    const scheduler = (k: typeof ADMIN) => new SchedulerClient({ endpoint: server.url, region: REGION, credentials: credentials(k) });
    await scheduler(ADMIN).send(new CreateScheduleGroupCommand({ Name: 'nightly' }));
    expect((await scheduler(READER).send(new ListSchedulesCommand({}))).Schedules).toEqual([]);
    const denied = await failure(scheduler(READER).send(new CreateScheduleGroupCommand({ Name: 'mine' })));
    expect(denied).toMatchObject({ name: 'AccessDeniedException', status: 403 });
    expect(denied.message).toContain(`scheduler:CreateScheduleGroup on resource: arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/mine`);
    const unsigned = await fetch(`${server.url}/schedules`);
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await unsigned.json()).toEqual({ Message: 'Missing Authentication Token' });
  });
});

describe('executions act with their role', { timeout: 60_000 }, () => {
  const starter = (child: string, resource = 'arn:aws:states:::aws-sdk:sfn:startExecution') =>
    JSON.stringify({ StartAt: 'Start', States: { Start: { Type: 'Task', Resource: resource, Parameters: { StateMachineArn: `${SM}${child}` }, End: true } } });

  it('lets a role start what its policies allow, and fails the task with AccessDenied otherwise', async () => {
    const admin = sfn(ADMIN);
    for (const name of ['child-ok', 'child-other']) await admin.send(new CreateStateMachineCommand({ name, definition: PASS, roleArn: ROLE_OK }));
    const run = async (name: string, definition: string, roleArn: string) => {
      const { stateMachineArn } = await admin.send(new CreateStateMachineCommand({ name, definition, roleArn }));
      const { executionArn } = await admin.send(new StartExecutionCommand({ stateMachineArn, name: 'run' }));
      return settled(admin, executionArn!);
    };
    expect((await run('parent-ok', starter('child-ok'), ROLE_OK)).status).toBe('SUCCEEDED');
    const other = await run('parent-other', starter('child-other'), ROLE_OK);
    expect(other).toMatchObject({ status: 'FAILED', error: 'Sfn.AccessDeniedException' });
    expect(other.cause).toContain(`User: arn:aws:sts::${ACCOUNT}:assumed-role/parent/run is not authorized to perform: states:StartExecution on resource: ${SM}child-other because no identity-based policy allows`);
    // A role the keys file does not list may do nothing.
    expect(await run('parent-unlisted', starter('child-ok'), ROLE_UNLISTED)).toMatchObject({ status: 'FAILED', error: 'Sfn.AccessDeniedException' });
    // The optimised integration (states:startExecution) is authorised the same way.
    const nested = await run('parent-nested', starter('child-other', 'arn:aws:states:::states:startExecution'), ROLE_OK);
    expect(nested).toMatchObject({ status: 'FAILED', error: 'StepFunctions.AccessDeniedException' });
  });
});

describe('SIGHUP rereads the keys file', { timeout: 60_000 }, () => {
  it('applies a good file, and keeps the old keys when the new one has problems', async () => {
    const NEW = key('AKIANEWKEY0000000001', 'newcomer', [allow('states:ListStateMachines')]);
    expect((await failure(sfn(NEW).send(new ListStateMachinesCommand({})))).name).toBe('UnrecognizedClientException');
    writeFileSync(keysFile, JSON.stringify({ ...KEYS, keys: [...KEYS.keys, NEW] }));
    expect(server.reloadAuth()).toBe(true);
    expect((await sfn(NEW).send(new ListStateMachinesCommand({}))).stateMachines).toBeDefined();
    writeFileSync(keysFile, JSON.stringify({ keys: [{ ...NEW, policies: [{ Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: {} } }] }] }));
    expect(server.reloadAuth()).toBe(false);
    expect((await sfn(ADMIN).send(new ListStateMachinesCommand({}))).stateMachines).toBeDefined();
    expect((await failure(sfn(NEW).send(new DeleteStateMachineCommand({ stateMachineArn: `${SM}allowed` })))).name).toBe('AccessDeniedException');
  });
});

describe('the AWS CLI with a profile', { timeout: 120_000 }, () => {
  function aws(profile: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    writeFileSync(join(dir, 'credentials'), [ADMIN, READER].map((k) => `[${k.name}]\naws_access_key_id = ${k.accessKeyId}\naws_secret_access_key = ${k.secretAccessKey}\n`).join('\n'));
    writeFileSync(join(dir, 'config'), [ADMIN, READER].map((k) => `[profile ${k.name}]\nregion = ${REGION}\noutput = json\n`).join('\n'));
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config'), AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true' };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_ENDPOINT_URL']) delete env[name];
    return new Promise((resolve) => {
      execFile('aws', ['stepfunctions', ...args, '--profile', profile, '--endpoint-url', server.url], { env, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    });
  }

  it('signs with the profile: allowed, and denied by policy', async () => {
    const listed = await aws('reader', ['list-state-machines']);
    expect(listed.stderr).toBe('');
    expect(JSON.parse(listed.stdout).stateMachines.map((m: { name: string }) => m.name)).toContain('allowed');
    const denied = await aws('reader', ['delete-state-machine', '--state-machine-arn', `${SM}allowed`]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('An error occurred (AccessDeniedException) when calling the DeleteStateMachine operation: User: arn:aws:iam::123456789012:user/reader');
    expect((await aws('admin', ['describe-state-machine', '--state-machine-arn', `${SM}allowed`])).code).toBe(0);
  });
});
