import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  InvalidArn,
  ListStateMachinesCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StateMachineDoesNotExist,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { createApiServer } from '../../src/api/server.js';
import { PASS, ROLE, SM_PREFIX, activityDefinition, harness, type Harness } from './helpers.js';

let h: Harness;
let server: http.Server | undefined;

afterEach(async () => {
  if (server) {
    const closing = new Promise((r) => server!.close(r));
    server.closeAllConnections();
    await closing;
  }
  server = undefined;
  if (h) await h.runner.close();
});

async function listen(options: Parameters<typeof createApiServer>[1] = {}, harnessOptions: Parameters<typeof harness>[0] = {}): Promise<string> {
  h = await harness(harnessOptions);
  server = createApiServer(h.ctx, options);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

function sdk(endpoint: string): SFNClient {
  // StartSyncExecution's model puts `sync-` before the host name: a local endpoint needs it off.
  return new SFNClient({ endpoint, region: 'us-east-1', maxAttempts: 1, disableHostPrefix: true, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
}

/** Sends raw bytes and resolves to the status line, headers and body the server wrote. */
function raw(endpoint: string, request: string | Buffer, { end = true } = {}): Promise<{ status: number; headers: string; body: string; closed: boolean }> {
  const { port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body, closed: true });
    });
    socket.write(request);
    if (end) socket.end();
  });
}

describe('the HTTP server with @aws-sdk/client-sfn', () => {
  it('serves the SDK: create, describe, start, history, list', async () => {
    const client = sdk(await listen());
    const created = await client.send(new CreateStateMachineCommand({ name: 'm', definition: PASS, roleArn: ROLE }));
    expect(created.stateMachineArn).toBe(`${SM_PREFIX}m`);
    expect(created.creationDate).toBeInstanceOf(Date);
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(described).toMatchObject({ name: 'm', type: 'STANDARD', status: 'ACTIVE', definition: PASS, loggingConfiguration: { level: 'OFF', includeExecutionData: false } });
    expect(Math.abs(described.creationDate!.getTime() - Date.now())).toBeLessThan(60_000);
    const started = await client.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn, name: 'e1', input: '{"a":1}' }));
    await h.settled(started.executionArn!);
    const execution = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: '{"ok":1}', inputDetails: { included: true } });
    expect(execution.startDate).toEqual(started.startDate);
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    expect(history.events?.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    expect(history.events?.[0]?.timestamp).toBeInstanceOf(Date);
    const list = await client.send(new ListStateMachinesCommand({}));
    expect(list.stateMachines?.map((m) => m.name)).toEqual(['m']);
    const sync = await client.send(new CreateStateMachineCommand({ name: 'x', definition: PASS, roleArn: ROLE, type: 'EXPRESS' }));
    const result = await client.send(new StartSyncExecutionCommand({ stateMachineArn: sync.stateMachineArn }));
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: '{"ok":1}', billingDetails: { billedDurationInMilliseconds: 100, billedMemoryUsedInMB: 64 } });
  });

  it('turns AWS errors into the SDK exception classes', async () => {
    const client = sdk(await listen());
    await expect(client.send(new DescribeStateMachineCommand({ stateMachineArn: `${SM_PREFIX}none` }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(client.send(new DescribeExecutionCommand({ executionArn: 'bad' }))).rejects.toBeInstanceOf(InvalidArn);
    await expect(client.send(new DescribeExecutionCommand({ executionArn: `${SM_PREFIX.replace('stateMachine', 'execution')}m:x` }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    const error = await client.send(new ListStateMachinesCommand({ maxResults: 5000 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).message).toBe(
      "1 validation error detected: Value '5000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    expect((error as ValidationException).$metadata.httpStatusCode).toBe(400);
  });

  it('serves activity workers: a task handed to GetActivityTask, answered with SendTaskSuccess', async () => {
    const client = sdk(await listen());
    const { activityArn } = await client.send(new CreateActivityCommand({ name: 'act' }));
    const machine = await client.send(new CreateStateMachineCommand({ name: 'w', definition: activityDefinition(activityArn!), roleArn: ROLE }));
    const poll = client.send(new GetActivityTaskCommand({ activityArn, workerName: 'me' }));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: '{"n":1}' }));
    const task = await poll;
    expect(task).toMatchObject({ taskToken: expect.any(String), input: '{"n":1}' });
    await client.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"done":1}' }));
    const execution = await h.settled(executionArn!);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: '{"done":1}' });
    const types = (await h.history(executionArn!)).map((e) => e.type);
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
  });
});

describe('the HTTP server against misbehaving clients', () => {
  it('answers GET /health', async () => {
    const endpoint = await listen();
    const res = await fetch(`${endpoint}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers other methods and paths with an AWS-style JSON error', async () => {
    const endpoint = await listen();
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await fetch(`${endpoint}/`, { method });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.0');
      expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(await res.json()).toEqual({ __type: 'com.amazon.coral.service#UnknownOperationException', message: 'The requested operation is not recognized by the service.' });
    }
    expect((await fetch(`${endpoint}/elsewhere`, { method: 'POST', body: '{}' })).status).toBe(400);
  });

  it('lets extraRoutes answer first', async () => {
    const endpoint = await listen({
      extraRoutes: (req, res) => {
        if (req.url !== '/metrics') return false;
        res.end('metrics here');
        return true;
      },
    });
    expect(await (await fetch(`${endpoint}/metrics`)).text()).toBe('metrics here');
  });

  it('refuses a declared oversized body without reading it', async () => {
    const endpoint = await listen({}, { limits: { maxRequestBytes: 1000 } });
    const r = await raw(endpoint, 'POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListActivities\r\nContent-Length: 5000000\r\n\r\n{', { end: false });
    expect(r.status).toBe(413);
    expect(r.headers.toLowerCase()).toContain('connection: close');
  });

  it('stops reading a chunked body once it passes the limit', async () => {
    const endpoint = await listen({}, { limits: { maxRequestBytes: 1000 } });
    const chunk = 'x'.repeat(600);
    const body = `258\r\n${chunk}\r\n258\r\n${chunk}\r\n258\r\n${chunk}\r\n`;
    const r = await raw(endpoint, `POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListActivities\r\nTransfer-Encoding: chunked\r\n\r\n${body}`, { end: false });
    expect(r.status).toBe(413);
  });

  it('times out a body that never completes', async () => {
    const endpoint = await listen({}, { limits: { requestBodyTimeoutMs: 200 } });
    const started = Date.now();
    const r = await raw(endpoint, 'POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListActivities\r\nContent-Length: 100\r\n\r\n{"a"', { end: false });
    expect(r.status).toBe(408);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses invalid UTF-8 and broken JSON without crashing', async () => {
    const endpoint = await listen();
    const bad = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const res = await fetch(`${endpoint}/`, { method: 'POST', headers: { 'X-Amz-Target': 'AWSStepFunctions.CreateActivity' }, body: bad });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('com.amazon.coral.service#SerializationException');
    const broken = await fetch(`${endpoint}/`, { method: 'POST', headers: { 'X-Amz-Target': 'AWSStepFunctions.CreateActivity' }, body: '{"name": "x"' });
    expect(((await broken.json()) as { __type: string }).__type).toBe('com.amazon.coral.service#SerializationException');
    const garbage = await raw(endpoint, 'THIS IS NOT HTTP\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect((await fetch(`${endpoint}/health`)).status).toBe(200);
  });

  it('stops a GetActivityTask long poll when the client disconnects', async () => {
    const endpoint = await listen({}, { limits: { activityPollMs: 60_000 } });
    const { activityArn } = await h.ok('CreateActivity', { name: 'a' });
    let waits = 0;
    const original = h.runner.waitForActivityTask.bind(h.runner);
    h.runner.waitForActivityTask = (arn, ms, signal) => {
      waits += 1;
      return original(arn, ms, signal);
    };
    const controller = new AbortController();
    const pending = fetch(`${endpoint}/`, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'AWSStepFunctions.GetActivityTask', 'Content-Type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ activityArn }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await pending;
    const before = waits;
    await new Promise((r) => setTimeout(r, 200));
    expect(waits).toBe(before);
  });
});
