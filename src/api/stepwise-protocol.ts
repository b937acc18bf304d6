/**
 * Stepwise's own actions, for what AWS has no API for: the HTTP triggers of the configuration
 * file, the dead-letter list (AWS sends undeliverable firings and events to an SQS queue), and
 * what started an execution. Same conventions as the Step Functions API (AWS JSON 1.0 on `POST /`,
 * `X-Amz-Target: Stepwise.<Action>`, camelCase members, errors as `{__type, message}`), so the
 * console, the CLI and any HTTP client reach them like the rest, and the access checks that
 * guard the API guard these too.
 *
 *   Stepwise.ListHttpTriggers        {}                                   → {triggers: [...]}
 *   Stepwise.ListDeadLetters         {source?, sourceArn?, maxResults?, nextToken?} → {deadLetters, nextToken?}
 *   Stepwise.DeleteDeadLetters       {ids: [...]}                         → {deleted}
 *   Stepwise.DescribeExecutionOrigin {executionArn}                       → {startedBy: {type: 'api'|'schedule'|'route'|'rule'|'parent', …}}
 *   Stepwise.GetCallerIdentity       {}                                   → {accessKeyId, name, arn}
 *   Stepwise.SimulatePolicy          {checks: [{action, resource}, …]}    → {results: [{action, resource, allowed}]}
 *
 * GetCallerIdentity and SimulatePolicy are about the key that signed the request (with a keys
 * file; any valid key may call them, as any may call sts:GetCallerIdentity): the console asks
 * them who signed in and which of its buttons the key may use. SimulatePolicy evaluates the
 * caller's own identity policies (src/auth/policy.ts), never another key's. Without a keys file
 * nobody signs: GetCallerIdentity answers `{"arn": "anonymous"}` and SimulatePolicy allows
 * everything, which is what the API then does.
 */
import type { AccessKey } from '../auth/keys-file.js';
import { evaluate } from '../auth/policy.js';
import type { HttpTriggerConfig } from '../config/types.js';
import { InvalidPageToken } from '../store/errors.js';
import type { DeadLetterRecord, StartedBy } from '../store/types.js';
import type { ApiContext } from './context.js';
import { AwsError } from './errors.js';
import { errorResponse, responseHeaders, type ApiResponse } from './protocol.js';
import { toJson } from './wire.js';

export const STEPWISE_TARGET_PREFIX = 'Stepwise.';

/** What the server knows beyond the store: its configured HTTP triggers. */
export interface StepwiseActionsSource {
  readonly httpTriggers: readonly HttpTriggerConfig[];
  /** The name an execution records for the trigger (`<METHOD> <path>`). */
  readonly routeName: (trigger: HttpTriggerConfig) => string;
}

const MAX_RESULTS = 1000;
const MAX_IDS = 100;
/** SimulatePolicy's checks per call (IAM's SimulatePrincipalPolicy pages at 1,000; one console page needs a few). */
const MAX_CHECKS = 100;
/** `service:Action`, as IAM names actions (no wildcards: a check is one action). */
const IAM_ACTION = /^[a-z0-9-]{1,64}:[A-Za-z0-9]{1,128}$/;

/** Who signed the request: its access key, or undefined when the server has no keys file. */
export type Caller = AccessKey | undefined;

export async function handleStepwiseRequest(ctx: ApiContext, source: StepwiseActionsSource, target: string, body: Uint8Array | string, requestId: string, caller?: Caller): Promise<ApiResponse> {
  try {
    const request = parseBody(body);
    const result = await run(ctx, source, target.slice(STEPWISE_TARGET_PREFIX.length), request, caller);
    return { status: 200, body: toJson(result), headers: responseHeaders(requestId) };
  } catch (e) {
    if (e instanceof AwsError) return errorResponse(e, requestId);
    if (e instanceof InvalidPageToken) return errorResponse(new AwsError('InvalidToken', 'Invalid Token', 400), requestId);
    throw e;
  }
}

async function run(ctx: ApiContext, source: StepwiseActionsSource, action: string, request: Record<string, unknown>, caller: Caller): Promise<Record<string, unknown>> {
  switch (action) {
    case 'GetCallerIdentity':
      // The principal's ARN as AccessDeniedException messages name it (authorize.ts).
      return caller ? { accessKeyId: caller.accessKeyId, name: caller.name, arn: `arn:aws:iam::${ctx.config.accountId}:user/${caller.name}` } : { arn: 'anonymous' };
    case 'SimulatePolicy':
      return { results: checksOf(request).map((check) => ({ ...check, allowed: caller === undefined || evaluate(caller.policies, check.action, [check.resource]).decision === 'allow' })) };
    case 'ListHttpTriggers':
      return {
        triggers: source.httpTriggers.map((trigger) => ({
          name: source.routeName(trigger),
          method: trigger.method,
          path: trigger.path,
          stateMachineArn: trigger.stateMachine.startsWith('arn:') ? trigger.stateMachine : `arn:aws:states:${ctx.config.region}:${ctx.config.accountId}:stateMachine:${trigger.stateMachine}`,
          input: trigger.input,
          wait: trigger.wait,
          // Which check guards it, never the secret.
          authorization: trigger.apiKey !== undefined ? 'API_KEY' : trigger.hmac !== undefined ? 'HMAC' : 'NONE',
        })),
      };
    case 'ListDeadLetters': {
      const filter = {
        ...(optionalEnum(request, 'source', ['schedule', 'rule']) !== undefined ? { source: request.source as 'schedule' | 'rule' } : {}),
        ...(optionalString(request, 'sourceArn', 2048) !== undefined ? { sourceArn: request.sourceArn as string } : {}),
      };
      const limit = optionalInteger(request, 'maxResults', 1, MAX_RESULTS) ?? 100;
      const nextToken = optionalString(request, 'nextToken', 4096);
      const page = await ctx.store.deadLetters.list(filter, { limit, ...(nextToken !== undefined ? { nextToken } : {}) });
      return { deadLetters: page.items.map(deadLetterOut), ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}) };
    }
    case 'DeleteDeadLetters': {
      const ids = request.ids;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS || ids.some((id) => typeof id !== 'string' || id.length > 256)) {
        throw validation(`ids must be a list of 1 to ${MAX_IDS} dead-letter ids`);
      }
      return { deleted: await ctx.store.deadLetters.remove(ids as string[]) };
    }
    case 'DescribeExecutionOrigin': {
      const arn = optionalString(request, 'executionArn', 2048);
      if (arn === undefined) throw validation("Value null at 'executionArn' failed to satisfy constraint: Member must not be null");
      const execution = await ctx.store.getExecution(arn);
      if (!execution) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`, 400);
      return { startedBy: originOf(execution.startedBy, execution.parentExecutionArn) };
    }
    default:
      throw new AwsError('UnknownOperationException', `Stepwise has no action ${action}: its own actions are ListHttpTriggers, ListDeadLetters, DeleteDeadLetters, DescribeExecutionOrigin, GetCallerIdentity and SimulatePolicy.`, 400);
  }
}

/** SimulatePolicy's `checks`: 1 to 100 `{action: "states:StartExecution", resource: "<ARN or *>"}`. */
function checksOf(request: Record<string, unknown>): { action: string; resource: string }[] {
  const checks = request.checks;
  if (!Array.isArray(checks) || checks.length === 0 || checks.length > MAX_CHECKS) throw validation(`Value at 'checks' failed to satisfy constraint: Member must be a list of 1 to ${MAX_CHECKS} checks`);
  return checks.map((check: unknown, index) => {
    const { action, resource } = (check !== null && typeof check === 'object' ? check : {}) as Record<string, unknown>;
    if (typeof action !== 'string' || !IAM_ACTION.test(action)) throw validation(`Value at 'checks.${index + 1}.member.action' failed to satisfy constraint: Member must be an IAM action like states:StartExecution`);
    if (typeof resource !== 'string' || resource.length === 0 || resource.length > 2048) throw validation(`Value at 'checks.${index + 1}.member.resource' failed to satisfy constraint: Member must be a string of 1 to 2048 characters`);
    return { action, resource };
  });
}

function originOf(startedBy: StartedBy | undefined, parentExecutionArn: string | undefined): Record<string, unknown> {
  if (startedBy?.type === 'schedule') return { type: 'schedule', arn: startedBy.arn, scheduledTime: startedBy.scheduledTime / 1000 };
  if (startedBy) return { ...startedBy };
  if (parentExecutionArn !== undefined) return { type: 'parent', arn: parentExecutionArn };
  return { type: 'api' };
}

/** Times in epoch seconds, as the Step Functions API gives them. */
function deadLetterOut(record: DeadLetterRecord): Record<string, unknown> {
  return { ...record, eventTime: record.eventTime / 1000, time: record.time / 1000 };
}

function parseBody(body: Uint8Array | string): Record<string, unknown> {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new AwsError('SerializationException', 'Malformed JSON in request body', 400);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AwsError('SerializationException', 'Request body must be a JSON object', 400);
  return value as Record<string, unknown>;
}

function validation(message: string): AwsError {
  return new AwsError('ValidationException', `1 validation error detected: ${message}`, 400);
}

function optionalString(request: Record<string, unknown>, name: string, max: number): string | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw validation(`Value at '${name}' failed to satisfy constraint: Member must be a string of 1 to ${max} characters`);
  return value;
}

function optionalEnum(request: Record<string, unknown>, name: string, values: readonly string[]): string | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !values.includes(value)) throw validation(`Value at '${name}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`);
  return value;
}

function optionalInteger(request: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw validation(`Value at '${name}' failed to satisfy constraint: Member must be an integer between ${min} and ${max}`);
  }
  return value;
}
