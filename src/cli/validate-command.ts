/**
 * `stepwise validate FILE…`: the checks ValidateStateMachineDefinition makes, one line per
 * problem in a compiler-like format (`FILE: LOCATION: SEVERITY CODE: message`) so editors and
 * grep can jump to it.
 */
import { parseDefinition, type Diagnostic } from '../index.js';
import { EXIT, readText, UsageError } from './io.js';

export interface FileReport {
  readonly file: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** Every diagnostic for one definition file: JSON syntax first, then the definition's rules. */
export function diagnoseFile(file: string): FileReport {
  return { file, diagnostics: diagnoseText(readText(file)) };
}

/** parseDefinition reports JSON syntax errors and then validates what parsed. */
export function diagnoseText(text: string): Diagnostic[] {
  return parseDefinition(text).diagnostics;
}

export function formatDiagnostic(file: string, d: Diagnostic): string {
  // AWS's JSON syntax messages span lines; indent the rest so each problem still starts a line.
  return `${file}: ${d.location || '/'}: ${d.severity} ${d.code}: ${d.message.replace(/\n/g, '\n    ')}`;
}

export function validateCommand(files: readonly string[], out: (line: string) => void, err: (line: string) => void): number {
  if (files.length === 0) throw new UsageError('validate needs at least one FILE (see stepwise --help)');
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

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
