/**
 * What each state type does when it runs, named after the States language: the data flow of
 * each field (JSONPath or JSONata), the events AWS records, and where a state blocks.
 */
import { StatesError } from '../asl/errors.js';
import type { Catcher } from '../asl/retry.js';
import type { Frame, StateDef } from './frames.js';
import type { Interpreter } from './interpreter.js';
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

export class StateRunner {
  readonly flow: DataFlow;

  constructor(readonly interp: Interpreter) {
    this.flow = new DataFlow(interp);
  }

  /** Runs the frame's current state (already entered) to an outcome. */
  async execute(frame: Frame): Promise<Outcome> {
    const state = frame.state;
    switch (state.Type) {
      case 'Pass':
        return this.pass(frame, state);
      case 'Choice':
        return evaluateChoice(this, frame, state);
      case 'Wait':
        return this.wait(frame, state);
      case 'Succeed':
        return this.succeed(frame, state);
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
  exit(frame: Frame, output: unknown, assigned: Record<string, unknown> | undefined, next?: string): Outcome {
    const state = frame.state;
    this.interp.record(frame, `${state.Type}StateExited` as never, {
      name: frame.stateName,
      output,
      ...(assigned ? { assignedVariables: assigned } : {}),
    });
    if (assigned) frame.scope.assign(assigned);
    const target = next ?? state.Next;
    if (target !== undefined) return { type: 'next', next: target, output };
    return { type: 'end', output };
  }

  /** An error raised while evaluating the state's own fields. */
  async handleError(frame: Frame, error: StatesError): Promise<Outcome> {
    let err = error;
    const cause = err.cause ?? '';
    if (err.error !== undefined && STATE_EVALUATION_ERRORS.has(err.error) && !cause.startsWith('An error occurred while executing the state')) {
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
  async recover(frame: Frame, error: StatesError): Promise<Outcome> {
    if (error.error === 'States.Runtime') {
      // AWS: a States.Runtime error "will always cause the execution to fail"; no Retry or
      // Catch applies, not even in a Parallel branch or Map iteration.
      this.interp.endExecution('FAILED', undefined, error.error, error.cause);
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
    return this.applyCatcher(frame, catcher, error);
  }

  private async applyCatcher(frame: Frame, catcher: Catcher, error: StatesError): Promise<Outcome> {
    const errorOutput: Record<string, unknown> = { Error: error.error ?? null, Cause: error.cause ?? null };
    const { output, assigned } = await this.flow.catcherOutput(frame, catcher, errorOutput);
    return this.exit(frame, output, assigned, catcher.Next);
  }

  // ------------------------------------------------------------------ simple states

  private async pass(frame: Frame, state: StateDef): Promise<Outcome> {
    if (this.flow.isJsonata(frame)) {
      const { output, assigned } = await this.flow.jsonataOutputAndAssign(frame, {}, frame.input);
      return this.exit(frame, output, assigned);
    }
    const effective = this.flow.inputPath(frame);
    let result: unknown;
    if ('Result' in state) result = state.Result;
    else if (state.Parameters !== undefined) result = this.flow.payload(frame, state.Parameters, effective, 'Parameters');
    else result = effective;
    const assigned = this.flow.assignJsonPath(frame, result);
    const output = this.flow.resultAndOutputPath(frame, result);
    return this.exit(frame, output, assigned);
  }

  private async succeed(frame: Frame, state: StateDef): Promise<Outcome> {
    void state;
    if (this.flow.isJsonata(frame)) {
      const { output } = await this.flow.jsonataOutputAndAssign(frame, {}, frame.input);
      return this.exit(frame, output, undefined);
    }
    const effective = this.flow.inputPath(frame);
    const output = this.flow.outputPath(frame, effective);
    this.interp.record(frame, 'SucceedStateExited', { name: frame.stateName, output });
    return { type: 'end', output };
  }

  private async fail(frame: Frame, state: StateDef): Promise<Outcome> {
    const { error, cause } = await this.flow.failErrorAndCause(frame, state);
    return { type: 'fail', error: new StatesError(error, cause) };
  }

  private async wait(frame: Frame, state: StateDef): Promise<Outcome> {
    const { seconds, effective } = await this.flow.waitSeconds(frame, state);
    const timerId = `${frame.id}>${frame.enteredEventId}:wait`;
    this.interp.startTimer(timerId, seconds, frame, async () => {
      if (this.flow.isJsonata(frame)) {
        const { output, assigned } = await this.flow.jsonataOutputAndAssign(frame, {}, frame.input);
        return this.exit(frame, output, assigned);
      }
      const assigned = this.flow.assignJsonPath(frame, effective);
      const output = this.flow.outputPath(frame, effective);
      return this.exit(frame, output, assigned);
    }, true);
    return BLOCKED;
  }
}
