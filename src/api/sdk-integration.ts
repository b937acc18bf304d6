/**
 * The AWS SDK integration of Step Functions with itself, `arn:aws:states:::aws-sdk:sfn:<action>`,
 * answered by this server's own API actions: a workflow can start, describe, list or stop
 * executions, or answer a task token (the usual way a child tells a `.waitForTaskToken` parent
 * it is done), exactly as it would call Step Functions on AWS.
 *
 * As AWS's SDK integrations do: parameters are the API's members in PascalCase, and so is the
 * answer; timestamps come back as ISO-8601 text; an API error fails the task with
 * `Sfn.<Error>Exception` and the SDK's message as the cause.
 */
import { AwsError } from './errors.js';
import type { ApiContext } from './context.js';
import { readInput } from './input.js';
import { throttle } from './throttling.js';
import { operations } from './operations/index.js';

/** What an SDK integration call gives back: its answer, or the task's error and cause. */
export type SdkOutcome = { readonly ok: true; readonly output: unknown } | { readonly ok: false; readonly error: string; readonly cause: string };

/**
 * `callerExecutionArn` is the execution whose Task calls: an execution it starts counts among
 * its children (quotas.ts). Calls are throttled like a client's (a Task sees `Sfn.ThrottlingException`).
 */
export async function callSfnAction(
  ctx: ApiContext,
  action: string,
  parameters: unknown,
  requestId: string,
  callerExecutionArn?: string,
  /** With a keys file: the caller's role must allow the action (`states:<Action>`, the members as sent), else this AccessDenied fails the task. */
  authorize?: (iamAction: string, input: Record<string, unknown>) => Promise<AwsError | undefined>,
): Promise<SdkOutcome> {
  const name = action.charAt(0).toUpperCase() + action.slice(1);
  const op = Object.prototype.hasOwnProperty.call(operations, name) ? operations[name] : undefined;
  if (!op) return { ok: false, error: 'States.Runtime', cause: `The AWS SDK integration has no action '${action}' for service 'sfn'.` };
  try {
    throttle(ctx, name);
    const body = renameKeys(parameters ?? {}, lowerFirst);
    const shape = typeof op.input === 'function' ? op.input(ctx) : op.input;
    const members = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const input = readInput(members, shape);
    const refusal = await authorize?.(`states:${name}`, members);
    if (refusal) throw refusal;
    const result = await op.run(input, ctx, { requestId, signal: new AbortController().signal, ...(callerExecutionArn !== undefined ? { callerExecutionArn } : {}) });
    return { ok: true, output: renameKeys(result, upperFirst) };
  } catch (e) {
    if (!(e instanceof AwsError)) throw e;
    const code = e.type.replace(/^.*#/, ''); // InvalidDefinition's type carries its Coral namespace
    return {
      ok: false,
      error: `Sfn.${code.endsWith('Exception') ? code : `${code}Exception`}`,
      cause: `${e.message} (Service: Sfn, Status Code: ${e.statusCode}, Request ID: ${requestId}) (SDK Attempt Count: 1)`,
    };
  }
}

const lowerFirst = (key: string) => key.charAt(0).toLowerCase() + key.slice(1);
const upperFirst = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

/**
 * Renames the keys of every object inside `value` (the Step Functions API has no maps keyed by
 * user data, so every key is a member name). On the way out, `…Date` members, which the API
 * gives as epoch seconds, become ISO-8601 text.
 */
function renameKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameKeys(item, rename));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[rename(key)] = rename === upperFirst && key.endsWith('Date') && typeof v === 'number' ? new Date(v * 1000).toISOString() : renameKeys(v, rename);
  }
  return out;
}
