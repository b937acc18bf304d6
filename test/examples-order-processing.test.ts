// examples/order-processing as its README section runs it: the same definition and
// stepwise.config.json with `stepwise run` and with `stepwise serve`, against the example's
// services (DynamoDB through dynalite, a shipping API over HTTP) on their fixed ports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { startServices, type Services } from '../examples/order-processing/services.mjs';
import { ROLE, ROOT, assertBuilt, pollUntil, runCli, sdk, startServe, stopAll, tempDir } from './server/serve-process.js';

const EXAMPLE = 'examples/order-processing';
const env = { SHIPPING_API_KEY: 'dev-key' };
let services: Services;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('order-processing');
  services = await startServices({ apiKey: 'dev-key' });
});

afterAll(async () => {
  await stopAll();
  await services?.close();
  tmp?.remove();
}, 30_000);

async function savedOrder(orderId: string) {
  const client = new DynamoDBClient({ endpoint: services.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    return (await client.send(new GetItemCommand({ TableName: 'Orders', Key: { orderId: { S: orderId } } }))).Item;
  } finally {
    client.destroy();
  }
}

const order = (orderId: string, card = '4242424242424242') => JSON.stringify({ ...JSON.parse(readFileSync(join(ROOT, EXAMPLE, 'input.json'), 'utf8')), orderId, card });

describe('examples/order-processing', { timeout: 120_000 }, () => {
  it('stepwise run: validates, charges after a retry, saves to DynamoDB and ships over HTTP', async () => {
    const run = await runCli(['run', `${EXAMPLE}/order-processing.asl.json`, '--config', `${EXAMPLE}/stepwise.config.json`, '--input', order('RUN-1'), '--history'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/TaskFailed.*PaymentGatewayBusy/); // the first charge attempt, retried
    const output = JSON.parse(run.stdout.slice(run.stdout.lastIndexOf('\n{')));
    expect(output).toMatchObject({ orderId: 'RUN-1', status: 'SHIPPED', trackingNumber: expect.stringMatching(/^TRK-RUN-1-/) });
    expect(await savedOrder('RUN-1')).toMatchObject({ status: { S: 'PAID' }, total: { N: '175' } });

    // The same order again: DynamoDB's condition refuses it, the Catch takes that.
    const again = await runCli(['run', `${EXAMPLE}/order-processing.asl.json`, '--config', `${EXAMPLE}/stepwise.config.json`, '--input', order('RUN-1')], { env });
    expect(JSON.parse(again.stdout)).toEqual({ orderId: 'RUN-1', status: 'ALREADY_PROCESSED' });

    const declined = await runCli(['run', `${EXAMPLE}/order-processing.asl.json`, '--config', `${EXAMPLE}/stepwise.config.json`, '--input', order('RUN-2', '4000000000000002')], { env });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toMatch(/error: OrderRejected/);
  });

  it('stepwise serve: the same definition and configuration, through the Step Functions API', async () => {
    const server = await startServe({ db: join(tmp.dir, 'orders.db'), args: ['--config', `${EXAMPLE}/stepwise.config.json`], env });
    const client = sdk(server.url);
    const { stateMachineArn } = await client.send(
      new CreateStateMachineCommand({ name: 'order-processing', roleArn: ROLE, definition: readFileSync(join(ROOT, EXAMPLE, 'order-processing.asl.json'), 'utf8') }),
    );
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: order('SRV-1') }));
    const done = await pollUntil(async () => {
      const d = await client.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    }, 'the order to be processed');
    expect(done.status, done.cause).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toMatchObject({ orderId: 'SRV-1', status: 'SHIPPED' });
    expect(await savedOrder('SRV-1')).toMatchObject({ status: { S: 'PAID' } });
    const events = (await client.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
    expect(events.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails?.error)).toEqual(['PaymentGatewayBusy']);
    await server.stop();
  });
});
