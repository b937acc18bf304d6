/**
 * Running a state machine in a test: `runStateMachine()` runs it to its end; `startStateMachine()`
 * hands the test a run to drive (advance time, answer task tokens) before it finishes. Both run
 * on virtual time by default: Waits, retry back-off, TimeoutSeconds, HeartbeatSeconds and the
 * execution's timeout take no real time, and the history and `$$` show the times the execution
 * would have had.
 */
import { checked, execute } from '../index.js';
import { identityFor, type ExecuteOptions, type OutsideTask, type TaskHandler } from '../runtime/memory-driver.js';
import type { ProjectConfig } from '../config/types.js';
import { VirtualClock } from '../runtime/virtual-clock.js';
import { durationMs, type Duration } from '../runtime/duration.js';
import { statesOf, resourcesOf } from '../asl/structure.js';
import { resolveMocks, type MockSetup } from './mocks.js';
import { TestResult, type HandlerCall } from './result.js';
import { ExecutionStalledError, listNames, TestConfigurationError } from './errors.js';

export interface TestRunOptions extends MockSetup {
  readonly input?: unknown;
  /**
   * Task handlers by state name or resource ARN (the state name wins), as for execute(); each
   * handler's calls are recorded (`result.calls(key)`). A key that names no state and no
   * resource of the definition (or of `stateMachines`) is a TestConfigurationError.
   */
  readonly handlers?: Readonly<Record<string, TaskHandler>>;
  /** State machines that `states:startExecution` tasks may start, by name or ARN (see execute()). */
  readonly stateMachines?: Readonly<Record<string, unknown>>;
  /** The project configuration (stepwise.config.json) or its path, for tasks nothing else answers. */
  readonly config?: string | ProjectConfig;
  /**
   * 'virtual' (the default): the run's clock is virtual (see above). 'real': Waits and timeouts
   * take real time (scaled by waitTimeScale), and tasks answered from outside fail at once.
   */
  readonly time?: 'virtual' | 'real';
  /** Where virtual time starts (a Date, ISO 8601 text or ms since the epoch). Default: now. */
  readonly startTime?: Date | string | number;
  /** With time 'real': multiplies Wait and retry durations (0 makes them instant). */
  readonly waitTimeScale?: number;
  readonly executionName?: string;
  /** The random seed (64 hexadecimal digits), for repeatable UUIDs, $random and task tokens. */
  readonly seed?: string;
  readonly context?: ExecuteOptions['context'];
  readonly maxPayloadBytes?: number;
  readonly maxHistoryEvents?: number;
  /** A timeout for the whole execution, on the run's clock (as an EXPRESS execution's 5 minutes). */
  readonly maxDuration?: Duration;
}

/** A task that waits for an answer from the test: its token, or an activity's worker. */
export interface PendingTask {
  readonly stateName: string;
  readonly resource: string;
  readonly kind: 'activity' | 'callback';
  readonly input: unknown;
  /** The task token to answer with (sendTaskSuccess etc.); activities have one too. */
  readonly taskToken: string;
}

/** Runs the state machine to its end and resolves to what it did. */
export async function runStateMachine(definition: unknown, options: TestRunOptions = {}): Promise<TestResult> {
  return new TestRun(definition, options, true).finish();
}

/**
 * Starts the state machine and returns the run, for tests that interleave their own steps with
 * the execution's: `advance()` moves virtual time (it does not move by itself until `finish()`),
 * `waitForTask()` and `sendTask*()` answer tasks that wait for a task token, `finish()` lets
 * the run go to its end.
 */
export function startStateMachine(definition: unknown, options: TestRunOptions = {}): TestRun {
  return new TestRun(definition, options, false);
}

export class TestRun {
  /** The run's virtual clock (undefined with time 'real'). */
  readonly clock: VirtualClock | undefined;
  private readonly ended: Promise<TestResult>;
  private outcome: { result: TestResult } | { error: unknown } | undefined;
  private readonly pending: Array<OutsideTask & { taskToken: string }> = [];
  private readonly taskWaiters = new Set<() => void>();
  private readonly abort = new AbortController();
  private readonly calls = new Map<string, HandlerCall[]>();
  private stalled: ((error: ExecutionStalledError) => void) | undefined;

  /** @internal Use runStateMachine() or startStateMachine(). */
  constructor(
    private readonly definition: unknown,
    options: TestRunOptions,
    autoAdvance: boolean,
  ) {
    const parsed = checkDefinition(definition);
    const virtual = (options.time ?? 'virtual') === 'virtual';
    if (options.time !== undefined && options.time !== 'virtual' && options.time !== 'real') throw new TestConfigurationError(`time must be 'virtual' or 'real', not '${String(options.time)}'.`);
    if (virtual && options.waitTimeScale !== undefined) throw new TestConfigurationError(`waitTimeScale applies to time 'real' only: virtual time is instant and keeps the real durations in the history.`);
    this.clock = virtual ? new VirtualClock({ ...(options.startTime !== undefined ? { start: options.startTime } : {}), autoAdvance }) : undefined;
    const mocks = resolveMocks(parsed, options);
    const handlers = options.handlers === undefined ? undefined : this.recordedHandlers(parsed, options.handlers, options.stateMachines);
    const executeOptions: ExecuteOptions = {
      ...mocks,
      ...(handlers ? { taskHandlers: handlers } : {}),
      ...(options.stateMachines ? { stateMachines: options.stateMachines } : {}),
      ...(options.config !== undefined ? { config: options.config } : {}),
      // Chosen here (not by execute()) so that result.recording() can name the execution.
      executionName: options.executionName ?? globalThis.crypto.randomUUID(),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.context !== undefined ? { context: options.context } : {}),
      ...(options.maxPayloadBytes !== undefined ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
      ...(options.maxHistoryEvents !== undefined ? { maxHistoryEvents: options.maxHistoryEvents } : {}),
      ...(options.maxDuration !== undefined ? { maxDurationMs: durationMs(options.maxDuration) } : {}),
      ...(options.waitTimeScale !== undefined ? { waitTimeScale: options.waitTimeScale } : {}),
      ...(this.clock ? { clock: this.clock, onOutsideTask: (task: OutsideTask) => this.taskArrived(task) } : {}),
      signal: this.abort.signal,
    };
    const stalledError = new Promise<never>((_, reject) => (this.stalled = reject));
    stalledError.catch(() => undefined);
    const stopIdle = this.clock?.onIdle(() => this.checkStalled());
    const identity = identityFor(executeOptions);
    this.ended = Promise.race([execute(parsed, options.input ?? {}, executeOptions), stalledError]).then(
      (result) => {
        stopIdle?.();
        const done = new TestResult(result, parsed, this.calls, identity);
        this.outcome = { result: done };
        return done;
      },
      (error: unknown) => {
        stopIdle?.();
        this.abort.abort();
        this.outcome = { error };
        throw error;
      },
    );
    this.ended.catch(() => undefined); // reported by finish()
  }

  /** The run's current time (virtual, or real). */
  now(): Date {
    return new Date(this.clock ? this.clock.now() : Date.now());
  }

  /** Whether the execution has ended. */
  get done(): boolean {
    return this.outcome !== undefined;
  }

  /**
   * Moves virtual time forward by `duration` ('5m', '24h', or ms), firing what falls due on the
   * way in order, and resolves once the execution has done what that started.
   */
  async advance(duration: Duration): Promise<void> {
    await this.virtualClock('advance()').advance(durationMs(duration));
  }

  /** The tasks waiting for an answer from the test, oldest first. */
  tasks(): readonly PendingTask[] {
    return this.pending.filter((t) => t.open).map(publicTask);
  }

  /**
   * The task of `stateName` that waits for an answer, once the execution has got there without
   * time moving; a TestConfigurationError for an unknown state, an ExecutionStalledError when
   * the run settles (or ends) with no such task.
   */
  async waitForTask(stateName: string): Promise<PendingTask> {
    const names = statesOf(this.definition).map((s) => s.name);
    if (!names.includes(stateName)) throw new TestConfigurationError(`The definition has no state '${stateName}' (its states: ${listNames(names)}).`);
    const clock = this.virtualClock('waitForTask()');
    for (;;) {
      const found = this.pending.find((t) => t.open && t.stateName === stateName);
      if (found) return publicTask(found);
      if (this.outcome) throw new ExecutionStalledError(`The execution ended (${'result' in this.outcome ? this.outcome.result.status : 'with an error'}) without a task of '${stateName}' waiting for an answer.`, []);
      const arrived = new Promise<void>((resolve) => this.taskWaiters.add(resolve));
      await Promise.race([arrived, clock.settled()]);
      if (!this.pending.some((t) => t.open && t.stateName === stateName) && !this.outcome) {
        // Settled without it: only moving time (or answering another task) could bring it.
        const waiting = this.tasks().map((t) => t.stateName);
        throw new ExecutionStalledError(
          `No task of '${stateName}' waits for an answer, and none will without time moving (advance()) or an answer for ${waiting.length ? listNames(waiting) : 'nothing: no task waits'}.`,
          waiting,
        );
      }
    }
  }

  /** SendTaskSuccess: the task of `taskToken` succeeds with `output`. */
  sendTaskSuccess(taskToken: string, output: unknown = {}): void {
    const task = this.openTask(taskToken);
    if (task.kind === 'activity') task.answer({ type: 'TaskStarted', taskId: task.taskId });
    task.answer({ type: 'TaskSucceeded', taskId: task.taskId, output });
  }

  /** SendTaskFailure: the task of `taskToken` fails with `error` and `cause`. */
  sendTaskFailure(taskToken: string, error?: string, cause?: string): void {
    const task = this.openTask(taskToken);
    if (task.kind === 'activity') task.answer({ type: 'TaskStarted', taskId: task.taskId });
    task.answer({ type: 'TaskFailed', taskId: task.taskId, ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
  }

  /** SendTaskHeartbeat: restarts the task's HeartbeatSeconds. */
  sendTaskHeartbeat(taskToken: string): void {
    const task = this.openTask(taskToken);
    if (task.kind === 'activity') task.answer({ type: 'TaskStarted', taskId: task.taskId });
    task.answer({ type: 'TaskHeartbeat', taskId: task.taskId });
  }

  /** StopExecution: the execution ends ABORTED. */
  async stop(): Promise<TestResult> {
    this.abort.abort();
    return this.finish();
  }

  /**
   * Lets the run go to its end, virtual time moving by itself, and resolves to the result. An
   * ExecutionStalledError when it waits for answers nobody gives and no timer is left.
   */
  async finish(): Promise<TestResult> {
    this.clock?.setAutoAdvance(true);
    return this.ended;
  }

  private virtualClock(what: string): VirtualClock {
    if (!this.clock) throw new TestConfigurationError(`${what} needs virtual time: this run has time 'real'.`);
    return this.clock;
  }

  private openTask(taskToken: string): OutsideTask {
    const task = this.pending.find((t) => t.taskToken === taskToken);
    // AWS's answers to a token it does not know, or one whose task has ended.
    if (!task) throw Object.assign(new Error('Invalid Token'), { name: 'InvalidToken' });
    if (!task.open) throw Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' });
    return task;
  }

  private taskArrived(task: OutsideTask): void {
    // An activity has no token until a worker takes it; here the test is the worker, and the
    // task id stands in (it is as unguessable as the execution's seed).
    this.pending.push(Object.assign(task, { taskToken: task.taskToken ?? task.taskId }) as OutsideTask & { taskToken: string });
    for (const waiter of this.taskWaiters) waiter();
    this.taskWaiters.clear();
  }

  /** The clock settled with no timer left: the run can go on only if the test answers a task. */
  private checkStalled(): void {
    if (this.outcome || !this.clock) return;
    const waiting = this.tasks();
    // Nothing waits for the test: the execution is ending (its result is on its way).
    if (waiting.length === 0) return;
    const names = waiting.map((t) => t.stateName);
    this.stalled?.(
      new ExecutionStalledError(
        `The execution is stuck: ${names.length ? `${listNames(names)} wait${names.length === 1 ? 's' : ''} for an answer (a task token or an activity worker)` : 'it waits for an answer'} and no timer is left to end the wait. ` +
          `Give ${names.length === 1 ? 'that state' : 'those states'} a handler or a mock, or use startStateMachine() and answer with run.sendTaskSuccess().`,
        names,
      ),
    );
  }

  /** Handlers wrapped to record their calls; keys checked against the definitions. */
  private recordedHandlers(definition: unknown, handlers: Readonly<Record<string, TaskHandler>>, children: TestRunOptions['stateMachines']): Record<string, TaskHandler> {
    const known = new Set<string>();
    for (const def of [definition, ...Object.values(children ?? {})]) {
      for (const s of statesOf(def)) known.add(s.name);
      for (const resource of resourcesOf(def).keys()) known.add(resource);
    }
    const wrapped: Record<string, TaskHandler> = {};
    for (const [key, handler] of Object.entries(handlers)) {
      if (typeof handler !== 'function') throw new TestConfigurationError(`handlers['${key}'] must be a function.`);
      if (!known.has(key)) {
        const states = statesOf(definition).filter((s) => s.type === 'Task').map((s) => s.name);
        throw new TestConfigurationError(`handlers has '${key}', which is neither a state nor a Task resource of the definition (its Task states: ${listNames(states)}).`);
      }
      const calls: HandlerCall[] = [];
      this.calls.set(key, calls);
      wrapped[key] = (input, context) => {
        calls.push({ input, stateName: context.stateName, resource: context.resource, ...(context.taskToken !== undefined ? { taskToken: context.taskToken } : {}), at: this.now() });
        return handler(input, context);
      };
    }
    return wrapped;
  }
}

function publicTask(task: OutsideTask & { taskToken: string }): PendingTask {
  return { stateName: task.stateName, resource: task.resource, kind: task.kind, input: task.input, taskToken: task.taskToken };
}

/** The parsed definition (validated once per object, as execute() does: InvalidDefinitionError when AWS would refuse it). */
function checkDefinition(definition: unknown): unknown {
  if (typeof definition !== 'string') return checked(definition);
  try {
    return checked(JSON.parse(definition));
  } catch (e) {
    if (e instanceof SyntaxError) throw new TestConfigurationError(`The definition is not JSON: ${e.message}`);
    throw e;
  }
}
