/**
 * Verifying AWS Signature Version 4, in both forms: the `Authorization` header
 * (`AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/<service>/aws4_request,
 * SignedHeaders=…, Signature=…`) and the presigned query string (`X-Amz-Algorithm`,
 * `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`).
 *
 * In two steps, so a hostile client costs little: `inspectRequest` checks what the request line
 * and headers say (a signature at all, its form, a known key, the clock) before the body is
 * read; `verifySignature` then recomputes the signature over the body and compares it in
 * constant time.
 *
 * The signature is recomputed with @smithy/signature-v4, the signer the AWS SDKs for
 * JavaScript use, rather than a canonicalisation of our own: SigV4's canonical request has
 * many small rules (double-encoded paths, `.`/`..` segments, sorted and repeated query keys,
 * folded header whitespace) where a hand-written copy drifts from the clients' and refuses
 * valid requests (or accepts wrong ones). The request is rebuilt from its signed headers only
 * and signed again with the key's secret and the request's own date, region and service.
 *
 * Temporary credentials (`X-Amz-Security-Token`) are refused with UnrecognizedClientException:
 * Stepwise issues none, so no session token can be valid here.
 *
 * Clock skew: AWS refuses a request dated more than 5 minutes from its clock, either way, with
 * InvalidSignatureException ("Signature expired: … is now earlier than …" / "Signature not yet
 * current: … is still later than …"); so does Stepwise. A presigned request is good from its
 * date (less the same 5 minutes) until `X-Amz-Expires` seconds after it (at most 7 days).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { getCanonicalHeaders, SignatureV4 } from '@smithy/signature-v4';
import type { AccessKey, AuthKeys } from './keys-file.js';

export type AuthFailureType = 'MissingAuthenticationTokenException' | 'UnrecognizedClientException' | 'InvalidSignatureException' | 'IncompleteSignatureException';

export interface AuthFailure {
  readonly type: AuthFailureType;
  readonly message: string;
}

/** What the server knows of a request before reading its body. */
export interface RequestHead {
  readonly method: string;
  /** The request target as received: the path (still percent-encoded) and the query string. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** Where the request must be scoped: the server's region, and the signing names of the API it calls. */
export interface Scope {
  readonly region: string;
  readonly services: readonly string[];
}

/** A request whose credentials passed inspection; `verifySignature` decides. */
export interface PendingVerification {
  readonly key: AccessKey;
  readonly form: 'header' | 'query';
  readonly head: RequestHead;
  readonly signature: string;
  readonly signedHeaders: readonly string[];
  readonly date: Date;
  readonly region: string;
  readonly service: string;
  readonly expiresIn: number;
}

export const SKEW_MS = 5 * 60 * 1000;
const ALGORITHM = 'AWS4-HMAC-SHA256';
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 60 * 60;
/** An Authorization header is echoed in some messages, as AWS does: cut, it cannot bloat the answer. */
const MAX_ECHO = 512;
const AUTH_QUERY_KEYS = new Set(['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-expires', 'x-amz-signedheaders', 'x-amz-signature', 'x-amz-security-token']);

const fail = (type: AuthFailureType, message: string): { ok: false; failure: AuthFailure } => ({ ok: false, failure: { type, message } });
const invalidToken = () => fail('UnrecognizedClientException', 'The security token included in the request is invalid.');

export function inspectRequest(head: RequestHead, keys: AuthKeys, scope: Scope, now: number): { ok: true; pending: PendingVerification } | { ok: false; failure: AuthFailure } {
  const query = queryOf(head.url);
  const authorization = single(head.headers.authorization);
  const presigned = query.has('X-Amz-Signature') || query.has('X-Amz-Algorithm') || query.has('X-Amz-Credential');
  if (authorization === undefined && !presigned) return fail('MissingAuthenticationTokenException', 'Missing Authentication Token');
  if (head.headers['x-amz-security-token'] !== undefined || query.has('X-Amz-Security-Token')) return invalidToken();

  let parts: { credential?: string; signedHeaders?: string; signature?: string; date?: string; expires?: string };
  if (authorization !== undefined) {
    const parsed = parseAuthorization(authorization);
    if ('failure' in parsed) return parsed;
    parts = { ...parsed, date: single(head.headers['x-amz-date']) };
    const missing = [
      parts.credential === undefined && "Authorization header requires 'Credential' parameter.",
      parts.signature === undefined && "Authorization header requires 'Signature' parameter.",
      parts.signedHeaders === undefined && "Authorization header requires 'SignedHeaders' parameter.",
      parts.date === undefined && "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    ].filter((m): m is string => m !== false);
    if (missing.length > 0) return fail('IncompleteSignatureException', `${missing.join(' ')} Authorization=${echo(authorization)}`);
  } else {
    if (query.get('X-Amz-Algorithm') !== ALGORITHM) return fail('IncompleteSignatureException', `X-Amz-Algorithm only supports ${ALGORITHM}`);
    parts = {
      credential: query.get('X-Amz-Credential') ?? undefined,
      signedHeaders: query.get('X-Amz-SignedHeaders') ?? undefined,
      signature: query.get('X-Amz-Signature') ?? undefined,
      date: query.get('X-Amz-Date') ?? undefined,
      expires: query.get('X-Amz-Expires') ?? undefined,
    };
    const missing = (['Credential', 'SignedHeaders', 'Signature', 'Date', 'Expires'] as const).filter((name) => parts[(name.charAt(0).toLowerCase() + name.slice(1)) as keyof typeof parts] === undefined);
    if (missing.length > 0) return fail('IncompleteSignatureException', `AWS query-string parameters must include ${missing.map((m) => `'X-Amz-${m}'`).join(', ')}. Re-examine the query-string parameters.`);
  }
  const { credential, signedHeaders, signature, date: dateText } = parts as Required<Pick<typeof parts, 'credential' | 'signedHeaders' | 'signature' | 'date'>>;

  const fields = credential.split('/');
  if (fields.length !== 5) return fail('IncompleteSignatureException', `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${echo(credential)}'`);
  const [accessKeyId, scopeDate, region, service, terminator] = fields as [string, string, string, string, string];
  const date = parseAmzDate(dateText);
  if (!date) return fail('IncompleteSignatureException', `Date must be in ISO-8601 'basic format'. Got '${echo(dateText)}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  const key = keys.keys.get(accessKeyId);
  if (!key) return invalidToken();
  if (terminator !== 'aws4_request') return fail('InvalidSignatureException', `Credential should be scoped with a valid terminator: 'aws4_request', not '${echo(terminator)}'.`);
  if (region !== scope.region) return fail('InvalidSignatureException', `Credential should be scoped to a valid region, not '${echo(region)}'. `.trimEnd());
  if (!scope.services.includes(service)) return fail('InvalidSignatureException', `Credential should be scoped to correct service: '${scope.services[0]}'. `.trimEnd());
  if (scopeDate !== dateText.slice(0, 8)) {
    return fail('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${echo(scopeDate)}' != '${dateText.slice(0, 8)}', from '${dateText}'.`);
  }
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return fail('IncompleteSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  if (!/^[0-9a-f]{64}$/.test(signature)) return fail('IncompleteSignatureException', `Signature must be 64 lower-case hexadecimal characters, got '${echo(signature)}'.`);

  let expiresIn = 0;
  if (authorization === undefined) {
    expiresIn = Number(parts.expires);
    if (!/^\d+$/.test(parts.expires!) || expiresIn < 1 || expiresIn > MAX_PRESIGNED_SECONDS) {
      return fail('IncompleteSignatureException', `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGNED_SECONDS}, got '${echo(parts.expires!)}'.`);
    }
  }
  const signed = date.getTime();
  if (signed > now + SKEW_MS) {
    return fail('InvalidSignatureException', `Signature not yet current: ${dateText} is still later than ${amzDate(now + SKEW_MS)} (${amzDate(now)} + 5 min.)`);
  }
  // Header form: AWS's 5 minutes. Query form: until X-Amz-Expires after its date (AWS does not
  // document the message for an expired presigned request to a JSON API; this one keeps the
  // header form's words).
  const window = authorization !== undefined ? SKEW_MS : expiresIn * 1000;
  if (signed < now - window) {
    const allowance = authorization !== undefined ? '5 min.' : `${expiresIn} sec.`;
    return fail('InvalidSignatureException', `Signature expired: ${dateText} is now earlier than ${amzDate(now - window)} (${amzDate(now)} - ${allowance})`);
  }
  return { ok: true, pending: { key, form: authorization !== undefined ? 'header' : 'query', head, signature, signedHeaders: names, date, region, service, expiresIn } };
}

/** Recomputes the signature over the body; undefined when it matches. */
export async function verifySignature(pending: PendingVerification, body: Uint8Array): Promise<AuthFailure | undefined> {
  const signer = signerFor(pending.key);
  const { path, query } = splitUrl(pending.head.url, pending.form === 'query');
  const headers: Record<string, string> = {};
  for (const name of pending.signedHeaders) {
    const value = pending.head.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const host = headers.host ?? '';
  const request = new HttpRequest({ method: pending.head.method, protocol: 'http:', hostname: host, path, query, headers, body });
  // The client's own list decides what is signed (even a header the SDK would not sign itself).
  const signableHeaders = new Set(pending.signedHeaders);
  const options = { signingDate: pending.date, signingRegion: pending.region, signingService: pending.service, signableHeaders };
  let expected: string | undefined;
  if (pending.form === 'header' && path === '/' && Object.keys(query).length === 0) {
    expected = signRootPost(pending, headers, body, signableHeaders);
  } else if (pending.form === 'header') {
    const signedRequest = await signer.sign(request, options);
    expected = /Signature=([0-9a-f]+)/.exec(String(signedRequest.headers.authorization))?.[1];
  } else {
    const presigned = await signer.presign(request, { ...options, expiresIn: pending.expiresIn, unhoistableHeaders: signableHeaders });
    expected = String(presigned.query?.['X-Amz-Signature'] ?? '');
  }
  if (expected === undefined || !sameText(expected, pending.signature)) {
    return {
      type: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    };
  }
  // A declared body hash is what was signed: the body must have it.
  const declared = single(pending.head.headers['x-amz-content-sha256']);
  if (declared !== undefined && declared !== createHash('sha256').update(body).digest('hex')) {
    return { type: 'InvalidSignatureException', message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
  }
  return undefined;
}

/**
 * The signature of a header-signed request to `/` without a query string (every call of the JSON
 * APIs: Step Functions, EventBridge, Stepwise's actions), computed synchronously. The signer's
 * `sign` is asynchronous from end to end (hashes behind promises, a copy of the request, an HMAC
 * of the secret to find its key cache) and cost StartExecution ~20% of its throughput; this
 * path costs a hash of the body, a hash of the canonical request and one HMAC. It keeps the
 * library's own header canonicalisation (getCanonicalHeaders), and for `/` with no query the
 * canonical path and query have nothing to normalise; every other request goes through `sign`.
 * test/auth/sigv4.test.ts checks that both give the same signatures.
 */
export function signRootPost(pending: Pick<PendingVerification, 'key' | 'head' | 'date' | 'region' | 'service'>, headers: Record<string, string>, body: Uint8Array, signableHeaders: ReadonlySet<string>): string {
  const canonical = getCanonicalHeaders({ headers } as unknown as HttpRequest, undefined, signableHeaders as Set<string>);
  const names = Object.keys(canonical).sort();
  const payloadHash = headers['x-amz-content-sha256'] ?? createHash('sha256').update(body).digest('hex');
  const canonicalRequest = `${pending.head.method}\n/\n\n${names.map((name) => `${name}:${canonical[name]}`).join('\n')}\n\n${names.join(';')}\n${payloadHash}`;
  const longDate = pending.date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const shortDate = longDate.slice(0, 8);
  const scope = `${shortDate}/${pending.region}/${pending.service}/aws4_request`;
  const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  return createHmac('sha256', signingKey(pending.key, shortDate, pending.region, pending.service)).update(stringToSign).digest('hex');
}

/** Derived signing keys per key, by date, region and service (a handful per key and day). */
const signingKeys = new WeakMap<AccessKey, Map<string, Buffer>>();

function signingKey(key: AccessKey, shortDate: string, region: string, service: string): Buffer {
  let keys = signingKeys.get(key);
  if (!keys) signingKeys.set(key, (keys = new Map()));
  const id = `${shortDate}/${region}/${service}`;
  let derived = keys.get(id);
  if (!derived) {
    if (keys.size >= 64) keys.clear(); // old dates: a long-running server does not keep them all
    derived = [shortDate, region, service, 'aws4_request'].reduce<Buffer>((k, part) => createHmac('sha256', k).update(part).digest(), Buffer.from(`AWS4${key.secretAccessKey}`));
    keys.set(id, derived);
  }
  return derived;
}

/** One signer per key (its derived signing keys are cached by the library per date, region and service). */
const signers = new WeakMap<AccessKey, SignatureV4>();

function signerFor(key: AccessKey): SignatureV4 {
  let signer = signers.get(key);
  if (!signer) {
    signer = new SignatureV4({
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
      region: 'us-east-1', // replaced by signingRegion on every call
      service: 'states', // replaced by signingService on every call
      sha256: Hash.bind(null, 'sha256'),
      applyChecksum: false, // x-amz-content-sha256 is signed only when the client sent it
      uriEscapePath: true,
    });
    signers.set(key, signer);
  }
  return signer;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function parseAuthorization(header: string): { credential?: string; signedHeaders?: string; signature?: string } | { ok: false; failure: AuthFailure } {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  const rest = space < 0 ? '' : header.slice(space + 1);
  const found: { credential?: string; signedHeaders?: string; signature?: string } = {};
  if (algorithm !== ALGORITHM) return found; // every part is then "required", as AWS lists them
  for (const raw of rest.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const equals = part.indexOf('=');
    if (equals < 0) return fail('IncompleteSignatureException', `'${echo(part)}' not a valid key=value pair (missing equal-sign) in Authorization header: '${echo(header)}'.`);
    const name = part.slice(0, equals);
    const value = part.slice(equals + 1);
    if (name === 'Credential') found.credential = value;
    else if (name === 'SignedHeaders') found.signedHeaders = value;
    else if (name === 'Signature') found.signature = value;
  }
  return found;
}

function parseAmzDate(text: string): Date | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const time = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(time) || amzDate(time) !== text ? undefined : new Date(time);
}

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function queryOf(url: string): URLSearchParams {
  const mark = url.indexOf('?');
  return new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1));
}

/** The path as sent (the signer encodes it again, as SigV4 wants) and the query decoded, minus the signature's own parameters. */
function splitUrl(url: string, presigned: boolean): { path: string; query: Record<string, string | string[]> } {
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of queryOf(url)) {
    if (presigned && AUTH_QUERY_KEYS.has(name.toLowerCase())) continue;
    const existing = query[name];
    query[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return { path, query };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function echo(text: string): string {
  return text.length <= MAX_ECHO ? text : `${text.slice(0, MAX_ECHO)}…`;
}
