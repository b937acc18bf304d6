/**
 * The pieces every part of the configuration's validation shares: a problem list that keeps
 * going after the first mistake (a user fixes a file in one pass, not one error per run), the
 * path notation problems are reported with, and checks of JSON types, URLs and folders.
 *
 * Messages never quote values from connections' AuthParameters (they hold secrets); elsewhere
 * a quoted value is cut to a readable length, as the file is untrusted input.
 */
import { statSync } from 'node:fs';

export interface ConfigProblem {
  /** Where, as `functions.ProcessOrder.Timeout` or `routes[2].mock` ("" for the whole file). */
  readonly path: string;
  readonly message: string;
}

/** More problems than this are counted, not listed: the list is read by a person. */
const MAX_LISTED_PROBLEMS = 1000;

export class Problems {
  private readonly listed: ConfigProblem[] = [];
  private unlisted = 0;

  add(path: string, message: string): void {
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push({ path, message });
    else this.unlisted++;
  }

  get count(): number {
    return this.listed.length + this.unlisted;
  }

  list(): ConfigProblem[] {
    if (this.unlisted === 0) return [...this.listed];
    return [...this.listed, { path: '', message: `… and ${this.unlisted} more problems` }];
  }
}

const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;
const MAX_QUOTED_CHARS = 80;

/** The path of `key` inside `parent`: `a.b`, `a[3]`, or `a["my.bucket"]` for keys that need quoting. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (PLAIN_KEY.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${quote(key)}]`;
}

/** A user's string for a message: JSON-quoted (control characters visible), cut when long. */
export function quote(text: string): string {
  return text.length <= MAX_QUOTED_CHARS ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, MAX_QUOTED_CHARS))}…`;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property only: names come from the file, and `constructor` must not find Object's. */
export function own(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function has(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

/**
 * A map keyed by names from the file, without a prototype: a lookup of a name the file does
 * not declare (`toString`, `__proto__`) finds nothing rather than Object's members.
 */
export function nameMap<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const map = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) map[key] = value;
  return map;
}

/** The value as an object, or a problem saying what it is instead. */
export function expectObject(value: unknown, path: string, problems: Problems): JsonObject | undefined {
  if (isObject(value)) return value;
  problems.add(path, `must be an object, not ${describeType(value)}`);
  return undefined;
}

/** Reports every property of `object` that is not in `allowed` (with a hint for a wrong case). */
export function checkKeys(object: JsonObject, allowed: readonly string[], path: string, problems: Problems): void {
  for (const key of Object.keys(object)) {
    if (allowed.includes(key)) continue;
    const sameLetters = allowed.find((name) => name.toLowerCase() === key.toLowerCase());
    problems.add(
      childPath(path, key),
      sameLetters !== undefined
        ? `unknown property (did you mean "${sameLetters}"? names are case-sensitive)`
        : `unknown property; expected one of: ${allowed.join(', ')}`,
    );
  }
}

/**
 * The entries of the map at `object[key]` (absent: none), at most `limit` of them; a value
 * that is not an object, or a map too large, is a problem.
 */
export function mapEntries(object: JsonObject, key: string, path: string, limit: number, problems: Problems): Array<[string, unknown]> {
  if (!has(object, key)) return [];
  const map = expectObject(object[key], path, problems);
  if (map === undefined) return [];
  const entries = Object.entries(map);
  if (entries.length > limit) {
    problems.add(path, `has ${entries.length} entries; at most ${limit} are allowed`);
    return entries.slice(0, limit);
  }
  return entries;
}

/** An optional string property: its value, or undefined (a problem when it is there but no string). */
export function optionalString(object: JsonObject, key: string, path: string, problems: Problems): string | undefined {
  if (!has(object, key)) return undefined;
  const value = object[key];
  if (typeof value === 'string') return value;
  problems.add(childPath(path, key), `must be a string, not ${describeType(value)}`);
  return undefined;
}

/** An optional integer property within [min, max]. */
export function optionalInteger(
  object: JsonObject,
  key: string,
  path: string,
  range: { readonly min: number; readonly max: number; readonly why: string },
  problems: Problems,
): number | undefined {
  if (!has(object, key)) return undefined;
  const value = object[key];
  const where = childPath(path, key);
  if (typeof value !== 'number') {
    problems.add(where, `must be a number, not ${describeType(value)}`);
    return undefined;
  }
  if (!Number.isInteger(value)) {
    problems.add(where, `must be a whole number, not ${value}`);
    return undefined;
  }
  if (value < range.min || value > range.max) {
    problems.add(where, `must be between ${range.min} and ${range.max} (${range.why}), not ${value}`);
    return undefined;
  }
  return value;
}

const MAX_URL_CHARS = 2048;

/** Why `text` is not an http(s) URL, or undefined when it is one. */
export function httpUrlProblem(text: string): string | undefined {
  if (text.length > MAX_URL_CHARS) return `must be a URL of at most ${MAX_URL_CHARS} characters`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `must be an absolute http:// or https:// URL, not ${quote(text)}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must be an http:// or https:// URL, not ${quote(url.protocol)}`;
  }
  if (url.hostname === '') return `must name a host, not ${quote(text)}`;
  return undefined;
}

/** Why the absolute path `folder` is not an existing folder, or undefined when it is one. */
export function folderProblem(folder: string): string | undefined {
  let stats;
  try {
    stats = statSync(folder, { throwIfNoEntry: false });
  } catch (e) {
    return `cannot be read: ${folder} (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
  if (stats === undefined) return `folder does not exist: ${folder}`;
  if (!stats.isDirectory()) return `must be a folder, but ${folder} is a file`;
  return undefined;
}

/** Whether the absolute path names an existing regular file. */
export function isFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}
