/**
 * The protocol between the server and a function's host process (node-host.ts, python-host.ts):
 * one JSON document per line, both ways, on a socket that is the child's file descriptor 3.
 *
 * Why a socket of its own: the function's stdout and stderr stay its logs and nothing it prints
 * can be mistaken for an answer. Why not Node's IPC channel: the server reads this socket itself
 * and stops at MAX_FRAME_BYTES, so a function that writes a gigabyte in one message costs the
 * server a bounded buffer and a killed worker, not its heap; and the same framing serves Python.
 *
 * The event and the result travel as JSON text spliced into the line, so neither is encoded twice.
 */
import { MAX_RESPONSE_BYTES } from './lambda-errors.js';

/** The largest line the server reads from a host: a full 6 MB response plus its envelope. */
export const MAX_FRAME_BYTES = MAX_RESPONSE_BYTES + 64 * 1024;

/** Server → host. `event` is the event as JSON text. */
export function requestLine(id: number, requestId: string, deadlineMs: number, invokedFunctionArn: string, eventJson: string): string {
  return `{"id":${id},"requestId":${JSON.stringify(requestId)},"deadlineMs":${deadlineMs},"invokedFunctionArn":${JSON.stringify(invokedFunctionArn)},"event":${eventJson}}\n`;
}

export interface HostRequest {
  readonly id: number;
  readonly requestId: string;
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  readonly event: unknown;
}

/**
 * Host → server, one per request: the result, Lambda's error document (with `retire` when the
 * process must not serve again: init failed, an uncaught exception), or `oom` when the function
 * ran out of memory in a way the host could still report (Python's MemoryError).
 */
export type HostFrame =
  | { readonly id: number; readonly ok: true; readonly payload: unknown }
  | { readonly id: number; readonly ok: false; readonly errorType: string; readonly errorMessage: string; readonly trace?: readonly string[]; readonly retire?: boolean }
  | { readonly id: number; readonly oom: true };

/** The frame a line holds, or undefined when it is not one (the process is then not trusted again). */
export function parseFrame(line: string): HostFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const frame = value as Record<string, unknown>;
  if (typeof frame.id !== 'number') return undefined;
  if (frame.oom === true) return { id: frame.id, oom: true };
  if (frame.ok === true) return { id: frame.id, ok: true, payload: frame.payload === undefined ? null : frame.payload };
  if (frame.ok !== false) return undefined;
  const trace = Array.isArray(frame.trace) ? frame.trace.map(String) : undefined;
  return {
    id: frame.id,
    ok: false,
    errorType: String(frame.errorType ?? ''),
    errorMessage: String(frame.errorMessage ?? ''),
    ...(trace !== undefined ? { trace } : {}),
    ...(frame.retire === true ? { retire: true } : {}),
  };
}
