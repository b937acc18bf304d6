/**
 * A Decider whose interpreter lives in a decision worker (decider-pool.ts). It mirrors the
 * interpreter's state from each answer. When the worker no longer holds the interpreter (it
 * dropped it, or was terminated for another execution's sake), the decider restores it by
 * replaying the triggers decided so far, then asks again: nothing outside notices.
 */
import type { Decision, ExecutionStatus, Trigger } from '../engine/model.js';
import type { Decider, DeciderInit, ReplayedTrigger, RestoreResult, SliceBudget } from './decider.js';
import type { DeciderPool, DeciderRequest } from './decider-pool.js';
import type { DeciderState, WorkerReply } from './decider-protocol.js';

let instances = 0;

export class RemoteDecider implements Decider {
  /** Unique per decider: a new one for the same execution never meets an old one's interpreter. */
  private readonly key: string;
  private readonly init: DeciderInit;
  private state: DeciderState;
  private started = new Set<string>();

  constructor(
    private readonly pool: DeciderPool,
    init: DeciderInit,
    private readonly decided: () => Promise<readonly ReplayedTrigger[]> | readonly ReplayedTrigger[],
  ) {
    this.key = `${init.identity.executionArn}#${++instances}`;
    // Workers parse definitions by their text (and share the parsed object).
    this.init = typeof init.definition === 'string' ? init : { ...init, definition: JSON.stringify(init.definition) };
    this.state = { status: 'RUNNING', output: undefined, error: undefined, cause: undefined, redriveCount: init.identity.redriveCount, now: 0, startedTasks: [] };
  }

  get status(): ExecutionStatus {
    return this.state.status;
  }
  get output(): unknown {
    return this.state.output;
  }
  get error(): string | undefined {
    return this.state.error;
  }
  get cause(): string | undefined {
    return this.state.cause;
  }
  get redriveCount(): number {
    return this.state.redriveCount;
  }
  get now(): number {
    return this.state.now;
  }

  async start(now: number, budget?: SliceBudget): Promise<Decision> {
    return this.decision(await this.pool.call({ op: 'start', key: this.key, init: this.init, now, ...(budget ? { budget } : {}) }, this.init.background ? 'later' : 'fresh'));
  }

  async handle(trigger: Trigger, now: number, budget?: SliceBudget): Promise<Decision> {
    const request: DeciderRequest = { op: 'handle', key: this.key, trigger, now, ...(budget ? { budget } : {}) };
    // Continuations of sliced decisions wait behind work that came from outside.
    const lane = trigger.type === 'Continue' || this.init.background ? 'later' : 'fresh';
    return this.decision(await this.ask(request, lane));
  }

  async handleMany(triggers: ReadonlyArray<{ readonly trigger: Trigger; readonly now: number }>, budget?: SliceBudget): Promise<Decision[]> {
    const request: DeciderRequest = { op: 'handleMany', key: this.key, triggers, ...(budget ? { budget } : {}) };
    const lane = this.init.background || triggers.every(({ trigger }) => trigger.type === 'Continue') ? 'later' : 'fresh';
    const reply = await this.ask(request, lane);
    this.mirror(reply);
    return [...(reply.decisions ?? [])];
  }

  /** Sends a request; when the worker no longer holds the interpreter, the same request again carrying what rebuilds it. */
  private async ask(request: Extract<DeciderRequest, { op: 'handle' | 'handleMany' }>, lane: 'fresh' | 'later'): Promise<WorkerReply> {
    const reply = await this.pool.call(request, lane);
    if (!reply.missing) return reply;
    const again = await this.pool.call({ ...request, restore: { init: this.init, triggers: await this.decided() } }, lane, true);
    if (again.missing) throw new Error('The decision worker could not rebuild the execution.');
    return again;
  }

  async restore(triggers: readonly ReplayedTrigger[]): Promise<RestoreResult> {
    const reply = await this.pool.call({ op: 'restore', key: this.key, init: this.init, triggers });
    this.mirror(reply);
    return reply.restored!;
  }

  isTaskStarted(taskId: string): boolean {
    return this.started.has(taskId);
  }

  dispose(): void {
    // The worker drops an interpreter whose execution ended by itself: no message needed.
    if (this.state.status !== 'RUNNING') this.pool.forget(this.key);
    else this.pool.call({ op: 'drop', key: this.key }).catch(() => undefined);
  }

  private decision(reply: WorkerReply): Decision {
    this.mirror(reply);
    return reply.decision!;
  }

  private mirror(reply: WorkerReply): void {
    if (!reply.state) return;
    this.state = reply.state;
    if (reply.state.startedTasks.length !== this.started.size) this.started = new Set(reply.state.startedTasks);
  }
}

/** ExecuteOptions.decider for in-memory runs (EXPRESS, TestState) whose decisions go to the pool. */
export function remoteDeciders(pool: DeciderPool): (init: DeciderInit, log: () => readonly ReplayedTrigger[]) => Decider {
  return (init, log) => new RemoteDecider(pool, init, log);
}
