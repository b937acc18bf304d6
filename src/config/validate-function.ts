/**
 * A function of `functions`, checked against the limits Lambda's CreateFunction enforces (so a
 * configuration that loads here describes a function AWS would accept) and against the files
 * it names. Exactly one way to run it: local code (CodeUri + Handler), a URL, or a command.
 */
import { resolve } from 'node:path';
import type { FunctionConfig } from './types.js';
import {
  checkKeys,
  childPath,
  describeType,
  folderProblem,
  has,
  httpUrlProblem,
  own,
  optionalInteger,
  optionalString,
  quote,
  type JsonObject,
  type Problems,
} from './checks.js';
import { locateHandler, runtimeLanguage } from './handler.js';

/**
 * The Node.js and Python runtimes AWS Lambda lists as supported (Lambda runtimes page, 2025–26:
 * nodejs24.x/22.x/20.x, python3.14…3.10; nodejs18.x and python3.9 are deprecated there but
 * still run existing functions, so they are accepted).
 */
export const SUPPORTED_RUNTIMES: readonly string[] = [
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
];

/** What an absent setting means (Lambda's and SAM's defaults; the concurrency is Stepwise's). */
export const FUNCTION_DEFAULTS = {
  Runtime: 'nodejs20.x',
  Timeout: 3,
  MemorySize: 128,
  ReservedConcurrentExecutions: 10,
} as const;

const FUNCTION_KEYS = ['CodeUri', 'Handler', 'Runtime', 'Timeout', 'MemorySize', 'Environment', 'ReservedConcurrentExecutions', 'Url', 'Command'];

/** Lambda's function name: 1–64 letters, digits, hyphens and underscores. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Lambda's Environment.Variables key pattern `[a-zA-Z]([a-zA-Z0-9_])+`. */
const ENVIRONMENT_KEY = /^[a-zA-Z][a-zA-Z0-9_]+$/;
/** Lambda: "the total size of all environment variables doesn't exceed 4 KB" (counted here as the UTF-8 bytes of names and values). */
const MAX_ENVIRONMENT_BYTES = 4096;
/** Keys the Lambda runtime sets itself; CreateFunction refuses them (Lambda's "Defined runtime environment variables"). */
const RESERVED_ENVIRONMENT_KEYS = new Set([
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
]);

/**
 * At most this many invocations at once: AWS's default account concurrency quota. Each local
 * invocation may be a worker process, so the bound protects the machine as well.
 */
const MAX_CONCURRENCY = 1000;
const MAX_COMMAND_ARGS = 256;

export function checkFunctionName(name: string, path: string, problems: Problems): void {
  if (!FUNCTION_NAME.test(name)) {
    problems.add(path, `function name ${quote(name)} is not a Lambda function name: 1 to 64 letters, digits, hyphens (-) and underscores (_)`);
  }
}

/** The function as loaded (CodeUri absolute), problems aside. */
export function validateFunction(fn: JsonObject, path: string, baseDir: string, problems: Problems): FunctionConfig {
  checkKeys(fn, FUNCTION_KEYS, path, problems);
  const kinds = [
    ...(has(fn, 'CodeUri') || has(fn, 'Handler') ? ['CodeUri+Handler'] : []),
    ...(has(fn, 'Url') ? ['Url'] : []),
    ...(has(fn, 'Command') ? ['Command'] : []),
  ];
  if (kinds.length === 0) {
    problems.add(path, 'needs exactly one of CodeUri+Handler (local code), Url or Command; it has none');
  } else if (kinds.length > 1) {
    problems.add(path, `needs exactly one of CodeUri+Handler (local code), Url or Command; it has ${kinds.join(' and ')}`);
  }
  const local = kinds[0] === 'CodeUri+Handler' && kinds.length === 1;

  const runtime = checkRuntime(fn, path, local, problems);
  const codeUri = local ? checkCode(fn, path, baseDir, runtime, problems) : undefined;
  const url = optionalString(fn, 'Url', path, problems);
  if (url !== undefined) {
    const problem = httpUrlProblem(url);
    if (problem !== undefined) problems.add(childPath(path, 'Url'), problem);
  }
  const command = checkCommand(fn, path, problems);
  const timeout = optionalInteger(fn, 'Timeout', path, { min: 1, max: 900, why: "seconds, Lambda's limit" }, problems);
  const memorySize = optionalInteger(fn, 'MemorySize', path, { min: 128, max: 10240, why: "MB, Lambda's limit" }, problems);
  const concurrency = optionalInteger(
    fn,
    'ReservedConcurrentExecutions',
    path,
    { min: 1, max: MAX_CONCURRENCY, why: "invocations at once; AWS's default account quota is the most" },
    problems,
  );
  const environment = checkEnvironment(fn, path, problems);
  if (has(fn, 'Url')) {
    // A URL runs somewhere else: nothing here could apply these.
    for (const key of ['Environment', 'MemorySize']) {
      if (has(fn, key)) problems.add(childPath(path, key), 'does not apply to a function with a Url (the code runs elsewhere)');
    }
  }

  return {
    ...(codeUri !== undefined ? { CodeUri: codeUri } : {}),
    ...(typeof own(fn, 'Handler') === 'string' ? { Handler: own(fn, 'Handler') as string } : {}),
    ...(runtime !== undefined && has(fn, 'Runtime') ? { Runtime: runtime } : {}),
    ...(timeout !== undefined ? { Timeout: timeout } : {}),
    ...(memorySize !== undefined ? { MemorySize: memorySize } : {}),
    ...(environment !== undefined ? { Environment: environment } : {}),
    ...(concurrency !== undefined ? { ReservedConcurrentExecutions: concurrency } : {}),
    ...(url !== undefined ? { Url: url } : {}),
    ...(command !== undefined ? { Command: command } : {}),
  };
}

/** The runtime in effect (the default when absent), or undefined when it is not one Stepwise runs. */
function checkRuntime(fn: JsonObject, path: string, local: boolean, problems: Problems): string | undefined {
  const runtime = optionalString(fn, 'Runtime', path, problems);
  if (runtime === undefined) return has(fn, 'Runtime') ? undefined : FUNCTION_DEFAULTS.Runtime;
  if (!local) {
    problems.add(childPath(path, 'Runtime'), 'applies only to local code (CodeUri+Handler)');
    return undefined;
  }
  if (!SUPPORTED_RUNTIMES.includes(runtime)) {
    problems.add(
      childPath(path, 'Runtime'),
      `${quote(runtime)} is not supported; use one of AWS Lambda's Node.js and Python runtimes: ${SUPPORTED_RUNTIMES.join(', ')}`,
    );
    return undefined;
  }
  return runtime;
}

/** CodeUri (absolute) after checking it and the Handler's file. */
function checkCode(fn: JsonObject, path: string, baseDir: string, runtime: string | undefined, problems: Problems): string | undefined {
  const codeUri = optionalString(fn, 'CodeUri', path, problems);
  const handler = optionalString(fn, 'Handler', path, problems);
  if (!has(fn, 'CodeUri')) problems.add(path, 'has a Handler but no CodeUri (the folder of the code)');
  if (!has(fn, 'Handler')) problems.add(path, 'has a CodeUri but no Handler (file.export, e.g. "index.handler")');
  let folder: string | undefined;
  if (codeUri !== undefined) {
    if (codeUri === '') {
      problems.add(childPath(path, 'CodeUri'), 'must not be empty (use "." for the configuration file\'s folder)');
    } else {
      // As SAM resolves CodeUri against template.yaml's folder.
      folder = resolve(baseDir, codeUri);
      const problem = folderProblem(folder);
      if (problem !== undefined) {
        problems.add(childPath(path, 'CodeUri'), `${problem} (CodeUri is relative to the configuration file's folder)`);
        folder = undefined;
      }
    }
  }
  const language = runtime === undefined ? undefined : runtimeLanguage(runtime);
  if (handler !== undefined && language !== undefined) {
    // The syntax is checked even when the folder is wrong: both mistakes are reported at once.
    const location = locateHandler(folder ?? baseDir, handler, language);
    if (!location.ok && (location.syntax || folder !== undefined)) {
      problems.add(childPath(path, 'Handler'), `${quote(handler)} ${location.message}`);
    }
  }
  return codeUri === undefined || codeUri === '' ? undefined : resolve(baseDir, codeUri);
}

function checkCommand(fn: JsonObject, path: string, problems: Problems): readonly string[] | undefined {
  if (!has(fn, 'Command')) return undefined;
  const command = fn.Command;
  const where = childPath(path, 'Command');
  if (!Array.isArray(command)) {
    problems.add(where, `must be an array of strings (the program and its arguments), not ${describeType(command)}`);
    return undefined;
  }
  if (command.length === 0) {
    problems.add(where, 'must not be empty: the first string is the program to run');
    return undefined;
  }
  if (command.length > MAX_COMMAND_ARGS) {
    problems.add(where, `has ${command.length} strings; at most ${MAX_COMMAND_ARGS} are allowed`);
    return undefined;
  }
  let ok = true;
  command.forEach((arg: unknown, index) => {
    if (typeof arg !== 'string') {
      problems.add(childPath(where, index), `must be a string, not ${describeType(arg)}`);
      ok = false;
    } else if (arg.includes('\0')) {
      problems.add(childPath(where, index), 'must not contain a NUL character');
      ok = false;
    } else if (index === 0 && arg.trim() === '') {
      problems.add(childPath(where, index), 'must name the program to run');
      ok = false;
    }
  });
  return ok ? (command as string[]) : undefined;
}

function checkEnvironment(fn: JsonObject, path: string, problems: Problems): FunctionConfig['Environment'] {
  if (!has(fn, 'Environment')) return undefined;
  const where = childPath(path, 'Environment');
  const environment = fn.Environment;
  if (typeof environment !== 'object' || environment === null || Array.isArray(environment)) {
    problems.add(where, `must be an object with Variables, not ${describeType(environment)}`);
    return undefined;
  }
  checkKeys(environment as JsonObject, ['Variables'], where, problems);
  if (!has(environment as JsonObject, 'Variables')) return {};
  const variablesPath = childPath(where, 'Variables');
  const variables = (environment as JsonObject).Variables;
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
    problems.add(variablesPath, `must be an object of names to string values, not ${describeType(variables)}`);
    return undefined;
  }
  let bytes = 0;
  const loaded: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(variables)) {
    const keyPath = childPath(variablesPath, key);
    if (!ENVIRONMENT_KEY.test(key)) {
      problems.add(keyPath, 'is not a Lambda environment variable name: a letter, then at least one letter, digit or underscore');
    } else if (RESERVED_ENVIRONMENT_KEYS.has(key)) {
      problems.add(keyPath, 'is reserved: the Lambda runtime sets it');
    }
    if (typeof value !== 'string') {
      problems.add(keyPath, `must be a string, not ${describeType(value)} (write numbers and booleans in quotes)`);
      continue;
    }
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    loaded.push([key, value]);
  }
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    problems.add(variablesPath, `total ${bytes} bytes; Lambda allows at most 4 KB of environment variables`);
  }
  return { Variables: Object.fromEntries(loaded) };
}
