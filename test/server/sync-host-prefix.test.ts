// StartSyncExecution and TestState through the real AWS SDK client and AWS CLI against `serve`
// (issue 13, item 6): their API model prefixes the host with `sync-`, which no local endpoint
// resolves; with the settings README.md gives (disableHostPrefix in the SDK,
// AWS_DISABLE_HOST_PREFIX_INJECTION for the CLI) both actions work, and without them the clients
// fail before reaching the server, as README.md says.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStateMachineCommand, SFNClient, StartSyncExecutionCommand, TestStateCommand } from '@aws-sdk/client-sfn';
import { ROLE, assertBuilt, startServe, stopAll, type ServeProcess } from './serve-process.js';

let server: ServeProcess;
let express: string;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const sfn = (options: { disableHostPrefix?: boolean } = {}) => new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1, ...options });

beforeAll(async () => {
  assertBuilt();
  server = await startServe({ db: ':memory:' });
  const definition = { StartAt: 'Echo', States: { Echo: { Type: 'Pass', Parameters: { 'got.$': '$.n' }, End: true } } };
  express = (await sfn({ disableHostPrefix: true }).send(new CreateStateMachineCommand({ name: 'echo', type: 'EXPRESS', roleArn: ROLE, definition: JSON.stringify(definition) }))).stateMachineArn!;
});

afterAll(() => stopAll());

function aws(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'aws',
      ['stepfunctions', '--endpoint-url', server.url, '--region', 'us-east-1', '--output', 'json', ...args],
      { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('StartSyncExecution and TestState from the AWS clients', { timeout: 60_000 }, () => {
  it('work from the SDK with disableHostPrefix, and fail without it before reaching the server', async () => {
    const client = sfn({ disableHostPrefix: true });
    const sync = await client.send(new StartSyncExecutionCommand({ stateMachineArn: express, input: '{"n":1}' }));
    expect(sync).toMatchObject({ status: 'SUCCEEDED', output: '{"got":1}' });
    const tested = await client.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Pass', End: true }), roleArn: ROLE, input: '{"n":2}' }));
    expect(tested).toMatchObject({ status: 'SUCCEEDED', output: '{"n":2}' });
    // The default settings send it to sync-127.0.0.1, which resolves nowhere.
    await expect(sfn().send(new StartSyncExecutionCommand({ stateMachineArn: express, input: '{}' }))).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('work from the AWS CLI with AWS_DISABLE_HOST_PREFIX_INJECTION=true', async () => {
    const env = { AWS_DISABLE_HOST_PREFIX_INJECTION: 'true' };
    const sync = await aws(['start-sync-execution', '--state-machine-arn', express, '--input', '{"n":3}'], env);
    expect(sync.code, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ status: 'SUCCEEDED', output: '{"got":3}' });
    const tested = await aws(['test-state', '--definition', '{"Type":"Pass","End":true}', '--role-arn', ROLE, '--input', '{"n":4}'], env);
    expect(tested.code, tested.stderr).toBe(0);
    expect(JSON.parse(tested.stdout)).toMatchObject({ status: 'SUCCEEDED', output: '{"n":4}' });
    const unset = await aws(['start-sync-execution', '--state-machine-arn', express, '--input', '{}']);
    expect(unset.code).not.toBe(0);
    expect(unset.stderr).toContain('sync-127.0.0.1');
  });
});
