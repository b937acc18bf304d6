/**
 * The CLI's contact with the outside world: reading files and JSON the user named, and the
 * error type that turns a user's mistake into a one-line message and exit status 2 instead of a
 * stack trace.
 */
import { readFileSync } from 'node:fs';

/** Exit statuses, one per execution status plus usage/input problems (see `stepwise --help`). */
export const EXIT = {
  SUCCEEDED: 0,
  FAILED: 1,
  USAGE: 2,
  TIMED_OUT: 3,
  ABORTED: 4,
  /** A bug in Stepwise rather than a mistake of the user (sysexits' EX_SOFTWARE). */
  INTERNAL: 70,
} as const;

/** A mistake of the user: printed as `stepwise: <message>`, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The text of a file, or a UsageError that names it ("-" reads standard input). */
export function readText(file: string, what = 'file'): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`cannot read ${what} ${file}: ${reason}`);
  }
}

/** Parses JSON the user supplied; `source` says where it came from in the error message. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
}

/** `--input '{"a":1}'`, `--input @file.json` or `--input @-` (standard input). */
export function readJsonArgument(value: string, option: string): unknown {
  if (value.startsWith('@')) {
    const file = value.slice(1);
    return parseJson(readText(file, `${option} file`), `${option} file ${file}`);
  }
  return parseJson(value, option);
}

/** Compact JSON for one-line displays, cut to `max` characters. */
export function preview(value: unknown, max = 80): string {
  const text = value === undefined ? '' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
