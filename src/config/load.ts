/**
 * Finding, reading and validating the project configuration (`stepwise.config.json`).
 *
 * The file, first found wins: the explicit path (`--config FILE`), `STEPWISE_CONFIG`, then
 * `stepwise.config.json` in the working folder. With none of these, the configuration is empty.
 * An explicitly named file must exist; the implicit one is used only when it does.
 *
 * Every problem with the file is reported at once, in a ConfigFileError whose message has one
 * line per problem: `<file>: <path>: <message>` (line and column for JSON syntax errors).
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { emptyProjectConfig, type ProjectConfig } from './types.js';
import type { ConfigProblem } from './checks.js';
import { parseJsonText } from './json-text.js';
import { validateProjectConfig } from './validate.js';
import type { ProcessEnvironment } from './validate-connection.js';

export type { ConfigProblem } from './checks.js';
export type { ProcessEnvironment } from './validate-connection.js';
export { validateProjectConfig, type ValidationResult } from './validate.js';

export const CONFIG_FILE_NAME = 'stepwise.config.json';
export const CONFIG_FILE_VARIABLE = 'STEPWISE_CONFIG';

/** A configuration is a page of settings; anything near this size is a mistake (or hostile). */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';

  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(problems.map((problem) => (problem.path === '' ? `${file}: ${problem.message}` : `${file}: ${problem.path}: ${problem.message}`)).join('\n'));
  }
}

export interface LoadOptions {
  /** The explicit configuration file (`--config`), relative to `cwd`. */
  readonly file?: string;
  /** The working folder (default process.cwd()). */
  readonly cwd?: string;
  /** Where STEPWISE_CONFIG and `${env:NAME}` are read (default process.env). */
  readonly env?: ProcessEnvironment;
}

/** The project configuration; throws ConfigFileError listing every problem. */
export function loadProjectConfig(options: LoadOptions = {}): ProjectConfig {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  if (options.file !== undefined) {
    if (options.file === '') throw new ConfigFileError('--config', [{ path: '', message: 'the configuration file name is empty' }]);
    return loadFile(resolve(cwd, options.file), env);
  }
  // An empty variable counts as unset, as shells leave `STEPWISE_CONFIG=` to clear it.
  const named = env[CONFIG_FILE_VARIABLE];
  if (named) return loadFile(resolve(cwd, named), env);
  const implicit = join(cwd, CONFIG_FILE_NAME);
  if (statSync(implicit, { throwIfNoEntry: false }) !== undefined) return loadFile(implicit, env);
  return emptyProjectConfig(cwd);
}

function loadFile(file: string, env: ProcessEnvironment): ProjectConfig {
  const text = readConfigText(file);
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    throw new ConfigFileError(file, [{ path: '', message: `invalid JSON at line ${parsed.line}, column ${parsed.column}: ${parsed.message}` }]);
  }
  const { config, problems } = validateProjectConfig(parsed.value, dirname(file), env);
  if (config === undefined) throw new ConfigFileError(file, problems);
  return { ...config, file };
}

function readConfigText(file: string): string {
  const fail = (message: string): never => {
    throw new ConfigFileError(file, [{ path: '', message }]);
  };
  let bytes: Buffer;
  try {
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats === undefined) return fail('the configuration file does not exist');
    if (!stats.isFile()) return fail('is not a file');
    if (stats.size > MAX_CONFIG_BYTES) return fail(`is ${stats.size} bytes; a configuration file may have at most ${MAX_CONFIG_BYTES} bytes`);
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof ConfigFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'EACCES' ? 'cannot be read: permission denied' : `cannot be read: ${code ?? String(e)}`);
  }
  // The file may have grown since it was measured.
  if (bytes.length > MAX_CONFIG_BYTES) return fail(`a configuration file may have at most ${MAX_CONFIG_BYTES} bytes`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('is not UTF-8 text');
  }
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/**
 * A one-line summary for the start-up log, e.g. "3 functions, 1 connection, 2 buckets, 1 route"
 * (what is configured, never a secret or a value).
 */
export function describeProjectConfig(config: ProjectConfig): string {
  const parts = [
    [Object.keys(config.functions).length, 'function'],
    [Object.keys(config.connections).length, 'connection'],
    [Object.keys(config.endpoints).length, 'endpoint'],
    [Object.keys(config.buckets).length, 'bucket'],
    [config.routes.length, 'route'],
  ] as const;
  const configured = parts.filter(([n]) => n > 0).map(([n, what]) => count(n, what));
  return configured.length === 0 ? 'nothing configured' : configured.join(', ');
}
