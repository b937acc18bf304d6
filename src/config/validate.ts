/**
 * Validating a parsed `stepwise.config.json`: every problem is reported (with where and why),
 * not only the first, and the configuration is returned only when there are none. Paths in it
 * are made absolute against the configuration file's folder; `${env:NAME}` references in
 * connections' AuthParameters are replaced by the environment's values.
 */
import { validateHttpTriggers } from './validate-triggers.js';
import { resolve } from 'node:path';
import type { ConnectionConfig, FunctionConfig, ProjectConfig, RouteConfig } from './types.js';
import {
  checkKeys,
  childPath,
  describeType,
  expectObject,
  folderProblem,
  has,
  httpUrlProblem,
  isObject,
  mapEntries,
  nameMap,
  own,
  Problems,
  quote,
  type ConfigProblem,
  type JsonObject,
} from './checks.js';
import { checkFunctionName, validateFunction } from './validate-function.js';
import { checkConnectionName, validateConnection, type ProcessEnvironment } from './validate-connection.js';

/** The top-level properties a configuration may have (`$schema` lets editors find the JSON Schema). */
export const TOP_LEVEL_KEYS: readonly string[] = ['$schema', 'functions', 'connections', 'endpoints', 'buckets', 'routes', 'httpTriggers'];

/** Bounds on what one file may declare: generous for a project, small enough for a start-up check. */
const MAX_FUNCTIONS = 1000;
const MAX_CONNECTIONS = 1000;
const MAX_ENDPOINTS = 200;
const MAX_BUCKETS = 1000;
const MAX_ROUTES = 1000;

/** An SDK service id (`dynamodb`, `secretsmanager`), or the same as an `aws-sdk:` integration names it. */
const SERVICE_ID = /^(aws-sdk:)?[a-z0-9][a-z0-9-]{0,63}$/;

export interface ValidationResult {
  /** Present exactly when there are no problems. */
  readonly config?: ProjectConfig;
  readonly problems: ConfigProblem[];
}

export function validateProjectConfig(value: unknown, baseDir: string, env: ProcessEnvironment = process.env): ValidationResult {
  const problems = new Problems();
  const base = resolve(baseDir);
  if (!isObject(value)) {
    problems.add('', `the configuration must be a JSON object, not ${describeType(value)}`);
    return { problems: problems.list() };
  }
  checkKeys(value, TOP_LEVEL_KEYS, '', problems);
  if (has(value, '$schema') && typeof value.$schema !== 'string') {
    problems.add('$schema', `must be a string (the JSON Schema's location, e.g. "./stepwise.config.schema.json"), not ${describeType(value.$schema)}`);
  }

  const functions: Array<[string, FunctionConfig]> = [];
  for (const [name, fn] of mapEntries(value, 'functions', 'functions', MAX_FUNCTIONS, problems)) {
    const path = childPath('functions', name);
    checkFunctionName(name, path, problems);
    const object = expectObject(fn, path, problems);
    if (object !== undefined) functions.push([name, validateFunction(object, path, base, problems)]);
  }

  const connections: Array<[string, ConnectionConfig]> = [];
  for (const [name, connection] of mapEntries(value, 'connections', 'connections', MAX_CONNECTIONS, problems)) {
    const path = childPath('connections', name);
    checkConnectionName(name, path, problems);
    const object = expectObject(connection, path, problems);
    if (object !== undefined) connections.push([name, validateConnection(object, path, env, problems)]);
  }

  const endpoints = validateEndpoints(value, problems);
  const buckets = validateBuckets(value, base, problems);
  // A route may name any declared function, even one with problems of its own (those are reported there).
  const declared = new Set(isObject(own(value, 'functions')) ? Object.keys(value.functions as JsonObject) : []);
  const routes = validateRoutes(value, declared, problems);
  const httpTriggers = validateHttpTriggers(value, env, problems);

  if (problems.count > 0) return { problems: problems.list() };
  return {
    config: {
      baseDir: base,
      functions: nameMap(functions),
      connections: nameMap(connections),
      endpoints: nameMap(endpoints),
      buckets: nameMap(buckets),
      routes,
      httpTriggers,
    },
    problems: [],
  };
}

function validateEndpoints(config: JsonObject, problems: Problems): Array<[string, string]> {
  const endpoints: Array<[string, string]> = [];
  for (const [service, endpoint] of mapEntries(config, 'endpoints', 'endpoints', MAX_ENDPOINTS, problems)) {
    const path = childPath('endpoints', service);
    if (!SERVICE_ID.test(service)) {
      problems.add(path, 'is not an AWS SDK service id: lowercase letters, digits and hyphens, e.g. "dynamodb" or "aws-sdk:secretsmanager"');
    }
    if (typeof endpoint !== 'string') {
      problems.add(path, `must be an http(s) URL or "aws" (the real service), not ${describeType(endpoint)}`);
      continue;
    }
    const problem = endpoint === 'aws' ? undefined : httpUrlProblem(endpoint);
    if (problem !== undefined) problems.add(path, `${problem} (or "aws" for the real service)`);
    else endpoints.push([service, endpoint]);
  }
  return endpoints;
}

/** Why `name` is not an S3 general purpose bucket name (S3 User Guide, "Bucket naming rules"). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'may contain only lowercase letters, digits, dots (.) and hyphens (-)';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'must begin and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not be formatted as an IP address';
  for (const prefix of ['xn--', 'sthree-', 'amzn-s3-demo-']) {
    if (name.startsWith(prefix)) return `must not start with "${prefix}" (reserved by S3)`;
  }
  for (const suffix of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']) {
    if (name.endsWith(suffix)) return `must not end with "${suffix}" (reserved by S3)`;
  }
  return undefined;
}

function validateBuckets(config: JsonObject, baseDir: string, problems: Problems): Array<[string, string]> {
  const buckets: Array<[string, string]> = [];
  const byFolder = new Map<string, string>();
  for (const [name, folder] of mapEntries(config, 'buckets', 'buckets', MAX_BUCKETS, problems)) {
    const path = childPath('buckets', name);
    const nameProblem = bucketNameProblem(name);
    if (nameProblem !== undefined) problems.add(path, `bucket name ${quote(name)} ${nameProblem}`);
    if (typeof folder !== 'string') {
      problems.add(path, `must be a folder (a path relative to the configuration file's folder), not ${describeType(folder)}`);
      continue;
    }
    if (folder === '') {
      problems.add(path, 'must name a folder (use "." for the configuration file\'s folder)');
      continue;
    }
    const absolute = resolve(baseDir, folder);
    const problem = folderProblem(absolute);
    if (problem !== undefined) {
      problems.add(path, `${problem} (bucket folders are relative to the configuration file's folder and are not created)`);
      continue;
    }
    const other = byFolder.get(absolute);
    if (other !== undefined) {
      // Two buckets in one folder would list and overwrite each other's objects.
      problems.add(path, `uses the same folder as bucket ${quote(other)}`);
      continue;
    }
    byFolder.set(absolute, name);
    buckets.push([name, absolute]);
  }
  return buckets;
}

const ROUTE_KEYS = ['state', 'resource', 'function', 'url', 'mock', 'service'];
const ROUTE_MATCHES = ['state', 'resource'];
const ROUTE_TARGETS = ['function', 'url', 'mock', 'service'];

function validateRoutes(config: JsonObject, functions: ReadonlySet<string>, problems: Problems): RouteConfig[] {
  if (!has(config, 'routes')) return [];
  const list = config.routes;
  if (!Array.isArray(list)) {
    problems.add('routes', `must be an array of routes, not ${describeType(list)}`);
    return [];
  }
  if (list.length > MAX_ROUTES) {
    problems.add('routes', `has ${list.length} routes; at most ${MAX_ROUTES} are allowed`);
    return [];
  }
  const routes: RouteConfig[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry: unknown, index) => {
    const path = childPath('routes', index);
    const route = expectObject(entry, path, problems);
    if (route === undefined) return;
    checkKeys(route, ROUTE_KEYS, path, problems);
    const matches = ROUTE_MATCHES.filter((key) => has(route, key));
    const targets = ROUTE_TARGETS.filter((key) => has(route, key));
    if (matches.length !== 1) {
      problems.add(path, `needs exactly one of state (a Task state's name) or resource (a Task's resource ARN); it has ${matches.length === 0 ? 'neither' : 'both'}`);
    }
    if (targets.length !== 1) {
      problems.add(path, `needs exactly one target: function, url, mock or service; it has ${targets.length === 0 ? 'none' : targets.join(' and ')}`);
    }
    const state = nonEmptyString(route, 'state', path, problems);
    const resource = nonEmptyString(route, 'resource', path, problems);
    if (resource !== undefined && !resource.startsWith('arn:')) {
      problems.add(childPath(path, 'resource'), `must be a Task resource ARN as the definition writes it (arn:…), not ${quote(resource)}`);
    }
    const match = state !== undefined ? `state ${quote(state)}` : resource !== undefined ? `resource ${quote(resource)}` : undefined;
    if (match !== undefined && matches.length === 1) {
      const earlier = seen.get(match);
      if (earlier !== undefined) problems.add(path, `routes ${match} again; routes[${earlier}] already does`);
      else seen.set(match, index);
    }

    const fn = nonEmptyString(route, 'function', path, problems);
    if (fn !== undefined && !functions.has(fn)) {
      problems.add(childPath(path, 'function'), `names no function of "functions": ${quote(fn)}`);
    }
    const url = nonEmptyString(route, 'url', path, problems);
    const urlProblem = url === undefined ? undefined : httpUrlProblem(url);
    if (urlProblem !== undefined) problems.add(childPath(path, 'url'), urlProblem);
    const mock = has(route, 'mock') ? validateMock(route.mock, childPath(path, 'mock'), problems) : undefined;
    if (has(route, 'service') && route.service !== 'aws') {
      problems.add(childPath(path, 'service'), `must be "aws" (the built-in integration), not ${typeof route.service === 'string' ? quote(route.service) : describeType(route.service)}`);
    }

    routes.push({
      ...(state !== undefined ? { state } : {}),
      ...(resource !== undefined ? { resource } : {}),
      ...(fn !== undefined ? { function: fn } : {}),
      ...(url !== undefined ? { url } : {}),
      ...(mock !== undefined ? { mock } : {}),
      ...(route.service === 'aws' ? { service: 'aws' as const } : {}),
    });
  });
  return routes;
}

function nonEmptyString(object: JsonObject, key: string, path: string, problems: Problems): string | undefined {
  if (!has(object, key)) return undefined;
  const value = object[key];
  if (typeof value === 'string' && value !== '') return value;
  problems.add(childPath(path, key), typeof value === 'string' ? 'must not be empty' : `must be a string, not ${describeType(value)}`);
  return undefined;
}

/** A MockConfigFile response: `{"Return": any}` or `{"Throw": {"Error"?, "Cause"?}}`. */
function validateMock(value: unknown, path: string, problems: Problems): RouteConfig['mock'] {
  const mock = expectObject(value, path, problems);
  if (mock === undefined) return undefined;
  checkKeys(mock, ['Return', 'Throw'], path, problems);
  const kinds = ['Return', 'Throw'].filter((key) => has(mock, key));
  if (kinds.length !== 1) {
    problems.add(path, `needs exactly one of Return (the task's result) or Throw ({"Error", "Cause"}); it has ${kinds.length === 0 ? 'neither' : 'both'}`);
    return undefined;
  }
  if (kinds[0] === 'Return') return { Return: mock.Return };
  const throwPath = childPath(path, 'Throw');
  const thrown = expectObject(mock.Throw, throwPath, problems);
  if (thrown === undefined) return undefined;
  checkKeys(thrown, ['Error', 'Cause'], throwPath, problems);
  const error = nonEmptyString(thrown, 'Error', throwPath, problems);
  const cause = has(thrown, 'Cause') && typeof thrown.Cause !== 'string' ? undefined : (thrown.Cause as string | undefined);
  if (has(thrown, 'Cause') && typeof thrown.Cause !== 'string') {
    problems.add(childPath(throwPath, 'Cause'), `must be a string, not ${describeType(thrown.Cause)}`);
  }
  return { Throw: { ...(error !== undefined ? { Error: error } : {}), ...(cause !== undefined ? { Cause: cause } : {}) } };
}
