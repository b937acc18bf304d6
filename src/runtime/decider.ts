/**
 * A Decider is one execution's interpreter as a driver sees it: it takes triggers and returns
 * decisions. Two kinds stand behind one interface:
 *
 * - `LocalDecider` runs the Interpreter on the calling thread (the library's `execute()`, tests);
 * - `RemoteDecider` (decider-pool.ts) runs it in a worker thread that a watchdog can terminate,
 *   which is how the server keeps user logic off its own thread.
 *
 * Both slice decisions (`SliceBudget`): a decision stops between two states once it has used its
 * time or bytes, and the driver continues it later, after other executions had their turn.
 */
import { createHash } from 'node:crypto';
import { Interpreter, type InterpreterOptions } from '../engine/interpreter.js';
import type { Decision, DecisionBudget, ExecutionStatus, Trigger } from '../engine/model.js';
import type { RunnableDefinition } from './memory-driver.js';

/** A decision budget that can cross a thread boundary (DecisionBudget's clock check is built where the decision runs). */
export interface SliceBudget {
  /** Wall-clock time a decision may take before it yields between two states. */
  readonly sliceMs?: number;
  /** Replay: stop after exactly this many steps, as the logged decision did. */
  readonly maxSteps?: number;
  /** Bytes of state output before the decision yields. */
  readonly maxBytes?: number;
  /** History events before the decision yields. */
  readonly maxEvents?: number;
}

/** A trigger as the durable log keeps it: with its time, and the steps its decision took when it was cut short. */
export interface ReplayedTrigger {
  readonly time: number;
  readonly trigger: Trigger | { readonly type: 'Start' };
  readonly steps?: number;
}

/** What a replay regenerated: each decision's commands (the driver re-traces its bookkeeping) and the events' types. */
export interface RestoreResult {
  readonly decisions: ReadonlyArray<Pick<Decision, 'commands' | 'status'>>;
  /**
   * Each regenerated event's type, state name and a digest of its details (detailsDigest), in
   * order: checked against the stored history.
   */
  readonly events: ReadonlyArray<readonly [type: string, name: string | undefined, details: string]>;
}

/**
 * Everything needed to build an execution's interpreter, as plain data (it crosses to workers):
 * the interpreter's options, but for a generator object (the seed stands for it).
 */
export interface DeciderInit extends Omit<InterpreterOptions, 'definition' | 'random'> {
  /**
   * The definition: its JSON text (workers parse it once per text and share the parsed object),
   * or, on this thread, the parsed object itself.
   */
  readonly definition: string | RunnableDefinition;
  /**
   * Work that no client waits for (executions started by other executions): their decisions
   * wait behind those of executions that clients started, so a workflow that starts many
   * children cannot crowd out the API's callers.
   */
  readonly background?: boolean;
}

export interface Decider {
  readonly status: ExecutionStatus;
  readonly output: unknown;
  readonly error: string | undefined;
  readonly cause: string | undefined;
  readonly redriveCount: number;
  /** The time of the last decision. */
  readonly now: number;
  start(now: number, budget?: SliceBudget): Promise<Decision>;
  handle(trigger: Trigger, now: number, budget?: SliceBudget): Promise<Decision>;
  /**
   * Decides several triggers one after another, in one round trip where the interpreter lives
   * elsewhere: one decision per trigger, fewer once the execution has ended. Optional: a caller
   * without it calls `handle` for each.
   */
  handleMany?(triggers: ReadonlyArray<{ readonly trigger: Trigger; readonly now: number }>, budget?: SliceBudget): Promise<Decision[]>;
  /** Rebuilds the interpreter by replaying logged triggers. */
  restore(triggers: readonly ReplayedTrigger[]): Promise<RestoreResult>;
  isTaskStarted(taskId: string): boolean;
  /** Frees what the decider holds (a worker's interpreter); it can be restored later. */
  dispose(): void;
}

/** Turns a SliceBudget into the engine's DecisionBudget, with the clock check on this thread. */
export function decisionBudget(budget: SliceBudget | undefined): DecisionBudget | undefined {
  if (!budget) return undefined;
  const { sliceMs, maxSteps, maxBytes, maxEvents } = budget;
  const deadline = sliceMs !== undefined ? performance.now() + sliceMs : undefined;
  return {
    ...(maxSteps !== undefined ? { maxSteps } : {}),
    ...(maxBytes !== undefined ? { maxBytes } : {}),
    ...(maxEvents !== undefined ? { maxEvents } : {}),
    ...(deadline !== undefined ? { shouldYield: () => performance.now() >= deadline } : {}),
  };
}

/** Builds an Interpreter from plain data; `parse` lets a caller share parsed definitions. */
export function interpreterFor(init: DeciderInit, parse: (text: string) => RunnableDefinition = (t) => JSON.parse(t) as RunnableDefinition): Interpreter {
  const { definition, background: _lane, ...options } = init;
  return new Interpreter({ ...options, definition: typeof definition === 'string' ? parse(definition) : definition });
}

/**
 * A short digest of an event's details as JSON (key order included: a replay builds them in the
 * same order), so a rebuilt history can be compared with the stored one field by field without
 * sending every payload between threads.
 */
export function detailsDigest(details: unknown): string {
  const text = details === undefined ? '' : JSON.stringify(details);
  return createHash('sha1').update(text).digest('base64');
}

/** Replays logged triggers through an interpreter (the same code in a worker and on this thread). */
export async function replay(interp: Interpreter, triggers: readonly ReplayedTrigger[]): Promise<RestoreResult> {
  const decisions: Array<Pick<Decision, 'commands' | 'status'>> = [];
  const events: Array<readonly [string, string | undefined, string]> = [];
  for (const logged of triggers) {
    const budget = logged.steps !== undefined ? { maxSteps: logged.steps } : undefined;
    const decision = logged.trigger.type === 'Start' ? await interp.start(logged.time, budget) : await interp.handle(logged.trigger, logged.time, budget);
    decisions.push({ commands: decision.commands, status: decision.status });
    for (const e of decision.events) events.push([e.type, (e.details as { name?: string } | undefined)?.name, detailsDigest(e.details)]);
  }
  return { decisions, events };
}

/** The interpreter on this thread. */
export class LocalDecider implements Decider {
  private interp: Interpreter;

  constructor(private readonly init: DeciderInit, interp?: Interpreter) {
    this.interp = interp ?? interpreterFor(init);
  }

  get status(): ExecutionStatus {
    return this.interp.status;
  }
  get output(): unknown {
    return this.interp.output;
  }
  get error(): string | undefined {
    return this.interp.error;
  }
  get cause(): string | undefined {
    return this.interp.cause;
  }
  get redriveCount(): number {
    return this.interp.redriveCount;
  }
  get now(): number {
    return this.interp.now;
  }

  async start(now: number, budget?: SliceBudget): Promise<Decision> {
    return this.interp.start(now, decisionBudget(budget));
  }

  handle(trigger: Trigger, now: number, budget?: SliceBudget): Promise<Decision> {
    return this.interp.handle(trigger, now, decisionBudget(budget));
  }

  async restore(triggers: readonly ReplayedTrigger[]): Promise<RestoreResult> {
    this.interp = interpreterFor(this.init);
    return replay(this.interp, triggers);
  }

  isTaskStarted(taskId: string): boolean {
    return this.interp.isTaskStarted(taskId);
  }

  dispose(): void {}
}
