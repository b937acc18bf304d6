/**
 * The local functions runtime: runs the functions a project declares (src/config/types.ts
 * `FunctionConfig`, SAM's fields) apart from the server, and answers each invocation as Lambda's
 * Invoke API does (types.ts), so the Lambda integration treats local and remote functions alike.
 *
 * - Node.js (`nodejs*.x`, the default) and Python (`python3.x`): warm processes per function
 *   (host-pool.ts) running a host that plays Lambda's runtime (node-host.ts, python-host.ts);
 *   Node.js heaps are limited to MemorySize (--max-old-space-size), Python's data to MemorySize
 *   (RLIMIT_DATA).
 * - `Command`: the argv runs per invocation in `baseDir` (command-function.ts).
 * - `Url`: the event is POSTed to the URL (url-function.ts).
 *
 * Each function runs at most ReservedConcurrentExecutions (default 10) invocations at once; more
 * wait in order. Nothing a function does rejects `invoke` or reaches the server's process: a
 * timeout, a crash, running out of memory or an oversized answer becomes Lambda's error for it
 * (lambda-errors.ts). The function's stdout and stderr lines go to `log` (info, warn) with the
 * function's name and the request id.
 *
 * The Node.js host runs as compiled JavaScript: dist/runtime/functions/node-host.js next to this
 * module once built; when this module runs from its TypeScript source (the tests), the project's
 * dist/ build of it, which the test setup keeps fresh (test/global-setup.ts).
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionConfig } from '../../config/types.js';
import { runCommand } from './command-function.js';
import { DEFAULT_REGION, functionArn, functionEnvironment } from './environment.js';
import { functionSpec, type CodeSpec, type FunctionSpec } from './function-spec.js';
import type { HostCommand } from './host-process.js';
import { HostPool, serializeEvent } from './host-pool.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { aborted, functionFailure, MAX_RESPONSE_BYTES, runtimeNotStarted } from './lambda-errors.js';
import { PYTHON_HOST } from './python-host.js';
import type { FunctionInvocation, FunctionLog, FunctionResult } from './types.js';
import { callUrl } from './url-function.js';

export type { FunctionFailure, FunctionInvocation, FunctionLog, FunctionResult } from './types.js';
export { MAX_RESPONSE_BYTES } from './lambda-errors.js';

export interface LocalFunctionsOptions {
  readonly log?: FunctionLog;
  /** How long an idle warm process lives, ms (default 60 s). */
  readonly idleMs?: number;
  /** The folder `Command` functions run in: the configuration file's (default process.cwd()). */
  readonly baseDir?: string;
}

/** The compiled Node.js host; from the TypeScript sources, the project's dist/ build of it. */
export function nodeHostPath(): string {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL('../../../dist/runtime/functions/node-host.js', here) : new URL('./node-host.js', here);
  return fileURLToPath(url);
}

interface FunctionRunner {
  invoke(invocation: FunctionInvocation): Promise<FunctionResult>;
  close(): Promise<void>;
}

export class LocalFunctions {
  private readonly runners = new Map<string, FunctionRunner>();
  private closed = false;

  constructor(functions: Readonly<Record<string, FunctionConfig>>, options: LocalFunctionsOptions = {}) {
    const log = options.log ?? (() => undefined);
    const settings: RunnerSettings = { log, idleMs: options.idleMs ?? 60_000, baseDir: options.baseDir ?? process.cwd() };
    for (const [name, config] of Object.entries(functions)) this.runners.set(name, createRunner(functionSpec(name, config), settings));
  }

  has(name: string): boolean {
    return this.runners.has(name);
  }

  /**
   * Runs the function once. Resolves with its result or Lambda's error for what went wrong;
   * rejects only when no function has that name (the caller's mistake, Lambda's
   * ResourceNotFoundException).
   */
  invoke(name: string, invocation: FunctionInvocation): Promise<FunctionResult> {
    const runner = this.runners.get(name);
    if (runner === undefined) {
      const e = new Error(`Function not found: ${functionArn(name, invocation.region, invocation.accountId)}`);
      e.name = 'ResourceNotFoundException';
      return Promise.reject(e);
    }
    if (this.closed) return Promise.resolve(aborted(invocation.requestId, 'the local functions runtime is closed'));
    return runner.invoke(invocation).catch((e: unknown) => functionFailure('Runtime.Unknown', `RequestId: ${invocation.requestId} Error: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Ends every function process; invocations still running are answered `Stepwise.Aborted`. */
  async close(): Promise<void> {
    this.closed = true;
    // The processes are unreferenced while idle: without a referenced handle the event loop
    // could empty before their exits are seen, and a shutting-down server would stop half way.
    // Killed processes exit at once; the timer only bounds the wait.
    const keepAlive = setTimeout(() => undefined, 10_000);
    try {
      await Promise.all([...this.runners.values()].map((runner) => runner.close()));
    } finally {
      clearTimeout(keepAlive);
    }
  }
}

interface RunnerSettings {
  readonly log: FunctionLog;
  readonly idleMs: number;
  readonly baseDir: string;
}

function createRunner(spec: FunctionSpec, settings: RunnerSettings): FunctionRunner {
  const arn = (invocation: FunctionInvocation): string => functionArn(spec.name, invocation.region, invocation.accountId);
  switch (spec.kind) {
    case 'node':
    case 'python': {
      const pool = new HostPool({
        functionName: spec.name,
        concurrency: spec.concurrency,
        timeoutSeconds: spec.timeoutSeconds,
        idleMs: settings.idleMs,
        log: settings.log,
        command: (region) => hostCommand(spec, region ?? DEFAULT_REGION),
        invokedFunctionArn: arn,
      });
      if (spec.kind === 'python') return pool;
      let hostBuilt = false;
      return {
        invoke(invocation) {
          hostBuilt ||= existsSync(nodeHostPath());
          if (!hostBuilt) return Promise.resolve(runtimeNotStarted(invocation.requestId, `the Node.js host ${nodeHostPath()} is missing: build Stepwise (npm run build)`));
          return pool.invoke(invocation);
        },
        close: () => pool.close(),
      };
    }
    case 'command':
      return gated(spec.concurrency, (invocation, eventJson) =>
        runCommand({
          argv: spec.argv,
          cwd: settings.baseDir,
          env: functionEnvironment(spec, { region: invocation.region ?? DEFAULT_REGION, runtimeDir: settings.baseDir }),
          requestId: invocation.requestId,
          eventJson,
          timeoutSeconds: spec.timeoutSeconds,
          signal: invocation.signal,
          log: (line) => settings.log('warn', line, { function: spec.name, requestId: invocation.requestId, stream: 'stderr' }),
        }),
      );
    case 'url':
      return gated(spec.concurrency, (invocation, eventJson) =>
        callUrl({ url: spec.url, requestId: invocation.requestId, eventJson, invokedFunctionArn: arn(invocation), timeoutSeconds: spec.timeoutSeconds, signal: invocation.signal }),
      );
    case 'unrunnable':
      return { invoke: (invocation) => Promise.resolve(functionFailure(spec.errorType, `RequestId: ${invocation.requestId} Error: ${spec.reason}`)), close: () => Promise.resolve() };
  }
}

function hostCommand(spec: CodeSpec, region: string): HostCommand {
  const hostPath = nodeHostPath();
  const env = functionEnvironment(spec, { region, runtimeDir: dirname(hostPath) });
  if (spec.kind === 'python') return { command: 'python3', args: ['-u', '-c', PYTHON_HOST, String(MAX_RESPONSE_BYTES)], cwd: spec.codeUri, env };
  return { command: process.execPath, args: [`--max-old-space-size=${spec.memoryMb}`, hostPath], cwd: spec.codeUri, env };
}

/**
 * A runner that starts something per invocation, behind the function's concurrency limit;
 * closing it stops what is still running.
 */
function gated(concurrency: number, run: (invocation: FunctionInvocation, eventJson: string) => Promise<FunctionResult>): FunctionRunner {
  const gate = new ConcurrencyGate(concurrency);
  const running = new Set<AbortController>();
  return {
    async invoke(invocation) {
      const eventJson = serializeEvent(invocation.event);
      if (eventJson === undefined) return functionFailure('InvalidRequestContentException', 'Could not parse request body into json: the event is not a JSON value');
      if (!(await gate.enter(invocation.signal))) return aborted(invocation.requestId);
      const stop = new AbortController();
      const forward = (): void => stop.abort();
      invocation.signal?.addEventListener('abort', forward, { once: true });
      if (invocation.signal?.aborted) stop.abort();
      running.add(stop);
      try {
        return await run({ ...invocation, signal: stop.signal }, eventJson);
      } finally {
        running.delete(stop);
        invocation.signal?.removeEventListener('abort', forward);
        gate.leave();
      }
    },
    async close() {
      gate.close();
      for (const stop of running) stop.abort();
    },
  };
}
