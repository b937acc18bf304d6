/**
 * Frames: the root machine, each Parallel branch and each Map iteration runs in a frame with its
 * own current state, input and variable scope.
 */
import type { StatesError } from '../asl/errors.js';
import type { VariableLookup } from '../asl/scope.js';
import { checkAssignment } from '../asl/variables.js';
import type { MapRun } from './map-runs.js';
import type { Step } from './states.js';

export type QueryLanguage = 'JSONPath' | 'JSONata';

/** A raw ASL state object. The definition was validated before it runs. */
export type StateDef = Record<string, any>;

export interface Graph {
  readonly StartAt: string;
  readonly States: Record<string, StateDef>;
}

/**
 * Variables visible to a frame. Inner scopes (Parallel branches, Map iterations) read the outer
 * ones, but an assignment always lands in the frame's own scope, so an outer variable is never
 * changed from inside: that is AWS's rule.
 */
export class VariableScope implements VariableLookup {
  /** Created on the first assignment: most Map iterations never assign. */
  private vars: Map<string, unknown> | undefined;
  constructor(private readonly parent?: VariableScope) {}

  has(name: string): boolean {
    return (this.vars?.has(name) ?? false) || (this.parent?.has(name) ?? false);
  }

  get(name: string): unknown {
    if (this.vars?.has(name)) return this.vars.get(name);
    return this.parent?.get(name);
  }

  /**
   * Assigns values after checking AWS's size limits (States.DataLimitExceeded). The total
   * counts this scope and the scopes it can read, which is what the execution holds while the
   * frame runs.
   */
  assign(values: Record<string, unknown>): void {
    const sizes = checkAssignment(values, (name) => this.sizes?.get(name) ?? 0, this.chainBytes());
    const vars = (this.vars ??= new Map());
    const held = (this.sizes ??= new Map());
    for (const key of Object.keys(values)) {
      this.ownBytes += sizes.get(key)! - (held.get(key) ?? 0);
      held.set(key, sizes.get(key)!);
      vars.set(key, values[key]);
    }
  }

  private sizes: Map<string, number> | undefined;
  private ownBytes = 0;

  private chainBytes(): number {
    return this.ownBytes + (this.parent?.chainBytes() ?? 0);
  }
}

/** A running Parallel or Map state: the children it started and what came back. */
export interface FanOut {
  readonly kind: 'parallel' | 'map';
  readonly owner: Frame;
  readonly distributed: boolean;
  readonly results: unknown[];
  readonly children: Set<Frame>;
  /** Index of the next child to start (Map honours MaxConcurrency). */
  nextIndex: number;
  readonly total: number;
  /** 0 is no limit. UpdateMapRun may change it and the tolerances while a Map Run runs. */
  maxConcurrency: number;
  running: number;
  completed: number;
  failures: number;
  toleratedFailureCount: number;
  toleratedFailurePercentage: number;
  failed?: StatesError;
  /** A Distributed Map's Map Run, counting the children as they start and end. */
  readonly mapRun?: MapRun;
  /** Creates and starts child number `index`. */
  readonly startChild: (index: number) => Frame;
  /** Called as each child ends, before the fan-out decides what follows (records iteration events). */
  readonly onChildDone?: (child: Frame, error: StatesError | undefined) => void;
  /** Called once every child has finished (or one failed beyond tolerance): the owner's outcome. */
  readonly finish: () => Step;
}

/**
 * A Distributed Map iteration: on AWS a child execution of its own, with its own history and
 * quotas. Its events are not kept here, only counted, so the child's history quota applies and
 * event ids in its causes are the child's own.
 */
export interface ChildExecution {
  /** The iteration's frame: failing the child ends it and everything under it. */
  root: Frame;
  /** Events the child's history holds so far (its ExecutionStarted is #1). */
  events: number;
}

export interface Frame {
  readonly id: string;
  readonly graph: Graph;
  readonly queryLanguage: QueryLanguage;
  readonly scope: VariableScope;
  /** The Parallel/Map this frame runs under, and its position there. */
  readonly parent?: FanOut;
  readonly index: number;
  /** Distributed Map children are child executions: their events are not in this history. */
  readonly recordsEvents: boolean;
  /**
   * The Distributed Map child execution this frame runs in (its iteration frame and the
   * branches and iterations under it); undefined for frames of this execution's own history.
   */
  readonly childExecution: ChildExecution | undefined;
  stateName: string;
  state: StateDef;
  /** The state's raw input. */
  input: unknown;
  enteredEventId: number;
  enteredTime: number;
  /** Attempts made so far under each retrier of the current state. */
  retryAttempts: number[];
  retryCount: number;
  /** Task or timer ids this frame is blocked on (created when it first blocks). */
  waitingOn: Set<string> | undefined;
  /** The Parallel/Map state this frame is running, while it runs one. */
  fanOut?: FanOut;
  /** The Map Run of the Distributed Map state this frame is in, until the run ends. */
  mapRun: MapRun | undefined;
  done: boolean;
}
