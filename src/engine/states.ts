/**
 * What each state type does when it runs, named after the States language: the data flow of
 * each field (JSONPath or JSONata), the events AWS records, and where a state blocks.
 */
import { BareCauseError, StatesError } from '../asl/errors.js';
import type { Frame, StateDef } from './frames.js';
import type { Interpreter } from './interpreter.js';
import type { EventDetails, HistoryEventType } from './events.js';
import { jsonByteSize } from './payload-size.js';
import { DataFlow } from './data-flow.js';
import { runTask } from './task-state.js';
import { runMap, runParallel } from './fan-out-states.js';
import { evaluateChoice } from './choice-state.js';

export const BLOCKED = Symbol('blocked');

export type Outcome =
  | typeof BLOCKED
  | { readonly type: 'next'; readonly next: string; readonly output: unknown }
  | { readonly type: 'end'; readonly output: unknown }
  | { readonly type: 'fail'; readonly error: StatesError };

/** Errors the state raised itself (not a task's): their cause names the state, as AWS does. */
const STATE_EVALUATION_ERRORS = new Set(['States.Runtime', 'States.QueryEvaluationError']);

/** What a state step yields: synchronous for JSONPath states, a promise when JSONata is involved. */
export type Step = Outcome | Promise<Outcome>;

const EXITED_EVENT: Record<string, HistoryEventType> = {
  Pass: 'PassStateExited',
  Choice: 'ChoiceStateExited',
  Wait: 'WaitStateExited',
  Succeed: 'SucceedStateExited',
  Task: 'TaskStateExited',
  Parallel: 'ParallelStateExited',
  Map: 'MapStateExited',
};

export class StateRunner {
  readonly flow: DataFlow;

  constructor(readonly interp: Interpreter) {
    this.flow = new DataFlow(interp);
  }

  /** Runs the frame's current state (already entered) to an outcome. */
  execute(frame: Frame): Step {
    const state = frame.state;
    switch (state.Type) {
      case 'Pass':
        return this.flow.isJsonata(frame) ? this.jsonataOutputState(frame) : this.pass(frame, state);
      case 'Choice':
        return evaluateChoice(this, frame, state);
      case 'Wait':
        return this.wait(frame, state);
      case 'Succeed':
        return this.flow.isJsonata(frame) ? this.jsonataOutputState(frame) : this.succeed(frame);
      case 'Fail':
        return this.fail(frame, state);
      case 'Task':
        return runTask(this, frame, state);
      case 'Parallel':
        return runParallel(this, frame, state);
      case 'Map':
        return runMap(this, frame, state);
      default:
        throw new StatesError('States.Runtime', `Unsupported state type '${String(state.Type)}'.`);
    }
  }

  /**
   * Records `<Type>StateExited`, applies the state's variable assignments (they become visible
   * only after the state, which is why output was computed first) and moves on.
   */
  /** `taken` notes which Choice rule or Catcher chose `next`, for coverage (EventDetails). */
  exit(frame: Frame, output: unknown, assigned: Record<string, unknown> | undefined, next?: string, taken?: Pick<EventDetails, 'choiceRule' | 'catcher'>): Outcome {
    const state = frame.state;
    if (this.interp.maxPayloadBytes !== Infinity) {
      const size = jsonByteSize(output);
      if (size > this.interp.maxPayloadBytes) {
        throw new StatesError('States.DataLimitExceeded', `The state/task '${frame.stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`);
      }
      this.interp.noteOutputBytes(size);
    }
    if (assigned) frame.scope.assign(assigned); // may fail with States.DataLimitExceeded
    const details: EventDetails = assigned ? { name: frame.stateName, output, assignedVariables: assigned } : { name: frame.stateName, output };
    if (taken?.choiceRule !== undefined) details.choiceRule = taken.choiceRule;
    if (taken?.catcher !== undefined) details.catcher = taken.catcher;
    this.interp.record(frame, EXITED_EVENT[state.Type]!, details);
    const target = next ?? state.Next;
    if (target !== undefined) return { type: 'next', next: target, output };
    return { type: 'end', output };
  }

  /** An error raised while evaluating the state's own fields. */
  handleError(frame: Frame, error: StatesError): Step {
    let err = error;
    const cause = err.cause ?? '';
    if (err.error !== undefined && STATE_EVALUATION_ERRORS.has(err.error) && !(err instanceof BareCauseError) && !cause.startsWith('An error occurred while executing the state')) {
      err = new StatesError(
        err.error,
        `An error occurred while executing the state '${frame.stateName}' (entered at the event id #${frame.enteredEventId}). ${cause}`,
      );
    }
    if (err.error === 'States.QueryEvaluationError') {
      this.interp.record(frame, 'EvaluationFailed', { error: err.error, cause: err.cause, state: frame.stateName });
    }
    return this.recover(frame, err);
  }

  /** Retry, then Catch, then fail the frame: the States language's error handling. */
  recover(frame: Frame, error: StatesError): Step {
    // A Distributed Map that fails, however it fails (items, selector, children), ends its Map Run.
    if (frame.mapRun) this.interp.closeMapRun(frame, 'FAILED');
    if (error.error === 'States.Runtime') {
      // AWS: a States.Runtime error "will always cause the execution to fail"; no Retry or
      // Catch applies, not even in a Parallel branch or Map iteration. Inside a Distributed Map
      // iteration the execution that fails is that child execution.
      this.interp.failExecutionOf(frame, error);
      return BLOCKED;
    }
    const state = frame.state;
    if (state.Type !== 'Task' && state.Type !== 'Parallel' && state.Type !== 'Map') return { type: 'fail', error };
    const delay = this.interp.retryDelay(frame, error);
    if (delay !== null) {
      this.interp.startTimer(`${frame.id}>${frame.enteredEventId}:retry${frame.retryCount}`, delay, frame, () => this.execute(frame), true);
      return BLOCKED;
    }
    if (state.Type === 'Map') this.interp.record(frame, 'MapStateFailed');
    if (state.Type === 'Parallel') this.interp.record(frame, 'ParallelStateFailed');
    const catcher = this.interp.catcherFor(frame, error);
    if (!catcher) return { type: 'fail', error };
    const taken = { catcher: (state.Catch as readonly unknown[]).indexOf(catcher) };
    const errorOutput: Record<string, unknown> = { Error: error.error ?? null, Cause: error.cause ?? null };
    if (this.flow.isJsonata(frame)) {
      return this.flow
        .jsonataOutputAndAssign(frame, { errorOutput }, errorOutput, catcher)
        .then(({ output, assigned }) => this.exit(frame, output, assigned, catcher.Next, taken));
    }
    const { output, assigned } = this.flow.catcherOutputJsonPath(frame, catcher, errorOutput);
    return this.exit(frame, output, assigned, catcher.Next, taken);
  }

  // ------------------------------------------------------------------ simple states

  /** Pass or Succeed in JSONata: Output (default: the input) and Assign. */
  private async jsonataOutputState(frame: Frame): Promise<Outcome> {
    const { output, assigned } = await this.flow.jsonataOutputAndAssign(frame, {}, frame.input);
    return this.exit(frame, output, assigned);
  }

  private pass(frame: Frame, state: StateDef): Outcome {
    const effective = this.flow.inputPath(frame);
    let result: unknown;
    if ('Result' in state) result = state.Result;
    else if (state.Parameters !== undefined) result = this.flow.payload(frame, state.Parameters, effective, 'Parameters');
    else result = effective;
    const assigned = this.flow.assignJsonPath(frame, result);
    const output = this.flow.resultAndOutputPath(frame, result);
    return this.exit(frame, output, assigned);
  }

  private succeed(frame: Frame): Outcome {
    const output = this.flow.outputPath(frame, this.flow.inputPath(frame));
    return this.exit(frame, output, undefined);
  }

  private fail(frame: Frame, state: StateDef): Step {
    if (this.flow.isJsonata(frame)) {
      return this.flow.failErrorAndCauseJsonata(frame, state).then(({ error, cause }) => ({ type: 'fail', error: new StatesError(error, cause) }));
    }
    const { error, cause } = this.flow.failErrorAndCause(frame, state);
    return { type: 'fail', error: new StatesError(error, cause) };
  }

  private wait(frame: Frame, state: StateDef): Step {
    const jsonata = this.flow.isJsonata(frame);
    const block = ({ seconds, effective }: { seconds: number; effective: unknown }): Outcome => {
      const timerId = `${frame.id}>${frame.enteredEventId}:wait`;
      this.interp.startTimer(timerId, seconds, frame, () => {
        if (jsonata) return this.jsonataOutputState(frame);
        const assigned = this.flow.assignJsonPath(frame, effective);
        const output = this.flow.outputPath(frame, effective);
        return this.exit(frame, output, assigned);
      }, true);
      return BLOCKED;
    };
    if (jsonata) return this.flow.waitSecondsJsonata(frame, state).then(block);
    return block(this.flow.waitSeconds(frame, state));
  }
}
