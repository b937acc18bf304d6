/**
 * The decider pool: decision workers (decider-worker.ts) and the watchdog that keeps them honest.
 *
 * Why worker threads: the server must keep answering while one workflow misbehaves. A loop of
 * states is stopped by slicing alone, but a single JSONata call such as `$string([1..1e7])`, a
 * regular expression with back-references, or a JSONPath filter on a large input runs inside
 * one native call that no budget checked between steps can interrupt. A worker can be
 * terminated at any instruction, and `resourceLimits` turns running out of heap into the
 * worker's error instead of the process's death. The cost is a message round trip per decision
 * (tens of microseconds, measured in bench/README.md), paid once per decision rather than per
 * state, since a decision runs every state it can.
 *
 * Each execution is pinned to one worker (by a hash of its key) so its interpreter stays warm
 * there. A worker runs one request at a time; the watchdog measures that request alone. Work
 * that arrives from outside (a start, a task result, a timer) goes before continuations of
 * sliced decisions, so a hundred looping executions delay a new one by one slice, not by a
 * hundred.
 */
import { setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Trigger } from '../engine/model.js';
import type { ExpressionLimits } from '../asl/limits.js';
import type { WorkerReply, WorkerRequest } from './decider-protocol.js';

/** A request without its id (the pool numbers them). */
export type DeciderRequest = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Why a request failed without an answer: the workflow's fault, not Stepwise's. */
export class DecisionAborted extends Error {
  override readonly name = 'DecisionAborted';
  constructor(readonly reason: 'timeout' | 'crash', message: string) {
    super(message);
  }
}

/** The trigger that fails an execution whose decision was stopped. */
export function runtimeFailure(e: DecisionAborted): Trigger {
  return { type: 'RuntimeFailure', error: 'States.Runtime', cause: `${e.message} The execution was stopped to protect the server (a Stepwise limit, see docs/limits.md).` };
}

export interface DeciderPoolOptions {
  /** Worker threads (default 2). */
  readonly workers?: number;
  /** Wall-clock budget of one decision, ms (default 10,000). */
  readonly decisionTimeoutMs?: number;
  /** Budget of a replay (rebuilding an execution), ms (default 60,000). */
  readonly restoreTimeoutMs?: number;
  /**
   * Workers there may be at most (default workers + 6): spare ones start when every worker is
   * held by a long decision, so work from other executions still moves; a spare that has been
   * idle for a while stops again.
   */
  readonly maxWorkers?: number;
  /** Heap of each worker, MB (default 512). */
  readonly workerHeapMb?: number;
  /** Interpreters each worker keeps (least recently used beyond it are dropped and restored on demand). */
  readonly maxHostedPerWorker?: number;
  /** Limits on JSONata and JSONPath evaluation, applied in each worker as it loads (default: src/asl/limits.ts's defaults). */
  readonly expressionLimits?: Partial<ExpressionLimits>;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

interface Job {
  readonly queuedAt: number;
  readonly request: DeciderRequest;
  readonly timeoutMs: number;
  readonly resolve: (reply: WorkerReply) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly index: number;
  worker: Worker;
  ready: boolean;
  current: { id: number; job: Job; since: number; held?: true; long?: true } | undefined;
  /** The worker's thread id (Linux), to lower its priority while it is held. */
  tid: number | undefined;
  lowered: boolean;
  /** Work from outside first, continuations of sliced decisions after. */
  readonly fresh: Job[];
  readonly later: Job[];
}

/** The compiled worker; under vitest (TypeScript sources) the build in dist/ that the test setup keeps fresh. */
function workerScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/runtime/decider-worker.js', here) : new URL('./decider-worker.js', here);
}

export class DeciderPool {
  private readonly slots: Slot[] = [];
  /** Which worker holds each key's interpreter. */
  private readonly pins = new Map<string, Slot>();
  private readonly maxWorkers: number;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private nextId = 1;
  private closed = false;
  readonly decisionTimeoutMs: number;
  readonly restoreTimeoutMs: number;
  private readonly heapMb: number;
  private readonly maxHosted: number;
  /** Terminations and crashes so far (metrics, tests). */
  aborted = 0;
  /**
   * Told when a decision has been running (in its worker, not waiting in a queue) for longer
   * than a slice should take, and when such a decision answers: the runner's quarantine marks.
   */
  watcher: { long(key: string): void; done(key: string): void } | undefined;

  constructor(private readonly options: DeciderPoolOptions = {}) {
    this.decisionTimeoutMs = options.decisionTimeoutMs ?? 10_000;
    this.restoreTimeoutMs = options.restoreTimeoutMs ?? 60_000;
    this.heapMb = options.workerHeapMb ?? 512;
    this.maxHosted = options.maxHostedPerWorker ?? 2_000;
    const count = Math.max(1, options.workers ?? 2);
    this.maxWorkers = Math.max(count, options.maxWorkers ?? count + 6);
    for (let i = 0; i < count; i++) this.slots.push(this.spawn(i));
    this.watchdog = setInterval(() => this.watch(), WATCH_EVERY_MS);
    this.watchdog.unref();
  }

  /**
   * Sends a request to the worker that hosts `key`; continuations wait behind fresh work. A new
   * interpreter (start, restore) goes to the least loaded worker. A key whose worker is held by
   * another execution's long decision answers `missing` at once, so its decider restores it on
   * another worker instead of waiting for the watchdog; with `stay` (a request right after such
   * a restore) it waits its turn instead, so a key is moved at most once per request.
   */
  call(request: DeciderRequest, lane: 'fresh' | 'later' = 'fresh', stay = false): Promise<WorkerReply> {
    if (this.closed) return Promise.reject(new Error('The decider pool is closed.'));
    const pinned = this.pins.get(request.key);
    let slot: Slot;
    if (request.op === 'start' || request.op === 'restore' || (request.op === 'handle' && request.restore)) {
      slot = pinned && !this.held(pinned, request.key) ? pinned : this.leastLoaded();
      this.pins.set(request.key, slot);
    } else if (!pinned) {
      return Promise.resolve(request.op === 'drop' ? { id: 0 } : { id: 0, missing: true });
    } else if (request.op === 'drop') {
      this.pins.delete(request.key);
      slot = pinned;
    } else if (!stay && this.held(pinned, request.key)) {
      this.pins.delete(request.key);
      this.enqueueJob(pinned, { op: 'drop', key: request.key }, 'later').catch(() => undefined);
      return Promise.resolve({ id: 0, missing: true });
    } else {
      slot = pinned;
    }
    return this.enqueueJob(slot, request, lane);
  }

  /** Whether a worker is busy with another key's request for longer than a slice should take. */
  private held(slot: Slot, key: string): boolean {
    const current = slot.current;
    return current !== undefined && current.job.request.key !== key && performance.now() - current.since > HELD_AFTER_MS;
  }

  /** The worker with the least work that is not held; a new one (up to maxWorkers) when all are held. */
  private leastLoaded(): Slot {
    let best: Slot | undefined;
    let bestLoad = Infinity;
    for (const slot of this.slots) {
      if (slot.current && performance.now() - slot.current.since > HELD_AFTER_MS) continue;
      const load = slot.fresh.length + slot.later.length + (slot.current ? 1 : 0) + (slot.ready ? 0 : 1);
      if (load < bestLoad) {
        best = slot;
        bestLoad = load;
      }
    }
    if (best) return best;
    if (this.slots.length < this.maxWorkers) {
      const spare = this.spawn(this.slots.length);
      this.slots.push(spare);
      return spare;
    }
    return this.slots.reduce((a, b) => (a.fresh.length + a.later.length <= b.fresh.length + b.later.length ? a : b));
  }

  private enqueueJob(slot: Slot, request: DeciderRequest, lane: 'fresh' | 'later'): Promise<WorkerReply> {
    const timeoutMs = request.op === 'restore' ? this.restoreTimeoutMs : this.decisionTimeoutMs;
    return new Promise<WorkerReply>((resolve, reject) => {
      (lane === 'fresh' ? slot.fresh : slot.later).push({ queuedAt: performance.now(), request, timeoutMs, resolve, reject });
      this.pump(slot);
    });
  }

  /** Forgets where a key lives, when its worker dropped it already (an ended execution). */
  forget(key: string): void {
    this.pins.delete(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watchdog);
    const closing = new Error('The decider pool is closed.');
    for (const slot of this.slots) {
      for (const job of [...slot.fresh.splice(0), ...slot.later.splice(0)]) job.reject(closing);
      if (slot.current) {
        slot.current.job.reject(closing);
        slot.current = undefined;
      }
      await slot.worker.terminate();
    }
  }

  private spawn(index: number): Slot {
    const slot: Slot = { index, worker: undefined as unknown as Worker, ready: false, current: undefined, fresh: [], later: [], tid: undefined, lowered: false };
    this.start(slot);
    return slot;
  }

  private start(slot: Slot): void {
    const worker = new Worker(fileURLToPath(workerScript()), {
      workerData: { maxHosted: this.maxHosted, expressionLimits: this.options.expressionLimits },
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: Math.min(16, Math.max(4, this.heapMb / 32)) },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    slot.worker = worker;
    slot.ready = false;
    slot.tid = undefined;
    slot.lowered = false;
    worker.on('message', (reply: WorkerReply | { ready: true; tid?: number }) => {
      if (slot.worker !== worker) return;
      if ('ready' in reply) {
        slot.ready = true;
        slot.tid = reply.tid;
        this.pump(slot);
        return;
      }
      const current = slot.current;
      if (!current || current.id !== reply.id) return;
      slot.current = undefined;
      if (slot.lowered) setThreadPriority(slot, 0);
      if (current.long) this.watcher?.done(current.job.request.key);
      if (process.env.DEBUG_POOL) console.error(`pool slot=${slot.index}/${this.slots.length} op=${current.job.request.op} key=${current.job.request.key.slice(-30)} waited=${(current.since - current.job.queuedAt).toFixed(0)} ran=${(performance.now() - current.since).toFixed(0)}`);
      if (reply.failure !== undefined) current.job.reject(new Error(reply.failure));
      else current.job.resolve(reply);
      this.pump(slot);
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (slot.worker !== worker) return;
      const outOfMemory = e.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.replace(slot, new DecisionAborted('crash', outOfMemory
        ? `The execution used more memory than one decision may (${this.heapMb} MB).`
        : `The decision crashed its worker: ${e.message}`));
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker || this.closed) return;
      this.replace(slot, new DecisionAborted('crash', `The decision ended its worker (exit code ${code}).`));
    });
  }

  /** Terminates a slot's worker (if still running), fails its current request and starts a new one. */
  private replace(slot: Slot, reason: DecisionAborted): void {
    const old = slot.worker;
    const current = slot.current;
    slot.current = undefined;
    this.aborted++;
    this.options.log?.('warn', 'decision worker replaced', { worker: slot.index, reason: reason.message });
    this.start(slot);
    void old.terminate().catch(() => undefined);
    current?.job.reject(reason);
  }

  private pump(slot: Slot): void {
    if (!slot.ready || slot.current || this.closed) return;
    const job = slot.fresh.shift() ?? slot.later.shift();
    if (!job) return;
    const id = this.nextId++;
    slot.current = { id, job, since: performance.now() };
    // As JSON text: a request is plain JSON (inputs, triggers), and V8 clones one string far
    // faster than an object graph (measured: ~40 µs per start request as objects).
    slot.worker.postMessage(JSON.stringify({ ...job.request, id }));
  }

  /**
   * The watchdog, one timer for the pool rather than two per request (a request's timers cost
   * more than a short decision). A request still running after a slice's worth of time is a
   * long decision: its thread gives way (a lower OS priority) to the API and to other
   * executions' decisions, and the watcher hears of it; past its budget its worker is replaced.
   */
  private watch(): void {
    const now = performance.now();
    for (const slot of this.slots) {
      const current = slot.current;
      if (!current) continue;
      const ran = now - current.since;
      if (ran >= current.job.timeoutMs) {
        this.replace(slot, new DecisionAborted('timeout', `A decision ran longer than ${current.job.timeoutMs / 1000} seconds.`));
      } else if (ran >= HELD_AFTER_MS && !current.held) {
        current.held = true;
        setThreadPriority(slot, LOW_PRIORITY);
        const { op, key } = current.job.request;
        if (op === 'start' || op === 'handle') {
          current.long = true;
          this.watcher?.long(key);
        }
      }
    }
  }
}

/** How often the watchdog looks (its precision). */
const WATCH_EVERY_MS = 20;

/** A worker busy this long with one request is held: new work goes elsewhere. */
const HELD_AFTER_MS = 100;

/** The nice value of a held worker's thread. */
const LOW_PRIORITY = 15;

/**
 * Sets a worker thread's scheduling priority (Linux: setpriority on a thread id affects that
 * thread alone). Best effort: without the thread id, or without the right to raise a priority
 * back (CAP_SYS_NICE), the worker simply keeps the priority it has.
 */
function setThreadPriority(slot: Slot, priority: number): void {
  if (slot.tid === undefined) return;
  try {
    setPriority(slot.tid, priority);
    slot.lowered = priority !== 0;
  } catch {
    // not permitted here: leave it
  }
}
