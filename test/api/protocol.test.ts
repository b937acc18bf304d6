import { afterEach, describe, expect, it } from 'vitest';
import { handleRequest } from '../../src/api/protocol.js';
import { ACCOUNT, REGION, ROLE, PASS, harness, errorOf, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h && (await h.runner.close()));

describe('handleRequest: the AWS JSON 1.0 framing', () => {
  it('answers with JSON, the AWS content type and a request id', async () => {
    h = await harness();
    const response = await handleRequest(h.ctx, { target: 'AWSStepFunctions.ListStateMachines', body: '{}', requestId: 'req-1' });
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('application/x-amz-json-1.0');
    expect(response.headers['x-amzn-RequestId']).toBe('req-1');
    expect(JSON.parse(response.body)).toEqual({ stateMachines: [] });
  });

  it.each([
    ['a missing target', undefined],
    ['a foreign target', 'DynamoDB_20120810.ListTables'],
    ['an unknown action', 'AWSStepFunctions.DoesNotExist'],
    ['an inherited property name', 'AWSStepFunctions.toString'],
  ])('refuses %s with UnknownOperationException', async (_what, target) => {
    h = await harness();
    const response = await handleRequest(h.ctx, { target, body: '{}' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ __type: 'com.amazon.coral.service#UnknownOperationException', message: 'The requested operation is not recognized by the service.' });
  });

  it.each([
    ['malformed JSON', '{"name": '],
    ['a JSON array', '[]'],
    ['a JSON string', '"x"'],
    ['JSON null', 'null'],
  ])('refuses %s with SerializationException', async (_what, body) => {
    h = await harness();
    const response = await handleRequest(h.ctx, { target: 'AWSStepFunctions.ListStateMachines', body });
    expect(response.status).toBe(400);
    expect(errorOf(JSON.parse(response.body)).type).toBe('SerializationException');
    expect(JSON.parse(response.body).__type).toBe('com.amazon.coral.service#SerializationException');
  });

  it('refuses a body that is not UTF-8', async () => {
    h = await harness();
    const response = await handleRequest(h.ctx, { target: 'AWSStepFunctions.ListStateMachines', body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) });
    expect(errorOf(JSON.parse(response.body))).toEqual({ type: 'SerializationException', message: 'Invalid UTF-8 in request body' });
  });

  it('reads an empty body as an empty object', async () => {
    h = await harness();
    const response = await handleRequest(h.ctx, { target: 'AWSStepFunctions.ListActivities', body: '' });
    expect(JSON.parse(response.body)).toEqual({ activities: [] });
  });

  it('refuses a body over the size limit with 413', async () => {
    h = await harness({ limits: { maxRequestBytes: 100 } });
    const response = await handleRequest(h.ctx, { target: 'AWSStepFunctions.ListActivities', body: JSON.stringify({ nextToken: 'x'.repeat(200) }) });
    expect(response.status).toBe(413);
  });

  it('answers an unexpected failure with InternalFailure (500) and logs it', async () => {
    const logged: string[] = [];
    h = await harness({ log: { info() {}, warn() {}, error: (m) => logged.push(m) } });
    (h.store as unknown as { listActivities: () => never }).listActivities = () => {
      throw new Error('disk on fire');
    };
    const response = await handleRequest(h.ctx, { target: 'AWSStepFunctions.ListActivities', body: '{}' });
    expect(response.status).toBe(500);
    expect(errorOf(JSON.parse(response.body)).type).toBe('InternalFailure');
    expect(logged).toEqual(['internal error']);
  });
});

describe('request validation as Coral does it', () => {
  it('reports a missing required member with "Value null"', async () => {
    h = await harness();
    const r = await h.call('StartExecution', { name: 'n' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      __type: 'com.amazon.coral.validate#ValidationException',
      message: "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
    });
  });

  it('reports every violation at once and never echoes sensitive values', async () => {
    h = await harness();
    const r = await h.call('CreateStateMachine', { name: 'a'.repeat(81) });
    expect(errorOf(r.body)).toEqual({
      type: 'ValidationException',
      message:
        `3 validation errors detected: Value '${'a'.repeat(81)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80; ` +
        "Value at 'definition' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    });
  });

  it('reports numeric ranges, enums and list members with their paths', async () => {
    h = await harness();
    expect(errorOf((await h.call('ListStateMachines', { maxResults: 1001 })).body).message).toBe(
      "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    expect(errorOf((await h.call('ListExecutions', { stateMachineArn: `${'arn:aws:states:us-east-1:123456789012:stateMachine:x'}`, statusFilter: 'succeeded' })).body).message).toBe(
      "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
    );
    expect(errorOf((await h.call('TagResource', { resourceArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:x', tags: [{ key: '', value: 'v' }] })).body).message).toBe(
      "1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    expect(errorOf((await h.call('ListStateMachines', { nextToken: 'x'.repeat(1025) })).body).message).toBe(
      `1 validation error detected: Value '${'x'.repeat(1025)}' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1024`,
    );
  });

  it.each([
    [{ maxResults: 'ten' }, 'STRING_VALUE cannot be converted to Integer'],
    [{ nextToken: 5 }, 'NUMBER_VALUE cannot be converted to String'],
    [{ nextToken: { a: 1 } }, 'Start of structure or map found where not expected.'],
    [{ nextToken: ['a'] }, 'Start of list found where not expected'],
  ])('refuses members of the wrong JSON type with SerializationException (%j)', async (body, message) => {
    h = await harness();
    expect(errorOf((await h.call('ListStateMachines', body)).body)).toEqual({ type: 'SerializationException', message });
  });

  it('treats null members as absent and ignores unknown members', async () => {
    h = await harness();
    const r = await h.call('ListStateMachines', { maxResults: null, nextToken: null, somethingElse: true });
    expect(r.status).toBe(200);
  });

  it('uses the configured region and account in the ARNs it composes', async () => {
    h = await harness();
    const arn = await h.createMachine('m', PASS);
    expect(arn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:m`);
    expect(ROLE).toContain(ACCOUNT);
  });
});
