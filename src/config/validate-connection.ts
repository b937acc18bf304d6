/**
 * A connection of `connections`: EventBridge CreateConnection's AuthorizationType and
 * AuthParameters, with the constraints of its API reference (lengths, character patterns,
 * "include only authorization parameters for the AuthorizationType you specify").
 *
 * Secrets stay out of the file: any string inside AuthParameters may be, or contain,
 * `${env:NAME}`, replaced by that environment variable when the configuration is loaded.
 * Problems here never quote a value, before or after substitution.
 */
import type { ConnectionAuthParameters, ConnectionConfig, ConnectionHttpParameter, ConnectionHttpParameters } from './types.js';
import { checkKeys, childPath, describeType, has, httpUrlProblem, isObject, own, type JsonObject, type Problems } from './checks.js';

export type ProcessEnvironment = Readonly<Record<string, string | undefined>>;

/** CreateConnection's Name: 1–64 of `[\.\-_A-Za-z0-9]`. */
const CONNECTION_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

const AUTHORIZATION_TYPES = ['API_KEY', 'BASIC', 'OAUTH_CLIENT_CREDENTIALS'] as const;
type AuthorizationType = (typeof AUTHORIZATION_TYPES)[number];

/** The AuthParameters block each AuthorizationType needs (and the only one it may have). */
const BLOCK_OF: Readonly<Record<AuthorizationType, string>> = {
  API_KEY: 'ApiKeyAuthParameters',
  BASIC: 'BasicAuthParameters',
  OAUTH_CLIENT_CREDENTIALS: 'OAuthParameters',
};

const HTTP_METHODS = ['GET', 'POST', 'PUT'];
const MAX_PARAMETERS = 100; // EventBridge: "up to 100 additional header parameters per request" (likewise query and body)

/**
 * ApiKeyName/ApiKeyValue, Username/Password, ClientID/ClientSecret: 1–512 characters, pattern
 * `^[ \t]*[^\x00-\x1F:\x7F]+([ \t]+[^\x00-\x1F:\x7F]+)*[ \t]*$` — no control character but tab,
 * no ':', not only tabs.
 */
const CREDENTIAL = /^[\t]*[^\x00-\x1F:\x7F][^\x00-\x08\x0A-\x1F:\x7F]*$/;
const CREDENTIAL_RULE = "1 to 512 characters, with no ':' and no control characters (EventBridge's pattern)";

interface TextRule {
  readonly pattern: RegExp;
  readonly rule: string;
}

/** EventBridge's keys and values of headers and query strings: at most 512 characters. */
function follows(rule: TextRule, text: string): boolean {
  return text.length <= 512 && rule.pattern.test(text);
}

/** The rules of one kind of ConnectionHttpParameters entry (EventBridge's ConnectionHeaderParameter etc.). */
interface ParameterRules {
  readonly key?: TextRule;
  readonly value?: TextRule;
}

const PARAMETER_RULES: Readonly<Record<string, ParameterRules>> = {
  HeaderParameters: {
    // EventBridge writes `[!#$%&'*+-.^_`|~0-9a-zA-Z]`, whose `+-.` is a range that lets ',' in;
    // HTTP's token characters (RFC 9110) are meant, and a ',' would make an invalid header name.
    key: { pattern: /^[!#$%&'*+\-.^_`|~0-9a-zA-Z]+$/, rule: "1 to 512 of HTTP's header name characters (letters, digits, !#$%&'*+-.^_`|~)" },
    value: { pattern: /^[\t\x20-\x7E]*[\x20-\x7E][\t\x20-\x7E]*$/, rule: 'printable ASCII, 1 to 512 characters' },
  },
  QueryStringParameters: {
    key: { pattern: /^[^\x00-\x1F\x7F]+$/, rule: '1 to 512 characters, no control characters' },
    value: { pattern: /^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F]+$/, rule: '1 to 512 characters, no control characters but line breaks' },
  },
  BodyParameters: {},
};

export function checkConnectionName(name: string, path: string, problems: Problems): void {
  if (!CONNECTION_NAME.test(name)) {
    problems.add(path, 'is not an EventBridge connection name: 1 to 64 letters, digits, dots (.), hyphens (-) and underscores (_)');
  }
}

/** The connection as loaded (`${env:…}` replaced), problems aside. */
export function validateConnection(connection: JsonObject, path: string, env: ProcessEnvironment, problems: Problems): ConnectionConfig {
  checkKeys(connection, ['AuthorizationType', 'AuthParameters'], path, problems);
  const typePath = childPath(path, 'AuthorizationType');
  const type = own(connection, 'AuthorizationType');
  let authorizationType: AuthorizationType | undefined;
  if (!has(connection, 'AuthorizationType')) {
    problems.add(path, `needs an AuthorizationType: ${AUTHORIZATION_TYPES.join(', ')}`);
  } else if (typeof type === 'string' && (AUTHORIZATION_TYPES as readonly string[]).includes(type)) {
    authorizationType = type as AuthorizationType;
  } else {
    problems.add(typePath, `must be one of ${AUTHORIZATION_TYPES.join(', ')}, not ${typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : describeType(type)}`);
  }

  const authPath = childPath(path, 'AuthParameters');
  const auth = own(connection, 'AuthParameters');
  if (!has(connection, 'AuthParameters')) {
    problems.add(path, `needs AuthParameters${authorizationType ? ` with ${BLOCK_OF[authorizationType]}` : ''}`);
    return { AuthorizationType: authorizationType ?? 'API_KEY', AuthParameters: {} };
  }
  if (!isObject(auth)) {
    problems.add(authPath, `must be an object, not ${describeType(auth)}`);
    return { AuthorizationType: authorizationType ?? 'API_KEY', AuthParameters: {} };
  }
  const reader = new SecretReader(env, problems);
  checkKeys(auth, ['ApiKeyAuthParameters', 'BasicAuthParameters', 'OAuthParameters', 'InvocationHttpParameters'], authPath, problems);
  if (authorizationType !== undefined) {
    const needed = BLOCK_OF[authorizationType];
    if (!has(auth, needed)) problems.add(authPath, `needs ${needed} for AuthorizationType ${authorizationType}`);
    for (const other of Object.values(BLOCK_OF)) {
      if (other !== needed && has(auth, other)) {
        problems.add(childPath(authPath, other), `does not belong to AuthorizationType ${authorizationType} (EventBridge takes only the block of the connection's type)`);
      }
    }
  }

  const loaded: {
    -readonly [K in keyof ConnectionAuthParameters]: ConnectionAuthParameters[K];
  } = {};
  if (has(auth, 'ApiKeyAuthParameters')) {
    const block = reader.block(auth, 'ApiKeyAuthParameters', authPath, ['ApiKeyName', 'ApiKeyValue']);
    if (block) loaded.ApiKeyAuthParameters = { ApiKeyName: block.ApiKeyName!, ApiKeyValue: block.ApiKeyValue! };
  }
  if (has(auth, 'BasicAuthParameters')) {
    const block = reader.block(auth, 'BasicAuthParameters', authPath, ['Username', 'Password']);
    if (block) loaded.BasicAuthParameters = { Username: block.Username!, Password: block.Password! };
  }
  if (has(auth, 'OAuthParameters')) {
    const oauth = reader.oauth(auth.OAuthParameters, childPath(authPath, 'OAuthParameters'));
    if (oauth) loaded.OAuthParameters = oauth;
  }
  if (has(auth, 'InvocationHttpParameters')) {
    const parameters = reader.httpParameters(auth.InvocationHttpParameters, childPath(authPath, 'InvocationHttpParameters'));
    if (parameters) loaded.InvocationHttpParameters = parameters;
  }
  return { AuthorizationType: authorizationType ?? 'API_KEY', AuthParameters: loaded };
}

const REFERENCE = /\$\{env:([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads strings inside AuthParameters: substitutes `${env:NAME}` and checks the result, with
 * problems that name the field but never its value.
 */
export class SecretReader {
  constructor(
    private readonly env: ProcessEnvironment,
    private readonly problems: Problems,
  ) {}

  /** The string at `object[key]` after substitution, or undefined (a problem was reported). */
  string(object: JsonObject, key: string, path: string, required: boolean): string | undefined {
    const where = childPath(path, key);
    if (!has(object, key)) {
      if (required) this.problems.add(path, `needs ${key}`);
      return undefined;
    }
    const raw = object[key];
    if (typeof raw !== 'string') {
      this.problems.add(where, `must be a string, not ${describeType(raw)}`);
      return undefined;
    }
    return this.substitute(raw, where);
  }

  private substitute(text: string, where: string): string | undefined {
    let ok = true;
    const value = text.replace(REFERENCE, (_whole, name: string) => {
      if (!VARIABLE_NAME.test(name)) {
        this.problems.add(where, '${env:…} needs an environment variable name (letters, digits and underscores)');
        ok = false;
        return '';
      }
      const found = this.env[name];
      if (found === undefined) {
        this.problems.add(where, `environment variable ${name} is not set`);
        ok = false;
        return '';
      }
      return found;
    });
    // What the pattern did not take is a reference left open, e.g. "${env:TOKEN".
    if (ok && text.replace(REFERENCE, '').includes('${env:')) {
      this.problems.add(where, 'has a ${env:… reference without its closing }');
      ok = false;
    }
    return ok ? value : undefined;
  }

  /** A credentials block (ApiKeyAuthParameters, BasicAuthParameters, ClientParameters): every field required. */
  block(parent: JsonObject, key: string, parentPath: string, fields: readonly string[]): Record<string, string> | undefined {
    const path = childPath(parentPath, key);
    const block = parent[key];
    if (!isObject(block)) {
      this.problems.add(path, `must be an object with ${fields.join(' and ')}, not ${describeType(block)}`);
      return undefined;
    }
    checkKeys(block, fields, path, this.problems);
    const values: Record<string, string> = {};
    let ok = true;
    for (const field of fields) {
      const value = this.string(block, field, path, true);
      if (value === undefined) {
        ok = false;
      } else if (value.length > 512 || !CREDENTIAL.test(value)) {
        this.problems.add(childPath(path, field), `must be ${CREDENTIAL_RULE}`);
        ok = false;
      } else {
        values[field] = value;
      }
    }
    return ok ? values : undefined;
  }

  oauth(value: unknown, path: string): ConnectionAuthParameters['OAuthParameters'] {
    if (!isObject(value)) {
      this.problems.add(path, `must be an object with AuthorizationEndpoint, HttpMethod and ClientParameters, not ${describeType(value)}`);
      return undefined;
    }
    checkKeys(value, ['AuthorizationEndpoint', 'HttpMethod', 'ClientParameters', 'OAuthHttpParameters'], path, this.problems);
    const endpoint = this.string(value, 'AuthorizationEndpoint', path, true);
    // EventBridge wants https; http is accepted for a local token endpoint in tests.
    const endpointProblem = endpoint === undefined ? undefined : httpUrlProblem(endpoint);
    if (endpointProblem !== undefined) {
      this.problems.add(childPath(path, 'AuthorizationEndpoint'), 'must be an http:// or https:// URL of at most 2048 characters');
    }
    const method = this.string(value, 'HttpMethod', path, true);
    if (method !== undefined && !HTTP_METHODS.includes(method)) {
      this.problems.add(childPath(path, 'HttpMethod'), `must be one of ${HTTP_METHODS.join(', ')}`);
    }
    let client: Record<string, string> | undefined;
    if (has(value, 'ClientParameters')) client = this.block(value, 'ClientParameters', path, ['ClientID', 'ClientSecret']);
    else this.problems.add(path, 'needs ClientParameters (ClientID and ClientSecret)');
    const extra = has(value, 'OAuthHttpParameters') ? this.httpParameters(value.OAuthHttpParameters, childPath(path, 'OAuthHttpParameters')) : undefined;
    if (endpoint === undefined || endpointProblem !== undefined || method === undefined || !HTTP_METHODS.includes(method) || client === undefined) {
      return undefined;
    }
    return {
      AuthorizationEndpoint: endpoint,
      HttpMethod: method as 'GET' | 'POST' | 'PUT',
      ClientParameters: { ClientID: client.ClientID!, ClientSecret: client.ClientSecret! },
      ...(extra !== undefined ? { OAuthHttpParameters: extra } : {}),
    };
  }

  httpParameters(value: unknown, path: string): ConnectionHttpParameters | undefined {
    if (!isObject(value)) {
      this.problems.add(path, `must be an object with HeaderParameters, QueryStringParameters or BodyParameters, not ${describeType(value)}`);
      return undefined;
    }
    checkKeys(value, Object.keys(PARAMETER_RULES), path, this.problems);
    const loaded: { -readonly [K in keyof ConnectionHttpParameters]: ConnectionHttpParameters[K] } = {};
    for (const [kind, rules] of Object.entries(PARAMETER_RULES)) {
      if (!has(value, kind)) continue;
      const list = this.parameterList(value[kind], childPath(path, kind), rules);
      if (list !== undefined) loaded[kind as keyof ConnectionHttpParameters] = list;
    }
    return loaded;
  }

  private parameterList(value: unknown, path: string, rules: ParameterRules): ConnectionHttpParameter[] | undefined {
    if (!Array.isArray(value)) {
      this.problems.add(path, `must be an array of {Key, Value, IsValueSecret?}, not ${describeType(value)}`);
      return undefined;
    }
    if (value.length > MAX_PARAMETERS) {
      this.problems.add(path, `has ${value.length} entries; EventBridge allows at most ${MAX_PARAMETERS}`);
      return undefined;
    }
    const list: ConnectionHttpParameter[] = [];
    value.forEach((entry: unknown, index) => {
      const entryPath = childPath(path, index);
      if (!isObject(entry)) {
        this.problems.add(entryPath, `must be an object with Key and Value, not ${describeType(entry)}`);
        return;
      }
      checkKeys(entry, ['Key', 'Value', 'IsValueSecret'], entryPath, this.problems);
      const key = this.string(entry, 'Key', entryPath, true);
      const val = this.string(entry, 'Value', entryPath, true);
      if (key !== undefined && rules.key && !follows(rules.key, key)) this.problems.add(childPath(entryPath, 'Key'), `must be ${rules.key.rule}`);
      if (val !== undefined && rules.value && !follows(rules.value, val)) this.problems.add(childPath(entryPath, 'Value'), `must be ${rules.value.rule}`);
      const secret = own(entry, 'IsValueSecret');
      if (has(entry, 'IsValueSecret') && typeof secret !== 'boolean') {
        this.problems.add(childPath(entryPath, 'IsValueSecret'), `must be true or false, not ${describeType(secret)}`);
      }
      if (key !== undefined && val !== undefined) {
        list.push({ Key: key, Value: val, ...(typeof secret === 'boolean' ? { IsValueSecret: secret } : {}) });
      }
    });
    return list;
  }
}
