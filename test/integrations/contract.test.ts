// The contract every built-in integration keeps (src/integrations/integration.ts), run against
// each one: it names itself, it answers its own resources and no other service's, and whatever
// a definition or a service does, `call` resolves (never rejects, never hangs) with AWS-style
// error names; `afterCrash` says what a restart does with a call in flight.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyResource } from '../../src/engine/resources.js';
import { AwsClients } from '../../src/integrations/aws-clients.js';
import { createAwsSdkIntegration } from '../../src/integrations/aws-sdk.js';
import { createDynamoDbIntegration } from '../../src/integrations/dynamodb.js';
import { createEventBridgeIntegration } from '../../src/integrations/eventbridge.js';
import { createHttpIntegration } from '../../src/integrations/http.js';
import type { Integration, IntegrationCall } from '../../src/integrations/integration.js';
import { createLambdaIntegration } from '../../src/integrations/lambda.js';
import { createS3Integration } from '../../src/integrations/s3.js';
import { createSnsIntegration } from '../../src/integrations/sns.js';
import { createSqsIntegration } from '../../src/integrations/sqs.js';
import { LocalFunctions } from '../../src/runtime/functions/index.js';
import { describeResource } from '../../src/runtime/task-integrations.js';

// Every AWS endpoint is a closed port: calls fail at once, as a service that is down does.
const CLOSED = 'http://127.0.0.1:1';
const clients = new AwsClients({ region: 'us-east-1', endpoints: { dynamodb: CLOSED, sqs: CLOSED, sns: CLOSED, eventbridge: CLOSED, s3: CLOSED, lambda: CLOSED }, env: {} });
const bucket = mkdtempSync(join(tmpdir(), 'stepwise-contract-'));
const functions = new LocalFunctions({});

afterAll(async () => {
  await functions.close();
  clients.close();
  rmSync(bucket, { recursive: true, force: true });
});

interface Case {
  readonly integration: Integration;
  /** A resource it answers, with parameters that reach the (unreachable) service. */
  readonly resource: string;
  readonly parameters: Record<string, unknown>;
  /** A resource of another service. */
  readonly foreign: string;
}

const CASES: Record<string, Case> = {
  lambda: {
    integration: createLambdaIntegration({ functions: {}, local: functions, clients, region: 'us-east-1', accountId: '111111111111' }),
    resource: 'arn:aws:states:::lambda:invoke',
    parameters: { FunctionName: 'Missing', Payload: {} },
    foreign: 'arn:aws:states:::sqs:sendMessage',
  },
  http: {
    integration: createHttpIntegration({ connections: {}, region: 'us-east-1', accountId: '111111111111' }),
    resource: 'arn:aws:states:::http:invoke',
    parameters: { ApiEndpoint: `${CLOSED}/orders`, Method: 'GET' },
    foreign: 'arn:aws:states:::lambda:invoke',
  },
  s3: {
    integration: createS3Integration({ buckets: { local: bucket }, clients }),
    resource: 'arn:aws:states:::s3:getObject',
    parameters: { Bucket: 'remote-bucket', Key: 'k' },
    foreign: 'arn:aws:states:::dynamodb:getItem',
  },
  dynamodb: {
    integration: createDynamoDbIntegration(clients),
    resource: 'arn:aws:states:::dynamodb:putItem',
    parameters: { TableName: 't', Item: { id: { S: '1' } } },
    foreign: 'arn:aws:states:::sns:publish',
  },
  sqs: {
    integration: createSqsIntegration(clients),
    resource: 'arn:aws:states:::sqs:sendMessage',
    parameters: { QueueUrl: `${CLOSED}/111111111111/q`, MessageBody: 'x' },
    foreign: 'arn:aws:states:::dynamodb:putItem',
  },
  sns: {
    integration: createSnsIntegration(clients),
    resource: 'arn:aws:states:::sns:publish',
    parameters: { TopicArn: 'arn:aws:sns:us-east-1:111111111111:t', Message: 'x' },
    foreign: 'arn:aws:states:::sqs:sendMessage',
  },
  eventbridge: {
    integration: createEventBridgeIntegration(clients),
    resource: 'arn:aws:states:::events:putEvents',
    parameters: { Entries: [{ Source: 'orders', DetailType: 'Placed', Detail: { id: 1 } }] },
    foreign: 'arn:aws:states:::sns:publish',
  },
  'aws-sdk': {
    integration: createAwsSdkIntegration(clients),
    resource: 'arn:aws:states:::aws-sdk:dynamodb:getItem',
    parameters: { TableName: 't', Key: { id: { S: '1' } } },
    foreign: 'arn:aws:states:::http:invoke',
  },
};

function callOf(resourceArn: string, parameters: unknown, signal = new AbortController().signal): IntegrationCall {
  const described = describeResource({ resource: classifyResource(resourceArn) });
  return { ...described, parameters, stateName: 'S', executionArn: 'arn:aws:states:us-east-1:111111111111:execution:m:e', context: {}, signal, requestId: globalThis.crypto.randomUUID() };
}

/** Resolves to the outcome, or fails the test if `call` rejects or takes longer than `ms`. */
async function settles(integration: Integration, call: IntegrationCall, ms = 10_000) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${integration.name} did not answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([integration.call(call), late]);
  } finally {
    clearTimeout(timer);
  }
}

const names = Object.values(CASES).map((c) => c.integration.name);

describe.each(Object.entries(CASES))('integration contract: %s', (key, { integration, resource, parameters, foreign }) => {
  it('has a name of its own', () => {
    expect(integration.name).toBe(key);
    expect(names.filter((n) => n === integration.name)).toHaveLength(1);
  });

  it('answers its own resource, and not another service’s or a .sync pattern', () => {
    expect(integration.handles(describeResource({ resource: classifyResource(resource) }))).toBe(true);
    expect(integration.handles(describeResource({ resource: classifyResource(foreign) }))).toBe(false);
    expect(integration.handles(describeResource({ resource: classifyResource(`${resource}.sync`) }))).toBe(false);
  });

  it('answers parameters that are not an object with a named failure, never a rejection', async () => {
    for (const bad of ['text', null, [1, 2], 42]) {
      const outcome = await settles(integration, callOf(resource, bad));
      expect(outcome.ok, `${JSON.stringify(bad)}`).toBe(false);
      if (!outcome.ok) {
        expect(outcome.error).toMatch(/^[A-Z][\w]*(\.[\w]+)+$/);
        expect(typeof outcome.cause).toBe('string');
      }
    }
  });

  it('answers a service that cannot be reached with a named failure, in bounded time', async () => {
    const outcome = await settles(integration, callOf(resource, parameters));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error).toMatch(/^[A-Z][\w]*(\.[\w]+)+$/);
      expect(outcome.cause.length).toBeGreaterThan(0);
    }
  });

  it('answers a call whose task was cancelled before it started, without hanging', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await settles(integration, callOf(resource, parameters, controller.signal));
    expect(typeof outcome.ok).toBe('boolean');
  });

  it('says what a restart does with a call in flight: repeat it, or fail it with a named error', () => {
    const after = integration.afterCrash(callOf(resource, parameters));
    if (after !== 'repeat') {
      expect(after.error).toMatch(/^[A-Z][\w]*(\.[\w]+)+$/);
      expect(after.cause.length).toBeGreaterThan(0);
    }
  });
});
