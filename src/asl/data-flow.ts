/**
 * JSONPath-mode input and output processing of a state (InputPath, ResultPath, OutputPath), with
 * AWS's null semantics and error messages. Values are treated as immutable: results share
 * structure with their inputs, and ResultPath copies only the objects on the path it writes.
 */
import { StatesError } from './errors.js';
import { PathSyntaxError, compilePath, describePathMiss, lookupPath, type CompiledPath } from './jsonpath.js';
import { isJsonObject, setOwn } from './jsonpath/evaluate.js';
import type { Scope } from './scope.js';

/** A value as AWS prints it inside error causes: compact JSON, keys in their order. */
export function jsonForCause(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/**
 * Applies a `…Path` field that must select something (InputPath, OutputPath, ItemsPath,
 * TimeoutSecondsPath, …) to `scope.input`; when it selects nothing, fails as AWS does:
 * `States.Runtime` with `Invalid path '<path>' : <Jayway's reason>`.
 */
export function applyPath(path: string, scope: Scope): unknown {
  const compiled = compilePath(path);
  const result = lookupPath(compiled, scope);
  if (result.found) return result.value;
  throw new StatesError('States.Runtime', `Invalid path '${path}' : ${describePathMiss(compiled, result.miss)}`);
}

/** InputPath: absent selects the whole input, `null` gives `{}`. */
export function applyInputPath(path: string | null | undefined, scope: Scope): unknown {
  if (path === undefined) return scope.input;
  if (path === null) return {};
  return applyPath(path, scope);
}

/** OutputPath, applied to the state's output so far (`scope.input`): same rules as InputPath. */
export function applyOutputPath(path: string | null | undefined, scope: Scope): unknown {
  return applyInputPath(path, scope);
}

/**
 * ResultPath: absent (or `$`) makes the result the output, `null` keeps the input, and a
 * reference path sets the result into a copy of the input, creating missing objects on the way.
 * Fails with `States.ResultPathMatchFailure` when the input cannot hold it there.
 */
export function applyResultPath(stateInput: unknown, path: string | null | undefined, result: unknown): unknown {
  if (path === undefined) return result;
  if (path === null) return stateInput;
  const compiled = compilePath(path);
  if (compiled.root !== 'input' || !compiled.isReference) {
    throw new PathSyntaxError(`ResultPath must be a reference path on the state input: ${path}`);
  }
  const output = insertAt(compiled, 0, stateInput, result);
  if (output === MATCH_FAILURE) {
    throw new StatesError('States.ResultPathMatchFailure', `Unable to apply ReferencePath ${path} to input ${jsonForCause(stateInput)}`);
  }
  return output;
}

const MATCH_FAILURE: unique symbol = Symbol('ResultPath match failure');

/** `target` with `result` written at the path's tokens from `i` on, copying what it changes. */
function insertAt(path: CompiledPath, i: number, target: unknown, result: unknown): unknown {
  const tokens = path.body.tokens;
  if (i === tokens.length) return result;
  const token = tokens[i]!;
  if (token.kind === 'property') {
    if (!isJsonObject(target)) return MATCH_FAILURE;
    const name = token.names[0]!;
    const current = Object.prototype.hasOwnProperty.call(target, name) ? target[name] : undefined;
    let value: unknown;
    if (current === undefined) {
      // Missing objects are created; a missing array cannot be indexed into.
      const nextIsName = i + 1 === tokens.length || tokens[i + 1]!.kind === 'property';
      if (!nextIsName) return MATCH_FAILURE;
      value = insertAt(path, i + 1, {}, result);
    } else {
      value = insertAt(path, i + 1, current, result);
    }
    if (value === MATCH_FAILURE) return MATCH_FAILURE;
    const copy = { ...target };
    setOwn(copy, name, value);
    return copy;
  }
  if (token.kind === 'index') {
    if (!Array.isArray(target)) return MATCH_FAILURE;
    const index = token.indexes[0]!;
    const effective = index < 0 ? target.length + index : index;
    if (effective < 0 || effective >= target.length) return MATCH_FAILURE;
    const value = insertAt(path, i + 1, target[effective], result);
    if (value === MATCH_FAILURE) return MATCH_FAILURE;
    const copy = target.slice();
    copy[effective] = value;
    return copy;
  }
  return MATCH_FAILURE;
}
