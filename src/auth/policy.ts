/**
 * IAM identity-based policies, the subset that matters to Stepwise: `Version`, `Statement`
 * (one object or an array), `Sid`, `Effect` (Allow/Deny), `Action`/`NotAction` and
 * `Resource`/`NotResource` (a string or an array), with `*` and `?` wildcards. Actions compare
 * case-insensitively (`states:startexecution` is `states:StartExecution`, as IAM compares
 * them); resources case-sensitively, as IAM compares ARNs.
 *
 * Evaluation is IAM's for one principal's identity policies: an explicit Deny in any statement
 * wins, else an Allow grants, else the request is denied by default.
 *
 * A statement with a `Condition` is refused when the file is loaded rather than evaluated
 * without it: ignoring a condition would grant more than its author meant. So are `Principal`
 * (identity policies have none) and policy variables (`${aws:username}`).
 */
import { checkKeys, childPath, describeType, has, isObject, own, quote, type Problems } from '../config/checks.js';

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

interface Statement {
  readonly allow: boolean;
  /** Matches the action (or, for NotAction, everything but it). */
  readonly action: Matcher;
  readonly resource: Matcher;
}

interface Matcher {
  readonly patterns: readonly RegExp[];
  readonly negated: boolean;
}

/** A policy document, checked and compiled once when the keys file is loaded. */
export interface Policy {
  readonly statements: readonly Statement[];
}

const VERSIONS = ['2012-10-17', '2008-10-17'];
const DOCUMENT_KEYS = ['Version', 'Id', 'Statement'];
const STATEMENT_KEYS = ['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Principal', 'NotPrincipal'];
/** `service:action` with wildcards, or `*` alone (IAM's form; the service prefix is lower-case letters, digits and hyphens). */
const ACTION = /^([a-z0-9-]+:[A-Za-z0-9*?]+|\*)$/i;
/** IAM's own bounds: a managed policy is at most 6,144 characters, but inline ones go to 10,240. */
const MAX_STATEMENTS = 100;
const MAX_VALUES = 100;
const MAX_PATTERN_LENGTH = 2048;

/** Compiles a policy document, reporting every problem under `path`; undefined when it has any. */
export function compilePolicy(document: unknown, path: string, problems: Problems): Policy | undefined {
  const before = problems.count;
  if (!isObject(document)) {
    problems.add(path, `must be an IAM policy document (an object with Version and Statement), not ${describeType(document)}`);
    return undefined;
  }
  checkKeys(document, DOCUMENT_KEYS, path, problems);
  if (has(document, 'Version') && !VERSIONS.includes(document.Version as string)) {
    problems.add(childPath(path, 'Version'), `must be "2012-10-17" (or the older "2008-10-17"), not ${typeof document.Version === 'string' ? quote(document.Version) : describeType(document.Version)}`);
  }
  const raw = own(document, 'Statement');
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (raw === undefined) problems.add(path, 'needs Statement (one statement object or an array of them)');
  else if (list.length === 0) problems.add(childPath(path, 'Statement'), 'must hold at least one statement');
  else if (list.length > MAX_STATEMENTS) problems.add(childPath(path, 'Statement'), `has ${list.length} statements; at most ${MAX_STATEMENTS} are allowed`);
  const statements: Statement[] = [];
  list.slice(0, MAX_STATEMENTS).forEach((item, index) => {
    const statement = compileStatement(item, Array.isArray(raw) ? childPath(childPath(path, 'Statement'), index) : childPath(path, 'Statement'), problems);
    if (statement) statements.push(statement);
  });
  return problems.count === before ? { statements } : undefined;
}

function compileStatement(value: unknown, path: string, problems: Problems): Statement | undefined {
  if (!isObject(value)) {
    problems.add(path, `must be a statement object, not ${describeType(value)}`);
    return undefined;
  }
  checkKeys(value, STATEMENT_KEYS, path, problems);
  if (has(value, 'Sid') && typeof value.Sid !== 'string') problems.add(childPath(path, 'Sid'), `must be a string, not ${describeType(value.Sid)}`);
  if (has(value, 'Condition')) {
    problems.add(childPath(path, 'Condition'), 'is not supported by Stepwise: a condition cannot be enforced here, and a statement without it would grant or deny more than written; remove the statement or its Condition');
  }
  for (const key of ['Principal', 'NotPrincipal']) {
    if (has(value, key)) problems.add(childPath(path, key), 'has no place in an identity-based policy (the key or role the policy is attached to is the principal)');
  }
  const effect = own(value, 'Effect');
  if (effect !== 'Allow' && effect !== 'Deny') {
    problems.add(has(value, 'Effect') ? childPath(path, 'Effect') : path, has(value, 'Effect') ? `must be "Allow" or "Deny", not ${typeof effect === 'string' ? quote(effect) : describeType(effect)}` : 'needs Effect ("Allow" or "Deny")');
  }
  const action = matcher(value, 'Action', 'NotAction', path, problems, actionPattern);
  const resource = matcher(value, 'Resource', 'NotResource', path, problems, resourcePattern);
  if (!action || !resource || (effect !== 'Allow' && effect !== 'Deny')) return undefined;
  return { allow: effect === 'Allow', action, resource };
}

/** Exactly one of `key` / `notKey`, a string or a non-empty array of strings. */
function matcher(statement: Readonly<Record<string, unknown>>, key: string, notKey: string, path: string, problems: Problems, compile: (text: string, where: string, problems: Problems) => RegExp | undefined): Matcher | undefined {
  const present = [key, notKey].filter((k) => has(statement, k));
  if (present.length !== 1) {
    problems.add(path, present.length === 0 ? `needs ${key} or ${notKey}` : `has both ${key} and ${notKey}; a statement takes one of them`);
    return undefined;
  }
  const name = present[0]!;
  const where = childPath(path, name);
  const raw = statement[name];
  const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : undefined;
  if (values === undefined || values.length === 0) {
    problems.add(where, `must be a string or a non-empty array of strings, not ${Array.isArray(raw) ? 'an empty array' : describeType(raw)}`);
    return undefined;
  }
  if (values.length > MAX_VALUES) {
    problems.add(where, `has ${values.length} entries; at most ${MAX_VALUES} are allowed`);
    return undefined;
  }
  const patterns: RegExp[] = [];
  values.forEach((text, index) => {
    const at = typeof raw === 'string' ? where : childPath(where, index);
    if (typeof text !== 'string') return problems.add(at, `must be a string, not ${describeType(text)}`);
    const pattern = compile(text, at, problems);
    if (pattern) patterns.push(pattern);
  });
  return patterns.length === values.length ? { patterns, negated: name === notKey } : undefined;
}

function actionPattern(text: string, where: string, problems: Problems): RegExp | undefined {
  if (!ACTION.test(text)) {
    problems.add(where, `must be an action like "states:StartExecution", "states:Describe*" or "*", not ${quote(text)}`);
    return undefined;
  }
  return wildcard(text, 'i');
}

function resourcePattern(text: string, where: string, problems: Problems): RegExp | undefined {
  if (text.length === 0 || text.length > MAX_PATTERN_LENGTH) {
    problems.add(where, `must be an ARN (with * and ? wildcards) of 1 to ${MAX_PATTERN_LENGTH} characters`);
    return undefined;
  }
  if (text.includes('${')) {
    problems.add(where, 'uses a policy variable (${…}), which Stepwise does not support; write the ARN out');
    return undefined;
  }
  if (text !== '*' && !text.startsWith('arn:')) {
    problems.add(where, `must be "*" or an ARN ("arn:aws:states:…"), not ${quote(text)}`);
    return undefined;
  }
  return wildcard(text, '');
}

/** IAM's wildcards: `*` any run of characters (`:` and `/` included), `?` any one character. */
function wildcard(text: string, flags: string): RegExp {
  const body = text.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, `s${flags}`);
}

function matches(m: Matcher, value: string): boolean {
  const hit = m.patterns.some((p) => p.test(value));
  return m.negated ? !hit : hit;
}

/**
 * IAM's decision for `action` on each of `resources` (all must be allowed): an explicit deny
 * for any resource wins; a resource no statement allows denies by default.
 */
export function evaluate(policies: readonly Policy[], action: string, resources: readonly string[]): { decision: Decision; resource: string } {
  let implicit: string | undefined;
  for (const resource of resources) {
    let allowed = false;
    for (const policy of policies) {
      for (const statement of policy.statements) {
        if (!matches(statement.action, action) || !matches(statement.resource, resource)) continue;
        if (!statement.allow) return { decision: 'explicit-deny', resource };
        allowed = true;
      }
    }
    if (!allowed) implicit ??= resource;
  }
  return implicit === undefined ? { decision: 'allow', resource: resources[0] ?? '*' } : { decision: 'implicit-deny', resource: implicit };
}
