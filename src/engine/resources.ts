/**
 * What a Task state's `Resource` ARN is, as far as the history is concerned: the events AWS
 * records differ for a Lambda function ARN (LambdaFunction*), an activity (Activity*) and an
 * optimised or SDK service integration (Task*, with resourceType = service and resource = action).
 */
export type IntegrationPattern = 'request-response' | 'sync' | 'sync2' | 'wait-for-task-token';

export type ResourceKind =
  | { kind: 'lambda'; arn: string }
  | { kind: 'activity'; arn: string }
  | { kind: 'service'; arn: string; service: string; action: string; pattern: IntegrationPattern; region: string }
  | { kind: 'unknown'; arn: string }
  /**
   * Not a Task resource: a Distributed Map's child execution, which the driver starts and
   * follows (Interpreter option mapChildExecutions); `arn` is the child's state machine ARN
   * (`…:stateMachine:<machine>/<label>`). Command InvokeTask.mapChild says what to start.
   */
  | { kind: 'map-child'; arn: string };

const SERVICE_ARN = /^arn:([\w-]+):states:([\w-]*):([\w-]*):([\w-]+(?::[\w-]+)*?):([\w.-]+?)(\.sync:2|\.sync|\.waitForTaskToken)?$/;

export function classifyResource(arn: string, defaultRegion = 'us-east-1'): ResourceKind {
  if (/^arn:[\w-]+:lambda:[\w-]+:[\w-]+:function:/.test(arn)) return { kind: 'lambda', arn };
  if (/^arn:[\w-]+:states:[\w-]+:[\w-]+:activity:/.test(arn)) return { kind: 'activity', arn };
  const m = SERVICE_ARN.exec(arn);
  if (m && m[2] === '' && m[3] === '') {
    const suffix = m[6];
    const pattern: IntegrationPattern =
      suffix === '.waitForTaskToken' ? 'wait-for-task-token' : suffix === '.sync:2' ? 'sync2' : suffix === '.sync' ? 'sync' : 'request-response';
    // "aws-sdk:s3" is the SDK integration's service, "lambda" an optimised one.
    return { kind: 'service', arn, service: m[4]!, action: m[5]! + (suffix ?? ''), pattern, region: defaultRegion };
  }
  return { kind: 'unknown', arn };
}
