// The generic `aws-sdk:<service>:<action>` integration with the real SDK clients: S3 against
// s3rver (an S3 implementation) started here, Lambda's Invoke against a local server speaking
// its REST-JSON protocol (a protocol fake, not Lambda), and the service/error naming rules.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/integrations/aws-clients.js';
import { javaExceptionName, javaServiceName } from '../../src/integrations/aws-errors.js';
import { createAwsSdkIntegration, packageFor } from '../../src/integrations/aws-sdk.js';
import type { Integration, IntegrationOutcome } from '../../src/integrations/integration.js';
import { localClients, protocolFake, taskCall } from './aws-test-helpers.js';

const require = createRequire(import.meta.url);

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

const S3 = 'arn:aws:states:::aws-sdk:s3:';
const BUCKET = 'orders-bucket';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

let directory: string;
let s3rver: S3rverInstance;
let clients: AwsClients;
let sdk: Integration;

function ok(outcome: IntegrationOutcome): Record<string, unknown> {
  if (!outcome.ok) throw new Error(`${outcome.error}: ${outcome.cause}`);
  return outcome.output as Record<string, unknown>;
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'stepwise-s3rver-'));
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3rver.run();
  clients = localClients({ s3: `http://127.0.0.1:${port}` });
  sdk = createAwsSdkIntegration(clients, { exclude: ['sfn'] });
});

afterAll(async () => {
  clients.close();
  s3rver.httpServer?.closeAllConnections();
  await s3rver.close();
  await rm(directory, { recursive: true, force: true });
});

describe('aws-sdk:s3', () => {
  it('putObject stores a Body as its JSON text, as AWS does (a string keeps its quotes)', async () => {
    // AWS's recording test_aws_sdk_task_service.test_s3_put_object: "text data" has the ETag of "\"text data\"".
    const text = ok(await sdk.call(taskCall(`${S3}putObject`, { Bucket: BUCKET, Key: 'text', Body: 'text data' })));
    expect(text.ETag).toBe(`"${md5('"text data"')}"`);
    expect(text.ETag).toBe('"2b5df3712557f503a9977a8ea893b2c9"');
    expect(text).not.toHaveProperty('$metadata');
    const json = ok(await sdk.call(taskCall(`${S3}putObject`, { Bucket: BUCKET, Key: 'dict', Body: { Dict: 'Value' } })));
    expect(json.ETag).toBe('"49e31cee5aec8faf3345893addb14346"');
  });

  it('getObject answers the Body as text and dates as ISO text', async () => {
    const output = ok(await sdk.call(taskCall(`${S3}getObject`, { Bucket: BUCKET, Key: 'dict' })));
    expect(output.Body).toBe('{"Dict":"Value"}');
    expect(output.ContentLength).toBe(16);
    expect(output.ETag).toBe('"49e31cee5aec8faf3345893addb14346"');
    expect(output.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
    expect(output).not.toHaveProperty('$metadata');
  });

  it('listObjectsV2 answers PascalCase members with nested dates converted', async () => {
    const output = ok(await sdk.call(taskCall(`${S3}listObjectsV2`, { Bucket: BUCKET })));
    const contents = output.Contents as Array<Record<string, unknown>>;
    expect(contents.map((c) => c.Key).sort()).toEqual(['dict', 'text']);
    expect(contents[0]!.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
  });

  it('names S3 errors S3.<Error>Exception with the SDK for Java 2.x message', async () => {
    const noKey = await sdk.call(taskCall(`${S3}getObject`, { Bucket: BUCKET, Key: 'no_such_key.json' }));
    expect(noKey).toMatchObject({ ok: false, error: 'S3.NoSuchKeyException' });
    expect(!noKey.ok && noKey.cause).toMatch(/^The specified key does not exist\. \(Service: S3, Status Code: 404, Request ID: [^,)]+(, Extended Request ID: [^)]+)?\) \(SDK Attempt Count: 1\)$/);
    const noBucket = await sdk.call(taskCall(`${S3}listObjects`, { Bucket: 'no-such-bucket' }));
    expect(noBucket).toMatchObject({ ok: false, error: 'S3.NoSuchBucketException' });
    expect(!noBucket.ok && noBucket.cause).toMatch(/^The specified bucket does not exist \(Service: S3, Status Code: 404, /);
  });

  it('fails an action the service does not have with States.Runtime', async () => {
    const outcome = await sdk.call(taskCall(`${S3}frobnicateObject`, { Bucket: BUCKET }));
    expect(outcome).toMatchObject({ ok: false, error: 'States.Runtime' });
    expect(!outcome.ok && outcome.cause).toContain("has no action 'frobnicateObject'");
    // Service names are lower-case letters and digits; no other text reaches import().
    const badName = await sdk.call(taskCall('arn:aws:states:::aws-sdk:Secrets-Manager:getSecretValue', {}));
    expect(badName).toMatchObject({ ok: false, error: 'States.Runtime' });
    expect(!badName.ok && badName.cause).toContain("no AWS SDK service is named 'Secrets-Manager'");
  });

  it('repeats reads after a crash; a write fails with S3.SdkClientException', () => {
    expect(sdk.afterCrash(taskCall(`${S3}getObject`, {}))).toBe('repeat');
    expect(sdk.afterCrash(taskCall(`${S3}headObject`, {}))).toBe('repeat');
    expect(sdk.afterCrash(taskCall(`${S3}putObject`, {}))).toMatchObject({ error: 'S3.SdkClientException' });
    expect(sdk.afterCrash(taskCall('arn:aws:states:::aws-sdk:secretsmanager:createSecret', {}))).toMatchObject({ error: 'SecretsManager.SdkClientException' });
  });
});

describe('aws-sdk:lambda:invoke (against a REST-JSON protocol fake)', () => {
  it('sends the Payload as JSON text and answers it as a string', async () => {
    const fake = await protocolFake((request, response) => {
      if (request.url.includes('/functions/missing/')) {
        response.writeHead(404, { 'Content-Type': 'application/json', 'x-amzn-RequestId': 'req-404', 'x-amzn-ErrorType': 'ResourceNotFoundException' });
        response.end(JSON.stringify({ Type: 'User', Message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing' }));
        return;
      }
      response.writeHead(200, { 'Content-Type': 'application/json', 'x-amzn-RequestId': 'req-1', 'X-Amz-Executed-Version': '$LATEST' });
      response.end(JSON.stringify({ echoed: JSON.parse(request.body) }));
    });
    const lambdaClients = localClients({ lambda: fake.url });
    try {
      const lambda = createAwsSdkIntegration(lambdaClients);
      const output = ok(await lambda.call(taskCall('arn:aws:states:::aws-sdk:lambda:invoke', { FunctionName: 'orders', Payload: { id: 7 } })));
      expect(fake.requests[0]!.url).toBe('/2015-03-31/functions/orders/invocations');
      expect(fake.requests[0]!.body).toBe('{"id":7}');
      expect(output).toEqual({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: '{"echoed":{"id":7}}' });

      const missing = await lambda.call(taskCall('arn:aws:states:::aws-sdk:lambda:invoke', { FunctionName: 'missing' }));
      expect(missing).toEqual({
        ok: false,
        error: 'Lambda.ResourceNotFoundException',
        cause: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing (Service: Lambda, Status Code: 404, Request ID: req-404) (SDK Attempt Count: 1)',
      });
    } finally {
      lambdaClients.close();
      await fake.close();
    }
  });
});

describe('services and their packages', () => {
  it('fails with States.Runtime naming the package to install when it is missing', async () => {
    const outcome = await sdk.call(taskCall('arn:aws:states:::aws-sdk:madeupservice:doSomething', {}));
    expect(outcome).toMatchObject({ ok: false, error: 'States.Runtime' });
    expect(!outcome.ok && outcome.cause).toContain('npm install @aws-sdk/client-madeupservice');
  });

  it('leaves excluded services and .sync resources to others', () => {
    expect(sdk.handles(taskCall('arn:aws:states:::aws-sdk:s3:listBuckets', {}))).toBe(true);
    expect(sdk.handles(taskCall('arn:aws:states:::aws-sdk:s3:listBuckets.waitForTaskToken', {}))).toBe(true);
    expect(sdk.handles(taskCall('arn:aws:states:::aws-sdk:sfn:startExecution', {}))).toBe(false);
    expect(sdk.handles(taskCall('arn:aws:states:::s3:getObject', {}))).toBe(false);
  });

  it('finds the package of a Step Functions service name', () => {
    expect(packageFor('s3')).toBe('@aws-sdk/client-s3');
    expect(packageFor('secretsmanager')).toBe('@aws-sdk/client-secrets-manager');
    expect(packageFor('cloudwatchlogs')).toBe('@aws-sdk/client-cloudwatch-logs');
    expect(packageFor('apigateway')).toBe('@aws-sdk/client-api-gateway');
    expect(packageFor('acmpca')).toBe('@aws-sdk/client-acm-pca');
    expect(packageFor('config')).toBe('@aws-sdk/client-config-service');
    expect(packageFor('databasemigration')).toBe('@aws-sdk/client-database-migration-service');
    expect(packageFor('elasticloadbalancingv2')).toBe('@aws-sdk/client-elastic-load-balancing-v2');
  });

  it('the service name each installed client carries leads back to its package', () => {
    for (const name of ['dynamodb', 's3', 'sqs', 'sns', 'eventbridge', 'lambda', 'sfn']) {
      const packageName = `@aws-sdk/client-${name}`;
      const module = require(packageName) as Record<string, unknown>;
      const Client = Object.entries(module).find(([key]) => key.endsWith('Client') && key !== '__Client')![1] as new (config: unknown) => { config: { serviceId: string }; destroy(): void };
      const client = new Client({ region: 'us-east-1' });
      expect(packageFor(javaServiceName(client.config.serviceId).toLowerCase())).toBe(packageName);
      client.destroy();
    }
  });

  it('names services and exceptions as the SDK for Java 2.x does', () => {
    expect(['DynamoDB', 'S3', 'SFN', 'Secrets Manager', 'CloudWatch Logs', 'Config Service', 'Elastic Load Balancing v2', 'ACM PCA', 'EventBridge', 'SESv2'].map(javaServiceName)).toEqual([
      'DynamoDb',
      'S3',
      'Sfn',
      'SecretsManager',
      'CloudWatchLogs',
      'Config',
      'ElasticLoadBalancingV2',
      'AcmPca',
      'EventBridge',
      'SesV2',
    ]);
    expect(['NoSuchKey', 'ConditionalCheckFailedException', 'DBInstanceNotFoundFault', 'KMSInvalidStateException', 'QueueDoesNotExist'].map(javaExceptionName)).toEqual([
      'NoSuchKeyException',
      'ConditionalCheckFailedException',
      'DbInstanceNotFoundException',
      'KmsInvalidStateException',
      'QueueDoesNotExistException',
    ]);
  });
});
