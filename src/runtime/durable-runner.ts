/**
 * The durable driver: the same decider as `execute()`, with every decision committed to the
 * Store before its commands are performed.
 *
 * - Each execution's triggers are applied one at a time (a promise chain per execution); a
 *   decision's events, its trigger, and the timers and tasks it adds or settles go into one
 *   `ExecutionWrite`, checked against the last event id the runner saw.
 * - Nothing a decision asks for happens before its commit: a crash between the two loses the
 *   command, and the restart redoes it (timers are rows; tasks are re-invoked).
 * - A running execution lives in memory while hot. After a restart it is rebuilt by replaying
 *   its logged triggers through a fresh Interpreter; the replay must regenerate exactly the
 *   events already stored, which is checked.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../api/errors.js';
import { executionAlreadyExists } from '../api/aws-errors.js';
import type { ExecutionRunner, NewExecution, TaskOutcome } from '../api/runner.js';
import type { SdkOutcome } from '../api/sdk-integration.js';
import { MockSession, type MockConfigFile } from '../integrations/mock-config.js';
import type { ExecutionRecord, ExecutionWrite, LoggedTrigger, Store, TaskRecord, TimerRecord } from '../store/types.js';
import { StoreConflict } from '../store/types.js';
import type { HistoryEvent } from '../engine/events.js';
import { Interpreter } from '../engine/interpreter.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../engine/payload-size.js';
import { runInMemory, type Clock, type RunnableDefinition } from './memory-driver.js';
import { findHandler, isCallbackTask, mockedTrigger, noHandlerTrigger, runHandler, type TaskHandler } from '../integrations/local-tasks.js';
import { apiFailure, childEndTrigger, isStartExecution, startRequest, startResponse, waitsForChild } from '../integrations/nested-executions.js';
import type { Command, Decision, ExecutionIdentity, MapRunUpdate, Trigger } from '../engine/model.js';
import type { IntegrationPattern } from '../engine/resources.js';

export interface DurableRunnerOptions {
  readonly store: Store;
  readonly clock?: Clock;
  readonly region: string;
  readonly accountId: string;
  /** Step Functions Local mocks (SFN_MOCK_CONFIG), used by executions started with `#TestCase`. */
  readonly mockConfig?: MockConfigFile;
  /** Local task handlers by resource ARN or state name. */
  readonly taskHandlers?: Record<string, TaskHandler>;
  /** Scales Wait and retry delays (WAIT_TIME_SCALE). */
  readonly waitTimeScale?: number;
  /** Largest state output or task result (default 256 KiB, AWS's quota). */
  readonly maxPayloadBytes?: number;
  /** Most events in one execution's history (default 25,000, AWS's quota). */
  readonly maxHistoryEvents?: number;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** Notified of each committed decision (metrics, live console updates). */
  readonly onDecision?: (executionArn: string, events: readonly HistoryEvent[], status: string) => void;
  /**
   * Resolves and checks a StartExecution request (API member names) the way the API action
   * does, rejecting with its AwsError. Given, `states:startExecution` tasks start real child
   * executions on this runner; without it they need a mock or a handler.
   */
  readonly prepareChild?: (request: Record<string, unknown>) => Promise<NewExecution>;
  /**
   * AWS SDK integrations this server answers itself (`arn:aws:states:::aws-sdk:<service>:<action>`):
   * the server passes its own Step Functions API as service `sfn`.
   */
  readonly localSdk?: {
    readonly services: readonly string[];
    call(service: string, action: string, parameters: unknown, requestId: string): Promise<SdkOutcome>;
  };
}

type InvokeTask = Extract<Command, { type: 'InvokeTask' }>;

/** An execution held in memory while it runs. */
interface LiveExecution {
  record: ExecutionRecord;
  readonly interp: Interpreter;
  readonly mocks: MockSession | undefined;
  /** Serialises triggers: each waits for the previous decision to commit. */
  chain: Promise<unknown>;
  /** InvokeTask commands not yet answered, by task id (re-invoked after a restart). */
  readonly openInvocations: Map<string, InvokeTask>;
  /** Task tokens (activities, callbacks) by task id, and the tokens still open. */
  readonly tokensByTask: Map<string, string>;
  readonly openTokens: Set<string>;
  /** Local handler invocations in flight, to abort on CancelTask. */
  readonly running: Map<string, AbortController>;
  /** Child executions that `.sync` tasks wait for, by task id: stopped when their task is cancelled. */
  readonly children: Map<string, string>;
  /** Children whose task a decision cancelled, stopped once the decision is committed. */
  readonly childrenToStop: string[];
  lastEventId: number;
}

/** A trigger, or a function that decides it inside the execution's queue (undefined: nothing to do). */
type TriggerOf = Trigger | ((live: LiveExecution) => Trigger | undefined);

const systemClock: Clock = { now: () => Date.now() };

export class DurableRunner implements ExecutionRunner {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly scale: number;
  private readonly live = new Map<string, LiveExecution>();
  private readonly loading = new Map<string, Promise<LiveExecution | undefined>>();
  private readonly activityWaiters = new Map<string, Set<() => void>>();
  private timerHandle: ReturnType<typeof setTimeout> | undefined;
  private timerDueAt = Infinity;
  private closed = false;
  private firing = false;

  constructor(private readonly options: DurableRunnerOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.scale = options.waitTimeScale ?? 1;
  }

  /**
   * Resumes work after a (re)start: arms the timer loop and, in the background, rebuilds every
   * RUNNING execution so tasks that were in flight at the crash are invoked again.
   */
  async resume(): Promise<void> {
    await this.scheduleTimers();
    const running = await this.store.runningExecutions();
    void (async () => {
      for (const arn of running) {
        if (this.closed) return;
        try {
          await this.load(arn);
        } catch (e) {
          this.log('error', 'could not resume execution', { executionArn: arn, error: String(e) });
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timerHandle) clearTimeout(this.timerHandle);
    for (const live of this.live.values()) for (const c of live.running.values()) c.abort();
    await Promise.allSettled([...this.live.values()].map((l) => l.chain));
  }

  // ------------------------------------------------------------------ ExecutionRunner

  async start(execution: NewExecution): Promise<boolean> {
    if (execution.type === 'EXPRESS') return this.startExpress(execution);
    const now = this.clock.now();
    const interp = this.newInterpreter(execution, execution.startDate);
    const started = interp.start(now);
    const decision = started instanceof Promise ? await started : started;
    const live = this.newLive({ ...execution, status: 'RUNNING', lastEventId: 0 }, interp);
    const write = this.writeFor(live, decision, { time: now, trigger: { type: 'Start' } }, now);
    const record: ExecutionRecord = { ...live.record, ...write.update, lastEventId: lastId(decision, 0) };
    const created = await this.store.createExecution(record, write);
    if (!created) return false;
    live.record = record;
    live.lastEventId = record.lastEventId;
    this.notify(live, decision);
    if (record.status === 'RUNNING') this.live.set(record.arn, live);
    this.perform(live, decision.commands);
    return true;
  }

  async runSync(execution: NewExecution): Promise<ExecutionRecord> {
    const result = await runInMemory(JSON.parse(execution.definition) as RunnableDefinition, JSON.parse(execution.input), {
      ...this.memoryOptions(execution),
      clock: this.clock,
    });
    return {
      ...execution,
      status: result.status,
      ...(result.status === 'SUCCEEDED' ? { output: JSON.stringify(result.output ?? null) } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.cause !== undefined ? { cause: result.cause } : {}),
      stopDate: this.clock.now(),
      lastEventId: result.events.length,
    };
  }

  async stop(executionArn: string, error?: string, cause?: string): Promise<number> {
    const now = this.clock.now();
    await this.apply(executionArn, { type: 'StopRequested', ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) }, { requireRunning: true });
    return (await this.store.getExecution(executionArn))?.stopDate ?? now; // the date the decision recorded
  }

  async redrive(executionArn: string): Promise<number> {
    const record = await this.store.getExecution(executionArn);
    if (!record) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    if (record.type === 'EXPRESS' || !['FAILED', 'TIMED_OUT', 'ABORTED'].includes(record.status)) {
      throw new AwsError('ExecutionNotRedrivable', `Execution is ${record.status} and cannot be redriven: '${executionArn}'`);
    }
    const now = this.clock.now();
    await this.apply(executionArn, { type: 'Redrive' }, { allowEnded: true });
    return (await this.store.getExecution(executionArn))?.redriveDate ?? now; // the date the decision recorded
  }

  async completeTask(token: string, outcome: TaskOutcome): Promise<void> {
    if (!isWellFormedToken(token)) throw new AwsError('InvalidToken', "Invalid Token: 'Invalid token'"); // AWS's text, whatever the token
    const task = await this.store.getTask(token);
    if (!task) throw new AwsError('TaskDoesNotExist', 'Task does not exist anymore');
    if (task.status === 'CLOSED') throw new AwsError('TaskTimedOut', 'Task Timed Out');
    const trigger: Trigger =
      outcome.type === 'success'
        ? { type: 'TaskSucceeded', taskId: task.taskId, output: outcome.output }
        : outcome.type === 'failure'
          ? { type: 'TaskFailed', taskId: task.taskId, ...(outcome.error !== undefined ? { error: outcome.error } : {}), ...(outcome.cause !== undefined ? { cause: outcome.cause } : {}) }
          : { type: 'TaskHeartbeat', taskId: task.taskId };
    await this.apply(task.executionArn, trigger, {
      // Decided inside the execution's queue, so two answers racing for one token cannot both win.
      precondition: (live) => {
        if (!live.openTokens.has(token)) throw new AwsError('TaskTimedOut', 'Task Timed Out');
      },
    });
  }

  async updateMapRun(mapRunArn: string, update: MapRunUpdate): Promise<void> {
    const run = await this.store.getMapRun(mapRunArn);
    if (!run) throw new AwsError('ResourceNotFound', `Resource not found: '${mapRunArn}'`);
    if (run.status !== 'RUNNING') return;
    const trigger: Trigger = {
      type: 'UpdateMapRun',
      mapRunArn,
      ...(update.maxConcurrency !== undefined ? { maxConcurrency: update.maxConcurrency } : {}),
      ...(update.toleratedFailurePercentage !== undefined ? { toleratedFailurePercentage: update.toleratedFailurePercentage } : {}),
      ...(update.toleratedFailureCount !== undefined ? { toleratedFailureCount: update.toleratedFailureCount } : {}),
    };
    await this.apply(run.executionArn, trigger);
  }

  async activityTaskClaimed(task: TaskRecord, workerName?: string): Promise<void> {
    await this.apply(task.executionArn, { type: 'TaskStarted', taskId: task.taskId, ...(workerName !== undefined ? { workerName } : {}) });
  }

  waitForActivityTask(activityArn: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.activityWaiters.get(activityArn);
      if (!waiters) this.activityWaiters.set(activityArn, (waiters = new Set()));
      const done = () => {
        clearTimeout(timer);
        waiters!.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  // ------------------------------------------------------------------ applying triggers

  /**
   * Applies one trigger to an execution: queued behind its earlier triggers, decided, committed,
   * then performed. Rejects with ExecutionDoesNotExist, or InvalidArn-like errors from the
   * precondition.
   */
  private async apply(
    executionArn: string,
    triggerOf: TriggerOf,
    options: { requireRunning?: boolean; allowEnded?: boolean; precondition?: (live: LiveExecution) => void; extra?: Partial<ExecutionWrite> } = {},
  ): Promise<void> {
    let live = this.live.get(executionArn) ?? (await this.load(executionArn, options.allowEnded));
    if (!live) {
      const record = await this.store.getExecution(executionArn);
      if (!record) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
      if (options.requireRunning) return; // StopExecution on an ended execution is a no-op
      if (options.precondition) throw new AwsError('TaskTimedOut', 'Task Timed Out');
      return;
    }
    const target = live;
    const step = target.chain.then(async () => {
      if (options.precondition) options.precondition(target);
      if (target.interp.status !== 'RUNNING' && !options.allowEnded) return;
      const trigger = typeof triggerOf === 'function' ? triggerOf(target) : triggerOf;
      if (!trigger) return;
      const now = Math.max(this.clock.now(), target.interp.now);
      const decision = await target.interp.handle(trigger, now);
      const write = this.writeFor(target, decision, { time: now, trigger }, now, options.extra);
      await this.commit(target, write, decision);
      this.perform(target, decision.commands);
    });
    target.chain = step.catch(() => undefined);
    await step;
  }

  private async commit(live: LiveExecution, write: ExecutionWrite, decision: Decision): Promise<void> {
    try {
      await this.store.appendExecution(write);
    } catch (e) {
      // Our in-memory state no longer matches the store (another node moved the execution on,
      // or the write failed): forget it; the next trigger rebuilds it from the store.
      this.live.delete(live.record.arn);
      throw e instanceof StoreConflict ? new AwsError('ConflictException', 'The execution was updated concurrently; retry.') : e;
    }
    live.lastEventId = lastId(decision, live.lastEventId);
    live.record = { ...live.record, ...write.update, lastEventId: live.lastEventId };
    this.notify(live, decision);
    if (live.interp.status !== 'RUNNING') {
      this.live.delete(live.record.arn);
      for (const c of live.running.values()) c.abort();
      if (live.record.parentExecutionArn !== undefined) void this.answerParent(live.record);
    } else {
      this.live.set(live.record.arn, live);
    }
  }

  /** Turns a decision into the write that records it. */
  private writeFor(live: LiveExecution, decision: Decision, trigger: LoggedTrigger, now: number, extra?: Partial<ExecutionWrite>): ExecutionWrite {
    const timersAdded: TimerRecord[] = [];
    const timersRemoved: string[] = [...(extra?.timersRemoved ?? [])];
    const tasksAdded: TaskRecord[] = [];
    const tasksClosed: string[] = [];
    const executionArn = live.record.arn;
    for (const command of decision.commands) {
      switch (command.type) {
        case 'StartTimer': {
          const ms = command.scaled ? command.seconds * 1000 * this.scale : command.seconds * 1000;
          timersAdded.push({ executionArn, timerId: command.timerId, dueAt: now + Math.max(0, ms) });
          break;
        }
        case 'CancelTimer':
          timersRemoved.push(command.timerId);
          break;
        case 'InvokeTask': {
          live.openInvocations.set(command.taskId, command);
          const token = taskTokenFor(command, live);
          if (token !== undefined) {
            live.tokensByTask.set(command.taskId, token);
            live.openTokens.add(token);
            tasksAdded.push({
              token,
              executionArn,
              taskId: command.taskId,
              ...(command.resource.kind === 'activity' ? { activityArn: command.resource.arn } : {}),
              input: JSON.stringify(command.input ?? null),
              status: 'SCHEDULED',
              createdAt: now,
            });
          }
          break;
        }
        case 'CancelTask': {
          const child = live.children.get(command.taskId);
          if (child !== undefined) live.childrenToStop.push(child);
          this.settleTask(live, command.taskId, tasksClosed);
          break;
        }
      }
    }
    // A trigger that settles a task closes its token.
    const t = trigger.trigger;
    if (t.type === 'TaskSucceeded' || t.type === 'TaskFailed' || t.type === 'TaskTimedOut') this.settleTask(live, t.taskId, tasksClosed);
    if (t.type === 'TimerFired') timersRemoved.push(t.timerId);

    const status = live.interp.status;
    const update: ExecutionWrite['update'] =
      status === 'RUNNING'
        ? t.type === 'Redrive'
          ? { status: 'RUNNING', redriveCount: live.interp.redriveCount, redriveDate: now }
          : undefined
        : {
            status,
            stopDate: now,
            ...(t.type === 'Redrive' ? { redriveCount: live.interp.redriveCount, redriveDate: now } : {}), // a redrive that ends at once still counts
            ...(status === 'SUCCEEDED' ? { output: JSON.stringify(live.interp.output ?? null) } : {}),
            ...(live.interp.error !== undefined ? { error: live.interp.error } : {}),
            ...(live.interp.cause !== undefined ? { cause: live.interp.cause } : {}),
          };
    return {
      executionArn,
      expectedLastEventId: live.lastEventId,
      events: decision.events,
      trigger,
      ...(update ? { update } : {}),
      ...(timersAdded.length ? { timersAdded } : {}),
      ...(timersRemoved.length ? { timersRemoved } : {}),
      ...(tasksAdded.length ? { tasksAdded } : {}),
      ...(tasksClosed.length ? { tasksClosed } : {}),
      ...(decision.mapRuns ? { mapRuns: decision.mapRuns } : {}),
    };
  }

  private settleTask(live: LiveExecution, taskId: string, tasksClosed: string[]): void {
    live.openInvocations.delete(taskId);
    live.children.delete(taskId);
    const token = live.tokensByTask.get(taskId);
    if (token !== undefined && live.openTokens.delete(token)) tasksClosed.push(token);
    const running = live.running.get(taskId);
    if (running) {
      running.abort();
      live.running.delete(taskId);
    }
  }

  // ------------------------------------------------------------------ performing commands

  /** After a commit: wake timers, tell activity pollers, invoke tasks. */
  private perform(live: LiveExecution, commands: readonly Command[]): void {
    let earliest = Infinity;
    for (const command of commands) {
      if (command.type === 'StartTimer') earliest = Math.min(earliest, this.clock.now() + (command.scaled ? command.seconds * 1000 * this.scale : command.seconds * 1000));
      else if (command.type === 'InvokeTask') this.invoke(live, command);
    }
    if (earliest < Infinity) this.armTimer(earliest);
    // As on AWS, cancelling a .sync task (a timeout, a failed branch, the parent's end) stops its child.
    for (const child of live.childrenToStop.splice(0)) {
      this.stop(child).catch((e) => this.log('warn', 'child execution not stopped', { executionArn: child, error: String(e) }));
    }
  }

  private invoke(live: LiveExecution, command: InvokeTask): void {
    const arn = live.record.arn;
    const { taskId, resource } = command;
    const later = (trigger: Trigger) => {
      // Answers arrive on a later tick, never inside the decision that asked.
      setImmediate(() => this.apply(arn, trigger).catch((e) => this.log('warn', 'task result not applied', { executionArn: arn, error: String(e) })));
    };
    const mocked = live.mocks?.mocks(command.stateName) ? mockedTrigger(taskId, live.mocks, command.stateName) : undefined;
    if (resource.kind === 'activity') {
      if (!mocked) {
        for (const wake of this.activityWaiters.get(resource.arn) ?? []) wake();
        return;
      }
      // A mocked activity is taken by an imaginary worker at once, as in Step Functions Local.
      later({ type: 'TaskStarted', taskId });
    }
    const callback = isCallbackTask(command);
    const submitted = () => later({ type: 'TaskSubmitted', taskId, output: {} });
    if (mocked) {
      if (callback) submitted();
      return later(mocked);
    }
    const handler = findHandler(this.options.taskHandlers, command);
    if (!handler) {
      if (isStartExecution(resource) && this.options.prepareChild) {
        void this.startChild(live, command).catch((e) => this.log('error', 'child execution not started', { executionArn: arn, error: String(e) }));
        return;
      }
      if (this.callLocalSdk(command, later)) return;
      // A callback task without a handler waits for SendTaskSuccess/Failure with its token.
      if (callback) submitted();
      else later(noHandlerTrigger(command));
      return;
    }
    if (callback) submitted();
    const controller = new AbortController();
    live.running.set(taskId, controller);
    void runHandler(handler, command, controller, later).finally(() => live.running.delete(taskId));
  }

  /**
   * Performs an `aws-sdk:<service>:<action>` task this server answers itself (localSdk);
   * false when the resource is not one of those.
   */
  private callLocalSdk(command: InvokeTask, later: (trigger: Trigger) => void): boolean {
    const { resource, taskId } = command;
    const sdk = this.options.localSdk;
    if (!sdk || resource.kind !== 'service' || !resource.service.startsWith('aws-sdk:') || resource.pattern === 'sync' || resource.pattern === 'sync2') return false;
    const service = resource.service.slice('aws-sdk:'.length);
    if (!sdk.services.includes(service)) return false;
    const action = resource.action.replace(/\.waitForTaskToken$/, '');
    void sdk.call(service, action, command.input, randomUUID()).then(
      (outcome) => {
        if (!outcome.ok) return later({ type: 'TaskFailed', taskId, error: outcome.error, cause: outcome.cause });
        // With .waitForTaskToken the call is the submission; the token answers the task.
        const submitted = resource.pattern === 'wait-for-task-token';
        later({ type: submitted ? 'TaskSubmitted' : 'TaskSucceeded', taskId, output: outcome.output });
      },
      (e: unknown) => later({ type: 'TaskFailed', taskId, error: 'States.Runtime', cause: String(e) }),
    );
    return true;
  }

  // ------------------------------------------------------------------ child executions

  /**
   * Performs a `states:startExecution` task: starts the child (or finds the one started before
   * a crash: the child's name is fixed by the parent and task) and answers the task. A `.sync`
   * task is answered again when the child ends (answerParent).
   */
  private async startChild(live: LiveExecution, command: InvokeTask): Promise<void> {
    const parentArn = live.record.arn;
    const { taskId } = command;
    const pattern: IntegrationPattern = command.resource.kind === 'service' ? command.resource.pattern : 'request-response';
    const requestId = randomUUID();
    const deliver = (trigger: Trigger) => this.apply(parentArn, trigger);
    let child: ExecutionRecord;
    try {
      const prepared = await this.options.prepareChild!(startRequest(command.input, parentArn, taskId));
      const execution: NewExecution = { ...prepared, parentExecutionArn: parentArn, parentTaskId: taskId };
      child = await this.startOrFindChild(execution, pattern);
    } catch (e) {
      if (e instanceof AwsError) return deliver({ type: 'TaskFailed', taskId, ...apiFailure(e, requestId) });
      // Not the API's answer but our own fault: fail the task rather than leave it waiting.
      this.log('error', 'child execution not started', { executionArn: parentArn, taskId, error: String(e) });
      return deliver({ type: 'TaskFailed', taskId, error: 'States.Runtime', cause: `The child execution could not be started: ${String(e)}` });
    }
    const response = startResponse(child, requestId, this.clock.now());
    if (pattern === 'request-response') return deliver({ type: 'TaskSucceeded', taskId, output: response });
    if (waitsForChild(pattern) && child.type === 'STANDARD') live.children.set(taskId, child.arn);
    await deliver({ type: 'TaskSubmitted', taskId, output: response });
    if (waitsForChild(pattern) && child.status !== 'RUNNING') await this.answerParent(child);
  }

  private async startOrFindChild(execution: NewExecution, pattern: IntegrationPattern): Promise<ExecutionRecord> {
    if (execution.type === 'EXPRESS') {
      // Express children run in memory (at-least-once): a .sync task waits for the whole run.
      if (waitsForChild(pattern)) return this.runSync(execution);
      await this.start(execution);
      return { ...execution, status: 'RUNNING', lastEventId: 0 };
    }
    const ours = (record: ExecutionRecord | undefined) =>
      record !== undefined && record.parentExecutionArn === execution.parentExecutionArn && record.parentTaskId === execution.parentTaskId;
    let record = await this.store.getExecution(execution.arn);
    if (!record) {
      await this.start(execution); // false when another start of that name won a race
      record = await this.store.getExecution(execution.arn);
    }
    // Another execution of that name (not started by this task) is StartExecution's conflict.
    if (!ours(record)) throw executionAlreadyExists(execution.arn);
    return record!;
  }

  /** Answers the `.sync` task that waits for a child which has ended (a no-op for other tasks). */
  private async answerParent(child: ExecutionRecord): Promise<void> {
    const parentArn = child.parentExecutionArn;
    const taskId = child.parentTaskId;
    if (parentArn === undefined || taskId === undefined) return;
    await this.apply(parentArn, (parent) => {
      const command = parent.openInvocations.get(taskId);
      if (!command || command.resource.kind !== 'service' || !waitsForChild(command.resource.pattern)) return undefined;
      return childEndTrigger(taskId, child, command.resource.pattern, this.clock.now());
    }).catch((e) => this.log('warn', 'child result not applied to its parent', { executionArn: parentArn, child: child.arn, error: String(e) }));
  }

  // ------------------------------------------------------------------ timers

  private armTimer(dueAt: number): void {
    if (this.closed || dueAt >= this.timerDueAt) return;
    if (this.timerHandle) clearTimeout(this.timerHandle);
    this.timerDueAt = dueAt;
    this.timerHandle = setTimeout(() => void this.fireTimers(), Math.min(Math.max(0, dueAt - this.clock.now()), 2_147_483_647));
  }

  private async scheduleTimers(): Promise<void> {
    const next = await this.store.nextTimerDue();
    if (next !== undefined) this.armTimer(next);
  }

  private async fireTimers(): Promise<void> {
    this.timerHandle = undefined;
    this.timerDueAt = Infinity;
    if (this.closed || this.firing) return;
    this.firing = true;
    try {
      for (;;) {
        const due = await this.store.dueTimers(this.clock.now(), 500);
        if (due.length === 0) break;
        await Promise.all(
          due.map((timer) =>
            this.apply(timer.executionArn, { type: 'TimerFired', timerId: timer.timerId }).catch((e) =>
              this.log('warn', 'timer not applied', { executionArn: timer.executionArn, timerId: timer.timerId, error: String(e) }),
            ),
          ),
        );
        // A timer the execution no longer waits for (it ended, or the timer was cancelled in a
        // decision that lost a race) would stay due forever: drop it.
        const still = await this.store.dueTimers(this.clock.now(), 500);
        const stale = still.filter((t) => due.some((d) => d.executionArn === t.executionArn && d.timerId === t.timerId));
        await this.dropStaleTimers(stale);
        if (due.length < 500) break;
      }
    } finally {
      this.firing = false;
    }
    await this.scheduleTimers();
  }

  private async dropStaleTimers(timers: readonly TimerRecord[]): Promise<void> {
    for (const timer of timers) {
      const record = await this.store.getExecution(timer.executionArn);
      if (!record) continue;
      await this.store
        .appendExecution({ executionArn: record.arn, expectedLastEventId: record.lastEventId, events: [], timersRemoved: [timer.timerId] })
        .catch(() => undefined);
    }
  }

  // ------------------------------------------------------------------ rebuilding

  /** Loads an execution into memory, replaying its triggers; undefined when it is not running. */
  private load(executionArn: string, allowEnded = false): Promise<LiveExecution | undefined> {
    const hot = this.live.get(executionArn);
    if (hot) return Promise.resolve(hot);
    let pending = this.loading.get(executionArn);
    if (!pending) {
      pending = this.rebuild(executionArn, allowEnded).finally(() => this.loading.delete(executionArn));
      this.loading.set(executionArn, pending);
    }
    return pending;
  }

  private async rebuild(executionArn: string, allowEnded: boolean): Promise<LiveExecution | undefined> {
    const record = await this.store.getExecution(executionArn);
    if (!record || (record.status !== 'RUNNING' && !allowEnded) || record.type === 'EXPRESS') return undefined;
    const triggers = await this.store.getTriggers(executionArn);
    const interp = this.newInterpreter(record, record.startDate, 0);
    const live = this.newLive(record, interp);
    let produced = 0;
    for (const logged of triggers) {
      const decision = logged.trigger.type === 'Start' ? await interp.start(logged.time) : await interp.handle(logged.trigger, logged.time);
      produced += decision.events.length;
      // Re-trace the bookkeeping the live execution had (tokens, open invocations, mock counts).
      this.writeFor(live, decision, logged, logged.time);
      for (const command of decision.commands) {
        if (command.type === 'InvokeTask' && live.mocks?.mocks(command.stateName)) live.mocks.next(command.stateName);
      }
    }
    if (produced !== record.lastEventId) {
      this.log('error', 'replay does not match the stored history', { executionArn, stored: record.lastEventId, replayed: produced });
      throw new AwsError('InternalServerError', `The history of '${executionArn}' could not be replayed.`, 500);
    }
    live.lastEventId = record.lastEventId;
    const again = this.live.get(executionArn);
    if (again) return again;
    if (interp.status === 'RUNNING' || allowEnded) this.live.set(executionArn, live);
    if (interp.status === 'RUNNING') {
      // Tasks invoked before the restart and not answered: local handlers and mocks run again
      // (at-least-once, as AWS integrations are); activity and callback tasks keep waiting.
      // Starting a child again finds the child already started, by its name.
      for (const command of live.openInvocations.values()) {
        const { resource } = command;
        if (resource.kind === 'activity') continue;
        if (resource.kind === 'service' && resource.pattern === 'wait-for-task-token' && !isStartExecution(resource)) continue;
        this.invoke(live, command);
      }
      // Activity tasks a worker took just before the crash, whose ActivityStarted was not written.
      for (const task of await this.store.tasksOf(executionArn)) {
        if (task.status === 'STARTED' && live.openTokens.has(task.token) && !interp.isTaskStarted(task.taskId)) {
          void this.apply(executionArn, { type: 'TaskStarted', taskId: task.taskId, ...(task.workerName !== undefined ? { workerName: task.workerName } : {}) }).catch(() => undefined);
        }
      }
    }
    return live;
  }

  // ------------------------------------------------------------------ helpers

  private newInterpreter(execution: Pick<ExecutionRecord, 'arn' | 'name' | 'stateMachineArn' | 'roleArn' | 'redriveCount' | 'definition' | 'input'>, startDate: number, redriveCount = execution.redriveCount): Interpreter {
    const identity: ExecutionIdentity = {
      executionArn: execution.arn,
      executionName: execution.name,
      stateMachineArn: execution.stateMachineArn,
      stateMachineName: execution.stateMachineArn.split(':')[6] ?? '',
      roleArn: execution.roleArn,
      redriveCount,
      region: this.options.region,
      accountId: this.options.accountId,
    };
    return new Interpreter({
      definition: JSON.parse(execution.definition) as RunnableDefinition,
      input: JSON.parse(execution.input),
      identity,
      startTime: startDate,
      maxPayloadBytes: this.options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
      maxHistoryEvents: this.options.maxHistoryEvents ?? 25_000,
    });
  }

  private newLive(record: ExecutionRecord, interp: Interpreter): LiveExecution {
    const mocks =
      record.testCase !== undefined && this.options.mockConfig
        ? new MockSession(this.options.mockConfig, record.stateMachineArn.split(':')[6] ?? '', record.testCase)
        : undefined;
    return {
      record,
      interp,
      mocks,
      chain: Promise.resolve(),
      openInvocations: new Map(),
      tokensByTask: new Map(),
      openTokens: new Set(),
      running: new Map(),
      children: new Map(),
      childrenToStop: [],
      lastEventId: record.lastEventId,
    };
  }

  private memoryOptions(execution: NewExecution) {
    return {
      executionName: execution.name,
      stateMachineName: execution.stateMachineArn.split(':')[6] ?? '',
      waitTimeScale: this.scale,
      maxPayloadBytes: this.options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
      ...(this.options.taskHandlers ? { taskHandlers: this.options.taskHandlers } : {}),
      ...(execution.testCase !== undefined && this.options.mockConfig ? { mockConfig: this.options.mockConfig, testCase: execution.testCase } : {}),
      context: { executionArn: execution.arn, stateMachineArn: execution.stateMachineArn, roleArn: execution.roleArn, region: this.options.region, accountId: this.options.accountId },
    };
  }

  /** EXPRESS executions run in memory (at-least-once, no persisted history). */
  private async startExpress(execution: NewExecution): Promise<boolean> {
    void this.runSync(execution).catch((e) => this.log('error', 'express execution failed to run', { executionArn: execution.arn, error: String(e) }));
    return true;
  }

  private notify(live: LiveExecution, decision: Decision): void {
    this.options.onDecision?.(live.record.arn, decision.events, live.interp.status);
  }

  private log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.options.log?.(level, message, fields);
  }
}

function lastId(decision: Decision, previous: number): number {
  const events = decision.events;
  return events.length ? events[events.length - 1]!.id : previous;
}

/** Whether a token could be one Stepwise handed out (a UUID, or an activity token). */
function isWellFormedToken(token: string): boolean {
  if (token.length > 1024) return false;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(token)) return true;
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return false;
  return /^arn:[\w-]+:states:[^|]+\|task-\d+$/.test(Buffer.from(token, 'base64url').toString('utf8'));
}

/**
 * The token a task is answered with: activities get one; callback and .sync tasks use
 * $$.Task.Token (AWS lets SendTaskSuccess end a .sync task too).
 */
function taskTokenFor(command: InvokeTask, live: LiveExecution): string | undefined {
  // Derived from the execution and task id, so a replay hands out the same token.
  if (command.resource.kind === 'activity') return Buffer.from(`${live.record.arn}|${command.taskId}`).toString('base64url');
  if (command.resource.kind === 'service' && command.resource.pattern !== 'request-response') return command.taskToken;
  return undefined;
}

