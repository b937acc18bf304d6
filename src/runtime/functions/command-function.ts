/**
 * A `Command` function: the argv runs once per invocation in the configuration's folder, with
 * the function's environment (environment.ts); the event is written to its stdin as JSON and
 * its stdout is the result.
 *
 * Choices (Lambda has no such functions; these follow a custom runtime's contract closely):
 * - stdout parsed as JSON is the payload; empty (or only whitespace) is null; anything else is
 *   `Runtime.InvalidResponse` (the text's start in the message), since Step Functions could not
 *   use it either;
 * - exit status other than 0, or a signal: `Runtime.ExitError` with Lambda's message, followed
 *   by the last lines of stderr (the reason a command usually gives);
 * - Timeout: the command's process group is killed and the result is Lambda's `Sandbox.Timedout`;
 * - stdout beyond 6 MB: killed, `Function.ResponseSizeTooLarge`;
 * - stderr lines go to the log as they come (warn).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { LineReader } from './line-reader.js';
import { aborted, functionFailure, MAX_RESPONSE_BYTES, responseTooLarge, runtimeExited, runtimeNotStarted, timedOut } from './lambda-errors.js';
import type { FunctionResult } from './types.js';

export interface CommandRun {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly eventJson: string;
  readonly timeoutSeconds: number;
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
}

/** Lines of stderr kept for the error message, and characters per line. */
const STDERR_TAIL_LINES = 10;
const STDERR_TAIL_LINE_CHARS = 1_000;

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** The result for a command's stdout: JSON, null when empty. */
export function commandPayload(requestId: string, stdout: string): FunctionResult {
  const text = stdout.trim();
  if (text === '') return { ok: true, payload: null };
  try {
    return { ok: true, payload: JSON.parse(text) as unknown };
  } catch {
    const start = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    return functionFailure('Runtime.InvalidResponse', `RequestId: ${requestId} Error: the command's standard output is not JSON: ${start}`);
  }
}

export function runCommand(run: CommandRun): Promise<FunctionResult> {
  if (run.signal?.aborted) return Promise.resolve(aborted(run.requestId));
  return new Promise((resolve) => {
    const [command = '', ...args] = run.argv;
    const child = spawn(command, args, { cwd: run.cwd, env: run.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    const stderrTail: string[] = [];
    let settled = false;

    const settle = (result: FunctionResult, kill: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      if (kill) killGroup(child);
      resolve(result);
    };
    const timer = setTimeout(() => settle(timedOut(run.requestId, run.timeoutSeconds), true), Math.ceil(run.timeoutSeconds * 1000));
    const onAbort = (): void => settle(aborted(run.requestId), true);
    run.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (e) => settle(runtimeNotStarted(run.requestId, `could not run ${JSON.stringify(command)}: ${e.message}`), true));
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_RESPONSE_BYTES) return settle(responseTooLarge(), true);
      stdout.push(chunk);
    });
    const stderr = new LineReader((line) => {
      run.log(line);
      stderrTail.push(line.length > STDERR_TAIL_LINE_CHARS ? `${line.slice(0, STDERR_TAIL_LINE_CHARS)}…` : line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => stderr.push(chunk));
    child.stderr.on('end', () => stderr.end());
    // A command that does not read its input closes the pipe early; that is not a failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(run.eventJson);

    // 'close': the process ended and its output is read to the end.
    child.on('close', (code, signal) => {
      if (code === 0) return settle(commandPayload(run.requestId, Buffer.concat(stdout).toString('utf8')), false);
      settle(runtimeExited(run.requestId, code, signal, stderrTail.join('\n')), false);
    });
  });
}
