/**
 * Runs the built `stepwise serve` (dist/cli/main.js, built by test/global-setup.ts) in a child
 * process, as a user would: on a free port (`--port 0`, the URL read from the startup log line),
 * over an SQLite file in a temporary folder. Every child started here is killed when the test
 * file ends, even if a test forgot to (stopAll in afterAll, and a last resort on exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SFNClient } from '@aws-sdk/client-sfn';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const REGION = 'us-east-1';
/** The account `serve` puts in ARNs by default. */
export const ACCOUNT = '111111111111';
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/stepwise-tests`;

/** Variables of `serve` that must not leak in from the environment the tests run in. */
const SERVE_VARIABLES = [
  'STEPWISE_HOST', 'STEPWISE_PORT', 'STEPWISE_DB', 'STEPWISE_REGION', 'STEPWISE_ACCOUNT_ID', 'SFN_MOCK_CONFIG',
  'WAIT_TIME_SCALE', 'STEPWISE_LOG_LEVEL', 'STEPWISE_SQLITE_SYNCHRONOUS', 'STEPWISE_RETENTION_DAYS', 'STEPWISE_NODE_LEASE_SECONDS',
  'STEPWISE_DECISION_WORKERS', 'STEPWISE_DECISION_TIMEOUT', 'STEPWISE_WORKER_MEMORY_MB', 'STEPWISE_MAX_HISTORY_EVENTS',
  'STEPWISE_MAX_LIVE_EXECUTIONS', 'STEPWISE_DECISION_SLICE_MS', 'STEPWISE_DECISION_MAX_EVENTS', 'STEPWISE_DECISION_MAX_BYTES',
  'STEPWISE_MAX_OPEN_EXECUTIONS', 'STEPWISE_MAX_STATE_MACHINES', 'STEPWISE_MAX_ACTIVITIES', 'STEPWISE_MAX_SCHEDULES',
  'STEPWISE_MAX_SCHEDULE_GROUPS', 'STEPWISE_MAX_RULES_PER_BUS', 'STEPWISE_ENDPOINT', 'STEPWISE_MAX_CHILD_EXECUTIONS',
  'STEPWISE_MAX_EXECUTION_DEPTH', 'STEPWISE_API_RATE_LIMITS', 'STEPWISE_MAX_HISTORY_PAGE_BYTES', 'STEPWISE_EXPRESS_TIMEOUT',
  'STEPWISE_TEST_STATE_TIMEOUT', 'STEPWISE_JSONATA_TIMEOUT_MS', 'STEPWISE_JSONATA_MAX_SEQUENCE', 'STEPWISE_JSONATA_MAX_STRING_LENGTH',
  'STEPWISE_JSONPATH_MAX_STEPS', 'STEPWISE_CONFIG', 'LAMBDA_ENDPOINT', 'DYNAMODB_ENDPOINT', 'SQS_ENDPOINT', 'SNS_ENDPOINT',
  'STEP_FUNCTIONS_ENDPOINT', 'EVENTBRIDGE_ENDPOINT', 'S3_ENDPOINT', 'AWS_ENDPOINT_URL', 'STEPWISE_AUTH_FILE',
  'STEPWISE_INSECURE', 'STEPWISE_ALLOWED_HOSTS', 'STEPWISE_ALLOWED_ORIGINS', 'STEPWISE_TLS_CERT', 'STEPWISE_TLS_KEY', 'STEPWISE_ACCESS_LOG', 'STEPWISE_METRICS_PORT', 'STEPWISE_METRICS_HOST', 'STEPWISE_BASE_PATH',
];

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SERVE_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: the build failed (see the global setup's output)`);
}

const children = new Set<ChildProcess>();

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface ServeOptions {
  /** The SQLite file (or :memory:). */
  readonly db: string;
  /** More options for `serve` (e.g. --wait-time-scale). */
  readonly args?: readonly string[];
  /** More environment variables (e.g. SFN_MOCK_CONFIG). */
  readonly env?: Record<string, string>;
  readonly startTimeoutMs?: number;
  /** Options for node itself (e.g. --max-old-space-size=256). */
  readonly nodeArgs?: readonly string[];
}

export interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the server wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (a graceful shutdown); SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: a crash, nothing flushed or closed. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `stepwise serve` and resolves once it listens. */
export function startServe(options: ServeOptions): Promise<ServeProcess> {
  const args = [...(options.nodeArgs ?? []), CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--db', options.db, '--log-level', 'info', ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b));
  child.stderr!.on('data', (b: Buffer) => (stderr += b));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  const ended = async (signal: NodeJS.Signals, graceMs: number) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      clearInterval(watch);
      child.kill('SIGKILL');
      reject(new Error(`stepwise serve did not start within ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    const watch = setInterval(() => {
      const url = /"url":"(https?:\/\/[^"]+)"/.exec(stdout)?.[1];
      if (!url) return;
      clearInterval(watch);
      clearTimeout(timer);
      resolve({
        url,
        child,
        output: () => ({ stdout, stderr }),
        exited,
        stop: (graceMs = 10_000) => ended('SIGTERM', graceMs),
        kill: () => ended('SIGKILL', 5_000),
      });
    }, 20);
    void exited.then(({ code, signal }) => {
      clearInterval(watch);
      clearTimeout(timer);
      reject(new Error(`stepwise serve exited (code ${code}, signal ${signal}) before listening.\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

/** Kills every server still running (afterAll). */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `stepwise <args>` to its end (killed after `timeoutMs`: a serve that should have failed). */
export function runCli(args: readonly string[], { timeoutMs = 30_000, env = {}, cwd = ROOT }: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b));
    child.stderr!.on('data', (b: Buffer) => (stderr += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A temporary folder, removed by `remove()`. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `stepwise-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The AWS SDK pointed at a local server (dummy credentials). */
export function sdk(endpoint: string): SFNClient {
  return new SFNClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // StartSyncExecution's model prefixes the host with `sync-`: a local endpoint needs it off.
    disableHostPrefix: true,
    maxAttempts: 1,
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Calls `probe` with growing pauses until it returns something other than undefined. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(Math.round(delay * 1.5), 500)) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(delay);
  }
}

/** No stack trace: a user's mistake is a message, not a crash. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text) || text.includes('internal error');
}
