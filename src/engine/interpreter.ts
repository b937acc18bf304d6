/**
 * The decider: a deterministic interpreter of one execution.
 *
 * `start()` and `handle(trigger)` each advance every frame as far as it can go without the
 * outside world ("run until blocked") and return the history events produced plus the commands
 * the driver must perform (invoke a task, start a timer). The interpreter performs no IO, reads
 * no clock and draws no ambient randomness: time comes in with each call and randomness from a
 * generator seeded by the execution's seed. Feeding the same triggers at the same times therefore
 * reproduces the same history, which is how a durable driver rebuilds a running execution.
 */
import { StatesError } from '../asl/errors.js';
import { matchCatcher, matchRetrier, retryDelaySeconds } from '../asl/retry.js';
import type { HistoryEvent, HistoryEventType, EventDetails } from './events.js';
import type { Command, Decision, DecisionBudget, ExecutionIdentity, ExecutionStatus, MapRunRecord, MapRunStatus, Trigger } from './model.js';
import { MapRunTracker, type MapRun, type MapRunSettings } from './map-runs.js';
import { isExecutionSeed, keyedRandom, seededRandom, type RandomSource } from './random.js';
import { VariableScope, type FanOut, type Frame, type Graph, type QueryLanguage, type StateDef } from './frames.js';
import { StateRunner, BLOCKED, type Outcome, type Step } from './states.js';

/** Child executions a Distributed Map runs at once when its MaxConcurrency is 0 or absent (AWS's). */
export const DISTRIBUTED_MAP_DEFAULT_CONCURRENCY = 10_000;

export interface InterpreterOptions {
  readonly definition: Graph & { QueryLanguage?: QueryLanguage; TimeoutSeconds?: number };
  readonly input: unknown;
  readonly identity: ExecutionIdentity;
  /** When the execution started, ms since the epoch. */
  readonly startTime: number;
  /**
   * Largest state output or task result, in UTF-8 bytes of JSON; beyond it the state fails
   * with States.DataLimitExceeded. AWS's quota is 256 KiB (DEFAULT_MAX_PAYLOAD_BYTES), which
   * the server enforces; unset, there is no limit.
   */
  readonly maxPayloadBytes?: number;
  /**
   * Most events one execution's history may hold (AWS: 25,000, which the server enforces); the
   * execution fails with States.Runtime when it would need more. Unset, there is no limit.
   */
  readonly maxHistoryEvents?: number;
  /**
   * Whether history() keeps every event (the in-memory driver returns them). A durable driver
   * stores each decision's events and passes false, so a long execution's interpreter does not
   * hold its whole history.
   */
  readonly keepHistory?: boolean;
  /**
   * The execution's secret random seed, 64 hexadecimal digits (src/runtime/execution-secrets.ts
   * draws it; it is stored with the execution so a replay draws the same values). Every draw
   * (UUIDs, callback task tokens, $random, retry jitter) comes from `keyedRandom(seed)`, which is
   * cryptographically strong since task tokens are secrets. Unset, the generator is seeded by
   * the execution ARN: predictable, and kept only for executions stored before seeds were.
   */
  readonly seed?: string;
  /** Replaces the generator altogether (tests). */
  readonly random?: RandomSource;
  /**
   * Distributed Map children as child executions the driver starts and follows (InvokeTask of
   * resource kind 'map-child', answered by TaskSucceeded/TaskFailed with the child's output or
   * error), as on AWS: the durable runner. Unset, they run inside this execution as frames with
   * histories of their own (execute(), and executions of engine version 4).
   */
  readonly mapChildExecutions?: boolean;
  /**
   * The `$$` context object every state sees, in place of the one the execution would build
   * (TestState's `context`, or its default). AWS gives a TestState `context` as the whole
   * object, not a patch: `{}` is a `$$` of `{}`. Unset in executions; see contextObject.
   */
  readonly contextOverride?: Readonly<Record<string, unknown>>;
}

type TaskWaiter = {
  readonly frame: Frame;
  onStarted?: (workerName?: string) => void;
  onSubmitted?: (output: unknown) => void;
  onHeartbeat?: () => void;
  readonly onSucceeded: (output: unknown) => Step;
  readonly onFailed: (error: StatesError, timedOut: boolean) => Step;
};

type TimerWaiter = { readonly frame: Frame | null; readonly onFired: () => Step | void };

type Work = { readonly frame: Frame; readonly first?: () => Step };

/** A FIFO of frames ready to run; shift() on a plain array is O(n), and a Map can queue 10,000. */
class WorkQueue {
  private items: Work[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(work: Work): void {
    this.items.push(work);
  }
  /** Puts work back at the front (a frame whose slice ended before its next step). */
  unshift(work: Work): void {
    if (this.head > 0) this.items[--this.head] = work;
    else this.items.unshift(work);
  }
  shift(): Work | undefined {
    if (this.head >= this.items.length) return undefined;
    const work = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as Work;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return work;
  }
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/** Shared until a retrier is first used: most states never retry. */
const EMPTY_ATTEMPTS: number[] = [];

const ENTERED_EVENT: Record<string, HistoryEventType> = {
  Pass: 'PassStateEntered',
  Choice: 'ChoiceStateEntered',
  Wait: 'WaitStateEntered',
  Succeed: 'SucceedStateEntered',
  Fail: 'FailStateEntered',
  Task: 'TaskStateEntered',
  Parallel: 'ParallelStateEntered',
  Map: 'MapStateEntered',
};

export class Interpreter {
  readonly identity: ExecutionIdentity;
  readonly definition: InterpreterOptions['definition'];
  readonly input: unknown;
  readonly startTime: number;
  readonly maxPayloadBytes: number;
  private readonly maxHistoryEvents: number;
  private readonly keepHistory: boolean;
  /** Built on first use: most executions draw nothing. */
  get random(): RandomSource {
    return (this.randomSource ??= this.seed !== undefined ? keyedRandom(this.seed) : seededRandom(this.identity.executionArn));
  }
  private randomSource: RandomSource | undefined;
  private readonly seed: string | undefined;
  status: ExecutionStatus = 'RUNNING';
  output: unknown = undefined;
  error: string | undefined;
  cause: string | undefined;

  /** How often the execution was redriven ($$.Execution.RedriveCount). */
  redriveCount: number;

  /** The time of the decision being made, ms since the epoch. */
  now = 0;
  private lastEventId = 0;
  private events: HistoryEvent[] = [];
  private commands: Command[] = [];
  private readonly tasks = new Map<string, TaskWaiter>();
  private readonly timers = new Map<string, TimerWaiter>();
  private readonly queue = new WorkQueue();
  private readonly runner: StateRunner;
  private readonly root: Frame;
  private get startTimeIso(): string {
    return (this.startTimeText ??= new Date(this.startTime).toISOString());
  }
  private startTimeText: string | undefined;

  constructor(options: InterpreterOptions) {
    this.identity = options.identity;
    this.redriveCount = options.identity.redriveCount;
    this.definition = options.definition;
    this.input = options.input;
    this.startTime = options.startTime;
    this.maxPayloadBytes = options.maxPayloadBytes ?? Infinity;
    this.maxHistoryEvents = options.maxHistoryEvents ?? Infinity;
    this.keepHistory = options.keepHistory ?? true;
    this.mapChildExecutions = options.mapChildExecutions ?? false;
    this.contextOverride = options.contextOverride;
    if (options.seed !== undefined && !isExecutionSeed(options.seed)) throw new TypeError('An execution seed is 32 bytes written as 64 hexadecimal digits.');
    this.seed = options.seed;
    this.randomSource = options.random;
    this.runner = new StateRunner(this);
    this.root = this.newFrame({
      id: '',
      graph: options.definition,
      queryLanguage: options.definition.QueryLanguage ?? 'JSONPath',
      scope: new VariableScope(),
      index: 0,
      recordsEvents: true,
    });
  }

  // ------------------------------------------------------------------ driver interface

  /** Starts the execution: ExecutionStarted, then runs until blocked. */
  start(now: number, budget?: DecisionBudget): Decision | Promise<Decision> {
    this.now = now;
    this.beginDecision(budget);
    // AWS's executionStartedEventDetails: input, roleArn, then the alias and version it was started through.
    const { stateMachineAliasArn, stateMachineVersionArn } = this.identity;
    this.record('', 'ExecutionStarted', {
      input: this.input,
      roleArn: this.identity.roleArn,
      ...(stateMachineAliasArn !== undefined ? { stateMachineAliasArn } : {}),
      ...(stateMachineVersionArn !== undefined ? { stateMachineVersionArn } : {}),
    });
    const timeout = this.definition.TimeoutSeconds;
    if (typeof timeout === 'number' && timeout > 0) {
      this.startTimer('execution-timeout', timeout, null, () => {
        this.endExecution('TIMED_OUT', undefined, 'States.Timeout', `Execution timed out after ${timeout} seconds.`);
      }, false);
    }
    this.enterState(this.root, this.definition.StartAt, this.input);
    this.queue.push({ frame: this.root });
    const pending = this.drain();
    return pending ? pending.then(() => this.takeDecision()) : this.takeDecision();
  }

  /** Applies one trigger from the outside world and runs until blocked again. */
  async handle(trigger: Trigger, now: number, budget?: DecisionBudget): Promise<Decision> {
    this.now = now;
    this.beginDecision(budget);
    if (trigger.type === 'RuntimeFailure') {
      // Also ends an execution that is not running: a redriven one stays as it was ended.
      this.endExecution('FAILED', undefined, trigger.error, trigger.cause);
      return this.takeDecision();
    }
    if (trigger.type === 'Redrive') {
      this.redrive();
      const pending = this.drain();
      if (pending) await pending;
      return this.takeDecision();
    }
    if (this.status !== 'RUNNING') return this.takeDecision();
    switch (trigger.type) {
      case 'TaskStarted': {
        const waiter = this.tasks.get(trigger.taskId);
        if (waiter && !this.isTaskStarted(trigger.taskId)) {
          (this.startedTasks ??= new Set()).add(trigger.taskId);
          waiter.onStarted?.(trigger.workerName);
        }
        break;
      }
      case 'TaskSubmitted': {
        this.tasks.get(trigger.taskId)?.onSubmitted?.(trigger.output);
        break;
      }
      case 'TaskHeartbeat': {
        this.tasks.get(trigger.taskId)?.onHeartbeat?.();
        break;
      }
      case 'TaskSucceeded':
      case 'TaskFailed':
      case 'TaskTimedOut': {
        const waiter = this.tasks.get(trigger.taskId);
        if (!waiter) break; // a late or duplicate completion: already settled
        this.tasks.delete(trigger.taskId);
        waiter.frame.waitingOn?.delete(trigger.taskId);
        this.cancelTimer(`${trigger.taskId}:timeout`);
        this.cancelTimer(`${trigger.taskId}:heartbeat`);
        if (trigger.type === 'TaskSucceeded') {
          this.queue.push({ frame: waiter.frame, first: () => waiter.onSucceeded(trigger.output) });
        } else if (trigger.type === 'TaskFailed') {
          const error = new StatesError(trigger.error, trigger.cause);
          this.queue.push({ frame: waiter.frame, first: () => waiter.onFailed(error, false) });
        } else {
          // A timed-out task hands Catchers an empty Cause, as AWS does.
          const error = new StatesError(trigger.error ?? 'States.Timeout', trigger.cause ?? '');
          this.queue.push({ frame: waiter.frame, first: () => waiter.onFailed(error, true) });
        }
        break;
      }
      case 'TimerFired': {
        const waiter = this.timers.get(trigger.timerId);
        if (!waiter) break;
        this.timers.delete(trigger.timerId);
        if (waiter.frame) {
          waiter.frame.waitingOn?.delete(trigger.timerId);
          const frame = waiter.frame;
          this.queue.push({ frame, first: () => waiter.onFired() as Step });
        } else {
          await waiter.onFired();
        }
        break;
      }
      case 'StopRequested': {
        this.endExecution('ABORTED', undefined, trigger.error, trigger.cause);
        break;
      }
      case 'ExecutionTimedOut': {
        this.endExecution('TIMED_OUT', undefined, 'States.Timeout', 'Execution timed out.');
        break;
      }
      case 'UpdateMapRun': {
        this.updateMapRun(trigger);
        break;
      }
      case 'Continue':
        break; // the queued work drains below
    }
    await this.drain();
    return this.takeDecision();
  }

  /** Whether a worker has started the task (ActivityStarted is recorded once). */
  isTaskStarted(taskId: string): boolean {
    return this.startedTasks?.has(taskId) ?? false;
  }
  private startedTasks: Set<string> | undefined;

  /** Tasks a worker has started (isTaskStarted for each), for a driver that mirrors them. */
  startedTaskIds(): string[] {
    return this.startedTasks ? [...this.startedTasks] : [];
  }

  /** Ids of tasks the execution is waiting for (after a replay: what must be re-invoked). */
  pendingTaskIds(): string[] {
    return [...this.tasks.keys()];
  }

  /** Every event recorded so far. */
  history(): readonly HistoryEvent[] {
    return this.events;
  }

  /** Every Map Run of the execution as it stands, in start order. */
  mapRunRecords(): MapRunRecord[] {
    return this.mapRunTracker?.all() ?? [];
  }
  /** See InterpreterOptions.mapChildExecutions. */
  readonly mapChildExecutions: boolean;
  /** See InterpreterOptions.contextOverride. */
  private readonly contextOverride: Readonly<Record<string, unknown>> | undefined;
  /** Created by the first Distributed Map: other executions never pay for it. */
  private mapRunTracker: MapRunTracker | undefined;

  // ------------------------------------------------------------------ services for state handlers

  record(frame: Frame | string, type: HistoryEventType, details?: EventDetails): HistoryEvent {
    const frameId = typeof frame === 'string' ? frame : frame.id;
    if (typeof frame !== 'string' && !frame.recordsEvents) {
      // Child executions of a Distributed Map keep their own history, not the parent's.
      const id = this.countChildEvent(frame);
      return { id, previousEventId: id - 1, timestamp: this.now, type, frame: frameId, details };
    }
    if (this.lastEventId >= this.maxHistoryEvents - 1 && this.status === 'RUNNING') {
      // The last event the history may hold is the execution's failure.
      this.endExecution('FAILED', undefined, 'States.Runtime', historyLimitCause(this.maxHistoryEvents));
      return { id: 0, previousEventId: 0, timestamp: this.now, type, frame: frameId, details };
    }
    const event: HistoryEvent = {
      id: ++this.lastEventId,
      previousEventId: this.lastEventId - 1,
      timestamp: this.now,
      type,
      frame: frameId,
      details,
    };
    this.events.push(event);
    return event;
  }

  invokeTask(frame: Frame, command: Omit<Extract<Command, { type: 'InvokeTask' }>, 'type' | 'taskId'>, taskId: string, waiter: Omit<TaskWaiter, 'frame'>): void {
    this.tasks.set(taskId, { frame, ...waiter });
    (frame.waitingOn ??= new Set()).add(taskId);
    this.commands.push({ type: 'InvokeTask', taskId, ...command });
  }

  /**
   * Starts a durable timer. `scaled` marks Wait and retry delays, which a driver may shorten
   * (Step Functions Local's WAIT_TIME_SCALE); timeouts always run in real time.
   */
  startTimer(timerId: string, seconds: number, frame: Frame | null, onFired: () => Step | void, scaled: boolean): void {
    this.timers.set(timerId, { frame, onFired });
    if (frame) (frame.waitingOn ??= new Set()).add(timerId);
    this.commands.push({ type: 'StartTimer', timerId, seconds, scaled, dueAt: this.now + Math.max(0, seconds) * 1000 });
  }

  /** Forgets a task whose result no longer matters (timed out, or its frame was aborted). */
  abortTask(taskId: string): void {
    const waiter = this.tasks.get(taskId);
    if (!waiter) return;
    this.tasks.delete(taskId);
    waiter.frame.waitingOn?.delete(taskId);
    this.commands.push({ type: 'CancelTask', taskId });
  }

  /** Ids for tasks, derived from the decision sequence so replays produce the same ids. */
  nextTaskId(): string {
    return `task-${++this.taskSequence}`;
  }
  private taskSequence = 0;

  cancelTimer(timerId: string): void {
    if (this.timers.delete(timerId)) this.commands.push({ type: 'CancelTimer', timerId });
  }

  /** The `$$` object for the frame's current state. */
  contextObject(frame: Frame, taskToken?: string): Record<string, unknown> {
    const override = this.contextOverride;
    if (override !== undefined) {
      // A copy: callers add to it (a Map's `Map.Item`). A context without `Task` keeps the token
      // the engine drew, so a callback task's `$$.Task.Token` still resolves (AWS's behaviour
      // there is not documented).
      const ctx: Record<string, unknown> = { ...override };
      if (taskToken !== undefined && !('Task' in ctx)) ctx.Task = { Token: taskToken };
      return ctx;
    }
    const execution: Record<string, unknown> = {
      Id: this.identity.executionArn,
      Input: this.input,
      StartTime: this.startTimeIso,
      Name: this.identity.executionName,
      RoleArn: this.identity.roleArn,
      RedriveCount: this.redriveCount,
    };
    const state: Record<string, unknown> = {
      Name: frame.stateName,
      EnteredTime: new Date(frame.enteredTime).toISOString(),
    };
    const type = frame.state?.Type;
    if (type === 'Task' || type === 'Map' || type === 'Parallel') state.RetryCount = frame.retryCount;
    const ctx: Record<string, unknown> = {
      Execution: execution,
      StateMachine: { Id: this.identity.stateMachineArn, Name: this.identity.stateMachineName },
      State: state,
    };
    if (taskToken !== undefined) ctx.Task = { Token: taskToken };
    return ctx;
  }

  newFrame(init: Pick<Frame, 'id' | 'graph' | 'queryLanguage' | 'scope' | 'index' | 'recordsEvents'> & Partial<Pick<Frame, 'parent' | 'childExecution'>>): Frame {
    // Written out field by field: object spread here showed up in profiles of 10,000-item Maps.
    return {
      id: init.id,
      graph: init.graph,
      queryLanguage: init.queryLanguage,
      scope: init.scope,
      parent: init.parent,
      index: init.index,
      recordsEvents: init.recordsEvents,
      childExecution: init.childExecution,
      stateName: '',
      state: undefined as unknown as StateDef,
      input: undefined,
      enteredEventId: 0,
      enteredTime: 0,
      retryAttempts: EMPTY_ATTEMPTS,
      retryCount: 0,
      waitingOn: undefined,
      mapRun: undefined,
      done: false,
    };
  }

  /** Queues a child frame to start at its graph's StartAt. */
  scheduleFrame(frame: Frame, input: unknown): void {
    this.queue.push({
      frame,
      first: () => {
        this.enterState(frame, frame.graph.StartAt, input);
        return this.runner.execute(frame);
      },
    });
  }

  /** Aborts a frame and everything under it: its tasks and timers are cancelled. */
  abortFrame(frame: Frame): void {
    if (frame.done) return;
    frame.done = true;
    if (frame.mapRun) this.closeMapRun(frame, 'ABORTED');
    for (const id of frame.waitingOn ?? []) {
      if (this.tasks.delete(id)) this.commands.push({ type: 'CancelTask', taskId: id });
      this.cancelTimer(id);
      this.cancelTimer(`${id}:timeout`);
      this.cancelTimer(`${id}:heartbeat`);
    }
    frame.waitingOn?.clear();
    if (frame.fanOut) for (const child of frame.fanOut.children) this.abortFrame(child);
  }

  // ------------------------------------------------------------------ the loop

  /**
   * Runs queued frames until none can move. Synchronous as long as every state is (JSONPath
   * states are); a JSONata evaluation turns the rest of the drain into a promise chain. This
   * keeps a run of Pass/Choice states free of promise allocations and microtask hops.
   */
  private drain(): void | Promise<void> {
    while (this.queue.size > 0 && this.status === 'RUNNING' && !this.paused) {
      const item = this.queue.shift()!;
      if (item.frame.done) continue;
      const pending = this.runFrame(item.frame, item.first);
      if (pending) return pending.then(() => this.drain());
    }
  }

  /**
   * Runs a frame state after state until it blocks or ends. `first` produces the outcome of
   * the state the frame was blocked in (a task result, a timer) when resuming.
   */
  private runFrame(frame: Frame, first?: () => Step): void | Promise<void> {
    let produce: (() => Step) | undefined = first;
    for (;;) {
      if (frame.done || this.status !== 'RUNNING') return;
      if (this.budgetSpent()) {
        // The slice ends here; the frame goes on first when the execution is continued.
        this.paused = true;
        this.queue.unshift(produce ? { frame, first: produce } : { frame });
        return;
      }
      this.steps++;
      let step: Step;
      try {
        step = produce ? produce() : this.runner.execute(frame);
      } catch (e) {
        step = this.recoverFrom(frame, e);
      }
      produce = undefined;
      if (step instanceof Promise) {
        return step
          .catch((e: unknown) => this.recoverFrom(frame, e))
          .then((outcome) => (this.advance(frame, outcome) ? this.runFrame(frame) : undefined))
          .catch((e: unknown) => this.endExecution('FAILED', undefined, 'States.Runtime', toStatesError(e).cause));
      }
      if (!this.advance(frame, step)) return;
    }
  }

  /**
   * A state threw: its error handling (Retry, Catch) decides; a failure there fails the execution,
   * or only the Distributed Map child execution the frame runs in.
   */
  private recoverFrom(frame: Frame, e: unknown): Step {
    try {
      return this.runner.handleError(frame, toStatesError(e));
    } catch (again) {
      this.failExecutionOf(frame, new StatesError('States.Runtime', toStatesError(again).cause));
      return BLOCKED;
    }
  }

  /**
   * Fails the execution a frame belongs to with an error no Retry or Catch handles (States.Runtime):
   * this execution, or, for a frame inside a Distributed Map iteration, that child execution only.
   * On AWS each iteration is an execution of its own, so its failure is one failed item of the
   * Map Run, which the Map's tolerance and Catch then handle.
   */
  failExecutionOf(frame: Frame, error: StatesError): void {
    const child = frame.childExecution;
    if (!child) {
      this.endExecution('FAILED', undefined, error.error, error.cause);
      return;
    }
    const root = child.root;
    if (root.done) return;
    // The child's last event is its ExecutionFailed.
    child.events++;
    this.abortFrame(root);
    if (root.parent) this.childFinished(root.parent, root, undefined, error);
  }

  /**
   * Counts an event of a Distributed Map child execution, whose history is its own: AWS's quota
   * of 25,000 events applies to each child as to any execution, and the child fails with
   * States.Runtime when it would need more. Returns the event's id in the child's history.
   *
   * EXPRESS children keep no history on AWS; their bound is a 5-minute duration instead, which a
   * decision cannot observe (time stands still while it runs). They are held to the same event
   * count, so that a loop inside one still ends; AWS's duration limit is not applied to them.
   */
  private countChildEvent(frame: Frame): number {
    const child = frame.childExecution;
    if (!child) return 0;
    if (child.root.done) {
      // A frame still running inside a child that has already ended stops here.
      this.abortFrame(frame);
      return child.events;
    }
    const max = this.maxHistoryEvents === Infinity ? DEFAULT_MAX_HISTORY_EVENTS : this.maxHistoryEvents;
    if (child.events >= max - 1) {
      this.failExecutionOf(frame, new StatesError('States.Runtime', historyLimitCause(max)));
      return child.events;
    }
    return ++child.events;
  }

  /** Applies a state's outcome to its frame; true when the frame entered its next state. */
  private advance(frame: Frame, outcome: Outcome): boolean {
    if (outcome === BLOCKED || frame.done || this.status !== 'RUNNING') return false;
    if (outcome.type === 'next') {
      this.enterState(frame, outcome.next, outcome.output);
      return true;
    }
    if (outcome.type === 'end') this.completeFrame(frame, outcome.output);
    else this.failFrame(frame, outcome.error);
    return false;
  }

  /** Records XStateEntered and makes `name` the frame's current state. */
  enterState(frame: Frame, name: string, input: unknown): void {
    const state = frame.graph.States[name];
    if (!state) throw new StatesError('States.Runtime', `State '${name}' does not exist.`);
    frame.stateName = name;
    frame.state = state;
    frame.input = input;
    frame.retryAttempts = EMPTY_ATTEMPTS;
    frame.retryCount = 0;
    frame.enteredTime = this.now;
    const event = this.record(frame, ENTERED_EVENT[state.Type] ?? ('PassStateEntered' as HistoryEventType), { name, input });
    frame.enteredEventId = event.id;
  }

  private completeFrame(frame: Frame, output: unknown): void {
    frame.done = true;
    if (frame.parent) {
      this.childFinished(frame.parent, frame, output, undefined);
      return;
    }
    this.endExecution('SUCCEEDED', output);
  }

  private failFrame(frame: Frame, error: StatesError): void {
    frame.done = true;
    if (frame.parent) {
      this.childFinished(frame.parent, frame, undefined, error);
      return;
    }
    this.endExecution('FAILED', undefined, error.error, error.cause);
  }

  private childFinished(fan: FanOut, child: Frame, output: unknown, error: StatesError | undefined): void {
    if (fan.owner.done || fan.failed) return;
    fan.children.delete(child);
    fan.onChildDone?.(child, error);
    // Recording the iteration's end may have ended the child execution the fan-out runs in.
    if (fan.owner.done) return;
    fan.running--;
    fan.completed++;
    if (error) {
      fan.failures++;
      if (!tolerates(fan)) {
        fan.mapRun?.childFinished(child.index, false, false);
        this.failFanOut(fan, error);
        return;
      }
      fan.results[child.index] = { Error: error.error, Cause: error.cause };
    } else {
      fan.results[child.index] = output;
    }
    fan.mapRun?.childFinished(child.index, !error, true);
    this.fillFanOut(fan);
    if (fan.completed === fan.total) {
      this.queue.push({ frame: fan.owner, first: () => fan.finish() });
    }
  }

  /** Starts children until MaxConcurrency is reached or none is left to start. */
  fillFanOut(fan: FanOut): void {
    const run = fan.mapRun;
    // "If you don't specify [MaxConcurrency], Step Functions runs 10,000 parallel child workflow
    // executions" (AWS): a Distributed Map whose children are executions runs at most that many.
    const limit = fan.maxConcurrency === 0 && fan.distributed && this.mapChildExecutions ? DISTRIBUTED_MAP_DEFAULT_CONCURRENCY : fan.maxConcurrency;
    while (fan.nextIndex < fan.total && (limit === 0 || fan.running < limit)) {
      const index = fan.nextIndex++;
      fan.running++;
      run?.childStarted(index);
      fan.children.add(fan.startChild(index));
    }
  }

  /** A child failed beyond tolerance: the others are aborted and the owner state fails. */
  private failFanOut(fan: FanOut, error: StatesError): void {
    fan.failed = error;
    for (const other of fan.children) this.abortFrame(other);
    fan.children.clear();
    this.queue.push({ frame: fan.owner, first: () => fan.finish() });
  }

  // ------------------------------------------------------------------ Map Runs

  /** Starts tracking a Distributed Map's Map Run; the frame holds it until the run ends. */
  openMapRun(frame: Frame, arn: string, label: string, settings: MapRunSettings): MapRun {
    const { region, accountId, stateMachineName, executionArn } = this.identity;
    const childMachine = `arn:aws:states:${region}:${accountId}:stateMachine:${stateMachineName}/${label}`;
    const run = (this.mapRunTracker ??= new MapRunTracker()).open(arn, executionArn, childMachine, this.now, settings);
    frame.mapRun = run;
    return run;
  }

  /** Ends the Map Run of the frame's Distributed Map (its outcome, or its state failed or was aborted). */
  closeMapRun(frame: Frame, status: Exclude<MapRunStatus, 'RUNNING'>): void {
    const run = frame.mapRun;
    if (!run) return;
    frame.mapRun = undefined;
    run.close(status, this.now);
  }

  /**
   * UpdateMapRun: a RUNNING Map Run takes the new settings at once. More concurrency starts more
   * children now; a tolerance lowered below the failures so far fails the run now. A run still
   * reading its items uses the settings when its iterations start.
   */
  private updateMapRun(update: Extract<Trigger, { type: 'UpdateMapRun' }>): void {
    const run = this.mapRunTracker?.get(update.mapRunArn);
    if (!run || run.status !== 'RUNNING') return;
    run.update(update);
    const fan = run.fan;
    if (!fan || fan.failed) return;
    fan.maxConcurrency = run.maxConcurrency;
    fan.toleratedFailureCount = run.toleratedFailureCount;
    fan.toleratedFailurePercentage = run.toleratedFailurePercentage;
    if (fan.failures > 0 && !tolerates(fan)) {
      this.failFanOut(fan, new StatesError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded'));
      return;
    }
    this.fillFanOut(fan);
  }

  /**
   * Resumes an ended execution at the state the root frame was in when it ended, with that
   * state's input, as RedriveExecution does. (AWS re-runs only the failed iterations of a Map
   * or branches of a Parallel; here the whole state runs again.)
   */
  private redrive(): void {
    if (this.status === 'RUNNING' || this.status === 'SUCCEEDED') return;
    const root = this.root;
    this.status = 'RUNNING';
    this.output = undefined;
    this.error = undefined;
    this.cause = undefined;
    this.redriveCount++;
    this.record('', 'ExecutionRedriven', { redriveCount: this.redriveCount });
    root.done = false;
    root.waitingOn = undefined;
    root.fanOut = undefined;
    this.enterState(root, root.stateName, root.input);
    this.queue.push({ frame: root });
  }

  endExecution(status: Exclude<ExecutionStatus, 'RUNNING'>, output?: unknown, error?: string, cause?: string): void {
    if (this.status !== 'RUNNING') return;
    this.status = status;
    this.output = output;
    this.error = error;
    this.cause = cause;
    switch (status) {
      case 'SUCCEEDED':
        this.record('', 'ExecutionSucceeded', { output });
        break;
      case 'FAILED':
        this.record('', 'ExecutionFailed', { error, cause });
        break;
      case 'TIMED_OUT':
        this.record('', 'ExecutionTimedOut', { error, cause });
        break;
      case 'ABORTED':
        this.record('', 'ExecutionAborted', { error, cause });
        break;
    }
    this.abortFrame(this.root);
    for (const id of [...this.timers.keys()]) this.cancelTimer(id);
    for (const id of [...this.tasks.keys()]) {
      this.tasks.delete(id);
      this.commands.push({ type: 'CancelTask', taskId: id });
    }
    this.queue.clear();
  }

  private takeDecision(): Decision {
    const events = this.keepHistory ? this.events.slice(this.emittedUpTo) : this.events;
    const mapRuns = this.mapRunTracker?.takeChanged();
    const more = this.paused && this.status === 'RUNNING' && this.queue.size > 0;
    const decision: Decision = { events, commands: this.commands, status: this.status, steps: this.steps, ...(mapRuns ? { mapRuns } : {}), ...(more ? { more: true as const } : {}) };
    if (this.keepHistory) this.emittedUpTo = this.events.length;
    else this.events = [];
    this.commands = [];
    return decision;
  }
  private emittedUpTo = 0;

  // ------------------------------------------------------------------ slices

  private steps = 0;
  private stepLimit = Infinity;
  private byteLimit = Infinity;
  private bytes = 0;
  private eventLimit = Infinity;
  /** lastEventId when the decision began. */
  private firstEventId = 0;
  private shouldYield: (() => boolean) | undefined;
  /** The step count at which shouldYield was last asked (it is asked once per count). */
  private askedAt = -1;
  private paused = false;

  private beginDecision(budget: DecisionBudget | undefined): void {
    this.steps = 0;
    this.bytes = 0;
    this.askedAt = -1;
    this.paused = false;
    this.stepLimit = budget?.maxSteps ?? Infinity;
    this.byteLimit = budget?.maxBytes ?? Infinity;
    this.eventLimit = budget?.maxEvents ?? Infinity;
    this.firstEventId = this.lastEventId;
    this.shouldYield = budget?.shouldYield;
  }

  /**
   * Whether the decision must stop before its next step. Deterministic given the step count:
   * a slice cut by the clock or the byte budget becomes a step limit, and a replay that is
   * given that limit stops at the same checkpoint (the first one with that count).
   */
  private budgetSpent(): boolean {
    if (this.steps >= this.stepLimit) return true;
    if (this.askedAt === this.steps) return false;
    this.askedAt = this.steps;
    if (this.bytes > this.byteLimit || this.lastEventId - this.firstEventId >= this.eventLimit || (this.shouldYield !== undefined && this.steps > 0 && this.shouldYield())) {
      this.stepLimit = this.steps;
      return true;
    }
    return false;
  }

  /** State output produced in this decision, counted against DecisionBudget.maxBytes. */
  noteOutputBytes(bytes: number): void {
    this.bytes += bytes;
  }

  /** The retry machinery lives with the states; this hook lets them reach the seeded random. */
  retryDelay(frame: Frame, error: StatesError): number | null {
    const retriers = frame.state.Retry as Parameters<typeof matchRetrier>[0];
    const index = matchRetrier(retriers, error.error);
    if (index < 0) return null;
    const attempts = frame.retryAttempts[index] ?? 0;
    const delay = retryDelaySeconds(retriers![index]!, attempts, () => this.random.next());
    if (delay === null) return null;
    if (frame.retryAttempts === EMPTY_ATTEMPTS) frame.retryAttempts = [];
    frame.retryAttempts[index] = attempts + 1;
    frame.retryCount++;
    return delay;
  }

  catcherFor(frame: Frame, error: StatesError) {
    return matchCatcher(frame.state.Catch, error.error);
  }
}

/** AWS's hard quota of events in one execution's history, also each Distributed Map child's. */
export const DEFAULT_MAX_HISTORY_EVENTS = 25_000;

/** AWS's cause when an execution needs more history events than its quota. */
function historyLimitCause(max: number): string {
  return `The execution reached the maximum number of history events (${max}).`;
}

/** Whether a Map's failures so far are within its ToleratedFailureCount/Percentage (Parallel tolerates none). */
function tolerates(fan: FanOut): boolean {
  return fan.kind === 'map' && (fan.failures <= fan.toleratedFailureCount || (fan.failures * 100) / fan.total <= fan.toleratedFailurePercentage);
}

/** Anything thrown inside a state becomes a StatesError; a bug in Stepwise is a States.Runtime. */
export function toStatesError(e: unknown): StatesError {
  if (e instanceof StatesError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new StatesError('States.Runtime', message);
}
