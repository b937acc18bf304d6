// encryptionConfiguration: AWS_OWNED_KEY (the default) is accepted and shown back; a customer
// managed KMS key is refused, as AWS refuses a key Step Functions cannot use, instead of being
// accepted and ignored. Through the API's protocol (harness) and through the real SDK.
import { join } from 'node:path';
import { CreateStateMachineCommand, KmsAccessDeniedException, SFNClient } from '@aws-sdk/client-sfn';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { tempDir } from '../server/serve-process.js';
import { PASS, ROLE, harness, type Harness } from './helpers.js';

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CUSTOMER_KEY = { type: 'CUSTOMER_MANAGED_KMS_KEY', kmsKeyId: KEY, kmsDataKeyReusePeriodSeconds: 300 };

describe('encryptionConfiguration', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('accepts AWS_OWNED_KEY, and DescribeStateMachine shows it', async () => {
    const arn = await h.createMachine('owned', PASS, { encryptionConfiguration: { type: 'AWS_OWNED_KEY' } });
    expect((await h.ok('DescribeStateMachine', { stateMachineArn: arn })).encryptionConfiguration).toEqual({ type: 'AWS_OWNED_KEY' });
    await h.ok('UpdateStateMachine', { stateMachineArn: arn, encryptionConfiguration: { type: 'AWS_OWNED_KEY' } });
  });

  it('refuses a customer managed KMS key on CreateStateMachine, saying Stepwise cannot use KMS keys', async () => {
    const answer = await h.call('CreateStateMachine', { name: 'kms', definition: PASS, roleArn: ROLE, encryptionConfiguration: CUSTOMER_KEY });
    expect(answer.status).toBe(400);
    expect(answer.body.__type).toBe('com.amazonaws.swf.service.v2.model#KmsAccessDeniedException');
    expect(answer.body.message).toContain('Stepwise cannot use AWS KMS keys');
    expect(answer.body.message).toContain(KEY);
    expect((await h.call('DescribeStateMachine', { stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:kms` })).body.__type).toMatch(/StateMachineDoesNotExist$/);
  });

  it('refuses it on UpdateStateMachine and CreateActivity, and leaves the machine as it was', async () => {
    const arn = await h.createMachine('stays-owned');
    const update = await h.call('UpdateStateMachine', { stateMachineArn: arn, encryptionConfiguration: CUSTOMER_KEY });
    expect(update.body.__type).toMatch(/#KmsAccessDeniedException$/);
    const described = await h.ok('DescribeStateMachine', { stateMachineArn: arn });
    expect(described.encryptionConfiguration).toBeUndefined();
    expect(described.revisionId).toBeUndefined();
    const activity = await h.call('CreateActivity', { name: 'kms-activity', encryptionConfiguration: CUSTOMER_KEY });
    expect(activity.body.__type).toMatch(/#KmsAccessDeniedException$/);
  });

  it('answers a customer managed type without a key with InvalidEncryptionConfiguration, as AWS documents', async () => {
    const answer = await h.call('CreateStateMachine', { name: 'no-key', definition: PASS, roleArn: ROLE, encryptionConfiguration: { type: 'CUSTOMER_MANAGED_KMS_KEY' } });
    expect(answer.body.__type).toMatch(/#InvalidEncryptionConfiguration$/);
    expect(answer.body.message).toContain('kmsKeyId');
  });

  it('still refuses an unknown type with a ValidationException (the model)', async () => {
    const answer = await h.call('CreateStateMachine', { name: 'odd', definition: PASS, roleArn: ROLE, encryptionConfiguration: { type: 'ROT13' } });
    expect(answer.body.__type).toMatch(/ValidationException$/);
  });
});

describe('encryptionConfiguration through the SDK', () => {
  const temp = tempDir('kms');
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(parseServeArgs(['--port', '0', '--db', join(temp.dir, 'stepwise.db')], {}), pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await server?.close();
    temp.remove();
  });

  it('raises KmsAccessDeniedException', async () => {
    const client = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    const refused = await client
      .send(new CreateStateMachineCommand({ name: 'kms', roleArn: 'arn:aws:iam::111111111111:role/r', definition: PASS, encryptionConfiguration: { type: 'CUSTOMER_MANAGED_KMS_KEY', kmsKeyId: KEY } }))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KmsAccessDeniedException);
    expect((refused as Error).message).toContain('Stepwise cannot use AWS KMS keys');
    client.destroy();
  });
});
