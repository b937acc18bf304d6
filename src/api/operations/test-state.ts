/**
 * TestState: runs one state on its own
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html and the
 * developer guide's https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html).
 * The state (the whole `definition`, or `stateName` of a full machine) becomes a small machine
 * whose transition targets are terminal placeholders; it runs in memory with `execute()` (Wait
 * states take no time), and the answer is read from its history (test-state-outcome.ts):
 *
 * - SUCCEEDED: the state's output and its `nextState` (the placeholder entered after it);
 * - CAUGHT_ERROR: a Catch handled an error: the error, cause, output and the catcher's Next;
 * - RETRIABLE: a Retrier applies to the error and is not used up (`retrierRetryCount`);
 * - FAILED: the error and cause.
 *
 * The state runs without its Retry: the engine never retries, and whether the error would have
 * been retried is decided afterwards, "as if" the retrier had been used retrierRetryCount times.
 *
 * A `mock` ({result} or {errorOutput}) answers a Task's call; without one the Task calls its
 * service, as on AWS: the server's integrations (stepwise.config.json's functions, HTTP, the AWS
 * services), once. A Task nothing answers fails with States.TaskFailed. A mocked Map or Parallel
 * does not run its iterations or branches: the mock is its whole result (test-state-fan-out.ts).
 * Without a mock a Map or Parallel runs in full, which AWS refuses ("TestState API does not
 * support Map or Parallel states" without a mock): kept as a Stepwise extension.
 *
 * `variables` are assigned before the state runs. `context` is the state's `$$`
 * (test-state-context.ts). At DEBUG and TRACE, inspectionData shows each processing step
 * (test-state-inspection.ts). `mock.fieldValidationMode` checks a mocked result against the
 * service's model (test-state-mock.ts).
 */
import { randomUUID } from 'node:crypto';
import { execute } from '../../index.js';
import type { TaskHandler } from '../../runtime/memory-driver.js';
import { parseJsonText } from '../../asl/validate/json-text.js';
import { validateDefinition } from '../../asl/validate.js';
import { classifyResource } from '../../engine/resources.js';
import { toJsonText } from '../../engine/events.js';
import { invalidDefinition, invalidExecutionInput, validation } from '../aws-errors.js';
import type { ApiContext } from '../context.js';
import { payload, shapes, str, struct } from '../input.js';
import { quoteDiagnostic } from '../machines.js';
import { parseIamRoleArn } from '../roles.js';
import { compact } from '../wire.js';
import { operation } from './operation.js';
import { defaultContext, parseContext, testExecutionArn } from './test-state-context.js';
import { checkErrorCausedByState, exceedsTolerance, fanOutAsTask, itemsProbe, mapSettings, mockResource, readerAnswer, type MapSettings } from './test-state-fan-out.js';
import { inspectionData, variableLookup } from './test-state-inspection.js';
import { checkMockedResult, mockAnswer, type MockAnswer, type MockInput } from './test-state-mock.js';
import { decideVerdict, readStateRun } from './test-state-outcome.js';

interface Input {
  definition: string;
  roleArn?: string;
  input?: string;
  inspectionLevel?: 'INFO' | 'DEBUG' | 'TRACE';
  revealSecrets?: boolean;
  variables?: string;
  stateName?: string;
  mock?: MockInput;
  context?: string;
  stateConfiguration?: {
    retrierRetryCount?: number;
    errorCausedByState?: string;
    mapIterationFailureCount?: number;
    mapItemReaderData?: string;
  };
}

type Json = Record<string, unknown>;

const VARIABLES_STATE = 'Stepwise TestState variables';
const STATE_MACHINE_NAME = 'TestState';

export const testState = operation<Input>(
  (ctx) =>
    struct(
      'TestStateInput',
      {
        definition: shapes.Definition,
        roleArn: shapes.Arn,
        input: payload(ctx.config.limits.maxPayloadBytes),
        inspectionLevel: str({ enum: ['INFO', 'DEBUG', 'TRACE'] }),
        revealSecrets: { kind: 'boolean' },
        variables: payload(ctx.config.limits.maxPayloadBytes),
        stateName: str({ min: 1, max: 80 }),
        mock: struct('MockInput', {
          result: payload(ctx.config.limits.maxPayloadBytes),
          errorOutput: struct('MockErrorOutput', { error: shapes.SensitiveError, cause: shapes.SensitiveCause }),
          fieldValidationMode: str({ enum: ['STRICT', 'PRESENT', 'NONE'] }),
        }),
        context: str({ max: 262_144, sensitive: true }),
        stateConfiguration: struct('TestStateConfiguration', {
          retrierRetryCount: { kind: 'integer', min: 0 },
          errorCausedByState: str({ min: 1, max: 80, sensitive: true }),
          mapIterationFailureCount: { kind: 'integer', min: 0 },
          mapItemReaderData: str({ max: 262_144, sensitive: true }),
        }),
      },
      ['definition'],
    ),
  async (input, ctx) => runTestState(input, ctx),
);

function parseJson(text: string, what: 'definition' | 'input' | 'variables'): unknown {
  const parsed = parseJsonText(text);
  if (parsed.ok) return parsed.value;
  const detail = parsed.message.split('\n at ')[0]!;
  if (what === 'definition') throw invalidDefinition(`'INVALID_JSON_DESCRIPTION: ${detail}'`);
  if (what === 'input') throw invalidExecutionInput(detail);
  throw validation(`Invalid variables: ${detail}`);
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The state under test, its name, the machine-level query language it inherits, and whether a Map runs it. */
function stateUnderTest(definition: unknown, stateName: string | undefined): { name: string; state: Json; language?: unknown; inMap: boolean } {
  if (stateName !== undefined) {
    // AWS tests a state "within a Map state (using the stateName parameter)" too: state names
    // are unique in a whole definition, so the name finds it at any depth.
    const found = isObject(definition) ? findState(definition, stateName, false) : undefined;
    if (!found) throw validation('State not found in definition');
    return { name: stateName, state: found.state, language: (definition as Json).QueryLanguage, inMap: found.inMap };
  }
  if (!isObject(definition) || typeof definition.Type !== 'string') {
    throw invalidDefinition(`'SCHEMA_VALIDATION_FAILED: These fields are required: [Type] at /'`);
  }
  return { name: 'TestState', state: definition, inMap: false };
}

/** The state named `name` in a graph or the Map processors and Parallel branches inside it. */
function findState(graph: Json, name: string, inMap: boolean): { state: Json; inMap: boolean } | undefined {
  if (!isObject(graph.States)) return undefined;
  const own = graph.States[name];
  if (isObject(own)) return { state: own, inMap };
  for (const state of Object.values(graph.States)) {
    if (!isObject(state)) continue;
    const processor = state.ItemProcessor ?? state.Iterator;
    const inner = isObject(processor) ? [processor] : Array.isArray(state.Branches) ? state.Branches.filter(isObject) : [];
    for (const child of inner) {
      const found = findState(child, name, isObject(processor) || inMap);
      if (found) return found;
    }
  }
  return undefined;
}

/** Every state name the tested state may transition to. */
function targetsOf(state: Json): Set<string> {
  const all = new Set<string>();
  if (typeof state.Next === 'string') all.add(state.Next);
  if (typeof state.Default === 'string') all.add(state.Default);
  if (Array.isArray(state.Choices)) for (const c of state.Choices) if (isObject(c) && typeof c.Next === 'string') all.add(c.Next);
  if (Array.isArray(state.Catch)) for (const c of state.Catch) if (isObject(c) && typeof c.Next === 'string') all.add(c.Next);
  return all;
}

/** The request, parsed and checked as AWS checks it. */
interface TestRequest {
  readonly name: string;
  /** The state as defined, with the query language it inherits. */
  readonly state: Json;
  readonly jsonata: boolean;
  readonly inputText: string;
  readonly input: unknown;
  readonly variables: Json;
  readonly answer: MockAnswer | undefined;
  readonly userContext: Json | undefined;
  readonly retrierRetryCount: number;
  readonly mapIterationFailureCount: number | undefined;
  readonly mapItemReaderData: string | undefined;
  /** The state runs inside a Map's ItemProcessor. */
  readonly inMap: boolean;
}

async function checkRequest(input: Input): Promise<TestRequest> {
  if (input.roleArn !== undefined) parseIamRoleArn(input.roleArn);
  const definition = parseJson(input.definition, 'definition');
  const { name, state: defined, language, inMap } = stateUnderTest(definition, input.stateName);
  const state: Json = { ...defined };
  if (language !== undefined && state.QueryLanguage === undefined) state.QueryLanguage = language;
  const inputText = input.input ?? '{}';
  const stateInput = parseJson(inputText, 'input');
  const variables = input.variables !== undefined ? parseJson(input.variables, 'variables') : {};
  if (!isObject(variables)) throw validation('Invalid variables: variables must be a JSON object');

  const errors = validateDefinition(machineFor(name, state, variables)).filter((d) => d.severity === 'ERROR');
  if (errors.length > 0) throw invalidDefinition(errors.map(quoteDiagnostic).join(', '));

  const answer = input.mock ? mockAnswer(input.mock, state, input.revealSecrets) : undefined;
  const resource = state.Type === 'Task' && typeof state.Resource === 'string' ? classifyResource(state.Resource) : undefined;
  if (!answer && state.Type === 'Task') {
    if (input.roleArn === undefined) throw validation('RoleArn must be specified when testing a Task state'); // AWS's words
    // AWS: these "need a mock": nothing can answer them in a test (no worker sees the task, no
    // one is given its token). The message is ours.
    if (resource?.kind === 'activity' || (resource?.kind === 'service' && resource.pattern === 'wait-for-task-token')) {
      throw validation('TestState supports Activity tasks and the .waitForTaskToken integration pattern only when a mock is specified.');
    }
  }

  let userContext: Json | undefined;
  if (input.context !== undefined) {
    // AWS: "This field may only be specified if a mock is specified in the same request." (message ours)
    if (!answer) throw validation('TestState accepts a context only when a mock is specified.');
    const hasTaskToken = resource !== undefined && (resource.kind === 'activity' || (resource.kind === 'service' && resource.pattern !== 'request-response'));
    userContext = parseContext(input.context, hasTaskToken);
  }

  const config = input.stateConfiguration ?? {};
  const fanOut = state.Type === 'Map' || state.Type === 'Parallel';
  if (config.retrierRetryCount !== undefined && state.Type !== 'Task' && !fanOut) {
    throw validation('stateConfiguration.retrierRetryCount applies only to Task, Map and Parallel states, which have a Retry.');
  }
  checkErrorCausedByState(state, config.errorCausedByState, answer !== undefined && 'error' in answer);
  if ((config.mapIterationFailureCount !== undefined || config.mapItemReaderData !== undefined) && (state.Type !== 'Map' || !answer)) {
    throw validation('stateConfiguration.mapIterationFailureCount and mapItemReaderData apply only to a Map state tested with a mock.');
  }
  if (answer && 'result' in answer) await checkMockedResult(state, answer.result, input.mock?.fieldValidationMode);
  return {
    name,
    state,
    jsonata: state.QueryLanguage === 'JSONata',
    inputText,
    input: stateInput,
    variables,
    answer,
    userContext,
    retrierRetryCount: config.retrierRetryCount ?? 0,
    mapIterationFailureCount: config.mapIterationFailureCount,
    mapItemReaderData: config.mapItemReaderData,
    inMap,
  };
}

/**
 * The machine a state runs in: the state, a placeholder Succeed state for each state it may go
 * to, and, when there are variables, a Pass state before it that assigns them.
 */
function machineFor(name: string, state: Json, variables: Json): Json {
  const States: Json = { [name]: state };
  for (const target of targetsOf(state)) if (target !== name) States[target] = { Type: 'Succeed' };
  if (Object.keys(variables).length === 0) return { StartAt: name, States };
  States[VARIABLES_STATE] = { Type: 'Pass', Assign: variables, Next: name };
  return { StartAt: VARIABLES_STATE, States };
}

function withoutRetry(state: Json): Json {
  const { Retry: _retry, ...rest } = state;
  return rest;
}

async function runTestState(input: Input, ctx: ApiContext): Promise<Record<string, unknown>> {
  const request = await checkRequest(input);
  const { name, state, answer } = request;
  const { region, accountId } = ctx.config;
  const executionName = randomUUID();
  const startTime = ctx.clock.now();
  const mockedFanOut = answer !== undefined && (state.Type === 'Map' || state.Type === 'Parallel');
  const fullFanOut = answer === undefined && (state.Type === 'Map' || state.Type === 'Parallel');
  const context =
    request.userContext ??
    defaultContext({
      region,
      accountId,
      stateMachineName: STATE_MACHINE_NAME,
      executionName,
      roleArn: input.roleArn,
      input: request.input,
      startTime,
      stateName: name,
      stateType: state.Type,
      inMap: request.inMap,
    });

  const run = (tested: Json, handler: TaskHandler | undefined) =>
    execute(machineFor(name, tested, request.variables), request.input, {
      waitTimeScale: 0,
      clock: ctx.clock,
      stateMachineName: STATE_MACHINE_NAME,
      executionName,
      context: {
        region,
        accountId,
        executionArn: testExecutionArn({ region, accountId, stateMachineName: STATE_MACHINE_NAME, executionName }),
        ...(input.roleArn ? { roleArn: input.roleArn } : {}),
      },
      // A Map or Parallel run in full keeps the context its inner states would see in an
      // execution; every other state sees the tested state's own.
      ...(fullFanOut ? {} : { contextOverride: context }),
      ...(handler ? { taskHandlers: { [name]: handler } } : {}),
      // The server's decision workers and limits: a TestState of a hostile state is stopped like an execution.
      ...ctx.runner.sandbox?.(),
    });

  const variables = variableLookup(request.variables);
  const settings: MapSettings | undefined =
    state.Type === 'Map' ? await mapSettings(state, { input: request.input, context, variables, jsonata: request.jsonata }) : undefined;

  // A mocked Map's items: the probe's output, or the error the Map raises before any iteration.
  let iterationInputs: unknown[] | undefined;
  let itemsError: { error: string; cause: string } | undefined;
  if (mockedFanOut && state.Type === 'Map') {
    const readerData = request.mapItemReaderData;
    const probeAnswer = readerData !== undefined ? readerAnswer(state, readerData) : undefined;
    const probed = await run(itemsProbe(state, readerData !== undefined), probeAnswer !== undefined ? () => probeAnswer : undefined);
    if (probed.status === 'SUCCEEDED' && Array.isArray(probed.output)) iterationInputs = probed.output;
    else itemsError = { error: probed.error ?? 'States.Runtime', cause: probed.cause ?? '' };
    const failures = request.mapIterationFailureCount;
    if (failures !== undefined && iterationInputs !== undefined && failures > iterationInputs.length) {
      throw validation(`stateConfiguration.mapIterationFailureCount (${failures}) cannot exceed the number of items (${iterationInputs.length}).`);
    }
  }

  const tested = mockedFanOut ? fanOutAsTask(state, mockResource(region, accountId)) : withoutRetry(state);
  const handler: TaskHandler | undefined = answer
    ? () => {
        if (itemsError) throw itemsError;
        if ('error' in answer) throw { error: answer.error, cause: answer.cause };
        const failures = request.mapIterationFailureCount;
        if (settings && iterationInputs && failures !== undefined && exceedsTolerance(settings, failures, iterationInputs.length)) {
          throw { error: 'States.ExceedToleratedFailureThreshold', cause: 'The specified tolerated failure threshold was exceeded' };
        }
        return answer.result;
      }
    : undefined;
  const result = await run(tested, handler);

  const stateRun = readStateRun(result.events, name);
  const verdict = decideVerdict({
    run: stateRun,
    executionError: { error: result.error, cause: result.cause },
    state,
    jsonata: request.jsonata,
    retrierRetryCount: request.retrierRetryCount,
    random: Math.random,
  });
  const inspection =
    input.inspectionLevel === 'DEBUG' || input.inspectionLevel === 'TRACE'
      ? inspectionData({
          state,
          jsonata: request.jsonata,
          inputText: request.inputText,
          input: request.input,
          context,
          variables: request.variables,
          run: stateRun,
          verdict,
          mocked: mockedFanOut,
          ...(settings ? { map: { iterationInputs, settings, readerData: request.mapItemReaderData !== undefined } } : {}),
        })
      : undefined;
  return compact({
    status: verdict.status,
    output: verdict.hasOutput ? toJsonText(verdict.output) : undefined,
    error: verdict.error,
    cause: verdict.cause,
    nextState: verdict.nextState,
    inspectionData: inspection,
  });
}
