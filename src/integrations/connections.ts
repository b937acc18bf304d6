/**
 * EventBridge connections for HTTP Tasks: `Authentication.ConnectionArn` (or
 * `InvocationConfig.ConnectionArn`) names a connection of stepwise.config.json `connections`,
 * which gives the authorization header and the InvocationHttpParameters merged into the request.
 *
 * AWS behaviour followed (EventBridge user guide, "Authorization methods for connections",
 * eb-target-connection-auth.html; Step Functions "Call HTTPS APIs", call-https-apis.html):
 * - API_KEY sends `ApiKeyName: ApiKeyValue`; BASIC sends `Authorization: Basic base64(user:password)`.
 * - OAUTH_CLIENT_CREDENTIALS exchanges the client ID and secret for an access token at
 *   AuthorizationEndpoint with HttpMethod and OAuthHttpParameters, and sends
 *   `Authorization: Bearer <access_token>`. The token is reused until it is about to expire
 *   (EventBridge refreshes it "proactively during an HTTPS invocation if the token expires within
 *   60 seconds") and dropped when the API answers 401 or 407 ("EventBridge refreshes OAuth tokens
 *   when a 401 or 407 response is returned"); the request that got the 401 is not sent again:
 *   AWS recommends a Retry for that, which then gets a fresh token.
 *
 * Chosen where AWS does not document it: the client ID and secret go to the authorization
 * endpoint as HTTP Basic authentication (RFC 6749 §2.3.1, the method every OAuth server must
 * accept); OAuthHttpParameters.BodyParameters go as an `application/x-www-form-urlencoded` body
 * (RFC 6749 §4.4.2; in the query string for a GET); nothing else is added to them, so
 * `grant_type=client_credentials` is given there when the server needs it, as on AWS. A failed
 * token request fails the task with `Events.ConnectionResource.InvalidConnectionState` (AWS
 * deauthorizes the connection then); the next task tries again, as after re-authorizing.
 *
 * Secrets (ApiKeyValue, Password, ClientSecret, access tokens, parameters with IsValueSecret)
 * never appear in an outcome's cause: causes name the connection and the endpoint, nothing else.
 */
import type { ConnectionConfig, ConnectionHttpParameter, ConnectionHttpParameters } from '../config/types.js';

/** A failure as the task reports it. */
export interface ConnectionFailure {
  readonly ok: false;
  readonly error: string;
  readonly cause: string;
}

/** The header that authorizes a request made through the connection. */
export interface AuthorizationHeader {
  readonly ok: true;
  /** Lower-case header name. */
  readonly name: string;
  readonly value: string;
}

export type NameValuePairs = ReadonlyArray<readonly [string, string]>;

/** A connection of the configuration, ready to authorize requests. */
export interface Connection {
  readonly name: string;
  /** InvocationHttpParameters.HeaderParameters, names lower-cased: they win over the task's Headers. */
  readonly headers: NameValuePairs;
  /** InvocationHttpParameters.QueryStringParameters: they win over the task's QueryParameters. */
  readonly query: NameValuePairs;
  /** InvocationHttpParameters.BodyParameters as an object: its keys win over the task's RequestBody. */
  readonly body: Readonly<Record<string, string>> | undefined;
  /** The authorization header for the next request; `signal` stops waiting for an OAuth token. */
  authorize(signal: AbortSignal): Promise<AuthorizationHeader | ConnectionFailure>;
  /** The API answered 401 or 407 to a request sent with `header`: an OAuth token is fetched anew. */
  rejected(header: AuthorizationHeader): void;
}

/** One HTTP request, as the HTTP Task's transport sends it (http.ts: node:http, or an injected fetch). */
export interface TransportRequest {
  readonly url: string;
  readonly method: string;
  /** Lower-case names. */
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly signal: AbortSignal;
}

export interface TransportResponse {
  readonly status: number;
  readonly statusText: string;
  /** The first value of a header (lower-case name). */
  header(name: string): string | undefined;
  /** Every header, lower-case names, values in the order received. */
  headers(): Map<string, string[]>;
  /**
   * The body, or undefined when it is longer than `limit` bytes: reading stops there and the
   * connection is dropped, so a huge or endless body costs at most `limit` bytes of memory.
   * Rejects when the connection fails or the request's signal aborts.
   */
  read(limit: number): Promise<Buffer | undefined>;
  /** Drops the body unread (and the connection with it). */
  discard(): void;
}

/** Sends a request; rejects for network, DNS and TLS failures and when the signal aborts. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

export interface ConnectionsOptions {
  readonly send: Transport;
  /** How long a token request may take (the HTTP Task's 60 s by default). */
  readonly timeoutMs: number;
}

/** `arn:<partition>:events:<region>:<account>:connection/<name>[/<id>]` (the id is optional locally). */
const CONNECTION_ARN = /^arn:[\w-]+:events:[\w-]*:\d*:connection\/([.\-_A-Za-z0-9]{1,64})(?:\/[-A-Za-z0-9]+)?$/;

/** EventBridge refreshes a token this long before it expires. */
const REFRESH_MARGIN_MS = 60_000;
/** A token response larger than this is not a token response. */
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
/** Resolved ARNs kept (ARNs may be computed from input: the cache must not grow without bound). */
const MAX_CACHED_ARNS = 1024;

/** The connections of the configuration, resolved by ARN (by name: the region, account and id are not checked). */
export class Connections {
  private readonly byName = new Map<string, Connection | ConnectionFailure>();
  private readonly byArn = new Map<string, Connection | ConnectionFailure>();

  constructor(configs: Readonly<Record<string, ConnectionConfig>>, options: ConnectionsOptions) {
    for (const name of Object.keys(configs)) this.byName.set(name, createConnection(name, configs[name]!, options));
  }

  resolve(arn: string): Connection | ConnectionFailure {
    const cached = this.byArn.get(arn);
    if (cached) return cached;
    const m = CONNECTION_ARN.exec(arn);
    if (!m) {
      return {
        ok: false,
        error: 'States.Runtime',
        cause: `'${truncate(arn, 300)}' is not an EventBridge connection ARN (arn:aws:events:<region>:<account>:connection/<name>/<id>).`,
      };
    }
    const name = m[1]!;
    const found: Connection | ConnectionFailure = this.byName.get(name) ?? {
      ok: false,
      error: 'Events.ConnectionResource.ResourceNotFound',
      cause: `Connection '${name}' does not exist. Declare it in stepwise.config.json under "connections" (name "${name}", with AuthorizationType and AuthParameters as EventBridge's CreateConnection takes them).`,
    };
    if (this.byArn.size >= MAX_CACHED_ARNS) this.byArn.clear();
    this.byArn.set(arn, found);
    return found;
  }
}

function createConnection(name: string, config: ConnectionConfig, options: ConnectionsOptions): Connection | ConnectionFailure {
  const auth = config.AuthParameters ?? {};
  const invalid = (what: string): ConnectionFailure => ({
    ok: false,
    error: 'Events.ConnectionResource.InvalidConnectionState',
    cause: `Connection '${name}' cannot authorize requests: ${what}`,
  });
  const invocation = auth.InvocationHttpParameters;
  const fixed = (header: AuthorizationHeader): Connection => staticConnection(name, invocation, header);

  switch (config.AuthorizationType) {
    case 'API_KEY': {
      const p = auth.ApiKeyAuthParameters;
      if (!p || typeof p.ApiKeyName !== 'string' || typeof p.ApiKeyValue !== 'string') return invalid('its AuthorizationType is API_KEY but ApiKeyAuthParameters has no ApiKeyName and ApiKeyValue.');
      return fixed({ ok: true, name: p.ApiKeyName.toLowerCase(), value: p.ApiKeyValue });
    }
    case 'BASIC': {
      const p = auth.BasicAuthParameters;
      if (!p || typeof p.Username !== 'string' || typeof p.Password !== 'string') return invalid('its AuthorizationType is BASIC but BasicAuthParameters has no Username and Password.');
      return fixed({ ok: true, name: 'authorization', value: basic(p.Username, p.Password) });
    }
    case 'OAUTH_CLIENT_CREDENTIALS': {
      const p = auth.OAuthParameters;
      if (!p || typeof p.AuthorizationEndpoint !== 'string' || typeof p.ClientParameters?.ClientID !== 'string' || typeof p.ClientParameters.ClientSecret !== 'string') {
        return invalid('its AuthorizationType is OAUTH_CLIENT_CREDENTIALS but OAuthParameters has no AuthorizationEndpoint, ClientParameters.ClientID and ClientParameters.ClientSecret.');
      }
      return new OAuthConnection(name, invocation, p, options);
    }
    default:
      return invalid(`AuthorizationType must be API_KEY, BASIC or OAUTH_CLIENT_CREDENTIALS.`);
  }
}

function pairs(list: readonly ConnectionHttpParameter[] | undefined, lowerCaseNames = false): NameValuePairs {
  if (!list) return [];
  return list.filter((p) => typeof p?.Key === 'string' && typeof p.Value === 'string').map((p) => [lowerCaseNames ? p.Key.toLowerCase() : p.Key, p.Value] as const);
}

function bodyObject(list: readonly ConnectionHttpParameter[] | undefined): Readonly<Record<string, string>> | undefined {
  const entries = pairs(list);
  // fromEntries defines own properties: a key "__proto__" stays a key.
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function staticConnection(name: string, invocation: ConnectionHttpParameters | undefined, header: AuthorizationHeader): Connection {
  // One settled promise for every call: API_KEY and BASIC cost no allocation per request.
  const ready = Promise.resolve(header);
  return {
    name,
    headers: pairs(invocation?.HeaderParameters, true),
    query: pairs(invocation?.QueryStringParameters),
    body: bodyObject(invocation?.BodyParameters),
    authorize: () => ready,
    rejected: () => {},
  };
}

type OAuthParameters = NonNullable<ConnectionConfig['AuthParameters']['OAuthParameters']>;

/** An OAuth client-credentials connection: one token at a time, fetched by one request however many tasks wait for it. */
class OAuthConnection implements Connection {
  readonly headers: NameValuePairs;
  readonly query: NameValuePairs;
  readonly body: Readonly<Record<string, string>> | undefined;
  private token: { readonly header: Promise<AuthorizationHeader>; readonly value: string; readonly refreshAt: number } | undefined;
  private pending: Promise<AuthorizationHeader | ConnectionFailure> | undefined;

  constructor(
    readonly name: string,
    invocation: ConnectionHttpParameters | undefined,
    private readonly oauth: OAuthParameters,
    private readonly options: ConnectionsOptions,
  ) {
    this.headers = pairs(invocation?.HeaderParameters, true);
    this.query = pairs(invocation?.QueryStringParameters);
    this.body = bodyObject(invocation?.BodyParameters);
  }

  authorize(signal: AbortSignal): Promise<AuthorizationHeader | ConnectionFailure> {
    const token = this.token;
    if (token && Date.now() < token.refreshAt) return token.header;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return untilAborted(this.pending, signal);
  }

  rejected(header: AuthorizationHeader): void {
    // Only the token that was refused: a newer one fetched meanwhile stays.
    if (this.token?.value === header.value) this.token = undefined;
  }

  private async fetchToken(): Promise<AuthorizationHeader | ConnectionFailure> {
    const { oauth, name } = this;
    const endpoint = oauth.AuthorizationEndpoint;
    const failed = (why: string): ConnectionFailure => ({
      ok: false,
      error: 'Events.ConnectionResource.InvalidConnectionState',
      cause: `Connection '${name}' could not be authorized: ${why}`,
    });
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return failed(`AuthorizationEndpoint '${truncate(endpoint, 300)}' is not a URL.`);
    }
    const method = oauth.HttpMethod ?? 'POST';
    const http = oauth.OAuthHttpParameters;
    const form = pairs(http?.BodyParameters).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const query = pairs(http?.QueryStringParameters).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    if (method === 'GET' && form) query.push(form);
    if (query.length > 0) url.search = url.search ? `${url.search}&${query.join('&')}` : `?${query.join('&')}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [k, v] of pairs(http?.HeaderParameters, true)) headers[k] = v;
    headers.authorization = basic(oauth.ClientParameters.ClientID, oauth.ClientParameters.ClientSecret);
    const sendsBody = method !== 'GET';
    if (sendsBody) headers['content-type'] = 'application/x-www-form-urlencoded';
    const where = `the authorization endpoint ${url.origin}${url.pathname}`;

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await this.options.send({ url: url.href, method, headers, body: sendsBody ? form : undefined, signal: controller.signal });
      const text = (await response.read(MAX_TOKEN_RESPONSE_BYTES))?.toString('utf8');
      if (response.status < 200 || response.status > 299) {
        return failed(`${where} answered ${response.status}${oauthError(text)}.`);
      }
      let parsed: unknown;
      try {
        parsed = text === undefined ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const accessToken = (parsed as { access_token?: unknown } | undefined)?.access_token;
      if (typeof accessToken !== 'string' || accessToken === '') return failed(`${where} did not answer a JSON object with an access_token.`);
      const expiresIn = Number((parsed as { expires_in?: unknown }).expires_in);
      const header: AuthorizationHeader = { ok: true, name: 'authorization', value: `Bearer ${accessToken}` };
      // No expires_in: the token is used until the API refuses it (401/407).
      const refreshAt = Number.isFinite(expiresIn) && expiresIn > 0 ? Date.now() + expiresIn * 1000 - REFRESH_MARGIN_MS : Number.POSITIVE_INFINITY;
      this.token = { header: Promise.resolve(header), value: header.value, refreshAt };
      return header;
    } catch (e) {
      if (controller.signal.aborted) return failed(`${where} did not answer within ${this.options.timeoutMs / 1000} seconds.`);
      return failed(`${where} could not be reached: ${errorDetail(e)}.`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** ` (invalid_client)`: the OAuth error code of a token error response, never its other fields. */
function oauthError(text: string | undefined): string {
  if (text === undefined) return '';
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    return typeof error === 'string' && /^[\x20-\x7e]{1,100}$/.test(error) ? ` (${error})` : '';
  } catch {
    return '';
  }
}

/** Waits for `promise`, or resolves with the cancellation failure once `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | ConnectionFailure> {
  if (signal.aborted) return Promise.resolve(cancelled());
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function cancelled(): ConnectionFailure {
  return { ok: false, error: 'States.Http.Socket', cause: 'The HTTP request was cancelled while its OAuth token was being fetched.' };
}

/** The most specific message of a transport error (`connect ECONNREFUSED 127.0.0.1:9`, `getaddrinfo ENOTFOUND host`). */
export function errorDetail(e: unknown): string {
  const cause = (e as { cause?: unknown } | undefined)?.cause;
  const inner = cause instanceof Error ? cause : e instanceof Error ? e : undefined;
  const message = inner?.message || String(e);
  return truncate(message, 500);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
