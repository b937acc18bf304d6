/**
 * Which Task resources of a definition nothing would answer with a given configuration: a
 * function that is not declared (and no Lambda API to send it to), a service with no endpoint
 * and no credentials, a resource no integration knows. `stepwise run` prints them as a warning
 * before it runs, and the server logs them when a state machine is created or updated, so that a
 * missing declaration is found at validation rather than as a failed task.
 */
import { classifyResource } from '../engine/resources.js';
import { parseFunctionName } from '../integrations/lambda.js';
import type { TaskIntegrations } from './task-integrations.js';

/** What may answer tasks besides the configuration. */
export interface OtherAnswers {
  /** In-process handlers, by state name or resource ARN. */
  readonly handlers?: Readonly<Record<string, unknown>>;
  /** AWS SDK services the caller answers itself (the server: `sfn`). */
  readonly localSdkServices?: readonly string[];
  /** Whether `states:startExecution` tasks start children (the server; `run` with --state-machine). */
  readonly startsChildren?: boolean;
}

/** One line per resource nothing answers: `State 'X': <resource> — <why>`. */
export function unansweredResources(definition: unknown, integrations: TaskIntegrations, other: OtherAnswers = {}): string[] {
  const found: string[] = [];
  for (const { name, state } of taskStates(definition)) {
    const resource = typeof state.Resource === 'string' ? state.Resource : undefined;
    if (resource === undefined) continue; // a JSONata or templated resource is only known at run time
    if (other.handlers && (Object.prototype.hasOwnProperty.call(other.handlers, name) || Object.prototype.hasOwnProperty.call(other.handlers, resource))) continue;
    const why = whyUnanswered(name, resource, state, integrations, other);
    if (why !== undefined) found.push(`State '${name}': ${resource}: ${why}`);
  }
  return found;
}

function whyUnanswered(name: string, arn: string, state: Record<string, unknown>, integrations: TaskIntegrations, other: OtherAnswers): string | undefined {
  const resource = classifyResource(arn);
  if (resource.kind === 'activity') return undefined; // a worker answers it
  const command = { type: 'InvokeTask' as const, taskId: '', stateName: name, resource, input: staticParameters(state), context: {} };
  const answerer = integrations.answererFor(command);
  if (answerer?.via === 'route') return undefined;
  if (resource.kind === 'service') {
    if (resource.service === 'states' && resource.action.startsWith('startExecution')) return other.startsChildren ? undefined : 'no state machine to start (give it with --state-machine, or run on stepwise serve)';
    if (resource.service.startsWith('aws-sdk:') && other.localSdkServices?.includes(resource.service.slice('aws-sdk:'.length))) return undefined;
  }
  if (!answerer) {
    const because = integrations.unansweredBecause(command);
    if (because !== undefined) return because + (resource.kind === 'service' && resource.pattern === 'wait-for-task-token' ? ' The task waits for its token.' : '');
    return resource.kind === 'service' && resource.pattern !== 'request-response'
      ? 'no integration sends this request; the task waits for SendTaskSuccess/SendTaskFailure with its token'
      : 'no integration answers this resource';
  }
  if (answerer.integration.name === 'http') {
    const connectionArn = ((command.input as { Authentication?: { ConnectionArn?: unknown } } | null)?.Authentication ?? {}).ConnectionArn;
    if (typeof connectionArn !== 'string') return undefined;
    const name = /^arn:[\w-]+:events:[\w-]*:\d*:connection\/([^/]+)/.exec(connectionArn)?.[1];
    if (name === undefined || Object.prototype.hasOwnProperty.call(integrations.config.connections, name)) return undefined;
    return `the connection '${name}' is not declared in "connections" of stepwise.config.json`;
  }
  if (answerer.integration.name === 'lambda') {
    const functionName = resource.kind === 'lambda' ? resource.arn : (command.input as { FunctionName?: unknown } | null)?.FunctionName;
    if (typeof functionName !== 'string') return undefined; // a path or expression: known at run time
    const reference = parseFunctionName(functionName);
    if (!reference) return `'${functionName}' is not a function name or ARN`;
    if (Object.prototype.hasOwnProperty.call(integrations.config.functions, reference.name) || integrations.hasLambdaApi()) return undefined;
    return `the function '${reference.name}' is not declared in "functions" of stepwise.config.json, and no Lambda API is set (LAMBDA_ENDPOINT)`;
  }
  return undefined;
}

/** The fields of Parameters/Arguments that are written out (not paths or expressions). */
function staticParameters(state: Record<string, unknown>): unknown {
  const given = (state.Arguments ?? state.Parameters) as unknown;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    if (!key.endsWith('.$') && !(typeof value === 'string' && value.startsWith('{%'))) out[key] = value;
  }
  return out;
}

/** Every Task state of a definition, in Parallel branches and Map processors too. */
function* taskStates(definition: unknown): Generator<{ name: string; state: Record<string, unknown> }> {
  if (definition === null || typeof definition !== 'object') return;
  const states = (definition as { States?: unknown }).States;
  if (states === null || typeof states !== 'object') return;
  for (const [name, value] of Object.entries(states as Record<string, unknown>)) {
    if (value === null || typeof value !== 'object') continue;
    const state = value as Record<string, unknown>;
    if (state.Type === 'Task') yield { name, state };
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) for (const branch of state.Branches) yield* taskStates(branch);
    if (state.Type === 'Map') yield* taskStates(state.ItemProcessor ?? state.Iterator);
  }
}
