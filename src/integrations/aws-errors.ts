/**
 * How Step Functions names the errors of the AWS services it calls. Two generations of the AWS
 * SDK for Java show through, and Stepwise reproduces both from the errors of the SDK for
 * JavaScript:
 *
 * - `aws-sdk:<service>:<action>` tasks run on the SDK for Java 2.x. The error is
 *   `<ServiceName>.<ExceptionClass>` (`S3.NoSuchKeyException`, `DynamoDb.ConditionalCheckFailedException`,
 *   `SecretsManager.SecretsManagerException` for an error the service's model does not declare)
 *   and the cause is the 2.x exception message:
 *   `<message> (Service: S3, Status Code: 404, Request ID: <id>, Extended Request ID: <id2>) (SDK Attempt Count: 1)`.
 * - Optimized integrations (`dynamodb:putItem`, `sqs:sendMessage`, `sns:publish`, `events:putEvents`)
 *   run on 1.x: `DynamoDB.ConditionalCheckFailedException`, `SQS.AmazonSQSException` for an
 *   undeclared error, and the cause
 *   `<message> (Service: AmazonSQS; Status Code: 400; Error Code: MissingParameter; Request ID: <id>; Proxy: null)`.
 *
 * All formats are AWS's recorded answers (LocalStack's snapshots recorded against AWS:
 * test_aws_sdk, test_task_service_dynamodb, test_task_service_sqs, test_sns_task_service), and
 * the names follow the SDK for Java 2.x code generator (DefaultNamingStrategy, CodegenNamingUtils).
 */

/** An error the SDK for JavaScript raised after the service answered (it carries the HTTP status). */
export interface ServiceError {
  readonly name: string;
  readonly message: string;
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string; readonly extendedRequestId?: string; readonly attempts?: number };
  /** The wire error code of query-protocol services (SNS, SQS): `InvalidParameter`, `AWS.SimpleQueueService.NonExistentQueue`. */
  readonly Code?: string;
}

export function isServiceError(e: unknown): e is ServiceError {
  const metadata = (e as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof e === 'object' && e !== null && typeof metadata?.httpStatusCode === 'number' && typeof (e as { name?: unknown }).name === 'string';
}

/** Whether the service's model declares the error: the client package exports its class. */
function isDeclared(e: ServiceError, module: Readonly<Record<string, unknown>>): boolean {
  const declared = module[e.name];
  return typeof declared === 'function' && e instanceof declared;
}

/** The SDK for Java's word split (CodegenNamingUtils.splitOnWordBoundaries). */
function splitOnWordBoundaries(text: string): string[] {
  return text
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .replace(/([^a-z]{2,})v([0-9]+)/g, '$1 v$2 ')
    .replace(/([^A-Z]{2,})V([0-9]+)/g, '$1 V$2 ')
    .split(/(?<=[a-z])(?=[A-Z](?:[a-zA-Z]|[0-9]))/)
    .join(' ')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([0-9])([a-zA-Z])/g, '$1 $2')
    .replace(/ +/g, ' ')
    .trim()
    .split(' ');
}

/** `DynamoDB` → `DynamoDb`, `KMSInvalidState` → `KmsInvalidState` (CodegenNamingUtils.pascalCase). */
function javaPascalCase(text: string): string {
  return splitOnWordBoundaries(text)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join('');
}

/**
 * The service name of the SDK for Java 2.x for a service id (`Secrets Manager` →
 * `SecretsManager`, `SFN` → `Sfn`, `DynamoDB` → `DynamoDb`, `Config Service` → `Config`): the
 * prefix of an `aws-sdk` task's errors, and, in lower case, the service in its resource ARN.
 */
export function javaServiceName(serviceId: string): string {
  return javaPascalCase(serviceId)
    .replace(/^Amazon(?=.)/, '')
    .replace(/^Aws(?=.)/, '')
    .replace(/(?<=.)Service$/, '');
}

/** The exception class of the SDK for Java 2.x for an error shape (`NoSuchKey` → `NoSuchKeyException`, `…Fault` → `…Exception`). */
export function javaExceptionName(shapeName: string): string {
  if (shapeName.endsWith('Fault')) return `${javaPascalCase(shapeName.slice(0, -'Fault'.length))}Exception`;
  if (shapeName.endsWith('Exception')) return javaPascalCase(shapeName);
  return `${javaPascalCase(shapeName)}Exception`;
}

/**
 * The SDK for JavaScript says `UnknownError` where the response had no message; the SDK for Java
 * prints `null` (e.g. S3's HeadBucket: `null (Service: S3, Status Code: 403, …)`).
 */
function messageOf(e: { message?: unknown }): string {
  const message = typeof e.message === 'string' ? e.message : '';
  return message === '' || message === 'UnknownError' ? 'null' : message;
}

/** The SDK for Java 2.x appends the attempts to every exception message since 2.30 (AWS's recordings from 2025 show it). */
function attemptCount(e: unknown): string {
  const attempts = (e as { $metadata?: { attempts?: unknown } } | null)?.$metadata?.attempts;
  return ` (SDK Attempt Count: ${typeof attempts === 'number' && attempts > 0 ? attempts : 1})`;
}

/** An `aws-sdk` task's failure for an error the service answered with. */
export function sdkV2Failure(e: ServiceError, serviceName: string, module: Readonly<Record<string, unknown>>): { error: string; cause: string } {
  const exception = isDeclared(e, module) ? javaExceptionName(e.name) : `${serviceName}Exception`;
  const { httpStatusCode, requestId, extendedRequestId } = e.$metadata;
  const details = [`Service: ${serviceName}`, `Status Code: ${httpStatusCode}`, `Request ID: ${requestId ?? 'null'}`];
  if (extendedRequestId) details.push(`Extended Request ID: ${extendedRequestId}`);
  return { error: `${serviceName}.${exception}`, cause: `${messageOf(e)} (${details.join(', ')})${attemptCount(e)}` };
}

/** What names an optimized integration's errors (the SDK for Java 1.x client it runs on). */
export interface V1Naming {
  /** The error prefix: `DynamoDB`, `SQS`, `SNS`, `EventBridge`. */
  readonly prefix: string;
  /** The client's service name in causes: `AmazonDynamoDBv2`, `AmazonSQS`, `AmazonSNS`. */
  readonly serviceName: string;
  /** The exception for errors the model does not declare: `AmazonDynamoDBException`, `AmazonSQSException`. */
  readonly baseException: string;
}

/** An optimized integration's failure for an error the service answered with. */
export function sdkV1Failure(e: ServiceError, naming: V1Naming, module: Readonly<Record<string, unknown>>): { error: string; cause: string } {
  // 1.x names a declared error's class after its shape, `Fault` or not, ending in `Exception`.
  const exception = isDeclared(e, module) ? `${e.name.replace(/(Fault|Exception)$/, '')}Exception` : naming.baseException;
  const code = typeof e.Code === 'string' && e.Code !== '' ? e.Code : e.name;
  const { httpStatusCode, requestId } = e.$metadata;
  return {
    error: `${naming.prefix}.${exception}`,
    cause: `${messageOf(e)} (Service: ${naming.serviceName}; Status Code: ${httpStatusCode}; Error Code: ${code}; Request ID: ${requestId ?? 'null'}; Proxy: null)`,
  };
}

/**
 * A call that got no answer from the service (connection refused, reset, timed out): the SDK
 * for Java's `SdkClientException`, which Step Functions reports as `<Prefix>.SdkClientException`
 * (a Catch on `SQS.SdkClientException` is how AWS's own examples handle it) and which
 * `States.TaskFailed` and `States.ALL` match.
 */
export function clientFailure(prefix: string, e: unknown, sdkV2: boolean): { error: string; cause: string } {
  const detail = e instanceof Error ? e.message : String(e);
  return { error: `${prefix}.SdkClientException`, cause: `Unable to execute HTTP request: ${detail}${sdkV2 ? attemptCount(e) : ''}` };
}

/**
 * The failure of a write that was in flight when the process stopped (Integration.afterCrash):
 * whether the service received it is unknown, so it is not made again; the task gets the error
 * a lost connection gives, which `States.TaskFailed`, `States.ALL` and a Retry on
 * `<Prefix>.SdkClientException` take.
 */
export function inFlightAtCrash(prefix: string, service: string): { error: string; cause: string } {
  return {
    error: `${prefix}.SdkClientException`,
    cause: `Unable to execute HTTP request: Stepwise stopped while the call to ${service} was in flight; it may or may not have reached ${service}, so it is not made again.`,
  };
}
