#!/usr/bin/env node
// The services the order-processing example calls, on this machine: DynamoDB (dynalite) on port
// 4567 with an `Orders` table, and a shipping API on port 4568 that wants the API key the
// `shipping-api` connection sends (SHIPPING_API_KEY, default "dev-key").
//
//   node examples/order-processing/services.mjs          (Ctrl-C stops them)
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

export async function startServices({ dynamoPort = 4567, shippingPort = 4568, apiKey = process.env.SHIPPING_API_KEY ?? 'dev-key' } = {}) {
  const dynalite = require('dynalite');
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve, reject) => dynamo.listen(dynamoPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  const { DynamoDBClient, CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${dynamoPort}`, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await client.send(
    new CreateTableCommand({
      TableName: 'Orders',
      AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }),
  );
  client.destroy();

  let shipments = 0;
  const shipping = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.headers['x-api-key'] !== apiKey) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'Unauthorized' }));
        return;
      }
      if (req.method !== 'POST' || req.url !== '/shipments') {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'Not found' }));
        return;
      }
      const { orderId } = JSON.parse(body || '{}');
      shipments++;
      res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ orderId, trackingNumber: `TRK-${orderId}-${shipments}` }));
    });
  });
  await new Promise((resolve, reject) => shipping.once('error', reject).listen(shippingPort, '127.0.0.1', resolve));
  return {
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
    shippingUrl: `http://127.0.0.1:${shippingPort}`,
    close: () => Promise.all([new Promise((r) => dynamo.close(r)), new Promise((r) => shipping.close(r))]),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const services = await startServices();
  console.log(`DynamoDB (dynalite) on ${services.dynamoEndpoint} with table Orders; shipping API on ${services.shippingUrl}. Ctrl-C stops them.`);
  process.once('SIGINT', () => services.close().then(() => process.exit(0)));
}
