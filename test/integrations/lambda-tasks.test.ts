// Lambda tasks end to end in memory, through `execute({ config })`: the configuration's
// functions run in real worker processes (Node and Python), a Lambda API endpoint (a small
// server speaking Lambda's Invoke API) answers functions the configuration does not declare,
// and routes send one state's tasks elsewhere.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, validateProjectConfig, type ProjectConfig } from '../../src/index.js';
import { TaskIntegrations } from '../../src/runtime/task-integrations.js';
import { codeFolder } from '../functions/fixtures.js';

const folder = codeFolder('lambda-tasks');
folder.write(
  'functions/greet.mjs',
  `export const handler = async (event, context) => ({ hello: event.name, fn: context.functionName, left: context.getRemainingTimeInMillis() > 0 });
export const fail = async () => { const e = new Error('no such customer'); e.name = 'CustomerNotFound'; throw e; };
export const hang = () => new Promise(() => setInterval(() => {}, 1000));
export const echo = async (event) => ({ type: typeof event, event });
`,
);
folder.write('functions/app.py', `def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('bad value')\n    return {'py': event['n'] * 2, 'request': context.aws_request_id}\n`);

let lambdaApi: Server;
let lambdaApiUrl: string;
const apiCalls: string[] = [];

function config(extra: Record<string, unknown> = {}): ProjectConfig {
  const { config, problems } = validateProjectConfig(
    {
      functions: {
        Greet: { CodeUri: 'functions/', Handler: 'greet.handler', Timeout: 5 },
        Fail: { CodeUri: 'functions/', Handler: 'greet.fail' },
        Hang: { CodeUri: 'functions/', Handler: 'greet.hang', Timeout: 1 },
        Echo: { CodeUri: 'functions/', Handler: 'greet.echo' },
        Py: { CodeUri: 'functions/', Handler: 'app.handler', Runtime: 'python3.12' },
      },
      ...extra,
    },
    folder.dir,
  );
  expect(problems).toEqual([]);
  return config!;
}

const task = (resource: string, parameters?: unknown, more: Record<string, unknown> = {}) => ({
  StartAt: 'T',
  States: { T: { Type: 'Task', Resource: resource, ...(parameters !== undefined ? { Parameters: parameters } : {}), End: true, ...more } },
});

beforeAll(async () => {
  // Lambda's Invoke API: POST /2015-03-31/functions/<name>/invocations, the payload is the body.
  lambdaApi = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const name = decodeURIComponent(/\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1] ?? '').replace(/^.*:function:/, '');
      apiCalls.push(name);
      if (name === 'Remote') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '7', 'x-amzn-RequestId': 'req-1' });
        res.end(JSON.stringify({ remote: JSON.parse(body) }));
      } else if (name === 'RemoteFails') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Function-Error': 'Unhandled', 'x-amzn-RequestId': 'req-2' });
        res.end(JSON.stringify({ errorType: 'Boom', errorMessage: 'remote boom' }));
      } else {
        res.writeHead(404, { 'Content-Type': 'application/json', 'x-amzn-RequestId': 'req-3', 'x-amzn-ErrorType': 'ResourceNotFoundException' });
        res.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
      }
    });
  });
  await new Promise<void>((resolve) => lambdaApi.listen(0, '127.0.0.1', resolve));
  lambdaApiUrl = `http://127.0.0.1:${(lambdaApi.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => lambdaApi.close(resolve));
  folder.remove();
});

describe('lambda:invoke and function ARNs in memory', () => {
  const shared = config();
  afterAll(async () => {
    // execute({ config }) keeps its worker processes per configuration object.
    const { closeTaskIntegrations } = await import('../../src/index.js');
    await closeTaskIntegrations();
  });

  it('answers lambda:invoke with Lambda’s response shape and the function’s payload', async () => {
    const result = await execute(task('arn:aws:states:::lambda:invoke', { FunctionName: 'Greet', Payload: { name: 'Ada' } }), {}, { config: shared });
    expect(result.status).toBe('SUCCEEDED');
    const output = result.output as Record<string, any>;
    expect(output.Payload).toEqual({ hello: 'Ada', fn: 'Greet', left: true });
    expect(output).toMatchObject({ ExecutedVersion: '$LATEST', StatusCode: 200, SdkHttpMetadata: { HttpStatusCode: 200 } });
    expect(output.SdkResponseMetadata.RequestId).toBe(output.SdkHttpMetadata.HttpHeaders['x-amzn-RequestId']);
    expect(Object.keys(output).sort()).toEqual(['ExecutedVersion', 'Payload', 'SdkHttpMetadata', 'SdkResponseMetadata', 'StatusCode']);
  });

  it('finds the function by partial or full ARN, with a qualifier, and by a bare function ARN', async () => {
    for (const name of ['Greet:$LATEST', '111111111111:function:Greet', 'arn:aws:lambda:us-east-1:111111111111:function:Greet:live']) {
      const result = await execute(task('arn:aws:states:::lambda:invoke', { FunctionName: name, Payload: { name } }), {}, { config: shared });
      expect((result.output as any).Payload.hello, name).toBe(name);
    }
    const bare = await execute(task('arn:aws:lambda:us-east-1:111111111111:function:Greet'), { name: 'Bo' }, { config: shared });
    expect(bare.output).toEqual({ hello: 'Bo', fn: 'Greet', left: true });
    expect(bare.history.map((e) => e.type)).toContain('LambdaFunctionSucceeded');
  });

  it('hands the function the Payload’s value as it is: a string that looks like JSON stays a string', async () => {
    const text = await execute(task('arn:aws:states:::lambda:invoke', { FunctionName: 'Echo', Payload: '{"a":1}' }), {}, { config: shared });
    expect((text.output as any).Payload).toEqual({ type: 'string', event: '{"a":1}' });
    const none = await execute(task('arn:aws:states:::lambda:invoke', { FunctionName: 'Echo' }), {}, { config: shared });
    expect((none.output as any).Payload).toEqual({ type: 'object', event: {} });
  });

  it('fails the task as Lambda reports a function error: Error = errorType, Cause = the runtime’s error document', async () => {
    const result = await execute(task('arn:aws:states:::lambda:invoke', { FunctionName: 'Fail' }), {}, { config: shared });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('CustomerNotFound');
    const cause = JSON.parse(result.cause!);
    expect(cause).toMatchObject({ errorType: 'CustomerNotFound', errorMessage: 'no such customer' });
    expect(cause.trace[0]).toBe('CustomerNotFound: no such customer');
    // Caught like any error name.
    const caught = await execute(
      {
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'Fail' }, Catch: [{ ErrorEquals: ['CustomerNotFound'], Next: 'Done' }], End: true },
          Done: { Type: 'Pass', End: true },
        },
      },
      {},
      { config: shared },
    );
    expect(caught.status).toBe('SUCCEEDED');
    expect(caught.output).toMatchObject({ Error: 'CustomerNotFound' });
  });

  it('writes a Python error document as the Python runtime does (json.dumps spacing, requestId, stackTrace)', async () => {
    const ok = await execute(task('arn:aws:states:::lambda:invoke', { FunctionName: 'Py', Payload: { n: 21 } }), {}, { config: shared });
    expect((ok.output as any).Payload.py).toBe(42);
    const failed = await execute(task('arn:aws:states:::lambda:invoke', { FunctionName: 'Py', Payload: { fail: true } }), {}, { config: shared });
    expect(failed.error).toBe('ValueError');
    expect(failed.cause).toMatch(/^\{"errorMessage": "bad value", "errorType": "ValueError", "requestId": "[0-9a-f-]+", "stackTrace": \[/);
  });

  it('stops a function at its Timeout: Lambda.Unknown with Lambda’s timeout message, and a Retry can take it', async () => {
    const result = await execute(task('arn:aws:states:::lambda:invoke', { FunctionName: 'Hang' }), {}, { config: shared });
    expect(result.error).toBe('Lambda.Unknown');
    expect(result.cause).toMatch(/Task timed out after 1\.00 seconds/);
  });

  it('answers an unknown function with Lambda.ResourceNotFoundException and says where to declare it', async () => {
    const result = await execute(task('arn:aws:states:::lambda:invoke', { FunctionName: 'Nope' }), {}, { config: shared });
    expect(result.error).toBe('Lambda.ResourceNotFoundException');
    expect(result.cause).toMatch(/^Function not found: arn:aws:lambda:us-east-1:111111111111:function:Nope\. .*stepwise\.config\.json.*\(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: [0-9a-f-]+; Proxy: null\)$/);
  });

  it('lambda:invoke.waitForTaskToken invokes the function with the token; in memory nothing can answer it, which the failure says', async () => {
    const definition = task('arn:aws:states:::lambda:invoke.waitForTaskToken', { FunctionName: 'Greet', Payload: { 'name.$': '$$.Task.Token' } });
    const result = await execute(definition, {}, { config: shared });
    const submitted = result.history.find((e) => e.type === 'TaskSubmitted') as any;
    expect(JSON.parse(submitted.taskSubmittedEventDetails.output).Payload.hello).toMatch(/.{20,}/); // the function saw the token
    expect(result.status).toBe('FAILED');
    expect(result.cause).toMatch(/was sent .* in memory nothing can answer its task token/);
  });
});

describe('a Lambda API endpoint for functions the configuration does not declare', () => {
  it('invokes through @aws-sdk/client-lambda and keeps the answer’s shape and errors', async () => {
    const integrations = new TaskIntegrations(config(), { region: 'us-east-1', accountId: '111111111111', lambdaEndpoint: lambdaApiUrl, env: {} });
    try {
      const ok = await execute(task('arn:aws:states:::lambda:invoke', { FunctionName: 'Remote', Payload: { a: 1 } }), {}, { integrations });
      expect(ok.output).toMatchObject({ Payload: { remote: { a: 1 } }, ExecutedVersion: '7', StatusCode: 200 });
      const local = await execute(task('arn:aws:states:::lambda:invoke', { FunctionName: 'Greet', Payload: { name: 'x' } }), {}, { integrations });
      expect((local.output as any).Payload.hello).toBe('x'); // declared functions still run locally
      const fails = await execute(task('arn:aws:lambda:us-east-1:111111111111:function:RemoteFails'), {}, { integrations });
      expect(fails).toMatchObject({ error: 'Boom', cause: JSON.stringify({ errorType: 'Boom', errorMessage: 'remote boom' }) });
      const missing = await execute(task('arn:aws:states:::lambda:invoke', { FunctionName: 'Missing' }), {}, { integrations });
      expect(missing.error).toBe('Lambda.ResourceNotFoundException');
      expect(apiCalls).toEqual(['Remote', 'RemoteFails', 'Missing']);
    } finally {
      await integrations.close();
    }
  });
});

describe('routes', () => {
  it('send one state to a function, a fixed answer or a URL, ahead of the resource’s integration', async () => {
    const integrations = new TaskIntegrations(
      config({
        routes: [
          { state: 'Charge', function: 'Greet' },
          { resource: 'arn:aws:states:::dynamodb:getItem', mock: { Return: { Item: { id: { S: 'mocked' } } } } },
          { state: 'Ship', url: `${lambdaApiUrl}/2015-03-31/functions/Remote/invocations` },
        ],
      }),
      { region: 'us-east-1', accountId: '111111111111', env: {} },
    );
    try {
      const definition = {
        StartAt: 'Charge',
        States: {
          Charge: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl: 'q', 'name.$': '$.name' }, ResultPath: '$.charge', Next: 'Get' },
          Get: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: 't', Key: { id: { S: '1' } } }, ResultPath: '$.get', Next: 'Ship' },
          Ship: { Type: 'Task', Resource: 'arn:aws:states:::http:invoke', Parameters: { ApiEndpoint: 'https://example.invalid', Method: 'POST' }, ResultPath: '$.ship', End: true },
        },
      };
      const result = await execute(definition, { name: 'Cy' }, { integrations });
      expect(result.status, result.cause).toBe('SUCCEEDED');
      expect(result.output).toEqual({
        name: 'Cy',
        charge: { hello: 'Cy', fn: 'Greet', left: true },
        get: { Item: { id: { S: 'mocked' } } },
        ship: { remote: { ApiEndpoint: 'https://example.invalid', Method: 'POST' } },
      });
    } finally {
      await integrations.close();
    }
  });
});
