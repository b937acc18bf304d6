/**
 * `httpTriggers`: HTTP requests that start executions. Each needs a method and path that the
 * server does not already answer, a state machine, and optionally an API key or an HMAC secret
 * (from the environment, `${env:NAME}`, like connections' secrets).
 */
import type { HttpTriggerConfig } from './types.js';
import { checkKeys, childPath, describeType, has, isObject, optionalString, Problems, type JsonObject } from './checks.js';
import { SecretReader, type ProcessEnvironment } from './validate-connection.js';

const MAX_TRIGGERS = 1000;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const KEYS = ['method', 'path', 'stateMachine', 'input', 'wait', 'apiKey', 'hmac'];
/**
 * Paths the server answers itself: the API (POST /), health, metrics, the console's files, and
 * EventBridge Scheduler's REST API (/schedules, /schedule-groups, /tags and below).
 */
const RESERVED = /^\/(health|metrics|index\.html|assets(\/.*)?|(schedules|schedule-groups|tags)(\/.*)?)?$/;
const SEGMENT = /^(\{[A-Za-z_][A-Za-z0-9_]{0,63}\}|[A-Za-z0-9._~!$&'()*+,;=:@-]+)$/;
const STATE_MACHINE = /^(arn:[\w-]+:states:[\w-]+:\d{12}:stateMachine:[\w-]{1,80}(:[\w-]+)?|[\w-]{1,80})$/;

export function validateHttpTriggers(config: JsonObject, env: ProcessEnvironment, problems: Problems): HttpTriggerConfig[] {
  if (!has(config, 'httpTriggers')) return [];
  const list = config.httpTriggers;
  if (!Array.isArray(list)) {
    problems.add('httpTriggers', `must be an array of triggers, not ${describeType(list)}`);
    return [];
  }
  if (list.length > MAX_TRIGGERS) problems.add('httpTriggers', `has ${list.length} triggers; at most ${MAX_TRIGGERS} are allowed`);
  const secrets = new SecretReader(env, problems);
  const seen = new Map<string, number>();
  const triggers: HttpTriggerConfig[] = [];
  list.slice(0, MAX_TRIGGERS).forEach((value: unknown, index) => {
    const path = childPath('httpTriggers', index);
    if (!isObject(value)) {
      problems.add(path, `must be an object with method, path and stateMachine, not ${describeType(value)}`);
      return;
    }
    checkKeys(value, KEYS, path, problems);
    const method = (optionalString(value, 'method', path, problems) ?? 'POST').toUpperCase();
    if (!METHODS.includes(method)) problems.add(childPath(path, 'method'), `must be one of ${METHODS.join(', ')}, not "${method}"`);
    const route = optionalString(value, 'path', path, problems);
    if (route === undefined) {
      if (!has(value, 'path')) problems.add(path, 'needs a path (e.g. "/hooks/orders")');
    } else {
      const why = pathProblem(route);
      if (why !== undefined) problems.add(childPath(path, 'path'), why);
      const key = `${method} ${route.replace(/\{[^}]*\}/g, '{}')}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) problems.add(childPath(path, 'path'), `${method} ${route} is taken already by httpTriggers[${earlier}]`);
      else seen.set(key, index);
    }
    const stateMachine = optionalString(value, 'stateMachine', path, problems);
    if (stateMachine === undefined) {
      if (!has(value, 'stateMachine')) problems.add(path, 'needs a stateMachine (a name, or a state machine, version or alias ARN)');
    } else if (!STATE_MACHINE.test(stateMachine)) {
      problems.add(childPath(path, 'stateMachine'), 'must be a state machine name or a state machine, version or alias ARN');
    }
    const input = optionalString(value, 'input', path, problems) ?? 'body';
    if (input !== 'body' && input !== 'request') problems.add(childPath(path, 'input'), `must be "body" or "request", not "${input}"`);
    let wait = false;
    if (has(value, 'wait')) {
      if (typeof value.wait === 'boolean') wait = value.wait;
      else problems.add(childPath(path, 'wait'), `must be true or false, not ${describeType(value.wait)}`);
    }
    const apiKey = secrets.string(value, 'apiKey', path, false);
    if (apiKey !== undefined && apiKey.length < 20) problems.add(childPath(path, 'apiKey'), 'must be at least 20 characters (API Gateway’s rule for API keys)');
    let hmac: HttpTriggerConfig['hmac'];
    if (has(value, 'hmac')) {
      const where = childPath(path, 'hmac');
      if (!isObject(value.hmac)) {
        problems.add(where, `must be an object with secret (and header), not ${describeType(value.hmac)}`);
      } else {
        checkKeys(value.hmac, ['secret', 'header'], where, problems);
        const secret = secrets.string(value.hmac, 'secret', where, true);
        const header = optionalString(value.hmac, 'header', where, problems) ?? 'X-Hub-Signature-256';
        if (!/^[A-Za-z0-9-]+$/.test(header)) problems.add(childPath(where, 'header'), 'must be a header name (letters, digits and hyphens)');
        if (secret !== undefined) hmac = { secret, header };
      }
    }
    if (route !== undefined && stateMachine !== undefined) {
      triggers.push({ method, path: route, stateMachine, input: input === 'request' ? 'request' : 'body', wait, ...(apiKey !== undefined ? { apiKey } : {}), ...(hmac ? { hmac } : {}) });
    }
  });
  return triggers;
}

function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must start with "/"';
  if (path.length > 1024) return 'is longer than 1024 characters';
  if (RESERVED.test(path)) return `${path} is the server's own (the API, /health, /metrics, the console, the Scheduler API's /schedules, /schedule-groups and /tags)`;
  const segments = path.slice(1).split('/');
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) return `"${segment}" is not a path segment (letters, digits, -._~ and the like, or {name} for a parameter)`;
  }
  return undefined;
}
