/**
 * The optimized SQS integration: `arn:aws:states:::sqs:sendMessage`, with `.waitForTaskToken`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html). A `MessageBody` given
 * as JSON other than a string is sent as its JSON text. The result is SendMessage's
 * (`MD5OfMessageBody`, `MessageId`, …) plus `SdkHttpMetadata` and `SdkResponseMetadata`, keys
 * sorted (test_sqs_task_service); errors are `SQS.<Exception>` (`SQS.QueueDoesNotExistException`),
 * `SQS.AmazonSQSException` for one the model does not declare (a missing MessageBody).
 */
import type { AwsClients } from './aws-clients.js';
import { callOptimized, type OptimizedService } from './aws-call.js';
import { inFlightAtCrash } from './aws-errors.js';
import type { Integration } from './integration.js';

const SQS: OptimizedService = {
  service: 'sqs',
  packageName: '@aws-sdk/client-sqs',
  clientClass: 'SQSClient',
  prefix: 'SQS',
  serviceName: 'AmazonSQS',
  baseException: 'AmazonSQSException',
  httpMetadata: true,
};

export function createSqsIntegration(clients: AwsClients): Integration {
  return {
    name: 'sqs',
    handles: (call) => call.resource.kind === 'service' && call.service === 'sqs' && call.action === 'sendMessage' && call.pattern !== 'sync' && call.pattern !== 'sync2',
    call: (call) => callOptimized(clients, SQS, 'SendMessage', call.parameters, call.signal),
    // A message may have been queued; a FIFO queue's deduplication lasts only 5 minutes, which a
    // restart can outlast, so a MessageDeduplicationId does not make sending again safe either.
    afterCrash: () => inFlightAtCrash(SQS.prefix, 'SQS'),
  };
}
