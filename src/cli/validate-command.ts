/**
 * `stepwise validate FILE…`: the checks ValidateStateMachineDefinition makes, one line per
 * problem in a compiler-like format (`FILE: LOCATION: SEVERITY CODE: message`) so editors and
 * grep can jump to it; with `--format json` one JSON document of every problem with its line and
 * column, with `--format github` GitHub Actions annotations (`::error file=…,line=…,col=…::…`),
 * which mark the problems on the pull request's lines.
 */
import { parseDefinition, type Diagnostic } from '../index.js';
import { conciseMessage, JsonPositions, lineAndColumn, locateDiagnostic } from '../asl/json-positions.js';
import { EXIT, readText, UsageError } from './io.js';

export const VALIDATE_FORMATS = ['text', 'json', 'github'] as const;
export type ValidateFormat = (typeof VALIDATE_FORMATS)[number];

export interface FileReport {
  readonly file: string;
  readonly text: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** A problem placed in its file: 1-based line and column of where it starts and ends. */
export interface PlacedProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: Diagnostic['severity'];
  readonly code: string;
  readonly message: string;
  readonly location: string;
}

/** Every diagnostic for one definition file: JSON syntax first, then the definition's rules. */
export function diagnoseFile(file: string): FileReport {
  const text = readText(file);
  return { file, text, diagnostics: diagnoseText(text) };
}

/** The report's problems with their places in the file's text. */
export function placeProblems(report: FileReport): PlacedProblem[] {
  const positions = new JsonPositions(report.text);
  return report.diagnostics.map((d) => {
    const range = locateDiagnostic(report.text, positions, d);
    const start = lineAndColumn(report.text, range.from);
    const end = lineAndColumn(report.text, range.to);
    return {
      file: report.file,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      severity: d.severity,
      code: d.code,
      message: conciseMessage(d),
      location: d.location || '/',
    };
  });
}

/** A GitHub Actions workflow command for a problem (its data and properties escaped as GitHub asks). */
export function githubAnnotation(p: PlacedProblem): string {
  const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const property = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const kind = p.severity === 'ERROR' ? 'error' : 'warning';
  const where = `file=${property(p.file)},line=${p.line},col=${p.column},endLine=${p.endLine},endColumn=${p.endColumn},title=${property(p.code)}`;
  return `::${kind} ${where}::${data(`${p.message} (${p.location})`)}`;
}

/** parseDefinition reports JSON syntax errors and then validates what parsed. */
export function diagnoseText(text: string): Diagnostic[] {
  return parseDefinition(text).diagnostics;
}

export function formatDiagnostic(file: string, d: Diagnostic): string {
  // AWS's JSON syntax messages span lines; indent the rest so each problem still starts a line.
  return `${file}: ${d.location || '/'}: ${d.severity} ${d.code}: ${d.message.replace(/\n/g, '\n    ')}`;
}

export function validateCommand(files: readonly string[], out: (line: string) => void, err: (line: string) => void, format: ValidateFormat = 'text'): number {
  if (files.length === 0) throw new UsageError('validate needs at least one FILE (see stepwise --help)');
  if (format !== 'text') return validateStructured(files, out, err, format);
  let errors = 0;
  let warnings = 0;
  let invalidFiles = 0;
  let unreadable = 0;
  for (const file of files) {
    let report: FileReport;
    try {
      report = diagnoseFile(file);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      err(`${file}: ${e.message}`);
      unreadable++;
      continue;
    }
    const fileErrors = report.diagnostics.filter((d) => d.severity === 'ERROR').length;
    errors += fileErrors;
    warnings += report.diagnostics.length - fileErrors;
    if (fileErrors > 0) invalidFiles++;
    for (const d of report.diagnostics) (d.severity === 'ERROR' ? err : out)(formatDiagnostic(file, d));
    if (fileErrors === 0) out(`${file}: valid${report.diagnostics.length ? ` (${plural(report.diagnostics.length, 'warning')})` : ''}`);
  }
  if (files.length > 1 || errors > 0) {
    const checked = files.length - unreadable;
    const summary = errors > 0
      ? `${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''} in ${invalidFiles} of ${plural(checked, 'file')}`
      : `${plural(checked, 'file')} valid${warnings ? `, ${plural(warnings, 'warning')}` : ''}`;
    (errors > 0 ? err : out)(summary + (unreadable ? `; ${plural(unreadable, 'file')} unreadable` : ''));
  }
  if (unreadable > 0) return EXIT.USAGE;
  return errors > 0 ? EXIT.FAILED : EXIT.SUCCEEDED;
}

/**
 * The json and github formats: every problem of every file placed by line and column, on
 * standard output (a file that cannot be read is said on standard error, as usage errors are).
 */
function validateStructured(files: readonly string[], out: (line: string) => void, err: (line: string) => void, format: Exclude<ValidateFormat, 'text'>): number {
  const problems: PlacedProblem[] = [];
  let unreadable = 0;
  for (const file of files) {
    try {
      problems.push(...placeProblems(diagnoseFile(file)));
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      err(`${file}: ${e.message}`);
      unreadable++;
    }
  }
  if (format === 'json') out(JSON.stringify({ valid: problems.every((p) => p.severity !== 'ERROR'), problems }, null, 2));
  else for (const p of problems) out(githubAnnotation(p));
  if (unreadable > 0) return EXIT.USAGE;
  return problems.some((p) => p.severity === 'ERROR') ? EXIT.FAILED : EXIT.SUCCEEDED;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
