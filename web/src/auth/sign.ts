/**
 * SigV4 in the browser (@smithy/signature-v4, hashing with Web Crypto): what an AWS SDK does,
 * over the request exactly as `fetch` will send it. The path and query are the URL's own
 * (the server verifies the path it received, base path included); `host` is signed as the
 * browser sends it (location.host: the API is on the page's origin), and the body is hashed.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { WebCryptoSha256 } from './web-crypto-sha256.js';

/** Signing names: `states` for AWSStepFunctions.* and Stepwise.*, `events` for AWSEvents.*, `scheduler` for the REST routes. */
export type SigningService = 'states' | 'events' | 'scheduler';

export interface SigningKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The headers to send with `url`: `headers` plus Authorization, X-Amz-Date and X-Amz-Content-Sha256. */
export async function signedHeaders(
  key: SigningKey,
  region: string,
  service: SigningService,
  request: { readonly method: string; readonly url: URL; readonly headers: Readonly<Record<string, string>>; readonly body?: string },
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }, region, service, sha256: WebCryptoSha256 });
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of request.url.searchParams) {
    const existing = query[name];
    query[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const signed = await signer.sign({
    method: request.method,
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    ...(request.url.port !== '' ? { port: Number(request.url.port) } : {}),
    path: request.url.pathname,
    query,
    headers: { ...request.headers, host: request.url.host },
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  // The browser sets Host itself (a forbidden header for fetch).
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name.toLowerCase() !== 'host') headers[name] = value;
  return headers;
}
