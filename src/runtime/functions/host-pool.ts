/**
 * The warm processes of one Node.js or Python function, as Lambda keeps execution
 * environments: a process serves one invocation at a time and is reused (the most recently
 * used first, so that spare ones age out), at most `concurrency` run at once and further
 * invocations wait in order, an idle process ends after `idleMs`, and one that crashed, timed
 * out or was aborted is replaced by a new one on demand.
 */
import { ConcurrencyGate } from './concurrency-gate.js';
import { HostProcess, type HostCommand } from './host-process.js';
import { aborted, functionFailure } from './lambda-errors.js';
import type { FunctionInvocation, FunctionLog, FunctionResult } from './types.js';

export interface HostPoolOptions {
  readonly functionName: string;
  readonly concurrency: number;
  readonly timeoutSeconds: number;
  readonly idleMs: number;
  readonly log: FunctionLog;
  /** How to start a process (its environment names the region of the invocation that starts it). */
  readonly command: (region: string | undefined) => HostCommand;
  readonly invokedFunctionArn: (invocation: FunctionInvocation) => string;
}

export class HostPool {
  private readonly gate: ConcurrencyGate;
  /** Idle processes, the most recently used last. */
  private readonly idle: HostProcess[] = [];
  private readonly idleTimers = new Map<HostProcess, NodeJS.Timeout>();
  private readonly all = new Set<HostProcess>();
  private closed = false;

  constructor(private readonly options: HostPoolOptions) {
    this.gate = new ConcurrencyGate(options.concurrency);
  }

  async invoke(invocation: FunctionInvocation): Promise<FunctionResult> {
    const eventJson = serializeEvent(invocation.event);
    if (eventJson === undefined) return functionFailure('InvalidRequestContentException', 'Could not parse request body into json: the event is not a JSON value');
    if (!(await this.gate.enter(invocation.signal))) return aborted(invocation.requestId);
    try {
      if (this.closed) return aborted(invocation.requestId, 'the local functions runtime is closed');
      const host = this.takeIdle() ?? this.start(invocation.region);
      const result = await host.invoke({
        requestId: invocation.requestId,
        eventJson,
        invokedFunctionArn: this.options.invokedFunctionArn(invocation),
        timeoutSeconds: this.options.timeoutSeconds,
        signal: invocation.signal,
      });
      if (host.reusable && !this.closed) this.park(host);
      return result;
    } finally {
      // After parking, so the next waiter finds the process warm.
      this.gate.leave();
    }
  }

  /** Ends every process; invocations in flight or waiting are answered `Stepwise.Aborted`. */
  async close(): Promise<void> {
    this.closed = true;
    this.gate.close();
    const hosts = [...this.all];
    for (const host of hosts) host.stop();
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    this.idle.length = 0;
    await Promise.all(hosts.map((host) => host.gone));
  }

  private takeIdle(): HostProcess | undefined {
    for (let host = this.idle.pop(); host !== undefined; host = this.idle.pop()) {
      clearTimeout(this.idleTimers.get(host));
      this.idleTimers.delete(host);
      if (host.reusable) return host;
    }
    return undefined;
  }

  private park(host: HostProcess): void {
    this.idle.push(host);
    const timer = setTimeout(() => {
      this.idleTimers.delete(host);
      const index = this.idle.indexOf(host);
      if (index >= 0) this.idle.splice(index, 1);
      host.stop();
    }, this.options.idleMs);
    timer.unref();
    this.idleTimers.set(host, timer);
  }

  private start(region: string | undefined): HostProcess {
    const { functionName, log } = this.options;
    const host = new HostProcess(this.options.command(region), {
      log: (stream, line, requestId) => log(stream === 'stdout' ? 'info' : 'warn', line, { function: functionName, requestId, stream }),
      exited: (gone, description, expected) => {
        this.all.delete(gone);
        const index = this.idle.indexOf(gone);
        if (index >= 0) this.idle.splice(index, 1);
        clearTimeout(this.idleTimers.get(gone));
        this.idleTimers.delete(gone);
        if (!expected) log('warn', `The process of function ${functionName} ended (${description}); a new one starts on demand.`, { function: functionName, pid: gone.pid });
      },
    });
    this.all.add(host);
    return host;
  }
}

/** The event as JSON text (undefined: null), or undefined when it is not a JSON value. */
export function serializeEvent(event: unknown): string | undefined {
  try {
    return JSON.stringify(event === undefined ? null : event) ?? 'null';
  } catch {
    return undefined;
  }
}
