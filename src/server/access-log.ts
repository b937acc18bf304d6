/**
 * The access log (`--access-log FILE|-`): one JSON line per request the server answered, or that
 * the client abandoned, for audits and for finding who did what:
 *
 *   {"time":"2026-01-02T03:04:05.678Z","requestId":"…","source":"127.0.0.1","key":"AKIA…",
 *    "method":"POST","path":"/","action":"states:StartExecution","resource":"arn:aws:states:…",
 *    "status":400,"error":"StateMachineDoesNotExist","latencyMs":1.9}
 *
 * What it never holds: bodies (inputs, outputs, task tokens), headers (Authorization, API keys)
 * and query strings (a presigned request carries its signature there). `key` is the access key id
 * that signed the request, when one did; `action` and `resource` are what the API understood of
 * it (src/api/server.ts's RequestRecord); `error` is the AWS error name the answer carried.
 *
 * Lines are written through a stream, never synchronously: a slow disk delays the log, not the
 * requests. Should the disk fall so far behind that MAX_BUFFERED_BYTES are waiting, further lines
 * are dropped (and counted in a warning) rather than held in memory without bound.
 */
import { closeSync, createWriteStream, openSync, type WriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { signedUrl } from '../api/base-path.js';

/** What the API learned of a request (src/api/server.ts fills it; authentication adds the key). */
export interface AccessFacts {
  readonly keyId?: string;
  readonly action?: string;
  readonly resource?: string;
}

export interface AccessLogOptions {
  /** The facts the API recorded about a request (read when the request ends). */
  readonly factsOf: (req: IncomingMessage) => AccessFacts | undefined;
  readonly warn: (message: string, fields?: Record<string, unknown>) => void;
  /** Wall-clock time of a request's start (tests); default Date.now. */
  readonly clock?: { now(): number };
}

/** Lines waiting for the disk beyond which new lines are dropped. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Longest path written (a longer one is cut: the log is not a place to store request data). */
const MAX_PATH = 1024;

export class AccessLog {
  private stream: NodeJS.WritableStream;
  private dropped = 0;
  private failed = false;

  /** Opens (creates, 0600) the file at once, so a path that cannot be written is an error at start. */
  constructor(
    private readonly destination: string,
    private readonly options: AccessLogOptions,
  ) {
    this.stream = this.open();
  }

  /** Writes the request's line when its answer is sent, or when the client goes away first. */
  track(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const time = new Date((this.options.clock ?? Date).now()).toISOString();
    // Headers passed to writeHead() (as every route here does) are not readable with getHeader()
    // afterwards: keep the two the log needs as they go by.
    // Read now: a refused request's socket is destroyed before its response's 'close'.
    const answered: { requestId?: string; errorType?: string; source?: string } = { ...(req.socket.remoteAddress !== undefined ? { source: req.socket.remoteAddress } : {}) };
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      const headers = args.findLast((arg): arg is Record<string, unknown> => typeof arg === 'object' && arg !== null && !Array.isArray(arg));
      for (const [name, value] of Object.entries(headers ?? {})) {
        if (typeof value !== 'string') continue;
        if (name.toLowerCase() === 'x-amzn-requestid') answered.requestId = value;
        if (name.toLowerCase() === 'x-amzn-errortype') answered.errorType = value;
      }
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];
    res.once('close', () => this.write(lineOf(req, res, time, performance.now() - started, this.options.factsOf(req), answered)));
  }

  /**
   * Opens the file again (SIGHUP, after logrotate moved it); lines go to the new file from now on.
   * When it cannot be opened, the old file is kept and the reason logged.
   */
  reopen(): void {
    if (this.destination === '-') return;
    let next: NodeJS.WritableStream;
    try {
      next = this.open();
    } catch (e) {
      this.options.warn('cannot reopen the access log; still writing to the old file', { file: this.destination, error: (e as Error).message });
      return;
    }
    const previous = this.stream;
    this.stream = next;
    this.failed = false;
    (previous as WriteStream).end();
  }

  /** Flushes what is waiting and closes the file. */
  close(): Promise<void> {
    if (this.destination === '-') return Promise.resolve();
    return new Promise((resolve) => (this.stream as WriteStream).end(() => resolve()));
  }

  private open(): NodeJS.WritableStream {
    if (this.destination === '-') return process.stdout;
    const fd = openSync(this.destination, 'a', 0o600);
    let stream: WriteStream;
    try {
      stream = createWriteStream('', { fd, autoClose: true });
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    stream.on('error', (error) => {
      if (stream !== this.stream || this.failed) return;
      this.failed = true;
      this.options.warn('the access log cannot be written; lines are dropped until it is reopened (SIGHUP)', { file: this.destination, error: error.message });
    });
    stream.on('drain', () => {
      if (this.dropped === 0) return;
      this.options.warn('the access log fell behind and dropped lines', { file: this.destination, dropped: this.dropped });
      this.dropped = 0;
    });
    return stream;
  }

  private write(line: string): void {
    if (this.failed) return;
    const waiting = (this.stream as Partial<WriteStream>).writableLength ?? 0;
    if (waiting > MAX_BUFFERED_BYTES) {
      this.dropped++;
      return;
    }
    this.stream.write(line);
  }
}

function lineOf(req: IncomingMessage, res: ServerResponse, time: string, latencyMs: number, facts: AccessFacts | undefined, answered: { requestId?: string; errorType?: string; source?: string }): string {
  const path = signedUrl(req).split('?')[0]!; // as it arrived, a --base-path included
  const errorType = answered.errorType ?? res.getHeader('x-amzn-ErrorType');
  const requestId = answered.requestId ?? res.getHeader('x-amzn-RequestId');
  return (
    JSON.stringify({
      time,
      requestId: typeof requestId === 'string' ? requestId : undefined,
      source: answered.source,
      key: facts?.keyId,
      method: req.method,
      path: path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path,
      action: facts?.action,
      resource: facts?.resource,
      // A client that went away before the answer was sent: no status.
      status: res.headersSent ? res.statusCode : null,
      error: typeof errorType === 'string' ? errorType.replace(/^.*#/, '').split(':')[0] : undefined,
      latencyMs: Math.round(latencyMs * 10) / 10,
    }) + '\n'
  );
}
