/**
 * Making one AWS SDK call for a Task: bounded in time, stopped when the task is cancelled, and,
 * for the optimized integrations (DynamoDB, SQS, SNS, EventBridge), answered the way Step
 * Functions answers them: the service's result with the SDK for Java 1.x's `SdkHttpMetadata` and
 * `SdkResponseMetadata` added, or its error named as that SDK names it (aws-errors.ts).
 */
import { MissingClientPackage, type AwsClients } from './aws-clients.js';
import { clientFailure, isServiceError, sdkV1Failure, type V1Naming } from './aws-errors.js';
import { fromSdkOutput, operationShapes, toSdkInput, type OperationShapes } from './aws-shapes.js';
import type { IntegrationOutcome } from './integration.js';

export interface SdkClient {
  send(command: unknown, options?: unknown): Promise<unknown>;
}

type CommandClass = new (input: unknown) => { middlewareStack?: { add(middleware: unknown, options: unknown): void } };

/** Raised instead of the SDK's abort when a call outlived its time limit. */
class CallTimedOut extends Error {
  override readonly name = 'CallTimedOut';
}

/**
 * Sends `command`, giving up after `timeoutMs` (the SDK's retries included) or when `signal` is
 * aborted. A timer per call, cleared at the answer (no pending timer per finished call).
 */
export async function sendBounded(client: SdkClient, command: unknown, signal: AbortSignal, timeoutMs: number): Promise<unknown> {
  const controller = new AbortController();
  const stop = () => controller.abort(signal.reason);
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(() => controller.abort(new CallTimedOut(`no answer within ${Math.round(timeoutMs / 1000)} seconds`)), timeoutMs);
  try {
    return await client.send(command, { abortSignal: controller.signal });
  } catch (e) {
    // The SDK reports its abort as an AbortError; say why it was aborted.
    if (controller.signal.aborted && controller.signal.reason instanceof CallTimedOut) throw controller.signal.reason;
    throw e;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stop);
  }
}

const shapesByCommand = new WeakMap<object, OperationShapes>();

/** The model of a command class (read once per class from an instance). */
export function commandShapes(packageName: string, Command: new (input: unknown) => unknown): OperationShapes {
  let shapes = shapesByCommand.get(Command);
  if (!shapes) {
    shapes = operationShapes(packageName, new Command({}));
    shapesByCommand.set(Command, shapes);
  }
  return shapes;
}

/** The HTTP response an optimized integration reports: status and headers as the server sent them (names' case kept). */
interface RawResponse {
  readonly statusCode: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** Records the HTTP response of `command` (innermost in its middleware, before the body is read). */
function captureResponse(command: InstanceType<CommandClass>, record: (response: RawResponse) => void): void {
  command.middlewareStack?.add(
    (next: (args: unknown) => Promise<{ response?: unknown }>) => async (args: unknown) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; headers?: Record<string, string>; body?: { rawHeaders?: string[] } } | undefined;
      if (response && typeof response.statusCode === 'number') {
        const raw = response.body?.rawHeaders;
        const headers: Array<readonly [string, string]> = [];
        if (Array.isArray(raw)) for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i]!, raw[i + 1]!]);
        else for (const [name, value] of Object.entries(response.headers ?? {})) headers.push([name, value]);
        record({ statusCode: response.statusCode, headers });
      }
      return result;
    },
    { step: 'deserialize', name: 'stepwiseRawResponse', priority: 'low' },
  );
}

/**
 * The SDK for Java 1.x's response metadata as Step Functions adds it to DynamoDB, SQS and SNS
 * results: every header with all its values, the headers once more in a case-insensitive sorted
 * map (the last value of a repeated header), the status, and the request id.
 */
function responseMetadata(response: RawResponse | undefined, requestId: string | undefined): Record<string, unknown> {
  const all: Record<string, string[]> = {};
  const single = new Map<string, [string, string]>();
  for (const [name, value] of response?.headers ?? []) {
    (all[name] ??= []).push(value);
    single.set(name.toUpperCase(), [name, value]);
  }
  // Java's String.CASE_INSENSITIVE_ORDER compares upper-cased characters.
  const sorted = [...single.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
  return {
    SdkHttpMetadata: { AllHttpHeaders: all, HttpHeaders: Object.fromEntries(sorted), HttpStatusCode: response?.statusCode ?? 200 },
    SdkResponseMetadata: { RequestId: requestId ?? null },
  };
}

/** Keys in alphabetical order, as Step Functions writes the results of optimized integrations. */
function sortedKeys(value: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = value[key];
  return sorted;
}

/** An optimized integration's service: its client and how Step Functions names its errors. */
export interface OptimizedService extends V1Naming {
  /** The endpoint's service id (aws-clients.ts): `dynamodb`, `sqs`, `sns`, `eventbridge`. */
  readonly service: string;
  readonly packageName: string;
  readonly clientClass: string;
  /** Whether results carry SdkHttpMetadata and SdkResponseMetadata (DynamoDB, SQS and SNS results do; EventBridge's do not). */
  readonly httpMetadata: boolean;
}

/**
 * Optimized calls wait at most this long for the service, the SDK's retries included: these
 * APIs answer in milliseconds, so a silent endpoint fails the task (`<Prefix>.SdkClientException`,
 * which a Retry can take) instead of holding it until its TimeoutSeconds (99999999 by default).
 */
export const OPTIMIZED_CALL_TIMEOUT_MS = 2 * 60_000;

/** The result of an optimized call, as an object, or the failure AWS reports. */
export type OptimizedOutcome = { readonly ok: true; readonly output: Record<string, unknown> } | Extract<IntegrationOutcome, { ok: false }>;

function failed(error: string, cause: string): OptimizedOutcome {
  return { ok: false, error, cause };
}

/** Calls `<action>Command` of an optimized integration's service with a Task's parameters. */
export async function callOptimized(clients: AwsClients, service: OptimizedService, commandName: string, parameters: unknown, signal: AbortSignal): Promise<OptimizedOutcome> {
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    const kind = Array.isArray(parameters) ? 'an array' : parameters === null ? 'null' : typeof parameters;
    return failed('States.Runtime', `The parameters of a ${service.prefix} task must be a JSON object, not ${kind}.`);
  }
  let client: SdkClient;
  let module: Record<string, unknown>;
  try {
    ({ client, module } = await clients.client(service.service, service.packageName, service.clientClass));
  } catch (e) {
    // A package Stepwise loads on demand and that is not installed: no Retry can mend that.
    if (e instanceof MissingClientPackage) return failed('States.Runtime', e.message);
    throw e;
  }
  const Command = module[`${commandName}Command`] as CommandClass | undefined;
  if (typeof Command !== 'function') return failed('States.Runtime', `The package '${service.packageName}' has no ${commandName}Command.`);
  const shapes = commandShapes(service.packageName, Command);
  const command = new Command(toSdkInput(parameters, shapes.input));
  let response: RawResponse | undefined;
  if (service.httpMetadata) captureResponse(command, (r) => (response = r));
  let output: Record<string, unknown>;
  try {
    output = (await sendBounded(client, command, signal, OPTIMIZED_CALL_TIMEOUT_MS)) as Record<string, unknown>;
  } catch (e) {
    const named = isServiceError(e) ? sdkV1Failure(e, service, module) : clientFailure(service.prefix, e, false);
    return failed(named.error, named.cause);
  }
  const result = (fromSdkOutput(output, shapes.output) ?? {}) as Record<string, unknown>;
  if (!service.httpMetadata) return { ok: true, output: sortedKeys(result) };
  const requestId = (output.$metadata as { requestId?: string } | undefined)?.requestId;
  return { ok: true, output: sortedKeys({ ...result, ...responseMetadata(response, requestId) }) };
}
