/**
 * TestState's `context`: the `$$` context object the tested state sees.
 *
 * AWS (recorded Dec 2025, LocalStack's test_state_context_object snapshots): the JSON given
 * *is* the context object, not a patch of it: `{}` gives a `$$` of `{}`, and
 * `{"Execution": {}, "State": {}, "StateMachine": {}}` gives exactly those three empty objects,
 * with no default (Id, EnteredTime, RetryCount…) filled in. It is checked first:
 * - only `Execution`, `State`, `StateMachine` and `Task` may appear ("Field 'Pokedex' is not
 *   allowed", also for fields inside them); `Map` is refused on its own terms;
 * - `Task` only for a Task state with a `.sync` or `.waitForTaskToken` integration;
 * - fields have their context-object types ("Execution.Id must be a string").
 * AWS's developer guide: "This field may only be specified if a mock is specified in the same
 * request" (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html).
 *
 * Without a `context`, TestState builds the default AWS shows: Execution {Id (an `express:`
 * ARN), Input (the test's input), Name, RoleArn (null without a role), StartTime}, StateMachine
 * {Id, Name} and State {Name, EnteredTime, RetryCount for Task, Map and Parallel}; a state inside
 * a Map's ItemProcessor also gets Map.Item {Index: 0, Value: the input} (AWS's guide,
 * "Automatic Context population"; the Key and Source of some Distributed Maps' items are not given).
 */
import { parseJsonText } from '../../asl/validate/json-text.js';
import { validation } from '../aws-errors.js';

type Json = Record<string, unknown>;

type FieldType = 'string' | 'integer' | 'json';

/** The context object's fields (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html). */
const CONTEXT_FIELDS: Readonly<Record<string, Readonly<Record<string, FieldType>>>> = {
  Execution: { Id: 'string', Input: 'json', Name: 'string', RoleArn: 'string', StartTime: 'string', RedriveCount: 'integer', RedriveTime: 'string' },
  State: { EnteredTime: 'string', Name: 'string', RetryCount: 'integer' },
  StateMachine: { Id: 'string', Name: 'string' },
  Task: { Token: 'string' },
};

const invalidContext = (detail: string) => validation(`Invalid Context object provided: ${detail}`);

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The caller's context object, checked as AWS checks it. `hasTaskToken`: whether the state is
 * one whose context has a `Task` (a `.sync` or `.waitForTaskToken` Task; an activity too, whose
 * workers get a token: AWS's message names only the two patterns, activities are our choice).
 */
export function parseContext(text: string, hasTaskToken: boolean): Json {
  const parsed = parseJsonText(text);
  // AWS's answer to context text that is not JSON is not documented: a ValidationException with
  // its usual prefix is our choice (the other context errors are all ValidationExceptions).
  if (!parsed.ok) throw invalidContext(parsed.message.split('\n at ')[0]!);
  const context = parsed.value;
  if (!isObject(context)) throw invalidContext('the Context object must be a JSON object');
  for (const [name, value] of Object.entries(context)) {
    if (name === 'Map') throw invalidContext("'Map' field is not supported when mocking a Context object");
    const fields = CONTEXT_FIELDS[name];
    if (fields === undefined) throw invalidContext(`Field '${name}' is not allowed`);
    if (name === 'Task' && !hasTaskToken) {
      throw invalidContext("Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern");
    }
    // The wording of the two checks below is modelled on AWS's "Execution.Id must be a string".
    if (!isObject(value)) throw invalidContext(`${name} must be an object`);
    for (const [field, fieldValue] of Object.entries(value)) {
      const type = fields[field];
      if (type === undefined) throw invalidContext(`Field '${field}' is not allowed`);
      if (type === 'string' && typeof fieldValue !== 'string') throw invalidContext(`${name}.${field} must be a string`);
      if (type === 'integer' && !Number.isInteger(fieldValue)) throw invalidContext(`${name}.${field} must be an integer`);
    }
  }
  return context;
}

export interface DefaultContextSettings {
  readonly region: string;
  readonly accountId: string;
  readonly stateMachineName: string;
  readonly executionName: string;
  readonly roleArn: string | undefined;
  readonly input: unknown;
  /** When the test started, ms since the epoch: the execution's start and the state's entry. */
  readonly startTime: number;
  readonly stateName: string;
  readonly stateType: unknown;
  /** The state runs in a Map iteration: `Map.Item` is the first item, the test's input. */
  readonly inMap: boolean;
}

/** The execution ARN AWS shows in a TestState's context: an EXPRESS execution's. */
export function testExecutionArn(settings: Pick<DefaultContextSettings, 'region' | 'accountId' | 'stateMachineName' | 'executionName'>): string {
  return `arn:aws:states:${settings.region}:${settings.accountId}:express:${settings.stateMachineName}:${settings.executionName}`;
}

/** The context object AWS gives a tested state when the request has no `context`. */
export function defaultContext(settings: DefaultContextSettings): Json {
  const time = new Date(settings.startTime).toISOString();
  const state: Json = { Name: settings.stateName, EnteredTime: time };
  // As in executions, only the states that can retry have a RetryCount. A retrierRetryCount does
  // not show here (AWS does not document that it does); a `context` can set State.RetryCount.
  if (settings.stateType === 'Task' || settings.stateType === 'Map' || settings.stateType === 'Parallel') state.RetryCount = 0;
  const ctx: Json = {
    Execution: {
      Id: testExecutionArn(settings),
      Input: settings.input,
      Name: settings.executionName,
      RoleArn: settings.roleArn ?? null,
      StartTime: time,
    },
    StateMachine: {
      Id: `arn:aws:states:${settings.region}:${settings.accountId}:stateMachine:${settings.stateMachineName}`,
      Name: settings.stateMachineName,
    },
    State: state,
  };
  // AWS's guide: testing a state within a Map, "$$.Map.Item.Index = 0 (first iteration)" and
  // "$$.Map.Item.Value = your input value".
  if (settings.inMap) ctx.Map = { Item: { Index: 0, Value: settings.input } };
  return ctx;
}
