/**
 * Live validation for the definition editor: ValidateStateMachineDefinition on the server (the
 * same checks as CreateStateMachine), each problem placed in the text by its JSON pointer
 * location (or, for JSON syntax errors, its line and column).
 */
import type { Diagnostic as EditorDiagnostic } from '@codemirror/lint';
import { describeError } from '../api/client.js';
import { sfn, type Diagnostic, type StateMachineType } from '../api/sfn.js';
import { conciseMessage, JsonPositions, lineAndColumn, locateDiagnostic, locateSyntaxError } from 'stepwise-sfn/asl';

export interface Problem {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  readonly location?: string;
  readonly from: number;
  readonly line: number;
}

export interface ValidationResult {
  readonly problems: Problem[];
  /** Set when the server could not be asked. */
  readonly failure?: string;
}

export function definitionLinter(getType: () => StateMachineType, onResult: (result: ValidationResult) => void): (text: string) => Promise<EditorDiagnostic[]> {
  let inFlight: AbortController | undefined;
  return async (text) => {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    if (text.trim() === '') {
      onResult({ problems: [] });
      return [];
    }
    let diagnostics: Diagnostic[];
    try {
      diagnostics = (await sfn.validateDefinition(text, getType(), controller.signal)).diagnostics;
    } catch (error) {
      if (controller.signal.aborted) return [];
      onResult({ problems: [], failure: `Validation is unavailable: ${describeError(error)}` });
      return [];
    }
    const positions = new JsonPositions(text);
    const problems = diagnostics.map((d) => toProblem(d, text, positions));
    onResult({ problems });
    return problems.map((p, i) => {
      const range = rangeOf(diagnostics[i]!, text, positions);
      return { from: range.from, to: range.to, severity: p.severity, message: `${p.code}: ${p.message}`, source: 'ValidateStateMachineDefinition' };
    });
  };
}

function rangeOf(d: Diagnostic, text: string, positions: JsonPositions): { from: number; to: number } {
  return locateDiagnostic(text, positions, d);
}

function toProblem(d: Diagnostic, text: string, positions: JsonPositions): Problem {
  const { from } = rangeOf(d, text, positions);
  const { line } = lineAndColumn(text, from);
  if (d.code === 'INVALID_JSON_DESCRIPTION') return { severity: 'error', code: d.code, message: conciseMessage(d), from, line };
  return { severity: d.severity === 'WARNING' ? 'warning' : 'error', code: d.code, message: d.message, ...(d.location !== undefined ? { location: d.location } : {}), from, line };
}

/** Problems for execution input: it must be JSON. */
export function jsonInputLinter(onResult: (error: string | undefined) => void): (text: string) => EditorDiagnostic[] {
  return (text) => {
    try {
      JSON.parse(text);
      onResult(undefined);
      return [];
    } catch (error) {
      const message = (error as Error).message;
      onResult(message);
      const range = locateSyntaxError(text, message) ?? { from: 0, to: Math.min(1, text.length) };
      return [{ from: range.from, to: range.to, severity: 'error', message }];
    }
  };
}
