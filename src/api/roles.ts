/**
 * IAM role ARNs (`roleArn` of CreateStateMachine, UpdateStateMachine and TestState). Stepwise
 * assumes no role, but refuses what AWS would refuse as malformed: anything but
 * `arn:<partition>:iam::<account>:role/<name>`.
 */
import { invalidArn, invalidArnPrefix } from './aws-errors.js';

const ROLE = /^arn:[a-z-]+:iam::[0-9]{12}:role\/[\w+=,.@\-/]+$/;

export function parseIamRoleArn(arn: string): void {
  if (!arn.startsWith('arn:')) throw invalidArnPrefix(arn);
  if (!ROLE.test(arn)) throw invalidArn(`Invalid ARN format: ${arn}`);
}
