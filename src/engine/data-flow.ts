/**
 * A state's data flow, in either query language, over the pure `asl` functions: the engine's
 * only door to paths, payload templates, intrinsics and JSONata.
 */
import { BareCauseError, StatesError } from '../asl/errors.js';
import { applyInputPath, applyOutputPath, applyPath, applyResultPath } from '../asl/data-flow.js';
import { applyPayloadTemplate, evaluatePathOrIntrinsic } from '../asl/payload.js';
import type { IntrinsicEnv } from '../asl/intrinsics.js';
import { compileJsonataTemplate, evaluateJsonataTemplate, isJsonataTemplate, jsonataUnexpectedResultType } from '../asl/jsonata.js';
import type { Scope } from '../asl/scope.js';
import type { Catcher } from '../asl/retry.js';
import type { Frame, StateDef } from './frames.js';
import type { Interpreter } from './interpreter.js';

export interface JsonataStates {
  result?: unknown;
  errorOutput?: unknown;
  context?: Record<string, unknown>;
}

export class DataFlow {
  /** Intrinsics draw from the execution's seeded source, so replays see the same values. */
  private readonly intrinsicEnv: IntrinsicEnv;

  constructor(private readonly interp: Interpreter) {
    this.intrinsicEnv = { random: () => interp.random.next(), uuid: () => interp.random.uuid() };
  }

  isJsonata(frame: Frame): boolean {
    return (frame.state.QueryLanguage ?? frame.queryLanguage) === 'JSONata';
  }

  scope(frame: Frame, input: unknown, context?: Record<string, unknown>): Scope {
    // Remembering the last scope keeps LazyScope's hidden class alive (see memory-driver.ts).
    return (this.lastScope = new LazyScope(this.interp, frame, input, context));
  }
  private lastScope: LazyScope | undefined;

  // ------------------------------------------------------------------ JSONPath

  inputPath(frame: Frame): unknown {
    const path = frame.state.InputPath;
    return path === undefined || path === '$' ? frame.input : applyInputPath(path, this.scope(frame, frame.input));
  }

  outputPath(frame: Frame, output: unknown): unknown {
    const path = frame.state.OutputPath;
    return path === undefined || path === '$' ? output : applyOutputPath(path, this.scope(frame, output));
  }

  payload(frame: Frame, template: unknown, input: unknown, fieldName: string, context?: Record<string, unknown>): unknown {
    return applyPayloadTemplate(template, this.scope(frame, input, context), fieldName, this.intrinsicEnv);
  }

  /** ResultPath into the raw state input, then OutputPath. */
  resultAndOutputPath(frame: Frame, result: unknown): unknown {
    const combined = applyResultPath(frame.input, frame.state.ResultPath, result);
    return this.outputPath(frame, combined);
  }

  /** JSONPath Assign: `$` is the state's result (or effective input for states without one). */
  assignJsonPath(frame: Frame, value: unknown, assign: unknown = frame.state.Assign, context?: Record<string, unknown>): Record<string, unknown> | undefined {
    if (assign === undefined) return undefined;
    return applyPayloadTemplate(assign, this.scope(frame, value, context), 'Assign', this.intrinsicEnv) as Record<string, unknown>;
  }

  /** A `…Path` field that must name a value (TimeoutSecondsPath, SecondsPath, ItemsPath, …). */
  pathValue(frame: Frame, path: string, input: unknown): unknown {
    return applyPath(path, this.scope(frame, input));
  }

  // ------------------------------------------------------------------ JSONata

  async jsonata(frame: Frame, value: unknown, fieldName: string, states: JsonataStates = {}): Promise<unknown> {
    if (!containsJsonata(value)) return value;
    const compiled = compileJsonataTemplate(value);
    return evaluateJsonataTemplate(
      compiled,
      {
        states: {
          input: frame.input,
          context: states.context ?? this.interp.contextObject(frame),
          ...('result' in states ? { result: states.result } : {}),
          ...('errorOutput' in states ? { errorOutput: states.errorOutput } : {}),
        },
        variables: frame.scope,
        random: () => this.interp.random.next(),
        uuid: () => this.interp.random.uuid(),
      },
      fieldName,
    );
  }

  /**
   * JSONata Assign and Output of a state, evaluated against the same variables (assignments
   * take effect after the state). `defaultOutput` is what Output defaults to.
   */
  async jsonataOutputAndAssign(
    frame: Frame,
    states: JsonataStates,
    defaultOutput: unknown,
    source: { Output?: unknown; Assign?: unknown } = frame.state,
  ): Promise<{ output: unknown; assigned: Record<string, unknown> | undefined }> {
    const assigned = source.Assign === undefined ? undefined : ((await this.jsonata(frame, source.Assign, 'Assign', states)) as Record<string, unknown>);
    const output = source.Output === undefined ? defaultOutput : await this.jsonata(frame, source.Output, 'Output', states);
    return { output, assigned };
  }

  // ------------------------------------------------------------------ shared pieces

  /** A JSONPath Catcher: ResultPath puts the error output into the raw input; `$` in Assign is the error output. */
  catcherOutputJsonPath(frame: Frame, catcher: Catcher, errorOutput: Record<string, unknown>): { output: unknown; assigned: Record<string, unknown> | undefined } {
    const assigned = this.assignJsonPath(frame, errorOutput, catcher.Assign);
    const output = applyResultPath(frame.input, catcher.ResultPath, errorOutput);
    return { output, assigned };
  }

  failErrorAndCause(frame: Frame, state: StateDef): { error: string | undefined; cause: string | undefined } {
    const error = state.ErrorPath !== undefined ? this.failPath(frame, state.ErrorPath, 'ErrorPath') : state.Error;
    const cause = state.CausePath !== undefined ? this.failPath(frame, state.CausePath, 'CausePath') : state.Cause;
    return { error: stringOrUndefined(error), cause: stringOrUndefined(cause) };
  }

  async failErrorAndCauseJsonata(frame: Frame, state: StateDef): Promise<{ error: string | undefined; cause: string | undefined }> {
    const error = await this.jsonata(frame, state.Error, 'Error');
    const cause = await this.jsonata(frame, state.Cause, 'Cause');
    return { error: stringOrUndefined(error), cause: stringOrUndefined(cause) };
  }

  private failPath(frame: Frame, path: string, field: string): unknown {
    return evaluatePathOrIntrinsic(path, this.scope(frame, frame.input), field, this.intrinsicEnv);
  }

  waitSeconds(frame: Frame, state: StateDef): { seconds: number; effective: unknown } {
    const effective = this.inputPath(frame);
    if (state.Seconds !== undefined) return { seconds: state.Seconds, effective };
    if (state.Timestamp !== undefined) return { seconds: this.secondsUntil(state.Timestamp, 'Timestamp'), effective };
    if (state.SecondsPath !== undefined) {
      const value = this.pathValue(frame, state.SecondsPath, effective);
      // AWS's causes name the path and the value: `<path> == <value>` (a string as it is, other
      // values as JSON; AWS's rendering of non-numbers is not documented).
      const shown = `${state.SecondsPath} == ${typeof value === 'string' ? value : JSON.stringify(value)}`;
      // As AWS gives them, without the preamble naming the state (LocalStack, whose causes are
      // checked against AWS's, raises these two bare; AWS's own text is not documented).
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw new BareCauseError('States.Runtime', `The SecondsPath parameter cannot be parsed as a long value: ${shown}`);
      }
      if (value < 0) throw new BareCauseError('States.Runtime', `The SecondsPath parameter references a negative value: ${shown}`);
      return { seconds: value, effective };
    }
    const value = this.pathValue(frame, state.TimestampPath, effective);
    return { seconds: this.secondsUntil(value, 'TimestampPath'), effective };
  }

  async waitSecondsJsonata(frame: Frame, state: StateDef): Promise<{ seconds: number; effective: unknown }> {
    if (state.Seconds !== undefined) {
      const seconds = await this.jsonata(frame, state.Seconds, 'Seconds');
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
        throw jsonataUnexpectedResultType(jsonataBody(state.Seconds), 'Seconds', 'integer', seconds);
      }
      return { seconds, effective: frame.input };
    }
    const ts = await this.jsonata(frame, state.Timestamp, 'Timestamp');
    return { seconds: this.secondsUntil(ts, 'Timestamp'), effective: frame.input };
  }

  private secondsUntil(timestamp: unknown, field: string): number {
    const ms = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
    if (Number.isNaN(ms)) {
      throw new StatesError('States.Runtime', `The ${field} parameter does not reference a valid ISO-8601 extended offset date-time format string: ${JSON.stringify(timestamp)}`);
    }
    return Math.max(0, (ms - this.interp.now) / 1000);
  }
}

/** A Scope whose context object is only built if a path reads `$$`. */
class LazyScope implements Scope {
  constructor(
    private readonly interp: Interpreter,
    private readonly frame: Frame,
    readonly input: unknown,
    private ctx: Record<string, unknown> | undefined,
  ) {}

  get context(): unknown {
    return (this.ctx ??= this.interp.contextObject(this.frame));
  }

  get variables(): Frame['scope'] {
    return this.frame.scope;
  }
}

/** Whether a field value holds any `{% %}` template; answered once per definition object. */
const hasTemplate = new WeakMap<object, boolean>();

function containsJsonata(value: unknown): boolean {
  if (typeof value === 'string') return isJsonataTemplate(value);
  if (value === null || typeof value !== 'object') return false;
  let found = hasTemplate.get(value);
  if (found === undefined) {
    found = (Array.isArray(value) ? value : Object.values(value)).some(containsJsonata);
    hasTemplate.set(value, found);
  }
  return found;
}

function stringOrUndefined(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The expression inside a `{% … %}` template, as AWS quotes it in messages. */
export function jsonataBody(template: unknown): string {
  return String(template).replace(/^\s*\{%\s*/, '').replace(/\s*%\}\s*$/, '');
}
