// `stepwise serve` driven by the real AWS CLI v2 (`aws stepfunctions --endpoint-url …`), as a
// user would script it. CI installs it (apt-get install -y awscli); without /usr/bin/aws the
// tests are skipped, saying so.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, REGION, ROLE, assertBuilt, cleanEnv, pollUntil, startServe, stopAll, tempDir, type ServeProcess } from './serve-process.js';

/** A python `aws` (v1) may come first on PATH: the apt package's v2 lives here. */
const AWS = '/usr/bin/aws';
const HAVE_AWS = existsSync(AWS);

interface AwsRun {
  code: number;
  stdout: string;
  stderr: string;
}

let tmp: ReturnType<typeof tempDir>;
let server: ServeProcess;

function aws(args: readonly string[]): Promise<AwsRun> {
  const env = cleanEnv({
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_PAGER: '',
    // Nothing from the developer's own AWS set-up, and no instance-metadata lookups.
    AWS_CONFIG_FILE: join(tmp.dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmp.dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_ENDPOINT_URL', 'AWS_CA_BUNDLE']) delete env[name];
  const full = ['stepfunctions', '--endpoint-url', server.url, '--region', REGION, '--no-cli-pager', '--output', 'json', ...args];
  return new Promise((resolve) => {
    execFile(AWS, full, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function ok(args: readonly string[]): Promise<any> {
  const run = await aws(args);
  if (run.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run.stdout.trim() === '' ? {} : JSON.parse(run.stdout);
}

describe.skipIf(!HAVE_AWS)('serve with the AWS CLI v2', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    assertBuilt();
    tmp = tempDir('aws-cli');
    server = await startServe({ db: join(tmp.dir, 'stepwise.db'), args: ['--wait-time-scale', '0.01'] });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await stopAll();
    tmp?.remove();
  }, 30_000);

  it('is the AWS CLI v2', async () => {
    const version = await new Promise<string>((resolve) => execFile(AWS, ['--version'], (_e, stdout, stderr) => resolve(`${stdout}${stderr}`)));
    expect(version).toMatch(/^aws-cli\/2\./);
  });

  it('creates a state machine, runs it to SUCCEEDED, reads the history, lists and deletes', async () => {
    const definition = JSON.stringify({
      StartAt: 'Greet',
      States: {
        Greet: { Type: 'Pass', Parameters: { 'message.$': "States.Format('Hello, {}!', $.who)" }, Next: 'Pause' },
        Pause: { Type: 'Wait', Seconds: 1, End: true },
      },
    });
    const created = await ok(['create-state-machine', '--name', 'cli-hello', '--definition', definition, '--role-arn', ROLE]);
    const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:cli-hello`;
    expect(created).toEqual({ stateMachineArn, creationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    const started = await ok(['start-execution', '--state-machine-arn', stateMachineArn, '--name', 'run-1', '--input', '{"who":"CLI"}']);
    const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:cli-hello:run-1`;
    expect(started).toEqual({ executionArn, startDate: expect.any(String) });

    const described = await pollUntil(async () => {
      const d = await ok(['describe-execution', '--execution-arn', executionArn]);
      return d.status === 'RUNNING' ? undefined : d;
    }, 'the execution to finish', 60_000);
    expect(described).toMatchObject({ executionArn, stateMachineArn, name: 'run-1', status: 'SUCCEEDED', input: '{"who":"CLI"}' });
    expect(JSON.parse(described.output)).toEqual({ message: 'Hello, CLI!' });

    const history = await ok(['get-execution-history', '--execution-arn', executionArn]);
    expect(history.events.map((e: { type: string }) => e.type)).toEqual([
      'ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded',
    ]);
    expect(history.events.map((e: { id: number }) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    // The CLI paginates by itself: a page size of 2 still yields every event.
    const paged = await ok(['get-execution-history', '--execution-arn', executionArn, '--page-size', '2']);
    expect(paged.events.map((e: { id: number }) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);

    const listed = await ok(['list-state-machines']);
    expect(listed.stateMachines).toContainEqual(expect.objectContaining({ stateMachineArn, name: 'cli-hello', type: 'STANDARD' }));

    expect(await ok(['delete-state-machine', '--state-machine-arn', stateMachineArn])).toEqual({});
    const gone = await pollUntil(async () => {
      const run = await aws(['describe-state-machine', '--state-machine-arn', stateMachineArn]);
      return run.code === 0 ? undefined : run;
    }, 'the state machine to be deleted', 30_000);
    expect(gone.stderr).toContain('StateMachineDoesNotExist');
    expect((await ok(['list-state-machines'])).stateMachines.map((m: { name: string }) => m.name)).not.toContain('cli-hello');
  });

  it('reports AWS errors the way the CLI prints them', async () => {
    const run = await aws(['describe-execution', '--execution-arn', `arn:aws:states:${REGION}:${ACCOUNT}:execution:none:none`]);
    expect(run.code).toBe(254);
    expect(run.stderr).toContain(
      `An error occurred (ExecutionDoesNotExist) when calling the DescribeExecution operation: Execution Does Not Exist: 'arn:aws:states:${REGION}:${ACCOUNT}:execution:none:none'`,
    );
  });
});

if (!HAVE_AWS) {
  describe('serve with the AWS CLI v2 (skipped)', () => {
    it.skip(`needs the AWS CLI v2 at ${AWS}: install it with apt-get install -y awscli`, () => {});
  });
}
