/**
 * The validator's view of the expression languages: whether a string is a valid JSONPath path,
 * reference path, intrinsic function call or JSONata expression. The parsers themselves belong
 * to the engine modules (they throw on invalid syntax); this adapter turns their exceptions into
 * answers and never throws.
 */
import { compileIntrinsic } from '../intrinsics.js';
import { JsonataSyntaxError, analyzeJsonataTemplate } from '../jsonata.js';
import { compilePath, isReferencePath } from '../jsonpath.js';
import type { DiagnosticCode } from './diagnostics.js';
import { messages } from './diagnostics.js';

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why `text` is not a JSONPath path (filters, wildcards allowed), or undefined when it is one. */
export function pathError(text: string): string | undefined {
  try {
    compilePath(text);
    return undefined;
  } catch (error) {
    return errorMessage(error) || 'invalid path';
  }
}

/**
 * Whether `text` is a reference path: a path that selects a single node (no wildcards, filters,
 * slices or unions). The context object (`$$`) and variables (`$name`) are paths too.
 */
export function isValidReferencePath(text: string): boolean {
  if (pathError(text) !== undefined) return false;
  try {
    return isReferencePath(text);
  } catch {
    return false;
  }
}

/** Why `text` is not an intrinsic function call, or undefined when it is one. */
export function intrinsicError(text: string): string | undefined {
  try {
    compileIntrinsic(text);
    return undefined;
  } catch (error) {
    return errorMessage(error) || 'invalid intrinsic function';
  }
}

/** For `.$` fields, ErrorPath and CausePath: an intrinsic when it starts with `States.`, else a path. */
export function pathOrIntrinsicError(text: string): string | undefined {
  return text.startsWith('States.') ? intrinsicError(text) : pathError(text);
}

/** What a JSONata expression may read where it sits. */
export interface JsonataScope {
  /** In a catcher's Output or Assign, the one place `$states.errorOutput` exists. */
  errorOutput?: boolean;
}

export interface JsonataProblem {
  code: DiagnosticCode;
  message: string;
}

/**
 * The problems of one `{% ... %}` string: a parse error (AWS quotes the parser's sentence without
 * its `S0xxx: ` code), or a read AWS refuses at definition time: the top-level context (`phone`,
 * `$`, `$$`: an expression has no context item) and `$states.errorOutput` outside a catcher.
 */
export function jsonataProblems(text: string, scope: JsonataScope): JsonataProblem[] {
  let references: { topLevel: readonly string[]; readsErrorOutput: boolean };
  try {
    references = analyzeJsonataTemplate(text);
  } catch (error) {
    return [{ code: 'INVALID_JSONATA_EXPRESSION', message: parserMessage(error) }];
  }
  const problems: JsonataProblem[] = references.topLevel.map((reference) => ({
    code: 'UNSUPPORTED_JSONATA_EXPRESSION',
    message: reference === '$$' ? messages.unsupportedContextReference : messages.topLevelReference(reference),
  }));
  if (references.readsErrorOutput && !scope.errorOutput) {
    problems.push({ code: 'UNSUPPORTED_JSONATA_EXPRESSION', message: messages.errorOutputOutsideCatch });
  }
  return problems;
}

function parserMessage(error: unknown): string {
  if (error instanceof JsonataSyntaxError) return error.parserMessage;
  return errorMessage(error).replace(/^S0\d{3}: /, '');
}
