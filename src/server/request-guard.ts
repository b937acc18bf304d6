/**
 * Which requests the server answers at all, decided before anything else runs from the request's
 * `Host` and `Origin` headers and the server's settings (a pure function: no IO, no clock).
 *
 * DNS rebinding: a web page on evil.example can make its own name resolve to 127.0.0.1; the
 * browser then sends that page's requests, and lets it read the answers, to a server on loopback
 * with `Host: evil.example`. Without a keys file nothing else stops them, so a server bound to
 * loopback answers only Host values that name loopback (or an `--allowed-host`). With a keys file
 * every API call is signed and the signature covers Host; a server bound to another address
 * (which needs a keys file or `--insecure`) is meant to be reached by other names, webhooks
 * calling HTTP triggers included. In both cases Host is not checked.
 *
 * A request without Host (HTTP/1.0; Node refuses HTTP/1.1 without one) passes the Host check:
 * browsers always send Host, so such a request cannot come from a rebinding page.
 *
 * Cross-site requests: browsers send `Origin` on cross-origin POSTs (and on same-origin ones);
 * other clients (the SDKs, the CLI, curl, webhooks) send none. A page elsewhere must not drive
 * the API through a user's browser, so an Origin that is neither the server's own
 * (scheme://Host the request came to) nor an `--allowed-origin` is refused, everywhere (HTTP
 * triggers included: a front end on another origin that calls one must be allowed by name).
 *
 * `GET /health` is never refused: probes and load balancers use whatever name they like.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export interface GuardSettings {
  /** Whether Host must name loopback or an allowed host (no keys file, and bound to loopback). */
  readonly checkHost: boolean;
  /** Host names accepted beside loopback (`--allowed-host`), any port. */
  readonly allowedHosts: readonly string[];
  /** Origins accepted beside the server's own (`--allowed-origin`), as `URL.origin` writes them (or `null`). */
  readonly allowedOrigins: readonly string[];
}

/** What the guard reads of a request. */
export interface GuardedRequest {
  readonly method: string;
  /** The path, without the query string. */
  readonly path: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  /** Whether the request came over TLS: the server's own origin is then https://Host. */
  readonly secure: boolean;
}

export interface Refusal {
  readonly status: 403;
  /** Which check refused it (for the log). */
  readonly reason: 'host' | 'origin';
  readonly message: string;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Longest header value repeated in a message (the rest is cut: the message is not an echo service). */
const MAX_ECHO = 100;

/** The reason to refuse the request, or undefined to serve it. */
export function checkRequest(request: GuardedRequest, settings: GuardSettings): Refusal | undefined {
  if (request.path === '/health' && (request.method === 'GET' || request.method === 'HEAD')) return undefined;
  if (settings.checkHost && request.host !== undefined) {
    const name = hostName(request.host);
    if (name === undefined || !(isLoopbackName(name) || settings.allowedHosts.includes(name))) {
      const suggestion = name !== undefined ? ` If you reach it by that name on purpose (a container, a tunnel, a proxy), start it with --allowed-host ${name}.` : '';
      return {
        status: 403,
        reason: 'host',
        message:
          `Stepwise refused this request: its Host header '${echo(request.host)}' does not name this server. ` +
          'Without a keys file (--auth-file), a server on loopback answers only requests addressed to localhost, 127.0.0.1 or [::1], ' +
          `so that web pages cannot reach it through DNS rebinding.${suggestion}`,
      };
    }
  }
  if (request.origin !== undefined) {
    const origin = normaliseOrigin(request.origin);
    const own = request.host !== undefined ? normaliseOrigin(`${request.secure ? 'https' : 'http'}://${request.host}`) : undefined;
    const allowed = origin !== undefined && (origin === own || settings.allowedOrigins.includes(origin));
    if (!allowed) {
      return {
        status: 403,
        reason: 'origin',
        message:
          `Stepwise refused this request: it comes from a web page at '${echo(request.origin)}', which is not this server's origin` +
          `${own !== undefined ? ` (${own})` : ''}. To let pages from there call Stepwise, start it with --allowed-origin ${origin ?? 'ORIGIN'}.`,
      };
    }
  }
  return undefined;
}

/** checkRequest() over a Node.js request (the server calls this once per request, first). */
export function screenRequest(settings: GuardSettings): (req: IncomingMessage) => Refusal | undefined {
  return (req) =>
    checkRequest(
      {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0]!,
        host: single(req.headers.host),
        origin: single(req.headers.origin),
        secure: (req.socket as { encrypted?: boolean }).encrypted === true,
      },
      settings,
    );
}

/**
 * Why `stepwise serve` must not listen on `host`, or undefined when it may: without a keys file
 * only loopback is served, unless `--insecure` says the environment is a throwaway one.
 */
export function bindRefusal(host: string, settings: { readonly keys: boolean; readonly insecure: boolean }): string | undefined {
  if (settings.keys || settings.insecure || isLoopbackAddress(host)) return undefined;
  return (
    `Stepwise will not listen on ${host} without a keys file: anyone who can reach that address could read every execution and use the whole API. ` +
    'Give it a keys file (--auth-file FILE) so that every call must be signed, or listen on 127.0.0.1 behind a reverse proxy that authenticates; ' +
    'for a throwaway environment (a CI job, a container on your machine) add --insecure.'
  );
}

/** Whether `stepwise serve` may listen on `host` without a keys file: only loopback. */
export function isLoopbackAddress(host: string): boolean {
  const name = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isLoopbackName(name.toLowerCase());
}

/**
 * `--allowed-host` values: host names or IP addresses, without scheme, port or path; returned in
 * lower case, as hostName() compares them. Undefined when one is not a host name (the caller
 * says which).
 */
export function normaliseAllowedHost(text: string): string | undefined {
  const name = text.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (isIP(name) !== 0) return name;
  return /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*$/.test(name) ? name : undefined;
}

/** `--allowed-origin` values and Origin headers in one form (`http://a:80` is `http://a`); undefined when not an origin. */
export function normaliseOrigin(text: string): string | undefined {
  if (text === 'null') return 'null'; // sandboxed frames and file:// pages; allowed only by name
  if (!/^https?:\/\/[^/?#]+$/i.test(text)) return undefined;
  try {
    return new URL(text).origin;
  } catch {
    return undefined;
  }
}

/** The name a Host header gives (lower case, no port, no brackets), or undefined when it is malformed. */
function hostName(host: string): string | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/i.exec(host.trim());
  if (!match) return undefined;
  const name = (match[1] ?? match[2]!).toLowerCase();
  if (match[1] !== undefined) return isIP(name) === 6 ? name : undefined;
  return normaliseAllowedHost(name);
}

function isLoopbackName(name: string): boolean {
  // A trailing dot is the same name, fully qualified (`localhost.`).
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare === 'localhost') return true;
  const family = isIP(bare);
  if (family === 4) return LOOPBACK.check(bare, 'ipv4');
  if (family === 6) return LOOPBACK.check(bare, 'ipv6') || /^::ffff:127\./.test(bare);
  return false;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function echo(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > MAX_ECHO ? `${printable.slice(0, MAX_ECHO)}…` : printable;
}
