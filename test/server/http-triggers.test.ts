// HTTP triggers (stepwise.config.json `httpTriggers`): real HTTP requests to `stepwise serve`
// start executions, as API Gateway's Step Functions integration would, with path parameters,
// an API key or a GitHub-style signature, and a synchronous answer for EXPRESS machines.
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStateMachineCommand, DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ROLE, assertBuilt, pollUntil, sdk, startServe, stopAll, tempDir, type ServeProcess } from './serve-process.js';

const API_KEY = 'k'.repeat(24);
const SECRET = 'webhook secret';
let tmp: ReturnType<typeof tempDir>;
let server: ServeProcess;
let client: SFNClient;

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('http-triggers');
  const config = join(tmp.dir, 'stepwise.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      httpTriggers: [
        { path: '/orders', stateMachine: 'echo' },
        { method: 'PUT', path: '/orders/{orderId}/items/{item}', stateMachine: 'echo', input: 'request', apiKey: '${env:ORDERS_KEY}' },
        { path: '/hooks/github', stateMachine: 'echo', hmac: { secret: '${env:HOOK_SECRET}' } },
        { path: '/quote', stateMachine: 'quote', wait: true },
      ],
    }),
  );
  server = await startServe({ db: ':memory:', args: ['--config', config], env: { ORDERS_KEY: API_KEY, HOOK_SECRET: SECRET } });
  client = sdk(server.url);
  const echo = { StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } };
  const quote = { StartAt: 'Quote', States: { Quote: { Type: 'Pass', Parameters: { 'price.$': 'States.MathAdd($.base, 5)' }, End: true } } };
  await client.send(new CreateStateMachineCommand({ name: 'echo', roleArn: ROLE, definition: JSON.stringify(echo) }));
  await client.send(new CreateStateMachineCommand({ name: 'quote', roleArn: ROLE, type: 'EXPRESS', definition: JSON.stringify(quote) }));
});

afterAll(async () => {
  await stopAll();
  tmp?.remove();
});

/** Calls one of Stepwise's own actions (`X-Amz-Target: Stepwise.<action>`). */
async function stepwise(action: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(server.url, { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `Stepwise.${action}` }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function ended(executionArn: string) {
  return pollUntil(async () => {
    const d = await client.send(new DescribeExecutionCommand({ executionArn }));
    return d.status === 'RUNNING' ? undefined : d;
  }, 'the execution to end');
}

describe('HTTP triggers', { timeout: 60_000 }, () => {
  it('starts an execution with the request body as input and answers {executionArn, startDate}', async () => {
    const res = await fetch(`${server.url}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 7 }) });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { executionArn: string; startDate: number };
    expect(answer.executionArn).toMatch(/^arn:aws:states:us-east-1:111111111111:execution:echo:/);
    expect(typeof answer.startDate).toBe('number');
    expect(await ended(answer.executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '{"id":7}' });
  });

  it('refuses a body that is not JSON (400), and leaves other paths and methods to the API (404 UnknownOperation)', async () => {
    const bad = await fetch(`${server.url}/orders`, { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
    const other = await fetch(`${server.url}/orders`, { method: 'DELETE' });
    expect(other.status).toBe(400);
    expect(((await other.json()) as { __type: string }).__type).toMatch(/UnknownOperationException/);
  });

  it('passes path parameters, query, headers and body with input: request, and wants its API key', async () => {
    const url = `${server.url}/orders/A%2F1/items/pen?color=blue`;
    const denied = await fetch(url, { method: 'PUT', body: '{}' });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ message: 'Forbidden' });
    const wrong = await fetch(url, { method: 'PUT', body: '{}', headers: { 'x-api-key': 'x'.repeat(24) } });
    expect(wrong.status).toBe(403);
    const res = await fetch(url, { method: 'PUT', body: JSON.stringify({ qty: 2 }), headers: { 'x-api-key': API_KEY, 'X-Trace': 't-1' } });
    expect(res.status).toBe(200);
    const { executionArn } = (await res.json()) as { executionArn: string };
    const input = JSON.parse((await ended(executionArn)).output!);
    expect(input).toMatchObject({ body: { qty: 2 }, pathParameters: { orderId: 'A/1', item: 'pen' }, queryStringParameters: { color: 'blue' }, httpMethod: 'PUT', path: '/orders/A%2F1/items/pen' });
    expect(input.headers['x-trace']).toBe('t-1');
    expect(input.headers['x-api-key']).toBeUndefined(); // the key never reaches the history
  });

  it('checks a GitHub-style HMAC signature of the raw body', async () => {
    const body = JSON.stringify({ action: 'opened' });
    const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const good = await fetch(`${server.url}/hooks/github`, { method: 'POST', body, headers: { 'X-Hub-Signature-256': signature } });
    expect(good.status).toBe(200);
    const tampered = await fetch(`${server.url}/hooks/github`, { method: 'POST', body: body.replace('opened', 'closed'), headers: { 'X-Hub-Signature-256': signature } });
    expect(tampered.status).toBe(403);
    const unsigned = await fetch(`${server.url}/hooks/github`, { method: 'POST', body });
    expect(unsigned.status).toBe(403);
  });

  it('waits for an EXPRESS execution and answers as StartSyncExecution with wait: true', async () => {
    const res = await fetch(`${server.url}/quote`, { method: 'POST', body: JSON.stringify({ base: 10 }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'SUCCEEDED', output: '{"price":15}' });
  });

  it('records the route as what started the execution, and lists the routes without their secrets (Stepwise actions)', async () => {
    const res = await fetch(`${server.url}/orders`, { method: 'POST', body: JSON.stringify({ id: 8 }) });
    const { executionArn } = (await res.json()) as { executionArn: string };
    expect(await stepwise('DescribeExecutionOrigin', { executionArn })).toEqual({ status: 200, body: { startedBy: { type: 'route', name: 'POST /orders' } } });
    const byApi = await client.send(new StartExecutionCommand({ stateMachineArn: `arn:aws:states:us-east-1:111111111111:stateMachine:echo` }));
    expect((await stepwise('DescribeExecutionOrigin', { executionArn: byApi.executionArn })).body).toEqual({ startedBy: { type: 'api' } });
    expect((await stepwise('DescribeExecutionOrigin', { executionArn: `${byApi.executionArn}-missing` })).status).toBe(400);
    const listed = await stepwise('ListHttpTriggers', {});
    expect(listed.body).toEqual({
      triggers: [
        { name: 'POST /orders', method: 'POST', path: '/orders', stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:echo', input: 'body', wait: false, authorization: 'NONE' },
        { name: 'PUT /orders/{orderId}/items/{item}', method: 'PUT', path: '/orders/{orderId}/items/{item}', stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:echo', input: 'request', wait: false, authorization: 'API_KEY' },
        { name: 'POST /hooks/github', method: 'POST', path: '/hooks/github', stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:echo', input: 'body', wait: false, authorization: 'HMAC' },
        { name: 'POST /quote', method: 'POST', path: '/quote', stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:quote', input: 'body', wait: true, authorization: 'NONE' },
      ],
    });
    expect(JSON.stringify(listed.body)).not.toContain(API_KEY);
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
    expect((await stepwise('NoSuchAction', {})).status).toBe(400);
  });

  it('answers the API’s own error when the state machine is missing or the input is refused', async () => {
    const res = await fetch(`${server.url}/orders`, { method: 'POST', body: JSON.stringify({ big: 'x'.repeat(300 * 1024) }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toMatch(/InvalidExecutionInput|ValidationException/);
  });
});
