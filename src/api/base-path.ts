/**
 * `--base-path /stepwise`: everything the server answers lives under the prefix (the API at
 * `POST /stepwise/`, the console at `/stepwise/`, `/stepwise/health`…), so a reverse proxy can
 * pass paths through unchanged. The prefix is taken off `req.url` before routing, so every route
 * keeps matching as without one; SigV4 signatures cover the path the client sent, so the
 * signature checks read the URL as it arrived (`signedUrl`).
 */
import type { IncomingMessage } from 'node:http';

const arrived = new WeakMap<IncomingMessage, string>();

/**
 * Takes `basePath` off the request's URL: `/stepwise` and `/stepwise/…` become `/` and `/…`.
 * 'outside' for a path that is not under it (the caller answers 404).
 */
export function stripBasePath(req: IncomingMessage, basePath: string): 'inside' | 'outside' {
  const url = req.url ?? '/';
  if (!url.startsWith(basePath)) return 'outside';
  const rest = url.slice(basePath.length);
  if (rest !== '' && !rest.startsWith('/') && !rest.startsWith('?')) return 'outside'; // /stepwiser is not /stepwise
  arrived.set(req, url);
  req.url = rest.startsWith('/') ? rest : `/${rest}`;
  return 'inside';
}

/** The URL as the client sent it (and signed it), prefix included. */
export function signedUrl(req: IncomingMessage): string {
  return arrived.get(req) ?? req.url ?? '/';
}
