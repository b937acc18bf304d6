/**
 * One function process as the server sees it: a Node.js or Python host (node-host.ts,
 * python-host.ts) that loaded the function once and answers one invocation at a time over the
 * socket of protocol.ts, while its stdout and stderr lines go to the log.
 *
 * Everything the function can do ends here as a FunctionResult: an answer, an error it threw,
 * or, when the process must die (timeout, abort, a frame too large, a crash), Lambda's error
 * for it. The process runs in a process group of its own so that a kill also ends whatever it
 * started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Socket } from 'node:net';
import { LineReader } from './line-reader.js';
import { aborted, functionFailure, outOfMemory, responseTooLarge, runtimeExited, runtimeNotStarted, timedOut } from './lambda-errors.js';
import { MAX_FRAME_BYTES, parseFrame, requestLine, type HostFrame } from './protocol.js';
import type { FunctionResult } from './types.js';

export interface HostCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface HostInvocation {
  readonly requestId: string;
  /** The event as JSON text. */
  readonly eventJson: string;
  readonly invokedFunctionArn: string;
  readonly timeoutSeconds: number;
  readonly signal?: AbortSignal;
}

export interface HostEvents {
  /**
   * A line the function printed, for the invocation `requestId`: the current one, or the last one
   * (output and answer travel on different pipes, so a line can be read after its answer);
   * undefined before the first.
   */
  log(stream: 'stdout' | 'stderr', line: string, requestId: string | undefined): void;
  /** The process is gone; `expected` when the server ended it (kill, retirement). */
  exited(host: HostProcess, description: string, expected: boolean): void;
}

interface InFlight {
  readonly id: number;
  readonly requestId: string;
  readonly resolve: (result: FunctionResult) => void;
  readonly timer: NodeJS.Timeout;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

/** How long the server waits, after the process exited, for the rest of its output. */
const DRAIN_AFTER_EXIT_MS = 200;

/** What V8 prints when the heap limit (--max-old-space-size) is reached. */
const V8_OUT_OF_MEMORY = 'JavaScript heap out of memory';
const NATIVE_FRAME = /^\s*\d+: 0x[0-9a-f]+ /;

export class HostProcess {
  private readonly child: ChildProcess;
  private readonly channel: Socket;
  private current: InFlight | undefined;
  /** The request id of the latest invocation, for output read after its answer. */
  private lastRequestId: string | undefined;
  private nextId = 1;
  private state: 'serving' | 'retired' | 'exited' = 'serving';
  private killedByServer = false;
  private sawOutOfMemory = false;
  private pendingChunks: Buffer[] = [];
  private pendingBytes = 0;
  private referenced = true;
  /** Resolves once the process is gone. */
  readonly gone: Promise<void>;
  private markGone!: () => void;

  constructor(
    command: HostCommand,
    private readonly events: HostEvents,
  ) {
    this.gone = new Promise((resolve) => (this.markGone = resolve));
    this.child = spawn(command.command, command.args, {
      cwd: command.cwd,
      env: command.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.channel = this.child.stdio[3] as Socket;
    this.channel.on('data', (chunk: Buffer) => this.onChannelData(chunk));
    // A broken pipe shows as the process's exit, reported there.
    this.channel.on('error', () => undefined);
    this.readLines(this.child.stdout, 'stdout');
    this.readLines(this.child.stderr, 'stderr');
    this.child.on('error', (e) => this.onError(e));
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether it can take another invocation. */
  get reusable(): boolean {
    return this.state === 'serving' && this.current === undefined;
  }

  invoke(invocation: HostInvocation): Promise<FunctionResult> {
    if (!this.reusable) return Promise.resolve(runtimeNotStarted(invocation.requestId, 'the function process is not available'));
    if (invocation.signal?.aborted) return Promise.resolve(aborted(invocation.requestId));
    return new Promise((resolve) => {
      const id = this.nextId++;
      const { requestId, timeoutSeconds, signal } = invocation;
      const timer = setTimeout(() => this.settle(timedOut(requestId, timeoutSeconds), true), Math.ceil(timeoutSeconds * 1000));
      timer.unref();
      const onAbort = signal ? (): void => this.settle(aborted(requestId), true) : undefined;
      this.current = { id, requestId, resolve, timer, signal, onAbort };
      this.lastRequestId = requestId;
      if (signal && onAbort) signal.addEventListener('abort', onAbort, { once: true });
      this.reference(true);
      const deadlineMs = Date.now() + Math.ceil(timeoutSeconds * 1000);
      this.channel.write(requestLine(id, requestId, deadlineMs, invocation.invokedFunctionArn, invocation.eventJson));
    });
  }

  /** Ends the process; an invocation in flight is answered `answer` (default: aborted). */
  stop(answer?: (requestId: string) => FunctionResult): void {
    if (this.current) this.settle(answer ? answer(this.current.requestId) : aborted(this.current.requestId, 'the local functions runtime is closing'), true);
    else this.kill();
  }

  private settle(result: FunctionResult, kill = false): void {
    const inFlight = this.current;
    if (inFlight === undefined) return;
    this.current = undefined;
    clearTimeout(inFlight.timer);
    if (inFlight.onAbort) inFlight.signal?.removeEventListener('abort', inFlight.onAbort);
    if (kill) this.kill();
    else if (this.state === 'serving') this.reference(false);
    inFlight.resolve(result);
  }

  private kill(): void {
    if (this.state === 'exited') return;
    this.state = 'retired';
    this.killedByServer = true;
    const pid = this.child.pid;
    if (pid === undefined) return;
    // Until its exit is seen: `close()` waits for it, and an unreferenced process would let the
    // event loop empty first (a CLI run would then end without its output).
    this.child.ref();
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  /**
   * An idle process must not keep the server's event loop alive (a CLI run ends when its work
   * does); a busy one must, or an invocation could be dropped half way.
   */
  private reference(busy: boolean): void {
    if (this.referenced === busy) return;
    this.referenced = busy;
    const handles: Array<{ ref(): unknown; unref(): unknown }> = [this.child, this.channel];
    if (this.child.stdout) handles.push(this.child.stdout as Socket);
    if (this.child.stderr) handles.push(this.child.stderr as Socket);
    for (const handle of handles) {
      if (busy) handle.ref();
      else handle.unref();
    }
  }

  private readLines(stream: Readable | null, name: 'stdout' | 'stderr'): void {
    if (stream === null) return;
    stream.setEncoding('utf8');
    const reader = new LineReader((line) => {
      if (name === 'stderr' && line.includes(V8_OUT_OF_MEMORY)) this.sawOutOfMemory = true;
      // V8's native stack after its out-of-memory report says nothing about the function.
      else if (this.sawOutOfMemory && NATIVE_FRAME.test(line)) return;
      this.events.log(name, line, this.current?.requestId ?? this.lastRequestId);
    });
    stream.on('data', (chunk: string) => reader.push(chunk));
    stream.on('end', () => reader.end());
    stream.on('error', () => undefined);
  }

  /** Cuts the socket's bytes into lines; a line longer than MAX_FRAME_BYTES ends the process. */
  private onChannelData(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(10, start);
    while (newline >= 0) {
      const piece = chunk.subarray(start, newline);
      const line = this.pendingBytes > 0 ? Buffer.concat([...this.pendingChunks, piece]) : piece;
      this.pendingChunks = [];
      this.pendingBytes = 0;
      this.onFrame(line.toString('utf8'));
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pendingBytes += rest.length;
      if (this.pendingBytes > MAX_FRAME_BYTES) {
        this.pendingChunks = [];
        this.pendingBytes = 0;
        this.channel.pause();
        if (this.current) this.settle(responseTooLarge(), true);
        else this.kill();
        return;
      }
      this.pendingChunks.push(rest);
    }
  }

  private onFrame(line: string): void {
    const frame: HostFrame | undefined = parseFrame(line);
    // Only the host writes here; anything else means the function wrote to the socket itself.
    if (frame === undefined) return this.kill();
    const inFlight = this.current;
    if (inFlight === undefined || frame.id !== inFlight.id) return;
    if ('oom' in frame) return this.settle(outOfMemory(inFlight.requestId), true);
    if (frame.ok) return this.settle({ ok: true, payload: frame.payload });
    this.settle(functionFailure(frame.errorType, frame.errorMessage, frame.trace), frame.retire === true);
  }

  /** The process could not be started (no such executable) or signalled. */
  private onError(e: Error): void {
    if (this.child.pid !== undefined || this.state === 'exited') return;
    this.state = 'exited';
    if (this.current) this.settle(runtimeNotStarted(this.current.requestId, `could not start the function's runtime: ${e.message}`));
    this.events.exited(this, e.message, false);
    this.markGone();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.state === 'exited') return;
    this.state = 'exited';
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(drain);
      const inFlight = this.current;
      if (inFlight) this.settle(this.sawOutOfMemory ? outOfMemory(inFlight.requestId) : runtimeExited(inFlight.requestId, code, signal));
      this.events.exited(this, signal !== null ? `signal ${signal}` : `exit status ${code ?? 0}`, this.killedByServer);
      this.markGone();
    };
    // An answer written just before exiting, or V8's out-of-memory report, may still be in
    // the pipes: 'close' comes once they are read (capped, as a grandchild may hold them open).
    const drain = setTimeout(finish, DRAIN_AFTER_EXIT_MS);
    drain.unref();
    this.child.once('close', finish);
  }
}
