/**
 * TestState: runs one state on its own. The state (the whole `definition`, or `stateName` of a
 * full machine) becomes a small machine whose transition targets are terminal placeholders; it
 * runs in memory with `execute()` (Wait states and retry back-offs take no time), and the answer
 * is read from its history:
 *
 * - SUCCEEDED: the state's output and its `nextState` (the placeholder entered after it);
 * - CAUGHT_ERROR: a Catch handled an error: the error, cause, output and the catcher's Next;
 * - RETRIABLE: a Retrier matched a Task's failure (the test stops at the first retry);
 * - FAILED: the error and cause.
 *
 * A Task state with `mock` ({result} or {errorOutput}) gets that answer; without one it calls its
 * service, as on AWS: the server's integrations (stepwise.config.json's functions, HTTP, the AWS
 * services), once — a Retrier that matches stops the test (RETRIABLE) before a second call. A
 * Task nothing answers fails with States.TaskFailed. `variables` are assigned before the state runs.
 * At DEBUG and TRACE, inspectionData holds the state's input, and for a Task the parameters it
 * sent (afterParameters) and the result it got; the other processing steps are not reported.
 * `context`, `stateConfiguration` and `mock.fieldValidationMode` are accepted and ignored.
 */
import { execute } from '../../index.js';
import type { TaskAnswerers } from '../../runtime/task-integrations.js';
import { parseJsonText } from '../../asl/validate/json-text.js';
import { validateDefinition } from '../../asl/validate.js';
import type { HistoryEvent } from '../../engine/events.js';
import { toJsonText } from '../../engine/events.js';
import { invalidDefinition, invalidExecutionInput, validation } from '../aws-errors.js';
import type { ApiContext } from '../context.js';
import { payload, shapes, str, struct } from '../input.js';
import { quoteDiagnostic } from '../machines.js';
import { parseIamRoleArn } from '../roles.js';
import { compact } from '../wire.js';
import { operation } from './operation.js';

interface Input {
  definition: string;
  roleArn?: string;
  input?: string;
  inspectionLevel?: 'INFO' | 'DEBUG' | 'TRACE';
  variables?: string;
  stateName?: string;
  mock?: { result?: string; errorOutput?: { error?: string; cause?: string } };
}

type Json = Record<string, unknown>;

const VARIABLES_STATE = 'Stepwise TestState variables';

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
        context: str({ sensitive: true }),
        stateConfiguration: struct('TestStateConfiguration', {
          retrierRetryCount: { kind: 'integer', min: 0 },
          errorCausedByState: str(),
          mapIterationFailureCount: { kind: 'integer', min: 0 },
          mapItemReaderData: str({ sensitive: true }),
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

/** The state under test, its name and the machine-level query language it inherits. */
function stateUnderTest(definition: unknown, stateName: string | undefined): { name: string; state: Json; language?: unknown } {
  if (stateName !== undefined) {
    const states = isObject(definition) && isObject(definition.States) ? definition.States : undefined;
    const state = states?.[stateName];
    if (!isObject(state)) throw validation('State not found in definition');
    return { name: stateName, state, language: (definition as Json).QueryLanguage };
  }
  if (!isObject(definition) || typeof definition.Type !== 'string') {
    throw invalidDefinition(`'SCHEMA_VALIDATION_FAILED: These fields are required: [Type] at /'`);
  }
  return { name: 'TestState', state: definition };
}

/** Every state name the tested state may transition to, with the ones its Catchers go to. */
function targetsOf(state: Json): { all: Set<string>; caught: Set<string> } {
  const all = new Set<string>();
  const caught = new Set<string>();
  if (typeof state.Next === 'string') all.add(state.Next);
  if (typeof state.Default === 'string') all.add(state.Default);
  if (Array.isArray(state.Choices)) for (const c of state.Choices) if (isObject(c) && typeof c.Next === 'string') all.add(c.Next);
  if (Array.isArray(state.Catch)) {
    for (const c of state.Catch) {
      if (isObject(c) && typeof c.Next === 'string') {
        all.add(c.Next);
        caught.add(c.Next);
      }
    }
  }
  return { all, caught };
}

async function runTestState(input: Input, ctx: ApiContext): Promise<Record<string, unknown>> {
  if (input.roleArn !== undefined) parseIamRoleArn(input.roleArn);
  const definition = parseJson(input.definition, 'definition');
  const { name, state, language } = stateUnderTest(definition, input.stateName);
  const stateInput = parseJson(input.input ?? '{}', 'input');
  const variables = input.variables !== undefined ? parseJson(input.variables, 'variables') : undefined;
  if (variables !== undefined && !isObject(variables)) throw validation('Invalid variables: variables must be a JSON object');

  const targets = targetsOf(state);
  const tested: Json = { ...state };
  if (language !== undefined && tested.QueryLanguage === undefined) tested.QueryLanguage = language;
  const States: Json = { [name]: tested };
  for (const target of targets.all) if (target !== name) States[target] = { Type: 'Succeed' };
  const startAt = variables && Object.keys(variables).length > 0 ? VARIABLES_STATE : name;
  if (startAt === VARIABLES_STATE) States[VARIABLES_STATE] = { Type: 'Pass', Assign: variables, Next: name };
  const machine = { StartAt: startAt, States };

  const errors = validateDefinition(machine).filter((d) => d.severity === 'ERROR');
  if (errors.length > 0) throw invalidDefinition(errors.map(quoteDiagnostic).join(', '));

  // A mocked Task answers once; a second invocation means a Retrier matched: stop there.
  const controller = new AbortController();
  let retried = false;
  let invocations = 0;
  const taskHandlers = input.mock
    ? {
        [name]: (): unknown => {
          invocations += 1;
          if (invocations > 1) {
            retried = true;
            controller.abort();
            return new Promise(() => {});
          }
          const mock = input.mock!;
          if (mock.errorOutput) throw { error: mock.errorOutput.error ?? 'States.TaskFailed', cause: mock.errorOutput.cause ?? '' };
          return mock.result !== undefined ? parseJson(mock.result, 'input') : {};
        },
      }
    : undefined;

  // Unmocked, the Task calls its service once; a second call means a Retrier matched: stop there.
  const sandbox = ctx.runner.sandbox?.();
  const integrations = !input.mock && sandbox?.integrations ? callOnce(sandbox.integrations, () => {
    retried = true;
    controller.abort();
  }) : undefined;

  const result = await execute(machine, stateInput, {
    waitTimeScale: 0,
    clock: ctx.clock,
    signal: controller.signal,
    stateMachineName: 'TestState',
    executionName: 'TestState',
    context: { region: ctx.config.region, accountId: ctx.config.accountId, ...(input.roleArn ? { roleArn: input.roleArn } : {}) },
    ...(taskHandlers ? { taskHandlers } : {}),
    // The server's decision workers and limits: a TestState of a hostile state is stopped like an execution.
    ...sandbox,
    ...(integrations ? { integrations } : {}),
  });

  const root = result.events.filter((e) => e.frame === '');
  const enteredAt = root.findIndex((e) => e.type.endsWith('StateEntered') && e.details?.name === name);
  const exitedAt = root.findIndex((e, i) => i > enteredAt && e.type.endsWith('StateExited') && e.details?.name === name);
  const ownEvents = enteredAt === -1 ? [] : root.slice(enteredAt, exitedAt === -1 ? undefined : exitedAt + 1);
  const failure = ownEvents.find((e) => e.details?.error !== undefined && !e.type.endsWith('StateExited'));
  const next = exitedAt === -1 ? undefined : root.slice(exitedAt + 1).find((e) => e.type.endsWith('StateEntered'));
  const nextState = next?.details?.name;

  const inspection = input.inspectionLevel === 'DEBUG' || input.inspectionLevel === 'TRACE' ? inspectionData(ownEvents, stateInput) : undefined;
  if (retried) {
    return compact({ status: 'RETRIABLE', error: failure?.details?.error, cause: failure?.details?.cause, inspectionData: inspection });
  }
  if (exitedAt === -1) {
    return compact({ status: 'FAILED', error: result.error ?? failure?.details?.error, cause: result.cause ?? failure?.details?.cause, inspectionData: inspection });
  }
  const output = toJsonText(root[exitedAt]!.details?.output);
  if (failure && nextState !== undefined && targets.caught.has(nextState)) {
    return compact({ status: 'CAUGHT_ERROR', output, error: failure.details?.error, cause: failure.details?.cause, nextState, inspectionData: inspection });
  }
  return compact({ status: 'SUCCEEDED', output, nextState, inspectionData: inspection });
}

function inspectionData(events: readonly HistoryEvent[], stateInput: unknown): Record<string, unknown> {
  const scheduled = events.find((e) => e.details?.parameters !== undefined);
  const succeeded = events.find((e) => (e.type === 'TaskSucceeded' || e.type === 'ActivitySucceeded' || e.type === 'LambdaFunctionSucceeded') && e.details?.output !== undefined);
  return compact({
    input: toJsonText(stateInput),
    afterParameters: scheduled ? toJsonText(scheduled.details!.parameters) : undefined,
    result: succeeded ? toJsonText(succeeded.details!.output) : undefined,
  });
}

/** The integrations, each answering one call: a second runs `onRetry` and never settles. */
function callOnce(inner: TaskAnswerers, onRetry: () => void): TaskAnswerers {
  let calls = 0;
  return {
    unansweredBecause: (command) => inner.unansweredBecause(command),
    answererFor(command) {
      const answerer = inner.answererFor(command);
      if (!answerer) return undefined;
      const { integration } = answerer;
      return {
        ...answerer,
        integration: {
          ...integration,
          name: integration.name,
          handles: (call) => integration.handles(call),
          afterCrash: (call) => integration.afterCrash(call),
          call(call) {
            calls += 1;
            if (calls > 1) {
              onRetry();
              return new Promise(() => {});
            }
            return integration.call(call);
          },
        },
      };
    },
  };
}
