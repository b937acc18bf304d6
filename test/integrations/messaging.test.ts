// The optimized SQS, SNS and EventBridge integrations with the real SDK clients, against local
// HTTP servers that speak each service's wire protocol (protocol fakes, not the services: SQS's
// AWS JSON 1.0, SNS's Query/XML, EventBridge's AWS JSON 1.1). They check the request the client
// sends for a Task's parameters, and the result or error the integration makes of the answer.
import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/integrations/aws-clients.js';
import { createEventBridgeIntegration } from '../../src/integrations/eventbridge.js';
import type { IntegrationOutcome } from '../../src/integrations/integration.js';
import { createSnsIntegration } from '../../src/integrations/sns.js';
import { createSqsIntegration } from '../../src/integrations/sqs.js';
import { EXECUTION_ARN, localClients, protocolFake, STATE_MACHINE_ARN, taskCall, type ReceivedRequest } from './aws-test-helpers.js';

type Fake = Awaited<ReturnType<typeof protocolFake>>;

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function ok(outcome: IntegrationOutcome): Record<string, unknown> {
  if (!outcome.ok) throw new Error(`${outcome.error}: ${outcome.cause}`);
  return outcome.output as Record<string, unknown>;
}

function json(response: ServerResponse, status: number, contentType: string, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': contentType, 'x-amzn-RequestId': `req-${randomUUID()}`, ...headers });
  response.end(text);
}

describe('sqs:sendMessage (SQS JSON protocol fake)', () => {
  let fake: Fake;
  let clients: AwsClients;
  let queueUrl: string;

  beforeAll(async () => {
    fake = await protocolFake((request, response) => {
      const body = JSON.parse(request.body) as { QueueUrl: string; MessageBody?: string };
      if (body.QueueUrl.endsWith('/missing')) {
        json(response, 400, 'application/x-amz-json-1.0', { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }, {
          'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender',
        });
      } else if (body.MessageBody === undefined) {
        json(response, 400, 'application/x-amz-json-1.0', { __type: 'com.amazonaws.sqs#MissingParameter', message: 'The request must contain the parameter MessageBody.' }, {
          'x-amzn-query-error': 'MissingParameter;Sender',
        });
      } else {
        // The client checks MD5OfMessageBody against what it sent.
        json(response, 200, 'application/x-amz-json-1.0', { MD5OfMessageBody: md5(body.MessageBody), MessageId: randomUUID() });
      }
    });
    clients = localClients({ sqs: fake.url });
    queueUrl = `${fake.url}/123456789012/orders`;
  });

  afterAll(async () => {
    clients.close();
    await fake.close();
  });

  it('sends a JSON MessageBody as its text and answers the result with the SDK response metadata', async () => {
    const sqs = createSqsIntegration(clients);
    const output = ok(await sqs.call(taskCall('arn:aws:states:::sqs:sendMessage', { QueueUrl: queueUrl, MessageBody: { orderId: 7, items: ['a'] } })));
    const request = fake.requests.at(-1)!;
    expect(request.headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
    expect(JSON.parse(request.body)).toEqual({ QueueUrl: queueUrl, MessageBody: '{"orderId":7,"items":["a"]}' });
    expect(Object.keys(output)).toEqual(['MD5OfMessageBody', 'MessageId', 'SdkHttpMetadata', 'SdkResponseMetadata']);
    expect(output.MD5OfMessageBody).toBe(md5('{"orderId":7,"items":["a"]}'));
    const metadata = output.SdkHttpMetadata as { AllHttpHeaders: Record<string, string[]>; HttpHeaders: Record<string, string>; HttpStatusCode: number };
    expect(metadata.HttpStatusCode).toBe(200);
    expect(metadata.AllHttpHeaders['Content-Type']).toEqual(['application/x-amz-json-1.0']);
    expect(output.SdkResponseMetadata).toEqual({ RequestId: metadata.HttpHeaders['x-amzn-RequestId'] });
  });

  it('is the submission of a .waitForTaskToken task too', async () => {
    const sqs = createSqsIntegration(clients);
    const call = taskCall('arn:aws:states:::sqs:sendMessage.waitForTaskToken', { QueueUrl: queueUrl, MessageBody: { TaskToken: 'token-1' } });
    expect(sqs.handles(call)).toBe(true);
    expect(ok(await sqs.call(call)).MessageId).toEqual(expect.any(String));
    expect(sqs.handles(taskCall('arn:aws:states:::sqs:receiveMessage', {}))).toBe(false);
  });

  it('names errors as the SDK for Java 1.x does, with the wire error code', async () => {
    const sqs = createSqsIntegration(clients);
    const missing = await sqs.call(taskCall('arn:aws:states:::sqs:sendMessage', { QueueUrl: `${fake.url}/123456789012/missing`, MessageBody: 'm' }));
    expect(missing).toMatchObject({ ok: false, error: 'SQS.QueueDoesNotExistException' });
    expect(!missing.ok && missing.cause).toMatch(
      /^The specified queue does not exist\. \(Service: AmazonSQS; Status Code: 400; Error Code: AWS\.SimpleQueueService\.NonExistentQueue; Request ID: req-[\w-]+; Proxy: null\)$/,
    );
    // AWS's recording test_task_service_sqs.test_send_message_empty_body: an undeclared error.
    const empty = await sqs.call(taskCall('arn:aws:states:::sqs:sendMessage', { QueueUrl: queueUrl, MessageBody: null }));
    expect(empty).toMatchObject({ ok: false, error: 'SQS.AmazonSQSException' });
    expect(!empty.ok && empty.cause).toMatch(
      /^The request must contain the parameter MessageBody\. \(Service: AmazonSQS; Status Code: 400; Error Code: MissingParameter; Request ID: req-[\w-]+; Proxy: null\)$/,
    );
  });

  it('does not send again after a crash', () => {
    expect(createSqsIntegration(clients).afterCrash(taskCall('arn:aws:states:::sqs:sendMessage', {}))).toMatchObject({ error: 'SQS.SdkClientException' });
  });
});

/** The form fields of a Query-protocol request. */
function form(request: ReceivedRequest): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(request.body));
}

describe('sns:publish (SNS Query/XML protocol fake)', () => {
  let fake: Fake;
  let clients: AwsClients;
  const topic = 'arn:aws:sns:us-east-1:123456789012:orders';

  beforeAll(async () => {
    fake = await protocolFake((request, response) => {
      const fields = form(request);
      const requestId = randomUUID();
      const xml = (status: number, body: string) => {
        response.writeHead(status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId });
        response.end(body);
      };
      const error = (status: number, code: string, message: string) =>
        xml(
          status,
          `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
      if (fields.TopicArn !== topic) return error(404, 'NotFound', 'Topic does not exist');
      if (fields.Message === undefined) return error(400, 'InvalidParameter', 'Invalid parameter: Empty message');
      xml(
        200,
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    });
    clients = localClients({ sns: fake.url });
  });

  afterAll(async () => {
    clients.close();
    await fake.close();
  });

  it('publishes a JSON Message as its text and answers MessageId with the SDK response metadata', async () => {
    const sns = createSnsIntegration(clients);
    const output = ok(
      await sns.call(
        taskCall('arn:aws:states:::sns:publish', {
          TopicArn: topic,
          Message: { Message: 'HelloWorld!' },
          MessageAttributes: { Version: { DataType: 'String', StringValue: 'v1' } },
        }),
      ),
    );
    const fields = form(fake.requests.at(-1)!);
    expect(fields).toMatchObject({
      Action: 'Publish',
      TopicArn: topic,
      Message: '{"Message":"HelloWorld!"}',
      'MessageAttributes.entry.1.Name': 'Version',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': 'v1',
    });
    expect(Object.keys(output)).toEqual(['MessageId', 'SdkHttpMetadata', 'SdkResponseMetadata']);
    const metadata = output.SdkHttpMetadata as { HttpHeaders: Record<string, string>; HttpStatusCode: number };
    expect(metadata.HttpHeaders['Content-Type']).toBe('text/xml');
    expect(output.SdkResponseMetadata).toEqual({ RequestId: metadata.HttpHeaders['x-amzn-RequestId'] });
  });

  it('names errors as AWS recorded them: SNS.NotFoundException, SNS.InvalidParameterException', async () => {
    const sns = createSnsIntegration(clients);
    const notFound = await sns.call(taskCall('arn:aws:states:::sns:publish', { TopicArn: `${topic}-gone`, Message: 'm' }));
    expect(notFound).toMatchObject({ ok: false, error: 'SNS.NotFoundException' });
    expect(!notFound.ok && notFound.cause).toMatch(/^Topic does not exist \(Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: [\w-]+; Proxy: null\)$/);
    const invalid = await sns.call(taskCall('arn:aws:states:::sns:publish', { TopicArn: topic }));
    expect(invalid).toMatchObject({ ok: false, error: 'SNS.InvalidParameterException' });
    expect(!invalid.ok && invalid.cause).toMatch(/^Invalid parameter: Empty message \(Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter; Request ID: [\w-]+; Proxy: null\)$/);
  });
});

describe('events:putEvents (EventBridge JSON 1.1 protocol fake)', () => {
  let fake: Fake;
  let clients: AwsClients;

  beforeAll(async () => {
    fake = await protocolFake((request, response) => {
      const body = JSON.parse(request.body) as { Entries: Array<{ EventBusName?: string; Source?: string }> };
      if (body.Entries.some((entry) => entry.EventBusName === 'missing')) {
        return json(response, 400, 'application/x-amz-json-1.1', { __type: 'ResourceNotFoundException', message: 'Event bus missing does not exist.' });
      }
      const entries = body.Entries.map((entry) => (entry.Source === 'bad' ? { ErrorCode: 'InvalidArgument', ErrorMessage: 'Bad source' } : { EventId: randomUUID() }));
      json(response, 200, 'application/x-amz-json-1.1', { Entries: entries, FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length });
    });
    clients = localClients({ eventbridge: fake.url });
  });

  afterAll(async () => {
    clients.close();
    await fake.close();
  });

  it('sends Detail objects as JSON text, appends the ARNs to Resources, and answers Entries alone', async () => {
    const events = createEventBridgeIntegration(clients);
    const output = ok(
      await events.call(
        taskCall('arn:aws:states:::events:putEvents', {
          Entries: [
            { Detail: '{"Message": "HelloWorld0"}', DetailType: 'order', Source: 'some.source' },
            { Detail: { Message: 'HelloWorld1' }, DetailType: 'order', Source: 'some.source', Resources: ['arn:aws:sqs:us-east-1:123456789012:q'] },
          ],
        }),
      ),
    );
    const request = fake.requests.at(-1)!;
    expect(request.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
    expect(JSON.parse(request.body)).toEqual({
      Entries: [
        { Detail: '{"Message": "HelloWorld0"}', DetailType: 'order', Source: 'some.source', Resources: [STATE_MACHINE_ARN, EXECUTION_ARN] },
        { Detail: '{"Message":"HelloWorld1"}', DetailType: 'order', Source: 'some.source', Resources: ['arn:aws:sqs:us-east-1:123456789012:q', STATE_MACHINE_ARN, EXECUTION_ARN] },
      ],
    });
    expect(output).toEqual({ Entries: [{ EventId: expect.any(String) }, { EventId: expect.any(String) }], FailedEntryCount: 0 });
  });

  it('fails with EventBridge.FailedEntry when an entry failed, the result as the cause', async () => {
    const outcome = await createEventBridgeIntegration(clients).call(
      taskCall('arn:aws:states:::events:putEvents', { Entries: [{ Detail: {}, DetailType: 't', Source: 'ok' }, { Detail: {}, DetailType: 't', Source: 'bad' }] }),
    );
    expect(outcome).toMatchObject({ ok: false, error: 'EventBridge.FailedEntry' });
    expect(JSON.parse(!outcome.ok ? outcome.cause : '')).toEqual({
      Entries: [{ EventId: expect.any(String) }, { ErrorCode: 'InvalidArgument', ErrorMessage: 'Bad source' }],
      FailedEntryCount: 1,
    });
  });

  it('names service errors EventBridge.<Exception>', async () => {
    const outcome = await createEventBridgeIntegration(clients).call(
      taskCall('arn:aws:states:::events:putEvents', { Entries: [{ Detail: {}, DetailType: 't', Source: 's', EventBusName: 'missing' }] }),
    );
    expect(outcome).toMatchObject({ ok: false, error: 'EventBridge.ResourceNotFoundException' });
    expect(!outcome.ok && outcome.cause).toMatch(
      /^Event bus missing does not exist\. \(Service: AmazonEventBridge; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: req-[\w-]+; Proxy: null\)$/,
    );
  });
});
