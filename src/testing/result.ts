/**
 * A finished test run and the questions tests ask of it: the path of states taken, what one
 * state got and gave, how often it was retried, which Catcher took its error, what each Map
 * iteration returned, what each task handler was called with. All answers are read from the
 * execution's history, as the console reads it, so they say what the execution did.
 */
import type { ExecutionResult } from '../runtime/memory-driver.js';
import { recordingOf, type RecordedIdentity, type Recording } from '../runtime/recording.js';
import type { AwsHistoryEvent, HistoryEvent } from '../engine/events.js';
import { statesOf, type StateEntry } from '../asl/structure.js';
import { listNames, TestConfigurationError } from './errors.js';

/** One time a state was entered. */
export interface StateVisit {
  readonly name: string;
  /** The frame it ran in: '' at the top, `/Map#2` in iteration 2 of the Map state `Map`, `/Parallel#0` in branch 0. */
  readonly frame: string;
  readonly input: unknown;
  /** Its output, when it exited (a state that failed, or was stopped, has none). */
  readonly output?: unknown;
  /** The last error the state raised (a task's failure or timeout, a Fail state's Error), caught or not. */
  readonly error?: string;
  readonly cause?: string;
  /** How many times a Retrier ran it again. */
  readonly retries: number;
  /** The Catcher that handled its error, when one did. */
  readonly caught?: CaughtError;
  readonly enteredAt: Date;
  readonly exitedAt?: Date;
}

export interface CaughtError {
  /** The Catcher's index in the state's Catch. */
  readonly index: number;
  readonly errorEquals: readonly string[];
  /** The state the Catcher went to. */
  readonly next: string;
  readonly error?: string;
  readonly cause?: string;
}

/** A state across the run: its visits, and the last visit's fields for the common case of one. */
export interface StateReport {
  readonly name: string;
  /** How many times it was entered (0: never). */
  readonly entered: number;
  readonly visits: readonly StateVisit[];
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** Retries over all its visits. */
  readonly retries: number;
  /** The last visit's Catcher, when one handled its error. */
  readonly caught?: CaughtError;
}

export interface MapIteration {
  readonly index: number;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'RUNNING';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** The states the iteration entered, in order. */
  readonly path: readonly string[];
}

/** One call a task handler received. */
export interface HandlerCall {
  readonly input: unknown;
  readonly stateName: string;
  readonly resource: string;
  readonly taskToken?: string;
  /** Virtual (or real) time of the call. */
  readonly at: Date;
}

const FAILURE_EVENTS: ReadonlySet<string> = new Set([
  'TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed',
  'LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'LambdaFunctionStartFailed', 'LambdaFunctionScheduleFailed',
  'ActivityFailed', 'ActivityTimedOut', 'ActivityScheduleFailed', 'EvaluationFailed',
]);

/** Events that start one attempt of a state (a retry starts another). */
const ATTEMPT_EVENTS: ReadonlySet<string> = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled', 'ParallelStateStarted', 'MapStateStarted']);

interface MutableVisit {
  name: string;
  frame: string;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  attempts: number;
  caught?: CaughtError;
  enteredAt: Date;
  exitedAt?: Date;
}

export class TestResult {
  readonly status: ExecutionResult['status'];
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** The engine's events (payloads as values). */
  readonly events: readonly HistoryEvent[];
  private readonly states: Map<string, StateEntry>;
  private readonly visitList: StateVisit[];

  constructor(
    private readonly result: ExecutionResult,
    readonly definition: unknown,
    private readonly handlerCalls: ReadonlyMap<string, readonly HandlerCall[]>,
    private readonly identity: RecordedIdentity,
  ) {
    this.status = result.status;
    if (result.output !== undefined || result.status === 'SUCCEEDED') this.output = result.output;
    if (result.error !== undefined) this.error = result.error;
    if (result.cause !== undefined) this.cause = result.cause;
    this.events = result.events;
    this.states = new Map(statesOf(definition).map((s) => [s.name, s]));
    this.visitList = visitsOf(result.events, this.states);
  }

  /** The history in GetExecutionHistory's shape. */
  get history(): AwsHistoryEvent[] {
    return this.result.history;
  }

  /** The top-level states entered, in order (states inside Parallel branches and Map iterations are not in it). */
  path(): string[] {
    return this.visitList.filter((v) => v.frame === '').map((v) => v.name);
  }

  /** Every state entered anywhere, in the order of the history. */
  statesEntered(): string[] {
    return this.visitList.map((v) => v.name);
  }

  /** Every visit of every state, in the order of the history. */
  visits(): readonly StateVisit[] {
    return this.visitList;
  }

  /** One state of the definition (a TestConfigurationError for a name it does not have). */
  state(name: string): StateReport {
    this.checkState(name);
    const visits = this.visitList.filter((v) => v.name === name);
    const last = visits.at(-1);
    return {
      name,
      entered: visits.length,
      visits,
      retries: visits.reduce((sum, v) => sum + v.retries, 0),
      ...(last && 'input' in last ? { input: last.input } : {}),
      ...(last && 'output' in last ? { output: last.output } : {}),
      ...(last?.error !== undefined ? { error: last.error } : {}),
      ...(last?.cause !== undefined ? { cause: last.cause } : {}),
      ...(last?.caught ? { caught: last.caught } : {}),
    };
  }

  /** How many times a Retrier ran the state again, over all its visits. */
  retries(name: string): number {
    return this.state(name).retries;
  }

  /** The Catcher that handled the state's error on its last visit, if any. */
  caught(name: string): CaughtError | undefined {
    return this.state(name).caught;
  }

  /** The iterations of a Map state (its first visit, or the `visit`th), by index. */
  mapIterations(name: string, visit = 0): MapIteration[] {
    const entry = this.checkState(name);
    if (entry.type !== 'Map') throw new TestConfigurationError(`'${name}' is a ${entry.type} state, not a Map.`);
    const iterations = new Map<number, { index: number; status: MapIteration['status']; frame: string }>();
    let seen = -1;
    let mapFrame: string | undefined;
    for (const event of this.events) {
      if (event.details?.name !== name) continue;
      if (event.type === 'MapStateEntered') {
        seen++;
        if (seen === visit) mapFrame = event.frame;
        else if (seen > visit) break;
        continue;
      }
      if (mapFrame === undefined || event.frame !== mapFrame) continue;
      if (event.type === 'MapStateExited') break;
      const index = event.details.index;
      if (index === undefined) continue;
      const frame = `${mapFrame}/${name}#${index}`;
      if (event.type === 'MapIterationStarted') iterations.set(index, { index, status: 'RUNNING', frame });
      else if (event.type === 'MapIterationSucceeded') iterations.set(index, { index, status: 'SUCCEEDED', frame });
      else if (event.type === 'MapIterationFailed') iterations.set(index, { index, status: 'FAILED', frame });
      else if (event.type === 'MapIterationAborted') iterations.set(index, { index, status: 'ABORTED', frame });
    }
    return [...iterations.values()]
      .sort((a, b) => a.index - b.index)
      .map(({ index, status, frame }) => {
        const inner = this.visitList.filter((v) => v.frame === frame);
        const last = inner.at(-1);
        const failed = [...inner].reverse().find((v) => v.error !== undefined && !v.caught);
        return {
          index,
          status,
          path: inner.map((v) => v.name),
          ...(status === 'SUCCEEDED' && last && 'output' in last ? { output: last.output } : {}),
          ...(status === 'FAILED' && failed?.error !== undefined ? { error: failed.error } : {}),
          ...(status === 'FAILED' && failed?.cause !== undefined ? { cause: failed.cause } : {}),
        };
      });
  }

  /**
   * The calls the task handler under `key` (as given in `handlers`) received, in order. A
   * TestConfigurationError for a key that is not a handler of this run.
   */
  calls(key: string): readonly HandlerCall[] {
    const calls = this.handlerCalls.get(key);
    if (!calls) throw new TestConfigurationError(`No handler '${key}' was given to this run (handlers: ${listNames(this.handlerCalls.keys())}).`);
    return calls;
  }

  /**
   * The run as a recording (`stepwise run --record`'s format): write it to a file as JSON and
   * `stepwise view FILE` shows it in the console, graph and history.
   */
  recording(): Recording {
    return recordingOf(this.definition as Record<string, unknown>, this.result, this.identity);
  }

  /** A summary for failure messages: status, error and path. */
  toString(): string {
    const ending = this.status === 'SUCCEEDED' ? `output ${JSON.stringify(this.output)}` : `${this.error ?? ''}${this.cause ? `: ${this.cause}` : ''}`;
    return `${this.status} (${ending}) after ${this.path().join(' → ') || 'no state'}`;
  }

  toJSON(): object {
    return { status: this.status, output: this.output, error: this.error, cause: this.cause, path: this.path() };
  }

  private checkState(name: string): StateEntry {
    const entry = this.states.get(name);
    if (!entry) throw new TestConfigurationError(`The definition has no state '${name}' (its states: ${listNames(this.states.keys())}).`);
    return entry;
  }
}

/** The visits of every state, read from the history frame by frame. */
function visitsOf(events: readonly HistoryEvent[], states: ReadonlyMap<string, StateEntry>): StateVisit[] {
  const visits: MutableVisit[] = [];
  const current = new Map<string, MutableVisit>();
  for (const event of events) {
    const { type, frame, details } = event;
    if (type.endsWith('StateEntered')) {
      const visit: MutableVisit = { name: details?.name ?? '', frame, input: details?.input, attempts: 0, enteredAt: new Date(event.timestamp) };
      if (type === 'FailStateEntered') {
        // A Fail state's error is its definition's (ErrorPath/CausePath: the execution's, below).
        const state = states.get(visit.name)?.state;
        if (typeof state?.Error === 'string') visit.error = state.Error;
        if (typeof state?.Cause === 'string') visit.cause = state.Cause;
      }
      visits.push(visit);
      current.set(frame, visit);
      continue;
    }
    const visit = current.get(frame);
    if (type === 'ExecutionFailed' || type === 'ExecutionTimedOut') {
      // The execution's error is that of the top-level state that was running, if nothing said otherwise.
      if (visit && visit.exitedAt === undefined) {
        if (details?.error !== undefined) visit.error = details.error;
        if (details?.cause !== undefined) visit.cause = details.cause;
      }
      continue;
    }
    if (!visit) continue;
    if (ATTEMPT_EVENTS.has(type)) visit.attempts++;
    else if (FAILURE_EVENTS.has(type)) {
      if (details?.error !== undefined) visit.error = details.error;
      else delete visit.error;
      if (details?.cause !== undefined) visit.cause = details.cause;
      else delete visit.cause;
    } else if (type.endsWith('StateExited')) {
      visit.output = details?.output;
      visit.exitedAt = new Date(event.timestamp);
      if (details?.catcher !== undefined) {
        const catcher = (states.get(visit.name)?.state.Catch as Array<{ ErrorEquals?: string[]; Next?: string }> | undefined)?.[details.catcher];
        visit.caught = {
          index: details.catcher,
          errorEquals: catcher?.ErrorEquals ?? [],
          next: catcher?.Next ?? '',
          ...(visit.error !== undefined ? { error: visit.error } : {}),
          ...(visit.cause !== undefined ? { cause: visit.cause } : {}),
        };
      }
    }
  }
  return visits.map(({ attempts, ...v }) => ({ ...v, retries: Math.max(0, attempts - 1) }));
}
