// The optimized DynamoDB integration and `aws-sdk:dynamodb:*`, with the real SDK client against
// dynalite (a DynamoDB implementation) started here on a free port.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/integrations/aws-clients.js';
import { createAwsSdkIntegration } from '../../src/integrations/aws-sdk.js';
import { createDynamoDbIntegration } from '../../src/integrations/dynamodb.js';
import type { Integration, IntegrationOutcome } from '../../src/integrations/integration.js';
import { localClients, taskCall } from './aws-test-helpers.js';

const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs: number }) => Server;

const TABLE = 'Orders';
const OPTIMIZED = 'arn:aws:states:::dynamodb:';
const SDK = 'arn:aws:states:::aws-sdk:dynamodb:';

let server: Server;
let clients: AwsClients;
let optimized: Integration;
let sdk: Integration;

function ok(outcome: IntegrationOutcome): Record<string, unknown> {
  if (!outcome.ok) throw new Error(`${outcome.error}: ${outcome.cause}`);
  return outcome.output as Record<string, unknown>;
}

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  clients = localClients({ dynamodb: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  optimized = createDynamoDbIntegration(clients);
  sdk = createAwsSdkIntegration(clients, { exclude: ['sfn'] });
  // The table is created through the SDK integration itself (a createTable Task).
  ok(
    await sdk.call(
      taskCall(`${SDK}createTable`, {
        TableName: TABLE,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      }),
    ),
  );
});

afterAll(async () => {
  clients.close();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

describe('dynamodb (optimized)', () => {
  it('answers only its four actions, in any pattern but .sync', () => {
    expect(optimized.handles(taskCall(`${OPTIMIZED}putItem`, {}))).toBe(true);
    expect(optimized.handles(taskCall(`${OPTIMIZED}getItem.waitForTaskToken`, {}))).toBe(true);
    expect(optimized.handles(taskCall(`${OPTIMIZED}query`, {}))).toBe(false);
    expect(optimized.handles(taskCall(`${SDK}putItem`, {}))).toBe(false);
  });

  it('putItem answers the SDK response metadata alone, with the headers as the server sent them', async () => {
    const output = ok(await optimized.call(taskCall(`${OPTIMIZED}putItem`, { TableName: TABLE, Item: { id: { S: 'o-1' }, total: { N: '42' }, blob: { B: 'AQID' } } })));
    expect(Object.keys(output)).toEqual(['SdkHttpMetadata', 'SdkResponseMetadata']);
    const metadata = output.SdkHttpMetadata as { AllHttpHeaders: Record<string, string[]>; HttpHeaders: Record<string, string>; HttpStatusCode: number };
    expect(metadata.HttpStatusCode).toBe(200);
    // dynalite writes `x-amzn-RequestId` (AWS's own case); every value is a list in AllHttpHeaders.
    const requestId = metadata.AllHttpHeaders['x-amzn-RequestId']![0]!;
    expect(output.SdkResponseMetadata).toEqual({ RequestId: requestId });
    expect(metadata.HttpHeaders['x-amzn-RequestId']).toBe(requestId);
    expect(metadata.HttpHeaders['Content-Type']).toBe('application/x-amz-json-1.0');
    const names = Object.keys(metadata.HttpHeaders);
    expect(names).toEqual([...names].sort((a, b) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1)));
  });

  it('getItem answers the item in DynamoDB JSON, binary attributes in base64, keys sorted', async () => {
    const output = ok(await optimized.call(taskCall(`${OPTIMIZED}getItem`, { TableName: TABLE, Key: { id: { S: 'o-1' } } })));
    expect(Object.keys(output)).toEqual(['Item', 'SdkHttpMetadata', 'SdkResponseMetadata']);
    expect(output.Item).toEqual({ id: { S: 'o-1' }, total: { N: '42' }, blob: { B: 'AQID' } });
  });

  it('updateItem and deleteItem answer the attributes ReturnValues asks for', async () => {
    const updated = ok(
      await optimized.call(
        taskCall(`${OPTIMIZED}updateItem`, {
          TableName: TABLE,
          Key: { id: { S: 'o-1' } },
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: 'shipped' } },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    expect(updated.Attributes).toEqual({ status: { S: 'shipped' } });
    const deleted = ok(await optimized.call(taskCall(`${OPTIMIZED}deleteItem`, { TableName: TABLE, Key: { id: { S: 'o-1' } }, ReturnValues: 'ALL_OLD' })));
    expect((deleted.Attributes as Record<string, unknown>).status).toEqual({ S: 'shipped' });
    const gone = ok(await optimized.call(taskCall(`${OPTIMIZED}getItem`, { TableName: TABLE, Key: { id: { S: 'o-1' } } })));
    expect(Object.keys(gone)).toEqual(['SdkHttpMetadata', 'SdkResponseMetadata']);
  });

  it('names errors as the SDK for Java 1.x does, with its cause', async () => {
    const put = (parameters: Record<string, unknown>) => optimized.call(taskCall(`${OPTIMIZED}putItem`, { TableName: TABLE, ...parameters }));
    await put({ Item: { id: { S: 'o-2' } } });
    const conditional = await put({ Item: { id: { S: 'o-2' } }, ConditionExpression: 'attribute_not_exists(id)' });
    expect(conditional).toMatchObject({ ok: false, error: 'DynamoDB.ConditionalCheckFailedException' });
    expect(!conditional.ok && conditional.cause).toMatch(
      /^The conditional request failed \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: \w+; Proxy: null\)$/,
    );

    const missing = await optimized.call(taskCall(`${OPTIMIZED}putItem`, { TableName: 'NoSuchTable', Item: { id: { S: 'x' } } }));
    expect(missing).toMatchObject({ ok: false, error: 'DynamoDB.ResourceNotFoundException' });
    expect(!missing.ok && missing.cause).toMatch(
      /^Requested resource not found \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: \w+; Proxy: null\)$/,
    );

    // A ValidationException is not a declared error: the client's own exception class.
    const invalid = await put({ Item: null });
    expect(invalid).toMatchObject({ ok: false, error: 'DynamoDB.AmazonDynamoDBException' });
    expect(!invalid.ok && invalid.cause).toMatch(/^1 validation error detected: .* \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: \w+; Proxy: null\)$/);
  });

  it('fails with DynamoDB.SdkClientException when nothing answers', async () => {
    const closed = localClients({ dynamodb: 'http://127.0.0.1:1' });
    try {
      const outcome = await createDynamoDbIntegration(closed).call(taskCall(`${OPTIMIZED}getItem`, { TableName: TABLE, Key: { id: { S: 'x' } } }));
      expect(outcome).toMatchObject({ ok: false, error: 'DynamoDB.SdkClientException' });
      expect(!outcome.ok && outcome.cause).toMatch(/^Unable to execute HTTP request: /);
    } finally {
      closed.close();
    }
  });

  it('repeats a read after a crash, and fails a write that may have happened', () => {
    expect(optimized.afterCrash(taskCall(`${OPTIMIZED}getItem`, {}))).toBe('repeat');
    expect(optimized.afterCrash(taskCall(`${OPTIMIZED}updateItem`, {}))).toMatchObject({ error: 'DynamoDB.SdkClientException' });
  });
});

describe('aws-sdk:dynamodb', () => {
  it('putItem answers {} and getItem {Item}, without the SDK metadata', async () => {
    expect(ok(await sdk.call(taskCall(`${SDK}putItem`, { TableName: TABLE, Item: { id: { S: 's-1' }, data: { S: 'HelloWorld' } } })))).toEqual({});
    expect(ok(await sdk.call(taskCall(`${SDK}getItem`, { TableName: TABLE, Key: { id: { S: 's-1' } } })))).toEqual({ Item: { id: { S: 's-1' }, data: { S: 'HelloWorld' } } });
  });

  it('keeps every kind of attribute value as DynamoDB JSON, both ways', async () => {
    const item = {
      id: { S: 's-2' },
      nothing: { NULL: true },
      flag: { BOOL: false },
      bytes: { B: 'AAEC/w==' },
      numbers: { NS: ['1', '2.5'] },
      nested: { M: { list: { L: [{ S: 'a' }, { N: '3' }, { B: 'Zm9v' }] } } },
    };
    expect(ok(await sdk.call(taskCall(`${SDK}putItem`, { TableName: TABLE, Item: item })))).toEqual({});
    const output = ok(await sdk.call(taskCall(`${SDK}getItem`, { TableName: TABLE, Key: { id: { S: 's-2' } } })));
    expect(output).toEqual({ Item: item });
  });

  it('query answers Count, Items and ScannedCount', async () => {
    const output = ok(
      await sdk.call(taskCall(`${SDK}query`, { TableName: TABLE, KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': { S: 's-1' } } })),
    );
    expect(output).toEqual({ Count: 1, Items: [{ id: { S: 's-1' }, data: { S: 'HelloWorld' } }], ScannedCount: 1 });
  });

  it('names errors as the SDK for Java 2.x does: DynamoDb.<Exception> and its message', async () => {
    const conditional = await sdk.call(taskCall(`${SDK}putItem`, { TableName: TABLE, Item: { id: { S: 's-1' } }, ConditionExpression: 'attribute_not_exists(id)' }));
    expect(conditional).toMatchObject({ ok: false, error: 'DynamoDb.ConditionalCheckFailedException' });
    expect(!conditional.ok && conditional.cause).toMatch(/^The conditional request failed \(Service: DynamoDb, Status Code: 400, Request ID: \w+\) \(SDK Attempt Count: 1\)$/);

    const missing = await sdk.call(taskCall(`${SDK}getItem`, { TableName: 'NoSuchTable', Key: { id: { S: 'x' } } }));
    expect(missing).toMatchObject({ ok: false, error: 'DynamoDb.ResourceNotFoundException' });
    expect(!missing.ok && missing.cause).toMatch(/^Requested resource not found \(Service: DynamoDb, Status Code: 400, Request ID: \w+\) \(SDK Attempt Count: 1\)$/);

    // AWS's recording (test_aws_sdk.test_dynamodb_invalid_param): an undeclared error is DynamoDb.DynamoDbException.
    const invalid = await sdk.call(taskCall(`${SDK}putItem`, { TableName: TABLE, Item: null }));
    expect(invalid).toMatchObject({ ok: false, error: 'DynamoDb.DynamoDbException' });
    expect(!invalid.ok && invalid.cause).toMatch(
      /^1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null \(Service: DynamoDb, Status Code: 400, Request ID: \w+\) \(SDK Attempt Count: 1\)$/,
    );
  });

  it('repeats reads after a crash; a write fails with DynamoDb.SdkClientException', () => {
    expect(sdk.afterCrash(taskCall(`${SDK}query`, {}))).toBe('repeat');
    expect(sdk.afterCrash(taskCall(`${SDK}batchGetItem`, {}))).toBe('repeat');
    expect(sdk.afterCrash(taskCall(`${SDK}putItem`, {}))).toMatchObject({ error: 'DynamoDb.SdkClientException' });
  });
});
