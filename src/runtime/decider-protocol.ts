/** The messages between the decider pool (server thread) and its decision workers. */
import type { Decision, Trigger } from '../engine/model.js';
import type { Decider, DeciderInit, ReplayedTrigger, RestoreResult, SliceBudget } from './decider.js';

export type WorkerRequest =
  | { readonly id: number; readonly op: 'start'; readonly key: string; readonly init: DeciderInit; readonly now: number; readonly budget?: SliceBudget }
  | {
      readonly id: number;
      readonly op: 'handle';
      readonly key: string;
      readonly trigger: Trigger;
      readonly now: number;
      readonly budget?: SliceBudget;
      /** When the worker no longer holds the interpreter: rebuild it from these first (one request, no window to lose it again). */
      readonly restore?: { readonly init: DeciderInit; readonly triggers: readonly ReplayedTrigger[] };
    }
  | {
      readonly id: number;
      readonly op: 'handleMany';
      readonly key: string;
      /** Decided one after another, as separate decisions; the worker stops after one that ends the execution. */
      readonly triggers: ReadonlyArray<{ readonly trigger: Trigger; readonly now: number }>;
      readonly budget?: SliceBudget;
      readonly restore?: { readonly init: DeciderInit; readonly triggers: readonly ReplayedTrigger[] };
    }
  | { readonly id: number; readonly op: 'restore'; readonly key: string; readonly init: DeciderInit; readonly triggers: readonly ReplayedTrigger[] }
  | { readonly id: number; readonly op: 'drop'; readonly key: string };

/** The interpreter's state after a request, mirrored by the RemoteDecider. */
export interface DeciderState extends Pick<Decider, 'status' | 'output' | 'error' | 'cause' | 'redriveCount' | 'now'> {
  readonly startedTasks: readonly string[];
}

export interface WorkerReply {
  readonly id: number;
  readonly decision?: Decision;
  /** handleMany's decisions, one per trigger decided. */
  readonly decisions?: readonly Decision[];
  readonly restored?: RestoreResult;
  readonly state?: DeciderState;
  /** The worker holds no interpreter for the key (dropped, or lost with a terminated worker). */
  readonly missing?: true;
  /** The request threw (a bug in Stepwise, not in the workflow: those end in the decision). */
  readonly failure?: string;
}
