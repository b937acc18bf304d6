/**
 * What the console's browser tests need around the page: Debian's Chromium driven by
 * playwright-core (never a downloaded browser), the console build (dist/console/, rebuilt when
 * web/ is newer), a folder for screenshots, a record of every status each graph node showed, and
 * the session each test file runs in (a server, a browser and a page, started and stopped with it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe } from 'vitest';
import { ROOT, assertBuilt, sdk, startServe, stopAll, tempDir, type ServeOptions, type ServeProcess } from '../server/serve-process.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a headless Chromium in a container: no sandbox, no GPU, nothing phoning home. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile, removed on close. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'stepwise-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
    // Stable screenshots: no caret blinking, no smooth scrolling surprises.
    reducedMotion: 'reduce',
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  // A loaded two-core machine can take a while to lay out a graph in the worker.
  context.setDefaultTimeout(45_000);
  await context.addInitScript({ content: RECORD_STATUSES });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const CONSOLE_INDEX = join(ROOT, 'dist', 'console', 'index.html');

function newestFile(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestFile(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the console (`npm run build:console`) when dist/console/ is missing or older than
 * web/ or examples/ (its templates): the global setup only compiles the server, and a stale
 * bundle would test old code.
 */
export function ensureConsoleBuilt(): void {
  const sources = Math.max(newestFile(join(ROOT, 'web')), newestFile(join(ROOT, 'examples')));
  if (existsSync(CONSOLE_INDEX) && statSync(CONSOLE_INDEX).mtimeMs >= sources) return;
  console.log('[console tests] dist/console/ is missing or older than web/ or examples/: running npm run build:console');
  try {
    execFileSync('npm', ['run', '--silent', 'build:console'], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npm run build:console failed:\n${stdout?.toString() ?? ''}\n${stderr?.toString() ?? String(e)}`);
  }
  if (!existsSync(CONSOLE_INDEX)) throw new Error(`npm run build:console did not write ${CONSOLE_INDEX}`);
}

/** $STEPWISE_SCREENSHOTS (relative to the repository) or test-artifacts/console/, created. */
export function screenshotDir(): string {
  const configured = process.env.STEPWISE_SCREENSHOTS;
  const dir = configured ? (isAbsolute(configured) ? configured : resolve(ROOT, configured)) : join(ROOT, 'test-artifacts', 'console');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One status a graph node showed, on which page (hash route), in the order they appeared. */
export interface StatusSample {
  readonly route: string;
  readonly state: string;
  readonly status: string;
}

/** The page's globals that the callbacks below use (the project's tsconfig has no DOM lib). */
declare const window: { __statusLog?: StatusSample[] };

/**
 * Runs in the page before its scripts: a MutationObserver notes each change of a node's
 * `data-status`, so a test sees the in-progress colour even if it lasted a few hundred
 * milliseconds between two of its own looks. A string, not a function: the test runner's
 * transform would add helpers to a function's source that do not exist in the page.
 */
const RECORD_STATUSES = `(() => {
  const log = [];
  const last = new Map();
  window.__statusLog = log;
  const sample = () => {
    const route = location.hash;
    for (const el of document.querySelectorAll('[data-state][data-status]')) {
      const state = el.getAttribute('data-state');
      const status = el.getAttribute('data-status');
      const key = route + '\\u0000' + state;
      if (last.get(key) === status) continue;
      last.set(key, status);
      log.push({ route, state, status });
    }
  };
  new MutationObserver(sample).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'data-state'] });
})();`;

/** The statuses each state showed on pages whose hash starts with `routePrefix`, in order. */
export async function statusHistory(page: Page, routePrefix: string): Promise<Map<string, string[]>> {
  const log = await page.evaluate(() => window.__statusLog ?? []);
  const byState = new Map<string, string[]>();
  for (const { route, state, status } of log) {
    if (!route.startsWith(routePrefix)) continue;
    const seen = byState.get(state) ?? [];
    if (seen[seen.length - 1] !== status) seen.push(status);
    byState.set(state, seen);
  }
  return byState;
}

/** Everything the page reported as broken: uncaught exceptions and console errors. */
export function watchPageErrors(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  return { errors };
}

/** Why the browser tests are skipped on this machine; undefined when Chromium is installed. */
export const NO_CHROMIUM = hasChromium() ? undefined : `skipped: ${CHROMIUM} is not installed (apt-get install -y --no-install-recommends chromium)`;

/** `describe` for tests that drive Chromium: skipped, saying why in its title and on the console, without it. */
export function describeInChromium(title: string, body: () => void): void {
  if (NO_CHROMIUM) console.warn(`[console tests] ${NO_CHROMIUM}`);
  describe.skipIf(NO_CHROMIUM !== undefined)(`${title}${NO_CHROMIUM ? ` (${NO_CHROMIUM})` : ''}`, body);
}

/** `serve`'s options other than its database, which the session keeps in its temporary folder. */
export type SessionServeOptions = Omit<ServeOptions, 'db'>;

/** What a session gives its tests, from its beforeAll on (reading it earlier throws). */
export interface ConsoleSession {
  /** The temporary folder of the server's database, removed after the tests. */
  readonly dir: string;
  readonly server: ServeProcess;
  /** The AWS SDK pointed at the server, with dummy credentials (a server without a keys file takes them). */
  readonly sdk: SFNClient;
  readonly page: Page;
  /** What the page reported as broken so far (see watchPageErrors). */
  readonly pageErrors: readonly string[];
}

const SETUP_TIMEOUT_MS = 360_000;
const TEARDOWN_TIMEOUT_MS = 60_000;

/**
 * Registers, in the calling describe, the hooks of a console test file: beforeAll checks the
 * server is built, builds the console if stale, starts `serve` over a database in a new
 * temporary folder `name`, runs `prepare` (what the tests expect to find on the server), then
 * opens a page in a fresh Chromium and watches it for errors; afterAll closes the browser,
 * stops the servers, removes the folder and prints what the page reported.
 *
 * `serveOptions` may be a function of the temporary folder, to write there the files it names
 * (a keys file, a config file).
 */
export function consoleSession(
  name: string,
  serveOptions: SessionServeOptions | ((dir: string) => SessionServeOptions) = {},
  prepare?: (session: Omit<ConsoleSession, 'page' | 'pageErrors'>) => Promise<void>,
): ConsoleSession {
  let temp: { dir: string; remove(): void } | undefined;
  let server: ServeProcess | undefined;
  let client: SFNClient | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let pageErrors: { errors: string[] } | undefined;

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`console session ${name}: no ${what} yet (it is started in beforeAll)`);
    return value;
  };
  const session: ConsoleSession = {
    get dir() {
      return started(temp, 'temporary folder').dir;
    },
    get server() {
      return started(server, 'server');
    },
    get sdk() {
      client ??= sdk(started(server, 'server').url);
      return client;
    },
    get page() {
      return started(page, 'page');
    },
    get pageErrors() {
      return started(pageErrors, 'page').errors;
    },
  };

  beforeAll(async () => {
    assertBuilt();
    ensureConsoleBuilt();
    temp = tempDir(name);
    const options = typeof serveOptions === 'function' ? serveOptions(temp.dir) : serveOptions;
    server = await startServe({ ...options, db: join(temp.dir, 'db.sqlite') });
    await prepare?.(session);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    pageErrors = watchPageErrors(page);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await stopAll();
    temp?.remove();
    if (pageErrors?.errors.length) console.log(`[console tests: ${name}] the page reported:\n${pageErrors.errors.join('\n')}`);
  }, TEARDOWN_TIMEOUT_MS);

  return session;
}
