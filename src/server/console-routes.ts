/**
 * Serves the web console (the Vite build in dist/console/) for GET and HEAD requests. The API
 * keeps `POST /`; every other GET that names no file gets index.html, because the console routes
 * in the browser (hash routes, and any deep link someone pastes).
 *
 * Files are read from disk on each request (the console is small and the OS caches it); hashed
 * assets under /assets/ are immutable, everything else is revalidated so a rebuilt console is
 * picked up at once.
 */
import { readFile, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/console/, next to dist/server/ where this module is built. */
const DEFAULT_ROOT = fileURLToPath(new URL('../console/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Security headers that suit a console that loads nothing from elsewhere. */
const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'",
};

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stepwise</title></head>
<body><main><h1>Stepwise</h1><p>The console is not built. Run <code>npm run build</code> and reload;
the Step Functions API is served at <code>POST /</code>.</p></main></body></html>`;

/** What the console learns before its first API call (GET /console-config.json). */
export interface ConsoleSettings {
  /** The region and account the console signs for and builds ARNs with. */
  readonly region: string;
  readonly accountId: string;
  /** With a keys file: every call must be signed, so the console asks for an access key. */
  readonly authRequired: boolean;
}

/**
 * `GET /console-config.json`: open (the console reads it before anyone signs in), so it holds
 * nothing secret: the region, the account and whether a key is needed, all of which an unsigned
 * API call would reveal anyway (the refusal names the region it wants). Not cached: a restart
 * with or without --auth-file must show at once.
 */
export function serveConsoleConfig(req: http.IncomingMessage, res: http.ServerResponse, settings: ConsoleSettings): boolean {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || (req.url ?? '').split('?')[0] !== '/console-config.json') return false;
  req.resume();
  const body = JSON.stringify({ region: settings.region, accountId: settings.accountId, authRequired: settings.authRequired });
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...COMMON_HEADERS });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

/**
 * Answers GET/HEAD requests for the console; resolves false for anything else (the API's
 * `POST /`, other methods), and for GETs when the console was not built, so the API's own
 * answer stands.
 */
export async function serveConsole(req: http.IncomingMessage, res: http.ServerResponse, root: string = DEFAULT_ROOT): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const file = await resolveFile(root, req.url ?? '/');
  // The console's pages go to clients that ask for a page (a browser's Accept names text/html,
  // curl's */*); a bare GET / without Accept stays the API's, which answers it with a 4xx, as
  // AWS's endpoint does.
  const accept = String(req.headers.accept ?? '');
  const wantsPage = accept.includes('text/html') || accept.includes('*/*');
  if (!wantsPage && (file === undefined || (typeof file === 'object' && path.basename(file.path) === 'index.html'))) return false;
  if (file === 'forbidden' || file === 'not-found') {
    req.resume();
    const [status, text] = file === 'forbidden' ? [403, 'Forbidden'] : [404, 'Not Found'];
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache', ...COMMON_HEADERS });
    res.end(req.method === 'HEAD' ? undefined : text);
    return true;
  }
  if (file === undefined) {
    // Not built (or being rebuilt): a browser gets a page saying so rather than an API error
    // it would offer to download; other clients get the API's own answer.
    if (!String(req.headers.accept ?? '').includes('text/html')) return false;
    req.resume();
    res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache', 'Retry-After': '5', ...COMMON_HEADERS });
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
    return true;
  }
  let body: Buffer;
  try {
    body = await readFile(file.path);
  } catch {
    return false;
  }
  req.resume();
  const extension = path.extname(file.path).toLowerCase();
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
    'Content-Length': body.length,
    'Cache-Control': isImmutableAsset(root, file.path) ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...COMMON_HEADERS,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

/**
 * The file a URL names, 'forbidden' for a path that leaves the console folder, 'not-found' for
 * a missing asset, or undefined when the console was not built.
 */
async function resolveFile(root: string, url: string): Promise<{ path: string } | 'forbidden' | 'not-found' | undefined> {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url, 'http://console.invalid').pathname);
  } catch {
    return 'forbidden';
  }
  if (pathname.includes('\0')) return 'forbidden';
  const rootDir = path.resolve(root);
  const index = path.join(rootDir, 'index.html');
  if (!(await isFile(index))) return undefined;
  if (pathname === '/' || pathname === '') return { path: index };

  const candidate = path.resolve(rootDir, `.${pathname}`);
  if (candidate !== rootDir && !candidate.startsWith(rootDir + path.sep)) return 'forbidden';
  if (await isFile(candidate)) return { path: candidate };
  // A missing asset is a real 404 (a stale page asking for an old hash); any other path is a
  // console route.
  if (path.extname(pathname) !== '' || pathname.startsWith('/assets/')) return 'not-found';
  return { path: index };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function isImmutableAsset(root: string, file: string): boolean {
  return path.relative(path.resolve(root), file).split(path.sep)[0] === 'assets';
}
