/**
 * The errors Lambda itself reports for an invocation (not those a handler throws), with the
 * names and messages Lambda gives today:
 *
 * - timeout: `Sandbox.Timedout`, "RequestId: <id> Error: Task timed out after 3.00 seconds"
 *   (Lambda's troubleshooting-invocation page; the Runtime Interface Emulator formats it so);
 * - the runtime process ended without answering: `Runtime.ExitError`, "RequestId: <id> Error:
 *   Runtime exited with error: exit status 1" / "…: signal: killed" (Go's wording of the wait
 *   status), or "Runtime exited without providing a reason" when it exited with status 0;
 * - out of memory: `Runtime.OutOfMemory`, "RequestId: <id> Error: Runtime exited with error:
 *   signal: killed" (Lambda kills the sandbox at its memory size);
 * - a result over 6 MB: `Function.ResponseSizeTooLarge`, "Response payload size exceeded
 *   maximum allowed payload size (6291556 bytes)." (Lambda's quotas: 6 MB each way for
 *   synchronous invocations; the message's number is Lambda's own).
 */
import type { FunctionFailure } from './types.js';

/** Lambda's limit on a synchronous invocation's response, in bytes (6 MB + 100, as Lambda counts it). */
export const MAX_RESPONSE_BYTES = 6_291_556;

export function functionFailure(errorType: string, errorMessage: string, trace?: readonly string[]): FunctionFailure {
  return trace === undefined
    ? { ok: false, functionError: 'Unhandled', errorType, errorMessage }
    : { ok: false, functionError: 'Unhandled', errorType, errorMessage, trace };
}

export function timedOut(requestId: string, timeoutSeconds: number): FunctionFailure {
  return functionFailure('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
}

/** Go's names for the signals (Lambda's messages print the wait status as Go does). */
const SIGNAL_WORDS: Readonly<Record<string, string>> = {
  SIGHUP: 'hangup',
  SIGINT: 'interrupt',
  SIGQUIT: 'quit',
  SIGILL: 'illegal instruction',
  SIGTRAP: 'trace/breakpoint trap',
  SIGABRT: 'aborted',
  SIGBUS: 'bus error',
  SIGFPE: 'floating point exception',
  SIGKILL: 'killed',
  SIGUSR1: 'user defined signal 1',
  SIGSEGV: 'segmentation fault',
  SIGUSR2: 'user defined signal 2',
  SIGPIPE: 'broken pipe',
  SIGALRM: 'alarm clock',
  SIGTERM: 'terminated',
};

/** "exit status 1", "signal: killed", as Lambda prints how the runtime ended. */
export function waitStatus(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `signal: ${SIGNAL_WORDS[signal] ?? signal}`;
  return `exit status ${code ?? 0}`;
}

/** The runtime process ended during an invocation without answering it. */
export function runtimeExited(requestId: string, code: number | null, signal: NodeJS.Signals | null, detail?: string): FunctionFailure {
  const reason = signal === null && code === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: ${waitStatus(code, signal)}`;
  return functionFailure('Runtime.ExitError', `RequestId: ${requestId} Error: ${reason}${detail ? `\n${detail}` : ''}`);
}

export function outOfMemory(requestId: string): FunctionFailure {
  return functionFailure('Runtime.OutOfMemory', `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`);
}

export function responseTooLarge(): FunctionFailure {
  return functionFailure('Function.ResponseSizeTooLarge', `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`);
}

/**
 * The caller gave up (the Task was cancelled or timed out): Stepwise's own name, never shown
 * to a state machine, since the task is already over when it is reported.
 */
export function aborted(requestId: string, why = 'the invocation was cancelled'): FunctionFailure {
  return functionFailure('Stepwise.Aborted', `RequestId: ${requestId} Error: ${why}`);
}

/** The runtime could not be started at all (no python3 on PATH, the Node.js host not built). */
export function runtimeNotStarted(requestId: string, reason: string): FunctionFailure {
  // Lambda's name for "the runtime's entry point cannot run"; the message says what failed here.
  return functionFailure('Runtime.InvalidEntrypoint', `RequestId: ${requestId} Error: ${reason}`);
}
