/**
 * What the console benchmarks share: `stepwise serve` (built) on a free port, the Step Functions
 * API over plain fetch, Debian's headless Chromium through playwright-core (CHROMIUM_PATH,
 * default /usr/bin/chromium; a browser is never downloaded), and medians.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const BENCH_ROLE = 'arn:aws:iam::123456789012:role/bench';

/** The build to measure: dist/, or another copy of it (`--dist DIR`) to compare two builds. */
export const DEFAULT_DIST = `${ROOT}dist`;

/** Fails early, with the fix, when the build or the browser is missing. */
export function assertReady(dist = DEFAULT_DIST) {
  for (const file of ['cli/main.js', 'console/index.html']) {
    if (!existsSync(`${dist}/${file}`)) throw new Error(`${dist}/${file} is missing: run npm run build first.`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url, child) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`stepwise serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('stepwise serve did not start within 15 s');
}

/** `stepwise serve --db <db>` (of the build in `dist`) on a free port; resolves once /health answers. */
export async function startServer(db = ':memory:', dist = DEFAULT_DIST) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [`${dist}/cli/main.js`, 'serve', '--port', String(port), '--db', db, '--log-level', 'silent'], { stdio: 'ignore' });
  await waitForHealth(url, child);
  return { url, stop: () => child.kill('SIGTERM') };
}

/** One Step Functions API call; throws with AWS's error name on failure. */
export async function api(url, action, body) {
  const response = await fetch(`${url}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AWSStepFunctions.${action}` },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${action}: ${json.__type} ${json.message}`);
  return json;
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
