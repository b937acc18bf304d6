/**
 * What became of the tested state, read from the history of the run: its status (SUCCEEDED,
 * CAUGHT_ERROR, RETRIABLE, FAILED), output, error, next state, and AWS's errorDetails.
 *
 * The state runs without its Retry (test-state.ts), so the engine never waits for or makes a
 * second attempt; whether the first error would have been retried is decided here, with the
 * States language's own matching (src/asl/retry.ts), "as if" the retrier that applies had
 * already been used `retrierRetryCount` times (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestStateConfiguration.html).
 * What AWS answers (recorded Nov 2025, LocalStack's test_state_configuration snapshots; the
 * developer guide's "Testing retry and error handling"):
 * - a retrier that applies and is not used up: RETRIABLE, with the error and cause, no output
 *   and no nextState, and errorDetails {retryIndex, retryBackoffIntervalSeconds}: IntervalSeconds
 *   × BackoffRate^retrierRetryCount (2 × 2.0^1 = 4 in AWS's guide; 1 × 2^4 = 16 recorded);
 * - a retrier used up (retrierRetryCount ≥ MaxAttempts): the state's Catch decides, as if there
 *   were no Retry; errorDetails {retryIndex} (recorded for FAILED; with a Catch, catchIndex is
 *   added too: our choice, AWS's answer is not recorded);
 * - caught: CAUGHT_ERROR, the catcher's output and Next, errorDetails {catchIndex}.
 * retryBackoffIntervalSeconds is an Integer in AWS's model: a fractional delay (a BackoffRate of
 * 1.5, MaxDelaySeconds, JitterStrategy FULL's random part) is rounded down (our choice).
 */
import { compilePath, lookupPath } from '../../asl/jsonpath.js';
import { errorMatches, matchRetrier, retryDelaySeconds, type Catcher, type Retrier } from '../../asl/retry.js';
import { noVariables } from '../../asl/scope.js';
import type { HistoryEvent } from '../../engine/events.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The tested state's events, as the history has them. */
export interface StateRun {
  readonly entered: HistoryEvent | undefined;
  readonly exited: HistoryEvent | undefined;
  /** The state entered after it (a placeholder for its Next, Default, Choice or catcher). */
  readonly nextState: string | undefined;
  /** The parameters the task was scheduled with (TaskScheduled, or a Lambda's or activity's input). */
  readonly scheduled: { readonly value: unknown } | undefined;
  /** The task's result (TaskSucceeded and its Lambda and activity kin). */
  readonly result: { readonly value: unknown } | undefined;
  /** The first error an event of the state records (a task's failure, EvaluationFailed, MapRunFailed). */
  readonly errorEvent: { readonly error: string | undefined; readonly cause: string | undefined } | undefined;
}

const SUCCEEDED_EVENTS = new Set(['TaskSucceeded', 'LambdaFunctionSucceeded', 'ActivitySucceeded']);

export function readStateRun(events: readonly HistoryEvent[], name: string): StateRun {
  const root = events.filter((e) => e.frame === '');
  const enteredAt = root.findIndex((e) => e.type.endsWith('StateEntered') && e.details?.name === name);
  const exitedAt = enteredAt === -1 ? -1 : root.findIndex((e, i) => i > enteredAt && e.type.endsWith('StateExited') && e.details?.name === name);
  const own = enteredAt === -1 ? [] : root.slice(enteredAt, exitedAt === -1 ? undefined : exitedAt + 1);
  const scheduled = own.find((e) => e.type === 'TaskScheduled' || e.type === 'LambdaFunctionScheduled' || e.type === 'ActivityScheduled');
  const succeeded = own.find((e) => SUCCEEDED_EVENTS.has(e.type));
  const failure = own.find((e) => e.details?.error !== undefined && !e.type.endsWith('StateExited'));
  const next = exitedAt === -1 ? undefined : root.slice(exitedAt + 1).find((e) => e.type.endsWith('StateEntered'));
  return {
    entered: own[0],
    exited: exitedAt === -1 ? undefined : root[exitedAt],
    nextState: next?.details?.name,
    scheduled: scheduled ? { value: scheduled.type === 'TaskScheduled' ? scheduled.details?.parameters : scheduled.details?.input } : undefined,
    result: succeeded ? { value: succeeded.details?.output } : undefined,
    errorEvent: failure ? { error: failure.details?.error, cause: failure.details?.cause } : undefined,
  };
}

export type TestStatus = 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';

export interface Verdict {
  readonly status: TestStatus;
  readonly output?: unknown;
  readonly hasOutput: boolean;
  readonly error?: string;
  readonly cause?: string;
  readonly nextState?: string;
  readonly errorDetails?: { retryIndex?: number; retryBackoffIntervalSeconds?: number; catchIndex?: number };
  /** The state ended as it ends without an error (its output is its own, not a catcher's). */
  readonly exitedNormally: boolean;
}

export interface VerdictInput {
  readonly run: StateRun;
  /** The run's end, for a state that did not exit (the execution's error). */
  readonly executionError: { readonly error: string | undefined; readonly cause: string | undefined };
  /** The state as defined (its Retry and Catch). */
  readonly state: Json;
  readonly jsonata: boolean;
  readonly retrierRetryCount: number;
  readonly random: () => number;
}

export function decideVerdict(input: VerdictInput): Verdict {
  const { run, state } = input;
  const catchers = Array.isArray(state.Catch) ? (state.Catch as Catcher[]) : [];
  if (!run.exited) {
    // The execution's error is the state's (the engine fails the run with it); an event's is
    // the fallback for a run that ended otherwise.
    const error = input.executionError.error !== undefined ? input.executionError : (run.errorEvent ?? input.executionError);
    return retried(input, error) ?? { status: 'FAILED', hasOutput: false, exitedNormally: false, ...definedError(error) };
  }
  const output = run.exited.details?.output;
  const nextState = run.nextState;
  const catchTargets = new Set(catchers.map((c) => c.Next));
  const caught = nextState !== undefined && catchTargets.has(nextState) && (run.errorEvent !== undefined || !regularTargets(state).has(nextState));
  if (!caught) return { status: 'SUCCEEDED', output, hasOutput: true, ...(nextState !== undefined ? { nextState } : {}), exitedNormally: true };
  const error = run.errorEvent ?? errorFromCatcherOutput(catchers.find((c) => c.Next === nextState)!, output, input.jsonata);
  const asRetried = retried(input, error);
  if (asRetried) return asRetried;
  const retryIndex = retrierIndex(state, error.error);
  let catchIndex = catchers.findIndex((c) => errorMatches(c.ErrorEquals, error.error));
  if (catchIndex === -1 || catchers[catchIndex]!.Next !== nextState) catchIndex = catchers.findIndex((c) => c.Next === nextState);
  return {
    status: 'CAUGHT_ERROR',
    output,
    hasOutput: true,
    nextState,
    ...definedError(error),
    errorDetails: { ...(retryIndex >= 0 ? { retryIndex } : {}), catchIndex },
    exitedNormally: false,
  };
}

/** The states a state goes to without an error. */
function regularTargets(state: Json): Set<string> {
  const targets = new Set<string>();
  if (typeof state.Next === 'string') targets.add(state.Next);
  if (typeof state.Default === 'string') targets.add(state.Default);
  if (Array.isArray(state.Choices)) for (const c of state.Choices) if (isObject(c) && typeof c.Next === 'string') targets.add(c.Next);
  return targets;
}

function definedError(error: { error: string | undefined; cause: string | undefined }): { error?: string; cause?: string } {
  return { ...(error.error !== undefined ? { error: error.error } : {}), ...(error.cause !== undefined ? { cause: error.cause } : {}) };
}

/** The index of the retrier that applies to the error, or -1 (States.Runtime is never retried). */
function retrierIndex(state: Json, error: string | undefined): number {
  if (error === 'States.Runtime' || !Array.isArray(state.Retry)) return -1;
  return matchRetrier(state.Retry as Retrier[], error);
}

/**
 * RETRIABLE, when a retrier applies to the error and is not used up after retrierRetryCount
 * retries; undefined otherwise, with a FAILED verdict getting the index of a used-up retrier.
 */
function retried(input: VerdictInput, error: { error: string | undefined; cause: string | undefined }): Verdict | undefined {
  const index = retrierIndex(input.state, error.error);
  if (index < 0) return undefined;
  const retrier = (input.state.Retry as Retrier[])[index]!;
  const delay = retryDelaySeconds(retrier, input.retrierRetryCount, input.random);
  if (delay === null) {
    if (input.run.exited) return undefined; // caught: decideVerdict adds the indexes
    return { status: 'FAILED', hasOutput: false, exitedNormally: false, ...definedError(error), errorDetails: { retryIndex: index } };
  }
  return {
    status: 'RETRIABLE',
    hasOutput: false,
    exitedNormally: false,
    ...definedError(error),
    errorDetails: { retryBackoffIntervalSeconds: Math.floor(delay), retryIndex: index },
  };
}

/**
 * The error a catcher handled, read back from its output, for an error no event recorded (a
 * ResultPath that does not fit, a Parallel branch's failure): the error output is the output
 * (JSONata without Output, JSONPath without ResultPath) or sits at the catcher's ResultPath.
 */
function errorFromCatcherOutput(catcher: Catcher, output: unknown, jsonata: boolean): { error: string | undefined; cause: string | undefined } {
  let errorOutput: unknown;
  if (jsonata) errorOutput = catcher.Output === undefined ? output : undefined;
  else if (catcher.ResultPath === undefined || catcher.ResultPath === '$') errorOutput = output;
  else if (typeof catcher.ResultPath === 'string') {
    try {
      const found = lookupPath(compilePath(catcher.ResultPath), { input: output, context: undefined, variables: noVariables });
      errorOutput = found.found ? found.value : undefined;
    } catch {
      errorOutput = undefined;
    }
  }
  if (!isObject(errorOutput)) return { error: undefined, cause: undefined };
  return {
    error: typeof errorOutput.Error === 'string' ? errorOutput.Error : undefined,
    cause: typeof errorOutput.Cause === 'string' ? errorOutput.Cause : undefined,
  };
}
