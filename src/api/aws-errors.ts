/**
 * The API's errors with AWS's exact names and message texts, and their wire form.
 *
 * On the wire `__type` carries a namespace the SDKs strip (everything up to `#`): Step Functions'
 * own exceptions are `com.amazonaws.swf.service.v2.model#<Name>`, model-constraint violations
 * `com.amazon.coral.validate#ValidationException`, and the framework's own failures
 * (`SerializationException`, `UnknownOperationException`) `com.amazon.coral.service#<Name>`.
 */
import { AwsError } from './errors.js';

const SERVICE_NAMESPACE = 'com.amazonaws.swf.service.v2.model';
const CORAL_SERVICE = 'com.amazon.coral.service';
/** Where Coral's throttling lives: `{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"}`. */
const CORAL_AVAILABILITY = 'com.amazon.coral.availability';

/** Errors the Coral framework raises before an operation runs. */
const FRAMEWORK_ERRORS = new Set(['SerializationException', 'UnknownOperationException', 'InternalFailure', 'RequestEntityTooLarge', 'ServiceUnavailable']);

/** `ValidationException` raised by model constraints, as opposed to one an operation raises. */
export class ConstraintViolation extends AwsError {
  constructor(message: string) {
    super('ValidationException', message, 400);
  }
}

export function wireType(error: AwsError): string {
  if (error.type.includes('#')) return error.type;
  if (error instanceof ConstraintViolation) return 'com.amazon.coral.validate#ValidationException';
  if (FRAMEWORK_ERRORS.has(error.type)) return `${CORAL_SERVICE}#${error.type}`;
  if (error.type === 'ThrottlingException') return `${CORAL_AVAILABILITY}#${error.type}`;
  return `${SERVICE_NAMESPACE}#${error.type}`;
}

/** The JSON body AWS sends for an error. */
export function errorBody(error: AwsError): Record<string, unknown> {
  return error.message === '' ? { __type: wireType(error) } : { __type: wireType(error), message: error.message };
}

// ---------------------------------------------------------------------------------- framework

export const serialization = (message: string) => new AwsError('SerializationException', message, 400);
export const unknownOperation = () => new AwsError('UnknownOperationException', 'The requested operation is not recognized by the service.', 400);
export const internalFailure = () => new AwsError('InternalFailure', 'An internal error occurred.', 500);
/** A token bucket of the action is empty (HTTP 400, as AWS answers it; the SDKs retry it). */
export const throttling = () => new AwsError('ThrottlingException', 'Rate exceeded', 400);

// ---------------------------------------------------------------------------------- Step Functions

export const invalidArn = (detail: string) => new AwsError('InvalidArn', `Invalid Arn: '${detail}'`);
export const invalidArnPrefix = (arn: string) => invalidArn(`Invalid ARN prefix: ${arn}`);
export const wrongResourceType = (resourceType: string) => invalidArn(`Resource type not valid in this context: ${resourceType.toLowerCase()}`);
export const invalidName = (name: string) => new AwsError('InvalidName', `Invalid Name: '${name}'`);
export const invalidToken = (detail = 'Invalid token') => new AwsError('InvalidToken', `Invalid Token: '${detail}'`);
export const invalidDefinition = (detail: string) => new AwsError('InvalidDefinition', `Invalid State Machine Definition: ${detail}`);
export const invalidExecutionInput = (detail: string) => new AwsError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${detail}'`);
export const invalidOutput = (detail: string) => new AwsError('InvalidOutput', `Invalid State Machine Output: '${detail}'`);
export const invalidLoggingConfiguration = (detail: string) => new AwsError('InvalidLoggingConfiguration', `Invalid Logging Configuration: ${detail}`);
export const invalidTracingConfiguration = (detail: string) => new AwsError('InvalidTracingConfiguration', detail);
export const stateMachineDoesNotExist = (arn: string) => new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
export const stateMachineAlreadyExists = (arn: string) => new AwsError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
export const stateMachineTypeNotSupported = () => new AwsError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
export const executionDoesNotExist = (arn: string) => new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
export const executionAlreadyExists = (arn: string) => new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
export const executionNotRedrivable = (detail: string) => new AwsError('ExecutionNotRedrivable', detail);
export const activityDoesNotExist = (arn: string) => new AwsError('ActivityDoesNotExist', `Activity Does Not Exist: '${arn}'`);
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFound', message);
export const resourceNotFoundArn = (arn: string) => resourceNotFound(`Resource not found: '${arn}'`);
export const conflict = (message: string) => new AwsError('ConflictException', message, 409);
export const validation = (message: string) => new AwsError('ValidationException', message);
export const missingRequiredParameter = (message: string) => new AwsError('MissingRequiredParameter', message);
export const tooManyTags = (arn: string, limit: number) => new AwsError('TooManyTags', `Too many tags: the resource '${arn}' would have more than ${limit} tags`);

// The quota errors' texts on the wire are not recorded anywhere we could find; these are the
// sentences AWS's service model documents for each exception.
export const executionLimitExceeded = (detail = 'The maximum number of running executions has been reached. Running executions must end or be stopped before a new execution can be started.') =>
  new AwsError('ExecutionLimitExceeded', detail);
export const stateMachineLimitExceeded = () =>
  new AwsError('StateMachineLimitExceeded', 'The maximum number of state machines has been reached. Existing state machines must be deleted before a new state machine can be created.');
export const activityLimitExceeded = () =>
  new AwsError('ActivityLimitExceeded', 'The maximum number of activities has been reached. Existing activities must be deleted before a new activity can be created.');
