/**
 * The optimized SNS integration: `arn:aws:states:::sns:publish`, with `.waitForTaskToken`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html). A `Message` given as
 * JSON other than a string is published as its JSON text. The result is Publish's (`MessageId`,
 * `SequenceNumber` for FIFO topics) plus `SdkHttpMetadata` and `SdkResponseMetadata`, keys
 * sorted; errors are `SNS.<Exception>` with the SDK for Java 1.x's cause, e.g.
 * `SNS.NotFoundException` / `Topic does not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound; …)`
 * (test_sns_task_service).
 */
import type { AwsClients } from './aws-clients.js';
import { callOptimized, type OptimizedService } from './aws-call.js';
import { inFlightAtCrash } from './aws-errors.js';
import type { Integration } from './integration.js';

const SNS: OptimizedService = {
  service: 'sns',
  packageName: '@aws-sdk/client-sns',
  clientClass: 'SNSClient',
  prefix: 'SNS',
  serviceName: 'AmazonSNS',
  baseException: 'AmazonSNSException',
  httpMetadata: true,
};

export function createSnsIntegration(clients: AwsClients): Integration {
  return {
    name: 'sns',
    handles: (call) => call.resource.kind === 'service' && call.service === 'sns' && call.action === 'publish' && call.pattern !== 'sync' && call.pattern !== 'sync2',
    call: (call) => callOptimized(clients, SNS, 'Publish', call.parameters, call.signal),
    // The message may have been published (a FIFO topic deduplicates for 5 minutes only).
    afterCrash: () => inFlightAtCrash(SNS.prefix, 'SNS'),
  };
}
