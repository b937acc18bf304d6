// EventBridge's TestEventPattern on `stepwise serve`, through the real @aws-sdk/client-eventbridge
// and the AWS CLI: the pattern matcher of src/events answered over EventBridge's own protocol.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, CreateArchiveCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { assertBuilt, startServe, stopAll, type ServeProcess } from './serve-process.js';
import { execFile } from 'node:child_process';

let server: ServeProcess;
let client: EventBridgeClient;

beforeAll(async () => {
  assertBuilt();
  server = await startServe({ db: ':memory:' });
  client = new EventBridgeClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  await stopAll();
});

const event = {
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'Step Functions Execution Status Change',
  source: 'aws.states',
  account: '111111111111',
  time: '2026-12-06T10:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:states:us-east-1:111111111111:execution:orders:e1'],
  detail: { status: 'FAILED', stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:orders' },
};

describe('TestEventPattern', { timeout: 60_000 }, () => {
  it('answers whether an event matches, with the SDK client', async () => {
    const pattern = { source: ['aws.states'], detail: { status: ['FAILED', 'TIMED_OUT'], stateMachineArn: [{ suffix: ':orders' }] } };
    expect((await client.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }))).Result).toBe(true);
    const other = { ...event, detail: { ...event.detail, status: 'SUCCEEDED' } };
    expect((await client.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(other) }))).Result).toBe(false);
  });

  it('refuses an invalid pattern with InvalidEventPatternException, an incomplete event with ValidationException', async () => {
    await expect(client.send(new TestEventPatternCommand({ EventPattern: '{"source": "aws.states"}', Event: JSON.stringify(event) }))).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
      message: expect.stringMatching(/^Event pattern is not valid\. Reason: /),
    });
    const { id: _id, ...noId } = event;
    await expect(client.send(new TestEventPatternCommand({ EventPattern: '{"source": ["aws.states"]}', Event: JSON.stringify(noId) }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('id'),
    });
  });

  it('says that EventBridge actions it does not serve are not built, instead of pretending', async () => {
    await expect(client.send(new CreateArchiveCommand({ ArchiveName: 'a', EventSourceArn: 'arn:aws:events:us-east-1:111111111111:event-bus/default' }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringMatching(/does not implement AWSEvents\.CreateArchive: of EventBridge's API it serves TestEventPattern, .*PutEvents/),
    });
  });

  it('works from the AWS CLI (aws events test-event-pattern --endpoint-url)', async () => {
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'aws',
        ['events', 'test-event-pattern', '--endpoint-url', server.url, '--region', 'us-east-1', '--event-pattern', '{"source":["aws.states"]}', '--event', JSON.stringify(event), '--output', 'json'],
        { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' }, timeout: 30_000 },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ Result: true });
  });
});
