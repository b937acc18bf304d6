/**
 * The optimized DynamoDB integration: `arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html). Parameters are the
 * API's, items in DynamoDB JSON (`{"id": {"S": "a"}}`), passed as they are. The result is the
 * API's (`{Item}`, `{Attributes}` when ReturnValues asks, `ConsumedCapacity` when
 * ReturnConsumedCapacity asks) plus `SdkHttpMetadata` and `SdkResponseMetadata`, keys sorted,
 * as AWS's recordings show (test_dynamodb_task_service); errors are `DynamoDB.<Exception>`, with
 * `DynamoDB.AmazonDynamoDBException` for one the model does not declare (a ValidationException).
 */
import type { AwsClients } from './aws-clients.js';
import { callOptimized, type OptimizedService } from './aws-call.js';
import { inFlightAtCrash } from './aws-errors.js';
import type { Integration } from './integration.js';

const DYNAMODB: OptimizedService = {
  service: 'dynamodb',
  packageName: '@aws-sdk/client-dynamodb',
  clientClass: 'DynamoDBClient',
  prefix: 'DynamoDB',
  serviceName: 'AmazonDynamoDBv2',
  baseException: 'AmazonDynamoDBException',
  httpMetadata: true,
};

/** The actions of the optimized integration and their API operations. */
const OPERATIONS: Readonly<Record<string, string>> = { getItem: 'GetItem', putItem: 'PutItem', updateItem: 'UpdateItem', deleteItem: 'DeleteItem' };

export function createDynamoDbIntegration(clients: AwsClients): Integration {
  return {
    name: 'dynamodb',
    handles: (call) => call.resource.kind === 'service' && call.service === 'dynamodb' && Object.hasOwn(OPERATIONS, call.action) && call.pattern !== 'sync' && call.pattern !== 'sync2',
    call: (call) => callOptimized(clients, DYNAMODB, OPERATIONS[call.action]!, call.parameters, call.signal),
    // A read is safe to make again; a write may have been applied (an update may add twice).
    afterCrash: (call) => (call.action === 'getItem' ? 'repeat' : inFlightAtCrash(DYNAMODB.prefix, 'DynamoDB')),
  };
}
