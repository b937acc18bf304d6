/**
 * Lambda: `arn:aws:states:::lambda:invoke` (and `.waitForTaskToken`, which the dispatcher wraps
 * around this call) and bare function ARNs (`arn:aws:lambda:<region>:<account>:function:<name>`,
 * whose result is the function's payload alone).
 *
 * A function is found by name in the configuration's `functions` (run by LocalFunctions in
 * worker processes); any other goes to a Lambda API when one is configured (LAMBDA_ENDPOINT,
 * `--lambda-endpoint`, `endpoints.lambda`: `sam local start-lambda`, serverless-offline, or
 * `"aws"` for the real service) through `@aws-sdk/client-lambda`; otherwise the task fails with
 * `Lambda.ResourceNotFoundException`, as on AWS for a function that does not exist.
 *
 * Answers and errors are shaped as Step Functions shapes Lambda's: the result carries
 * ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata and StatusCode; a function error
 * fails the task with Error = the payload's `errorType` and Cause = the error payload's text as
 * the runtime wrote it; errors of the Lambda service are `Lambda.<Exception>`.
 */
import type { FunctionConfig } from '../config/types.js';
import type { FunctionResult, LocalFunctions } from '../runtime/functions/index.js';
import { endpointFor, type AwsClients, type AwsSettings } from './aws-clients.js';
import type { AfterCrash, Integration, IntegrationCall, IntegrationOutcome } from './integration.js';

export interface LambdaOptions {
  readonly functions: Readonly<Record<string, FunctionConfig>>;
  /** Runs the configured functions (created by the caller, which closes it). */
  readonly local: LocalFunctions;
  /** For a Lambda API endpoint; undefined when none can be reached. */
  readonly clients?: AwsClients;
  readonly region: string;
  readonly accountId: string;
}

/** A function reference as Invoke accepts it: a name, a partial ARN or a full ARN, with an optional qualifier. */
export interface FunctionReference {
  readonly name: string;
  readonly qualifier?: string;
  readonly region?: string;
  readonly accountId?: string;
}

const FULL_ARN = /^arn:[\w-]+:lambda:([\w-]+):(\d{12}):function:([\w-]{1,64})(?::([\w$-]{1,128}))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([\w-]{1,64})(?::([\w$-]{1,128}))?$/;
const NAME = /^([\w-]{1,64})(?::([\w$-]{1,128}))?$/;

/** Parses FunctionName as Lambda's Invoke does; undefined when it is none of the accepted forms. */
export function parseFunctionName(text: string): FunctionReference | undefined {
  let m = FULL_ARN.exec(text);
  if (m) return { name: m[3]!, region: m[1]!, accountId: m[2]!, ...(m[4] !== undefined ? { qualifier: m[4] } : {}) };
  m = PARTIAL_ARN.exec(text);
  if (m) return { name: m[2]!, accountId: m[1]!, ...(m[3] !== undefined ? { qualifier: m[3] } : {}) };
  m = NAME.exec(text);
  if (m) return { name: m[1]!, ...(m[2] !== undefined ? { qualifier: m[2] } : {}) };
  return undefined;
}

/** Whether functions the configuration does not declare go to a Lambda API (an endpoint, or `"aws"`). */
export function hasLambdaApi(settings: AwsSettings): boolean {
  return settings.endpoints.lambda === 'aws' || endpointFor('lambda', settings) !== undefined;
}

/** Lambda's limit on a synchronous invocation's request and response payloads. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export function createLambdaIntegration(options: LambdaOptions): Integration {
  const remote = () => options.clients !== undefined && hasLambdaApi(options.clients.settings);

  return {
    name: 'lambda',
    handles: ({ resource, service, action, pattern }) =>
      resource.kind === 'lambda' || (service === 'lambda' && action === 'invoke' && (pattern === 'request-response' || pattern === 'wait-for-task-token')),
    afterCrash: (): AfterCrash => ({
      // Lambda.ServiceException is what AWS's recommended Retry for Lambda tasks names, so a
      // definition that retries Lambda's transient errors invokes the function again.
      error: 'Lambda.ServiceException',
      cause: 'The function was being invoked when Stepwise stopped, and its answer was lost; it is not invoked again unless a Retry says so (at most once, as Standard workflows run tasks).',
    }),
    async call(call: IntegrationCall): Promise<IntegrationOutcome> {
      const bare = call.resource.kind === 'lambda';
      const request = bare ? { FunctionName: call.resource.arn, Payload: call.parameters } : (call.parameters as Record<string, unknown> | null);
      if (request === null || typeof request !== 'object' || Array.isArray(request) || typeof request.FunctionName !== 'string') {
        return { ok: false, error: 'States.Runtime', cause: "The lambda:invoke task needs a FunctionName (a function's name or ARN) in its Parameters/Arguments." };
      }
      const reference = parseFunctionName(request.FunctionName);
      if (!reference) {
        return serviceError('InvalidParameterValueException', 400, `1 validation error detected: Value '${request.FunctionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`, call.requestId);
      }
      const invocationType = request.InvocationType ?? 'RequestResponse';
      if (invocationType !== 'RequestResponse' && invocationType !== 'Event' && invocationType !== 'DryRun') {
        return serviceError('InvalidParameterValueException', 400, `1 validation error detected: Value '${String(invocationType)}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`, call.requestId);
      }
      const payloadText = request.Payload === undefined ? '{}' : typeof request.Payload === 'string' ? request.Payload : JSON.stringify(request.Payload);
      if (Buffer.byteLength(payloadText) > MAX_PAYLOAD_BYTES) {
        return serviceError('RequestTooLargeException', 413, 'Request must be smaller than 6291456 bytes for the InvokeFunction operation', call.requestId);
      }

      const local = options.functions[reference.name];
      if (local !== undefined && options.local.has(reference.name)) {
        if (invocationType === 'DryRun') return { ok: true, output: bare ? null : invokeResult(204, '', '$LATEST', call.requestId) };
        // The function gets the Payload's JSON value as it is (a string stays a string).
        const event: unknown = request.Payload === undefined ? {} : request.Payload;
        if (invocationType === 'Event') {
          // Asynchronous: Lambda answers 202 at once and runs the function on its own.
          void options.local.invoke(reference.name, { event, requestId: call.requestId, region: options.region, accountId: options.accountId });
          return { ok: true, output: bare ? null : invokeResult(202, '', '$LATEST', call.requestId) };
        }
        const result = await options.local.invoke(reference.name, { event, requestId: call.requestId, signal: call.signal, region: options.region, accountId: options.accountId });
        return answer(result, local.Runtime ?? 'nodejs20.x', bare, '$LATEST', call.requestId);
      }
      if (remote()) return invokeRemote(options.clients!, request, reference, payloadText, invocationType, bare, call);
      const arn = `arn:aws:lambda:${reference.region ?? options.region}:${reference.accountId ?? options.accountId}:function:${reference.name}${reference.qualifier !== undefined ? `:${reference.qualifier}` : ''}`;
      return serviceError(
        'ResourceNotFoundException',
        404,
        `Function not found: ${arn}. Stepwise: declare '${reference.name}' in the "functions" of stepwise.config.json, or set LAMBDA_ENDPOINT to a Lambda API`,
        call.requestId,
      );
    },
  };
}

/** Step Functions' answer for a finished invocation (payload text as the function's runtime wrote it). */
function answer(result: FunctionResult, runtime: string, bare: boolean, executedVersion: string, requestId: string): IntegrationOutcome {
  if (!result.ok) {
    const cause = errorPayloadText(result, runtime, requestId);
    // Lambda reports timeouts, crashes and out-of-memory as unhandled errors of the sandbox or
    // runtime; Step Functions names those Lambda.Unknown ("Unhandled errors in Lambda are reported
    // as Lambda.Unknown ... These include out-of-memory errors and function timeouts").
    const unhandled = /^(Sandbox\.|Runtime\.(ExitError|OutOfMemory))/.test(result.errorType);
    return { ok: false, error: unhandled ? 'Lambda.Unknown' : result.errorType || 'Lambda.Unknown', cause };
  }
  // Lambda's 6 MB response limit is LocalFunctions' to apply (Function.ResponseSizeTooLarge).
  const text = result.payload === undefined ? 'null' : JSON.stringify(result.payload);
  return { ok: true, output: bare ? (result.payload ?? null) : invokeResult(200, text, executedVersion, requestId, result.payload ?? null) };
}

/**
 * The error payload's text as each runtime writes it: Node's runtime compact JSON with
 * errorType, errorMessage and trace; Python's json.dumps (", " and ": " separators) with
 * errorMessage, errorType, requestId and stackTrace. Step Functions passes it as the Cause.
 */
function errorPayloadText(result: Extract<FunctionResult, { ok: false }>, runtime: string, requestId: string): string {
  if (runtime.startsWith('python')) {
    const fields: Record<string, unknown> = { errorMessage: result.errorMessage, errorType: result.errorType, requestId, stackTrace: result.trace ?? [] };
    return pythonJson(fields);
  }
  return JSON.stringify({ errorType: result.errorType, errorMessage: result.errorMessage, ...(result.trace !== undefined ? { trace: result.trace } : {}) });
}

/** JSON as Python's json.dumps writes it by default (separators ", " and ": ", non-ASCII escaped). */
function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${asciiJson(k)}: ${pythonJson(v)}`).join(', ')}}`;
  }
  return typeof value === 'string' ? asciiJson(value) : JSON.stringify(value);
}

function asciiJson(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * lambda:invoke's answer: Step Functions gives the Invoke response with its HTTP metadata.
 * The headers are the ones Lambda sends (values as AWS's SDK for Java reports them).
 */
function invokeResult(statusCode: number, payloadText: string, executedVersion: string, requestId: string, payload?: unknown, logResult?: string): Record<string, unknown> {
  const date = new Date().toUTCString();
  const traceId = `root=1-${Math.floor(Date.now() / 1000).toString(16)}-${requestId.replace(/-/g, '').slice(0, 24)};sampled=0`;
  const length = String(Buffer.byteLength(payloadText));
  const headers: Record<string, string> = {
    Connection: 'keep-alive',
    'Content-Length': length,
    'Content-Type': 'application/json',
    Date: date,
    'X-Amz-Executed-Version': executedVersion,
    ...(logResult !== undefined ? { 'X-Amz-Log-Result': logResult } : {}),
    'x-amzn-Remapped-Content-Length': '0',
    'x-amzn-RequestId': requestId,
    'X-Amzn-Trace-Id': traceId,
  };
  const allHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) allHeaders[k] = [v];
  return {
    ExecutedVersion: executedVersion,
    ...(logResult !== undefined ? { LogResult: logResult } : {}),
    Payload: payload === undefined ? (payloadText === '' ? '' : parseJsonOr(payloadText)) : payload,
    SdkHttpMetadata: { AllHttpHeaders: allHeaders, HttpHeaders: headers, HttpStatusCode: statusCode },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: statusCode,
  };
}

/** A Lambda service error, named and worded as Step Functions reports it (the SDK for Java's message). */
function serviceError(code: string, status: number, message: string, requestId: string): IntegrationOutcome {
  return { ok: false, error: `Lambda.${code}`, cause: `${message} (Service: AWSLambda; Status Code: ${status}; Error Code: ${code}; Request ID: ${requestId}; Proxy: null)` };
}

/** Invokes through a Lambda API (`@aws-sdk/client-lambda`). */
async function invokeRemote(
  clients: AwsClients,
  request: Record<string, unknown>,
  reference: FunctionReference,
  payloadText: string,
  invocationType: string,
  bare: boolean,
  call: IntegrationCall,
): Promise<IntegrationOutcome> {
  let client: { send(command: unknown, options?: unknown): Promise<unknown> };
  let module: Record<string, unknown>;
  try {
    ({ client, module } = await clients.client('lambda', '@aws-sdk/client-lambda', 'LambdaClient'));
  } catch (e) {
    return { ok: false, error: 'States.Runtime', cause: (e as Error).message };
  }
  const Invoke = module.InvokeCommand as new (input: unknown) => unknown;
  try {
    const response = (await client.send(
      new Invoke({
        FunctionName: request.FunctionName,
        ...(reference.qualifier === undefined && typeof request.Qualifier === 'string' ? { Qualifier: request.Qualifier } : {}),
        InvocationType: invocationType,
        Payload: Buffer.from(payloadText),
        ...(typeof request.ClientContext === 'string' ? { ClientContext: request.ClientContext } : {}),
        ...(request.LogType === 'Tail' ? { LogType: 'Tail' } : {}),
      }),
      { abortSignal: call.signal },
    )) as { StatusCode?: number; FunctionError?: string; Payload?: Uint8Array; ExecutedVersion?: string; LogResult?: string; $metadata?: { requestId?: string } };
    const requestId = response.$metadata?.requestId ?? call.requestId;
    const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
    const executed = response.ExecutedVersion ?? '$LATEST';
    if (response.FunctionError) {
      const parsed = parseJsonOr(text) as { errorType?: unknown } | null;
      const errorType = parsed !== null && typeof parsed === 'object' && typeof parsed.errorType === 'string' ? parsed.errorType : undefined;
      const unhandled = errorType === undefined || /^(Sandbox\.|Runtime\.(ExitError|OutOfMemory))/.test(errorType);
      return { ok: false, error: unhandled ? 'Lambda.Unknown' : errorType, cause: text };
    }
    const status = response.StatusCode ?? 200;
    if (bare) return { ok: true, output: text === '' ? null : parseJsonOr(text) };
    return { ok: true, output: invokeResult(status, text, executed, requestId, undefined, response.LogResult) };
  } catch (e) {
    if (call.signal.aborted) return { ok: false, error: 'States.Runtime', cause: 'The invocation was cancelled.' };
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    const status = err.$metadata?.httpStatusCode;
    if (status === undefined) return { ok: false, error: 'Lambda.SdkClientException', cause: `Unable to execute HTTP request: ${err.message ?? String(e)}` };
    return serviceError(err.name ?? 'AWSLambdaException', status, err.message ?? '', err.$metadata?.requestId ?? call.requestId);
  }
}
