/**
 * The keys file (`--auth-file`, `STEPWISE_AUTH_FILE`; stepwise.auth.schema.json): the access
 * keys that may call the API, each with its IAM policies, and the policies of the roles
 * executions act with (a state machine's `roleArn`):
 *
 *   {"keys": [{"accessKeyId": "AKIA…", "secretAccessKey": "${env:CI_SECRET}", "name": "ci",
 *              "policies": [<IAM policy documents>]}],
 *    "roles": {"arn:aws:iam::111111111111:role/orders": [<IAM policy documents>]}}
 *
 * Every problem is reported with its path (as the project configuration's are), never a
 * secret's value. A secret may be written as `${env:NAME}` (the whole string), so the file
 * itself can be kept in version control.
 */
import { readFileSync } from 'node:fs';
import { checkKeys, childPath, describeType, has, isObject, mapEntries, own, Problems, quote, type ConfigProblem } from '../config/checks.js';
import { compilePolicy, type Policy } from './policy.js';

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The IAM user name the key stands for (`arn:aws:iam::<account>:user/<name>` in messages). */
  readonly name: string;
  readonly policies: readonly Policy[];
}

export interface AuthKeys {
  /** By access key id (a map without a prototype: ids come from requests). */
  readonly keys: ReadonlyMap<string, AccessKey>;
  /** Role ARN → its policies. A role not listed may do nothing. */
  readonly roles: ReadonlyMap<string, readonly Policy[]>;
}

export class AuthFileError extends Error {
  override readonly name = 'AuthFileError';
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(`The keys file ${file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  ${p.path === '' ? '(file)' : p.path}: ${p.message}`).join('\n')}`);
  }
}

type Environment = Readonly<Record<string, string | undefined>>;

const TOP_LEVEL_KEYS = ['$schema', 'keys', 'roles'];
const KEY_KEYS = ['accessKeyId', 'secretAccessKey', 'name', 'policies'];
/** IAM's AccessKeyId: 16 to 128 word characters. */
const ACCESS_KEY_ID = /^\w{16,128}$/;
/** IAM's user name: 1 to 64 of letters, digits and `+=,.@_-`. */
const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ENV_REFERENCE = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;
/** A secret shorter than this is a password, not a key (AWS's are 40 characters). */
const MIN_SECRET_LENGTH = 16;
const MAX_SECRET_LENGTH = 128;
const MAX_KEYS = 1000;
const MAX_ROLES = 1000;
const MAX_POLICIES = 20;
/** A keys file is read whole at start and on SIGHUP: bounded, so a wrong path cannot fill memory. */
const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Reads and validates the keys file; AuthFileError lists every problem. */
export function loadKeysFile(file: string, env: Environment = process.env): AuthKeys {
  let text: string;
  try {
    const buffer = readFileSync(file);
    if (buffer.length > MAX_FILE_BYTES) throw new AuthFileError(file, [{ path: '', message: `is ${buffer.length} bytes; a keys file may have at most ${MAX_FILE_BYTES}` }]);
    text = buffer.toString('utf8');
  } catch (e) {
    if (e instanceof AuthFileError) throw e;
    throw new AuthFileError(file, [{ path: '', message: `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AuthFileError(file, [{ path: '', message: `is not valid JSON: ${(e as Error).message}` }]);
  }
  const result = validateKeysFile(value, env);
  if (!result.keys) throw new AuthFileError(file, result.problems);
  return result.keys;
}

export function validateKeysFile(value: unknown, env: Environment = process.env): { keys?: AuthKeys; problems: ConfigProblem[] } {
  const problems = new Problems();
  if (!isObject(value)) {
    problems.add('', `the keys file must be a JSON object with "keys" (and "roles"), not ${describeType(value)}`);
    return { problems: problems.list() };
  }
  checkKeys(value, TOP_LEVEL_KEYS, '', problems);
  const keys = new Map<string, AccessKey>();
  const rawKeys = own(value, 'keys');
  if (!Array.isArray(rawKeys)) problems.add(has(value, 'keys') ? 'keys' : '', has(value, 'keys') ? `must be an array of access keys, not ${describeType(rawKeys)}` : 'needs "keys": an array of access keys');
  else if (rawKeys.length > MAX_KEYS) problems.add('keys', `has ${rawKeys.length} keys; at most ${MAX_KEYS} are allowed`);
  else {
    rawKeys.forEach((raw, index) => {
      const key = validateKey(raw, childPath('keys', index), env, problems);
      if (!key) return;
      if (keys.has(key.accessKeyId)) problems.add(childPath(childPath('keys', index), 'accessKeyId'), `repeats the access key id of an earlier key`);
      else keys.set(key.accessKeyId, key);
    });
  }
  const roles = new Map<string, readonly Policy[]>();
  for (const [arn, raw] of mapEntries(value, 'roles', 'roles', MAX_ROLES, problems)) {
    const path = childPath('roles', arn);
    if (!ROLE_ARN.test(arn)) problems.add(path, `must be keyed by a role ARN like "arn:aws:iam::111111111111:role/orders", not ${quote(arn)}`);
    const policies = validatePolicies(raw, path, problems);
    if (policies) roles.set(arn, policies);
  }
  return problems.count === 0 ? { keys: { keys, roles }, problems: [] } : { problems: problems.list() };
}

function validateKey(raw: unknown, path: string, env: Environment, problems: Problems): AccessKey | undefined {
  if (!isObject(raw)) {
    problems.add(path, `must be an object with accessKeyId, secretAccessKey, name and policies, not ${describeType(raw)}`);
    return undefined;
  }
  const before = problems.count;
  checkKeys(raw, KEY_KEYS, path, problems);
  const accessKeyId = own(raw, 'accessKeyId');
  if (typeof accessKeyId !== 'string' || !ACCESS_KEY_ID.test(accessKeyId)) {
    problems.add(has(raw, 'accessKeyId') ? childPath(path, 'accessKeyId') : path, has(raw, 'accessKeyId') ? 'must be 16 to 128 letters, digits or underscores, like "AKIAIOSFODNN7EXAMPLE"' : 'needs accessKeyId');
  }
  const secretAccessKey = secret(raw, path, env, problems);
  const name = own(raw, 'name');
  if (typeof name !== 'string' || !USER_NAME.test(name)) {
    problems.add(has(raw, 'name') ? childPath(path, 'name') : path, has(raw, 'name') ? 'must be 1 to 64 letters, digits or +=,.@_- (an IAM user name)' : 'needs name (who the key belongs to, e.g. "ci")');
  }
  const policies = has(raw, 'policies') ? validatePolicies(raw.policies, childPath(path, 'policies'), problems) : (problems.add(path, 'needs policies (an array of IAM policy documents; [] allows nothing)'), undefined);
  if (problems.count !== before || !policies || secretAccessKey === undefined) return undefined;
  return { accessKeyId: accessKeyId as string, secretAccessKey, name: name as string, policies };
}

/** The secret, `${env:NAME}` replaced; problems never quote it. */
function secret(raw: Readonly<Record<string, unknown>>, path: string, env: Environment, problems: Problems): string | undefined {
  const where = childPath(path, 'secretAccessKey');
  if (!has(raw, 'secretAccessKey')) return void problems.add(path, 'needs secretAccessKey');
  let value = raw.secretAccessKey;
  if (typeof value !== 'string') return void problems.add(where, `must be a string, not ${describeType(value)}`);
  const reference = ENV_REFERENCE.exec(value);
  if (reference) {
    value = env[reference[1]!];
    if (value === undefined || value === '') return void problems.add(where, `environment variable ${reference[1]} is not set`);
  } else if (value.includes('${')) {
    return void problems.add(where, 'may be "${env:NAME}" (the whole string) to read the secret from the environment, or the secret itself');
  }
  const text = value as string;
  if (text.length < MIN_SECRET_LENGTH || text.length > MAX_SECRET_LENGTH || /\s/.test(text)) {
    return void problems.add(where, `must be ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters without spaces (AWS's secrets are 40)`);
  }
  return text;
}

function validatePolicies(raw: unknown, path: string, problems: Problems): Policy[] | undefined {
  if (!Array.isArray(raw)) {
    problems.add(path, `must be an array of IAM policy documents, not ${describeType(raw)}`);
    return undefined;
  }
  if (raw.length > MAX_POLICIES) {
    problems.add(path, `has ${raw.length} policies; at most ${MAX_POLICIES} are allowed`);
    return undefined;
  }
  const policies: Policy[] = [];
  raw.forEach((document, index) => {
    const policy = compilePolicy(document, childPath(path, index), problems);
    if (policy) policies.push(policy);
  });
  return policies.length === raw.length ? policies : undefined;
}
