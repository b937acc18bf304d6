/**
 * The in-memory driver: runs one execution to its end inside this process, performing the
 * interpreter's commands directly (task handlers, mocks, timers on a scalable clock). This is
 * `execute()`, the CLI's `run`, and what the conformance corpus and benchmarks call.
 */
import { MockSession, type MockConfigFile } from '../integrations/mock-config.js';
import { noHandlerTrigger, type HandlerSleep, type TaskHandler } from '../integrations/local-tasks.js';
import { waitsForChild } from '../integrations/nested-executions.js';
import { dispatchTask, type ChildExecutions, type LocalSdk, type TaskEnvironment, type TaskOutcomes } from './task-dispatcher.js';
import { sharedTaskIntegrations } from './shared-integrations.js';
import type { ProjectConfig } from '../config/types.js';
import type { TaskAnswerers } from './task-integrations.js';
import { AwsError } from '../api/errors.js';
import { checkExecutionInput } from '../api/executions.js';
import type { ExecutionRecord } from '../store/types.js';
import { toAwsEvent, type AwsHistoryEvent, type HistoryEvent } from '../engine/events.js';
import { Interpreter } from '../engine/interpreter.js';
import { keyedRandom, type RandomSource } from '../engine/random.js';
import { childExecutionSeed, newExecutionSeed } from './execution-secrets.js';
import { DecisionAborted, runtimeFailure } from './decider-pool.js';
import { LocalDecider, decisionBudget, type Decider, type DeciderInit, type ReplayedTrigger, type SliceBudget } from './decider.js';
import type { Command, Decision, ExecutionIdentity, ExecutionStatus, Trigger } from '../engine/model.js';
import type { Graph, QueryLanguage } from '../engine/frames.js';
import { isSchedulingClock } from './virtual-clock.js';

export type { TaskHandler, TaskHandlerContext } from '../integrations/local-tasks.js';

/**
 * Where a run reads the time. A plain clock only answers `now()` and timers are real; a
 * SchedulingClock (src/runtime/virtual-clock.ts, the testing API's virtual time) also runs the
 * run's timers and knows when the run is busy.
 */
export interface Clock {
  now(): number;
}

/**
 * @internal A task that waits for an answer from outside the run (a `.waitForTaskToken` or
 * `.sync` task, or an activity, that no mock, handler or integration answers): what the testing
 * API's runs hand the test, which answers it as SendTask* or a worker would.
 */
export interface OutsideTask {
  readonly taskId: string;
  readonly stateName: string;
  readonly resource: string;
  readonly kind: 'activity' | 'callback';
  readonly input: unknown;
  readonly taskToken?: string;
  /** False once the task has its final answer or was cancelled (a timeout, the execution's end). */
  readonly open: boolean;
  /** Gives the run an answer for this task: TaskStarted, TaskHeartbeat, TaskSucceeded, TaskFailed. */
  answer(trigger: Trigger): void;
}

export interface ExecuteOptions {
  /** A Step Functions Local MockConfigFile object; with stateMachineName and testCase. */
  readonly mockConfig?: MockConfigFile;
  readonly testCase?: string;
  readonly stateMachineName?: string;
  /** The state machine whose test case the mocks come from, when not stateMachineName (a Map Run child's parent's). */
  readonly mockStateMachineName?: string;
  readonly executionName?: string;
  /** Handlers by resource ARN or by state name (the state name wins). */
  readonly taskHandlers?: Record<string, TaskHandler>;
  /**
   * The project configuration (stepwise.config.json): its path, or a configuration loaded with
   * `loadProjectConfig`. Tasks that no mock or handler answers go to its routes and functions,
   * and to the built-in integrations (Lambda, HTTP, S3, DynamoDB, SQS, SNS, EventBridge, any
   * AWS SDK call). Its worker processes are shared by every run with the same configuration and
   * exit when idle (or at `closeTaskIntegrations()`). Without it, such tasks fail as before.
   */
  readonly config?: string | ProjectConfig;
  /** @internal Integrations made by the caller (the CLI, the server), used instead of `config`'s. */
  readonly integrations?: TaskAnswerers;
  /** @internal AWS SDK integrations the caller answers itself (the server: its own API as `sfn`). */
  readonly localSdk?: LocalSdk;
  /**
   * @internal Called for each task that waits for an answer from outside the run (see
   * OutsideTask); without it such a task fails at once, since in memory nobody can answer it.
   */
  readonly onOutsideTask?: (task: OutsideTask) => void;
  /** Multiplies Wait durations and retry intervals; 0 makes them instant. Default 1. */
  readonly waitTimeScale?: number;
  /**
   * Where the run reads the time: the system clock by default. A `VirtualClock` (exported here
   * and from `stepwise-sfn/testing`) runs the execution on virtual time: Waits, retry back-off,
   * TimeoutSeconds, HeartbeatSeconds and `maxDurationMs` pass as soon as nothing else can
   * happen, with their real times in the history (see src/runtime/virtual-clock.ts).
   */
  readonly clock?: Clock;
  /** Overrides for the identity the context object shows. */
  readonly context?: Partial<Pick<ExecutionIdentity, 'executionArn' | 'stateMachineArn' | 'roleArn' | 'region' | 'accountId' | 'redriveCount'>>;
  /** @internal Fields that replace those of the `$$` context object (TestState's `context`). */
  readonly contextOverride?: Readonly<Record<string, unknown>>;
  /** Aborts the execution (status ABORTED). */
  readonly signal?: AbortSignal;
  /**
   * Largest state output or task result in bytes, beyond which a state fails with
   * States.DataLimitExceeded. AWS's quota is 256 KiB (262144); in memory there is no limit
   * unless one is given, so local runs can handle larger data.
   */
  readonly maxPayloadBytes?: number;
  /**
   * State machines that `arn:aws:states:::states:startExecution` tasks may start, by name or
   * ARN: parsed definitions (`execute()` parses and validates them). A child runs in memory
   * like its parent, with the same handlers; `.sync` and `.sync:2` tasks wait for it. A
   * `.waitForTaskToken` child has no one to answer it in memory, so it needs a handler.
   */
  readonly stateMachines?: Readonly<Record<string, unknown>>;
  /**
   * The execution's random seed, 64 hexadecimal digits: the same seed (with the same input,
   * handlers and clock) gives the same UUIDs, random numbers, task tokens and retry jitter, for
   * tests that need them repeatable. Default: a new secret seed from node:crypto for each run.
   */
  readonly seed?: string;
  /**
   * Most events the execution's history may hold (AWS's quota: 25,000); an execution that would
   * need more fails with States.Runtime. Default 25,000, or the STEPWISE_MAX_HISTORY_EVENTS
   * environment variable; 0 means no limit.
   */
  readonly maxHistoryEvents?: number;
  /** Wall-clock time after which the execution ends TIMED_OUT (the server gives EXPRESS executions AWS's 5 minutes). */
  readonly maxDurationMs?: number;
  /**
   * How long one decision may run before it yields to the event loop (ms, default 20), so that
   * `signal`, timers and Ctrl-C are served while a long loop of states runs.
   */
  readonly sliceMs?: number;
  /**
   * @internal Where decisions run: the server passes worker-thread deciders. Given the
   * initial data and the triggers decided so far (to restore a decider that lost its state).
   */
  readonly decider?: (init: DeciderInit, log: () => readonly ReplayedTrigger[]) => Decider;
}

/**
 * In memory nothing can send a task token back (there is no SendTaskSuccess without a server):
 * a `.waitForTaskToken` task whose request was sent fails, saying so.
 */
function tokenNeverAnswered(command: Extract<Command, { type: 'InvokeTask' }>): Trigger {
  return {
    type: 'TaskFailed',
    taskId: command.taskId,
    error: 'States.TaskFailed',
    cause: `The request of '${command.stateName}' was sent (${command.resource.arn}), but in memory nothing can answer its task token: run it on stepwise serve, where SendTaskSuccess/SendTaskFailure can, or give the state a task handler.`,
  };
}

/** AWS's quota on one execution's history. */
export const DEFAULT_MAX_HISTORY_EVENTS = 25_000;

let environmentLimit: string | undefined;

/** How long a decision in memory runs before it lets the event loop in. */
export const DEFAULT_SLICE_MS = 20;

/** ExecuteOptions.maxHistoryEvents, else STEPWISE_MAX_HISTORY_EVENTS, else AWS's 25,000; 0 is no limit. */
export function historyEventLimit(option: number | undefined): number {
  // The environment is read once: reading process.env costs a microsecond, a run of a small
  // execution not many more.
  const text = option === undefined ? (environmentLimit ??= globalThis.process?.env?.STEPWISE_MAX_HISTORY_EVENTS ?? '') : undefined;
  const value = option ?? (text !== undefined && text !== '' ? Number(text) : DEFAULT_MAX_HISTORY_EVENTS);
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`maxHistoryEvents must be a whole number of at least 0, not ${String(option ?? text)}.`);
  return value === 0 ? Infinity : Math.floor(value);
}

export interface ExecutionResult {
  readonly status: Exclude<ExecutionStatus, 'RUNNING'>;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** The history in AWS's GetExecutionHistory shape (built on first access). */
  readonly history: AwsHistoryEvent[];
  /** The history as the engine records it (payloads as values). */
  readonly events: readonly HistoryEvent[];
}

const systemClock: Clock = { now: () => Date.now() };

/**
 * The account in the ARNs Stepwise composes when none is configured. Any 12 digits would do;
 * this is the one the recorded AWS corpus normalises accounts to, so recorded ARNs compare equal.
 */
export const DEFAULT_ACCOUNT_ID = '111111111111';

/** setTimeout's limit (2^31 - 1 ms, about 24.8 days); longer timers are re-armed in steps. */
const MAX_TIMER_MS = 2_147_483_647;

export type RunnableDefinition = Graph & { QueryLanguage?: QueryLanguage; TimeoutSeconds?: number };

export function identityFor(options: ExecuteOptions): ExecutionIdentity {
  const region = options.context?.region ?? 'us-east-1';
  const accountId = options.context?.accountId ?? DEFAULT_ACCOUNT_ID;
  const stateMachineName = options.stateMachineName ?? 'stepwise';
  const executionName = options.executionName ?? randomName();
  const stateMachineArn = options.context?.stateMachineArn ?? `arn:aws:states:${region}:${accountId}:stateMachine:${stateMachineName}`;
  return {
    executionArn: options.context?.executionArn ?? `arn:aws:states:${region}:${accountId}:execution:${stateMachineName}:${executionName}`,
    executionName,
    stateMachineArn,
    stateMachineName,
    roleArn: options.context?.roleArn ?? `arn:aws:iam::${accountId}:role/stepwise`,
    redriveCount: options.context?.redriveCount ?? 0,
    region,
    accountId,
  };
}

function randomName(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * Shape anchor. V8 holds the hidden classes an engine object ends up with only weakly: once
 * every execution has ended and a full GC runs, they are collected and all optimised engine code
 * built against them is discarded ("deopt: weak objects"), so the next executions run
 * unoptimised until V8 recompiles. Keeping the most recent execution reachable keeps the real
 * shapes, and the compiled code, alive; it costs the memory of one finished execution.
 * Measured: 10,000 small executions after a forced GC took ~70 ms without it and ~19 ms with it.
 */
let lastExecution: Interpreter | undefined;

/** Runs a validated definition to completion in memory. */
export async function runInMemory(definition: RunnableDefinition, input: unknown, options: ExecuteOptions = {}): Promise<ExecutionResult> {
  const clock = options.clock ?? systemClock;
  const scale = options.waitTimeScale ?? 1;
  const identity = identityFor(options);
  const maxHistoryEvents = historyEventLimit(options.maxHistoryEvents);
  const budget: SliceBudget = { sliceMs: options.sliceMs ?? DEFAULT_SLICE_MS };
  const init: DeciderInit = {
    definition,
    input,
    identity,
    startTime: clock.now(),
    ...(options.maxPayloadBytes !== undefined ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
    ...(maxHistoryEvents !== Infinity ? { maxHistoryEvents } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.contextOverride !== undefined ? { contextOverride: options.contextOverride } : {}),
  };
  if (options.decider) return runElsewhere(init, options, budget, clock, scale);
  // On this thread: the interpreter is built and started directly (no promise for a JSONPath
  // start), since most executions end in their first decision.
  // Written out, not spread: this runs once per execution, and small executions are many.
  const interp = new Interpreter({
    definition,
    input,
    identity,
    startTime: init.startTime,
    maxPayloadBytes: init.maxPayloadBytes,
    maxHistoryEvents: init.maxHistoryEvents,
    seed: init.seed,
    random: init.seed === undefined ? secretRandom() : undefined,
    contextOverride: init.contextOverride,
  });
  lastExecution = interp;
  const now = clock.now();
  const started = interp.start(now, decisionBudget(budget));
  const first = started instanceof Promise ? await started : started;
  const run: Run = { log: [], events: [], interp, decider: new LocalDecider(init, interp), budget };
  // Executions of Pass/Choice/Succeed/Fail states end in their first decision: skip the driver.
  if (first.status !== 'RUNNING' && first.commands.every((c) => c.type === 'CancelTimer')) return resultOf(run);
  return drive(run, first, clock, scale, identity, options);
}

/**
 * A secret seed's generator, drawn only when the execution first needs a random value: most
 * never do, and a seed costs more than a small execution.
 */
function secretRandom(): RandomSource {
  let source: RandomSource | undefined;
  const get = () => (source ??= keyedRandom(newExecutionSeed()));
  return { next: () => get().next(), uuid: () => get().uuid() };
}

/** A run whose decisions are made by `options.decider` (the server's decision workers). */
async function runElsewhere(local: DeciderInit, options: ExecuteOptions, budget: SliceBudget, clock: Clock, scale: number): Promise<ExecutionResult> {
  // A worker needs the seed itself (it cannot be drawn lazily there and found again on a restore).
  const init: DeciderInit = local.seed !== undefined ? local : { ...local, seed: newExecutionSeed() };
  const run: Run = { log: [], events: [], interp: undefined, decider: undefined as unknown as Decider, budget };
  run.decider = options.decider!(init, () => run.log);
  const now = clock.now();
  let first: Decision;
  try {
    first = await run.decider.start(now, budget);
    noteDecision(run, now, { type: 'Start' }, first);
  } catch (e) {
    if (!(e instanceof DecisionAborted)) throw e;
    // The first decision ran away in its worker: the execution starts (no step) and fails.
    first = await run.decider.start(now, { maxSteps: 0 });
    noteDecision(run, now, { type: 'Start' }, first);
    first = await decideOrFail(run, runtimeFailure(e), now);
  }
  if (first.status !== 'RUNNING' && first.commands.every((c) => c.type === 'CancelTimer')) return resultOf(run);
  return drive(run, first, clock, scale, init.identity, options);
}

/** One run's decider and what the driver keeps of it. */
interface Run {
  decider: Decider;
  /** The interpreter, when it runs on this thread (its history is read from it). */
  interp: Interpreter | undefined;
  readonly budget: SliceBudget;
  /** Triggers decided so far, to restore a remote decider that lost its interpreter. */
  readonly log: ReplayedTrigger[];
  /** Events of a remote decider's decisions (a local interpreter keeps its own). */
  readonly events: HistoryEvent[];
}

/** Keeps what a remote decider's run needs: the trigger for a restore, the events for the result. */
function noteDecision(run: Run, time: number, trigger: ReplayedTrigger['trigger'], decision: Decision): void {
  if (run.interp) return;
  run.log.push(decision.more ? { time, trigger, steps: decision.steps } : { time, trigger });
  for (const event of decision.events) run.events.push(event);
}

async function drive(run: Run, first: Decision, clock: Clock, scale: number, identity: ExecutionIdentity, options: ExecuteOptions): Promise<ExecutionResult> {
  const decider = run.decider;
  const mocks = options.mockConfig && options.testCase
    ? new MockSession(options.mockConfig, options.mockStateMachineName ?? identity.stateMachineName, options.testCase)
    : undefined;

  // Under virtual time the run holds the clock while it has work (see virtual-clock.ts): from
  // now until it waits with nothing queued, and again from the moment a trigger arrives.
  const virtual = isSchedulingClock(clock) ? clock : undefined;
  let releaseClock = virtual?.hold();
  const triggers: Trigger[] = [];
  let wake: (() => void) | undefined;
  const push = (trigger: Trigger) => {
    triggers.push(trigger);
    if (virtual && !releaseClock) releaseClock = virtual.hold();
    const w = wake;
    wake = undefined;
    w?.();
  };
  const timers = new Map<string, () => void>();
  const running = new Map<string, AbortController>();
  /** Virtual time: the holds of calls in flight, by task (released while a handler sleeps). */
  const calls = new Map<string, () => void>();
  const outside = new Map<string, { open: boolean }>();
  const stopping = new Set<Promise<unknown>>();

  /** Calls `fire` at `dueAt` on the run's clock; returns the cancel. */
  const at = (dueAt: number, fire: () => void): (() => void) => {
    if (virtual) return virtual.schedule(dueAt, fire);
    let timer: ReturnType<typeof setTimeout>;
    const wait = (): void => {
      const remaining = dueAt - Date.now();
      // setTimeout's limit: a longer wait is re-armed in steps.
      timer = setTimeout(() => (remaining > MAX_TIMER_MS ? wait() : fire()), Math.min(Math.max(remaining, 0), MAX_TIMER_MS));
    };
    wait();
    return () => clearTimeout(timer);
  };
  const arm = (timerId: string, dueAt: number): void => {
    timers.set(
      timerId,
      at(dueAt, () => {
        timers.delete(timerId);
        push({ type: 'TimerFired', timerId });
      }),
    );
  };
  const timeNow = (): number => (virtual ? virtual.now() : Date.now());

  const perform = (command: Command): void => {
    switch (command.type) {
      case 'StartTimer': {
        const ms = command.scaled ? command.seconds * 1000 * scale : command.seconds * 1000;
        if (ms <= 0) push({ type: 'TimerFired', timerId: command.timerId });
        else arm(command.timerId, timeNow() + ms);
        break;
      }
      case 'CancelTimer': {
        timers.get(command.timerId)?.();
        timers.delete(command.timerId);
        break;
      }
      case 'CancelTask': {
        running.get(command.taskId)?.abort();
        running.delete(command.taskId);
        const waiting = outside.get(command.taskId);
        if (waiting) waiting.open = false;
        outside.delete(command.taskId);
        break;
      }
      case 'InvokeTask':
        invoke(command);
        break;
    }
  };

  /** How this run takes a task's outcomes: triggers queued at once, work aborted on CancelTask. */
  const outcomes: TaskOutcomes = {
    deliver: push,
    track: (taskId, controller, work = 'call') => {
      running.set(taskId, controller);
      // A call in flight holds virtual time (its own timeout must not overtake it); a child
      // execution runs on the clock by itself and holds it only while it works.
      if (virtual && work === 'call') calls.set(taskId, virtual.hold());
      return () => {
        if (running.get(taskId) === controller) running.delete(taskId);
        calls.get(taskId)?.();
        calls.delete(taskId);
      };
    },
    awaitOutsideAnswer: (command, sent) => {
      if (options.onOutsideTask) return handOutside(command);
      // Nobody outside can answer in memory: the task fails as one with no handler (an activity
      // after an imaginary worker took it, as before there was a dispatcher).
      if (command.resource.kind === 'activity') push({ type: 'TaskStarted', taskId: command.taskId });
      push(sent ? tokenNeverAnswered(command) : noHandlerTrigger(command));
    },
  };

  /** The test answers the task (ExecuteOptions.onOutsideTask). */
  const handOutside = (command: Extract<Command, { type: 'InvokeTask' }>): void => {
    const state = { open: true };
    outside.set(command.taskId, state);
    options.onOutsideTask!({
      taskId: command.taskId,
      stateName: command.stateName,
      resource: command.resource.arn,
      kind: command.resource.kind === 'activity' ? 'activity' : 'callback',
      input: command.input,
      ...(command.taskToken !== undefined ? { taskToken: command.taskToken } : {}),
      get open() {
        return state.open;
      },
      answer: (trigger) => {
        if (!state.open) return;
        if (trigger.type === 'TaskSucceeded' || trigger.type === 'TaskFailed' || trigger.type === 'TaskTimedOut') {
          state.open = false;
          outside.delete(command.taskId);
        }
        push(trigger);
      },
    });
  };

  /** A handler's sleep(): virtual time lets go of the call's hold meanwhile. */
  const sleep: HandlerSleep | undefined = virtual
    ? async (taskId, ms, signal) => {
        calls.get(taskId)?.();
        calls.delete(taskId);
        try {
          await virtual.sleep(ms, signal);
        } finally {
          if (!signal.aborted && running.has(taskId)) calls.set(taskId, virtual.hold());
        }
      }
    : undefined;

  /** Child executions run in memory from `stateMachines` (see ExecuteOptions.stateMachines). */
  const startChild: ChildExecutions['start'] = async (request, command, signal) => {
    const { taskId } = command;
    const pattern = command.resource.kind === 'service' ? command.resource.pattern : 'request-response';
    const name = String(request.name);
    const machineArn = String(request.stateMachineArn);
    const machineName = machineArn.split(':')[6] ?? machineArn;
    const definition = options.stateMachines?.[machineArn] ?? options.stateMachines?.[machineName];
    if (definition === undefined) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${machineArn}'`);
    checkExecutionInput(String(request.input)); // StartExecution's check, in its words
    const input: unknown = JSON.parse(String(request.input));
    const { region, accountId } = identity;
    const child: ExecutionRecord = {
      arn: `arn:aws:states:${region}:${accountId}:execution:${machineName}:${name}`,
      stateMachineArn: `arn:aws:states:${region}:${accountId}:stateMachine:${machineName}`,
      name,
      type: 'STANDARD',
      status: 'RUNNING',
      input: String(request.input),
      startDate: clock.now(),
      definition: '',
      roleArn: identity.roleArn,
      redriveCount: 0,
      lastEventId: 0,
    };
    // Mocks belong to the parent's test case; a seed too: the child derives its own from it.
    const { mockConfig: _mocks, testCase: _testCase, seed: parentSeed, ...inherited } = options;
    const run = runInMemory(definition as RunnableDefinition, input, {
      ...inherited,
      ...(parentSeed !== undefined ? { seed: childExecutionSeed(parentSeed, taskId, name) } : {}),
      stateMachineName: machineName,
      executionName: name,
      context: { ...options.context, stateMachineArn: child.stateMachineArn, executionArn: child.arn },
      signal,
    });
    if (waitsForChild(pattern)) {
      // The parent's run ends only once the children it stops have stopped.
      stopping.add(run);
      void run.catch(() => undefined).finally(() => stopping.delete(run));
    }
    const ended = run.then((result): ExecutionRecord => ({
      ...child,
      status: result.status,
      ...(result.status === 'SUCCEEDED' ? { output: JSON.stringify(result.output ?? null) } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.cause !== undefined ? { cause: result.cause } : {}),
      stopDate: clock.now(),
      lastEventId: result.events.length,
    }));
    return { child, ended };
  };

  const tasks: TaskEnvironment = {
    executionArn: identity.executionArn,
    mocks,
    handlers: options.taskHandlers,
    integrations: options.integrations ?? (options.config !== undefined ? sharedTaskIntegrations(options.config, identity) : undefined),
    sdk: options.localSdk,
    // A .waitForTaskToken child has no one to answer its parent in memory: that task needs a handler.
    children: options.stateMachines !== undefined ? { runs: (pattern) => pattern !== 'wait-for-task-token', start: startChild } : undefined,
    outcomes,
    now: () => clock.now(),
    ...(sleep ? { sleep } : {}),
  };
  const invoke = (command: Extract<Command, { type: 'InvokeTask' }>): void => void dispatchTask(command, tasks);

  const onAbort = () => push({ type: 'StopRequested' });
  options.signal?.addEventListener('abort', onAbort);
  if (options.signal?.aborted) onAbort();
  const overtime = options.maxDurationMs !== undefined ? at(timeNow() + options.maxDurationMs, () => push({ type: 'ExecutionTimedOut' })) : undefined;
  try {
    let decision = first;
    for (;;) {
      for (const command of decision.commands) perform(command);
      if (decision.status !== 'RUNNING') break;
      let trigger: Trigger;
      if (decision.more) {
        // A slice ended with work left: let timers, the signal and Ctrl-C in, then go on.
        await new Promise<void>((resolve) => setImmediate(resolve));
        trigger = triggers.shift() ?? CONTINUE;
      } else {
        while (triggers.length === 0) {
          releaseClock?.();
          releaseClock = undefined;
          await new Promise<void>((resolve) => (wake = resolve));
        }
        trigger = triggers.shift()!;
      }
      decision = await decideOrFail(run, trigger, clock.now());
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    overtime?.();
    for (const cancel of timers.values()) cancel();
    for (const c of running.values()) c.abort();
    for (const release of calls.values()) release();
    for (const waiting of outside.values()) waiting.open = false;
    decider.dispose();
    await Promise.allSettled([...stopping]);
    releaseClock?.();
  }
  return resultOf(run);
}

const CONTINUE: Trigger = { type: 'Continue' };

/** Decides a trigger; one whose decision was stopped by its worker's watchdog fails the execution instead. */
async function decideOrFail(run: Run, trigger: Trigger, now: number): Promise<Decision> {
  let decision: Decision;
  try {
    decision = await run.decider.handle(trigger, now, trigger.type === 'RuntimeFailure' ? undefined : run.budget);
  } catch (e) {
    if (!(e instanceof DecisionAborted) || trigger.type === 'RuntimeFailure') throw e;
    return decideOrFail(run, runtimeFailure(e), now);
  }
  noteDecision(run, now, trigger, decision);
  return decision;
}

/** The outcome of a run; the AWS-shaped history is built only if someone reads it. */
class RunResult implements ExecutionResult {
  readonly status: Exclude<ExecutionStatus, 'RUNNING'>;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly events: readonly HistoryEvent[];
  private awsHistory: AwsHistoryEvent[] | undefined;

  constructor(run: Run) {
    const decider = run.decider;
    this.status = decider.status as Exclude<ExecutionStatus, 'RUNNING'>;
    if (decider.status === 'SUCCEEDED') this.output = decider.output;
    if (decider.error !== undefined) this.error = decider.error;
    if (decider.cause !== undefined) this.cause = decider.cause;
    this.events = run.interp ? run.interp.history() : run.events;
  }

  get history(): AwsHistoryEvent[] {
    return (this.awsHistory ??= this.events.map((e) => toAwsEvent(e)));
  }

  toJSON(): object {
    return { status: this.status, output: this.output, error: this.error, cause: this.cause, history: this.history };
  }
}

function resultOf(run: Run): ExecutionResult {
  return new RunResult(run);
}
