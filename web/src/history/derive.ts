/**
 * Replays an execution's history events against its definition to tell, for every state, what
 * happened to it: each time it was entered is a StateRun (input, output, attempts, errors,
 * outcome), grouped in threads (the execution, a Parallel branch, a Map iteration).
 *
 * The wire history does not say which branch or iteration an event belongs to, so events are
 * attributed the way a reader of the history would: a StateEntered goes to the open thread of
 * that state's workflow that is waiting for it (its previous state named it as a next state); a
 * task event (TaskScheduled, LambdaFunctionFailed, …) goes to the oldest task waiting for that
 * step. With concurrent Map iterations this is a best guess for task events (it matches the
 * engine's order, which finishes tasks in the order they started when they take equally long).
 *
 * A startExecution task's events name the child execution it started (child-executions.ts): its
 * TaskSucceeded or TaskFailed goes to the run that started that child, whatever the order in
 * which concurrent children end.
 *
 * Events are added incrementally (`add`), so a live execution costs only its new events.
 */
import type { HistoryEvent } from '../api/sfn.js';
import { childNamedIn, executionParts, isStartExecutionTask, requestedChildName, waitsForChild, type ChildExecution } from './child-executions.js';

export type StateStatus = 'succeeded' | 'failed' | 'in-progress' | 'caught' | 'cancelled' | 'not-reached';
export const STATE_STATUSES: readonly StateStatus[] = ['in-progress', 'succeeded', 'failed', 'caught', 'cancelled', 'not-reached'];

export interface Failure {
  readonly eventId: number;
  readonly type: string;
  readonly error?: string;
  readonly cause?: string;
}

type Phase = 'entered' | 'scheduled' | 'started' | 'attempt-failed' | 'attempt-succeeded';

export interface StateRun {
  readonly name: string;
  readonly type: string;
  readonly thread: Thread;
  readonly enteredEventId: number;
  readonly enteredAt: number;
  exitedEventId?: number;
  exitedAt?: number;
  input?: string;
  output?: string;
  /** The last task result (TaskSucceeded & co.), before ResultSelector/ResultPath. */
  taskOutput?: string;
  /** The last request sent: TaskScheduled's parameters (a Lambda function's input for a bare function ARN). */
  taskRequest?: string;
  resource?: string;
  /** TaskScheduled's resourceType for service integrations (`states`, `lambda`, …). */
  resourceType?: string;
  /** The executions a startExecution task started: one per attempt that got that far. */
  readonly childExecutions: ChildExecution[];
  /** Task attempts scheduled; retries are attempts − 1. */
  attempts: number;
  readonly failures: Failure[];
  lastAttemptFailed: boolean;
  outcome?: 'exited' | 'failed' | 'aborted';
  phase: Phase;
  readonly eventIds: number[];
  /** Map iterations or Parallel branches this run started. */
  readonly childThreads: Thread[];
  /** Map: the item count from MapStateStarted. */
  length?: number;
  mapRunArn?: string;
}

export interface Thread {
  readonly id: number;
  readonly kind: 'root' | 'branch' | 'iteration';
  /** Key of the workflow whose states run in it: 'root', the Map's name, `Parallel#i`. */
  readonly workflow: string;
  readonly parent?: Thread;
  readonly owner?: StateRun;
  /** Map iteration index or Parallel branch index. */
  readonly index?: number;
  readonly label: string;
  current?: StateRun;
  /** Names the next StateEntered may have; 'any' after a Catch we could not resolve or a redrive. */
  expected: Set<string> | 'any';
  status: 'running' | 'succeeded' | 'failed' | 'aborted';
  readonly runs: StateRun[];
  readonly startEventId: number;
  endEventId?: number;
}

interface StateInfo {
  readonly def: Record<string, unknown>;
  readonly type: string;
  readonly workflow: string;
}

interface WorkflowInfo {
  readonly startAt?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const TASK_EVENT = /^(Task|LambdaFunction|Activity)(Scheduled|Started|Submitted|Succeeded|Failed|TimedOut|StartFailed|ScheduleFailed|SubmitFailed)$/;

/** The `<type>EventDetails` object of an event, if it has one. */
export function eventDetails(event: HistoryEvent): Record<string, unknown> | undefined {
  for (const key in event) {
    if (key.endsWith('EventDetails')) {
      const value = event[key];
      return isObject(value) ? value : undefined;
    }
  }
  return undefined;
}

export class ExecutionModel {
  readonly events: HistoryEvent[] = [];
  /** Per event (same index as `events`): the state run it belongs to, if any. */
  readonly eventRuns: (StateRun | undefined)[] = [];
  /** Per event: the thread it happened in. */
  readonly eventThreads: Thread[] = [];
  readonly root: Thread;
  readonly runs: StateRun[] = [];
  readonly runsByName = new Map<string, StateRun[]>();
  executionEnd?: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  /** Bumped on every add(), so views can memoise on it. */
  version = 0;
  /** Event id → the child execution that event names (TaskSubmitted, TaskSucceeded, TaskFailed). */
  readonly eventChildren = new Map<number, ChildExecution>();

  private readonly states = new Map<string, StateInfo>();
  private readonly workflows = new Map<string, WorkflowInfo>();
  /** Workflow key → the key of the workflow holding its Map/Parallel state. */
  private readonly workflowParents = new Map<string, string>();
  private readonly openThreads = new Set<Thread>();
  private readonly openRuns = new Set<StateRun>();
  private readonly openRunsByName = new Map<string, Set<StateRun>>();
  /** Running Map iterations by Map run and index (a Map may have thousands of iterations). */
  private readonly openIterations = new Map<StateRun, Map<number, Thread>>();
  /** Child execution ARN → the run that started it, to give it its TaskSucceeded/TaskFailed. */
  private readonly runsByChildArn = new Map<string, StateRun>();
  /** A startExecution attempt's requested execution Name, to match its TaskSubmitted. */
  private readonly requestedNames = new Map<StateRun, string>();
  private startsChildren = false;
  /** The run the last task event went to. */
  private lastTaskRun: StateRun | undefined;
  private nextThreadId = 0;

  constructor(definition: unknown) {
    this.indexWorkflow(definition, 'root');
    this.root = this.newThread('root', 'root', 0, undefined, undefined, undefined, '');
  }

  /** Adds events in id order; events already added (same or lower id) are ignored. */
  add(events: readonly HistoryEvent[]): void {
    for (const event of events) {
      const last = this.events[this.events.length - 1];
      if (last && event.id <= last.id) continue;
      this.events.push(event);
      const run = this.apply(event);
      this.eventRuns.push(run);
      this.eventThreads.push(this.threadOfEvent ?? run?.thread ?? this.root);
      this.threadOfEvent = undefined;
      if (run) run.eventIds.push(event.id);
    }
    this.version++;
  }

  /** The status of every state that ran, over all runs or only those inside `within`. */
  statuses(within?: Thread): Map<string, StateStatus> {
    const result = new Map<string, StateStatus>();
    for (const run of this.runs) {
      if (within && !isInside(run.thread, within)) continue;
      const status = runStatus(run);
      const previous = result.get(run.name);
      if (!previous || PRECEDENCE[status] > PRECEDENCE[previous]) result.set(run.name, status);
    }
    return result;
  }

  /**
   * Statuses for the graph while one Map iteration or Parallel branch is in focus: states inside
   * it show what happened in it alone (or "not reached"); the others show the whole execution.
   */
  focusedStatuses(focus: Thread | undefined): Map<string, StateStatus> {
    const all = this.statuses();
    if (!focus) return all;
    const inside = this.statuses(focus);
    for (const [name, info] of this.states) {
      if (this.isWorkflowWithin(info.workflow, focus.workflow)) {
        const status = inside.get(name);
        if (status) all.set(name, status);
        else all.delete(name);
      }
    }
    return all;
  }

  private isWorkflowWithin(workflow: string, ancestor: string): boolean {
    for (let w: string | undefined = workflow; w !== undefined; w = this.workflowParents.get(w)) if (w === ancestor) return true;
    return false;
  }

  runsOf(name: string, within?: Thread): StateRun[] {
    const runs = this.runsByName.get(name) ?? [];
    return within ? runs.filter((r) => isInside(r.thread, within)) : runs;
  }

  // --- replay ------------------------------------------------------------------------------

  private threadOfEvent: Thread | undefined;

  private apply(event: HistoryEvent): StateRun | undefined {
    const type = event.type;
    const details = eventDetails(event);
    const name = typeof details?.name === 'string' ? details.name : undefined;

    if (type.endsWith('StateEntered') && name !== undefined) return this.enter(event, name, details!);
    if (type.endsWith('StateExited') && name !== undefined) return this.exit(event, name, details!);
    const task = TASK_EVENT.exec(type);
    if (task) return this.taskStep(event, task[2]!, details);

    switch (type) {
      case 'ExecutionStarted':
      case 'ExecutionRedriven':
        if (type === 'ExecutionRedriven') this.redrive();
        return undefined;
      case 'ExecutionSucceeded':
        this.executionEnd = 'SUCCEEDED';
        this.closeThread(this.root, 'succeeded', event.id);
        return undefined;
      case 'ExecutionFailed':
      case 'ExecutionTimedOut':
        // A Fail state records no error of its own: the execution's failure carries it.
        if (type === 'ExecutionFailed' && this.lastFailRun && this.lastFailRun.failures.length === 0) {
          this.lastFailRun.failures.push({
            eventId: event.id,
            type,
            ...(typeof details?.error === 'string' ? { error: details.error } : {}),
            ...(typeof details?.cause === 'string' ? { cause: details.cause } : {}),
          });
        }
        this.executionEnd = type === 'ExecutionFailed' ? 'FAILED' : 'TIMED_OUT';
        this.closeThread(this.root, 'failed', event.id);
        return undefined;
      case 'ExecutionAborted':
        this.executionEnd = 'ABORTED';
        this.closeThread(this.root, 'aborted', event.id);
        return undefined;

      case 'ParallelStateStarted':
        return this.containerStarted('Parallel', event);
      case 'MapStateStarted': {
        const run = this.containerStarted('Map', event);
        if (run && typeof details?.length === 'number') run.length = details.length;
        return run;
      }
      case 'ParallelStateSucceeded':
      case 'MapStateSucceeded':
        return this.containerEnded(type.startsWith('Map') ? 'Map' : 'Parallel', 'succeeded', event);
      case 'ParallelStateFailed':
      case 'MapStateFailed':
        return this.containerEnded(type.startsWith('Map') ? 'Map' : 'Parallel', 'failed', event);
      case 'ParallelStateAborted':
      case 'MapStateAborted':
        return this.containerEnded(type.startsWith('Map') ? 'Map' : 'Parallel', 'aborted', event);

      case 'MapIterationStarted':
        return this.iterationStarted(event, name, details?.index);
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
      case 'MapIterationAborted':
        return this.iterationEnded(event, name, details?.index, type === 'MapIterationSucceeded' ? 'succeeded' : type === 'MapIterationFailed' ? 'failed' : 'aborted');

      case 'MapRunStarted':
      case 'MapRunSucceeded':
      case 'MapRunFailed':
      case 'MapRunAborted':
      case 'MapRunRedriven': {
        const run = this.firstOpenRun((r) => r.type === 'Map');
        if (run && typeof details?.mapRunArn === 'string') run.mapRunArn = details.mapRunArn;
        if (run && type === 'MapRunFailed') this.recordFailure(run, event, details);
        return run;
      }

      case 'WaitStateAborted':
      case 'TaskStateAborted': {
        const stateType = type === 'WaitStateAborted' ? 'Wait' : 'Task';
        const run = this.firstOpenRun((r) => r.type === stateType && !r.lastAttemptFailed);
        if (run) this.finishRun(run, 'aborted', event.id);
        return run;
      }

      case 'EvaluationFailed': {
        const stateName = typeof details?.state === 'string' ? details.state : undefined;
        const run = stateName ? this.openRunNamed(stateName) : undefined;
        if (run) this.recordFailure(run, event, details);
        return run;
      }
      default:
        return undefined;
    }
  }

  private enter(event: HistoryEvent, name: string, details: Record<string, unknown>): StateRun {
    const info = this.states.get(name);
    const thread = this.threadFor(name, info);
    const run: StateRun = {
      name,
      type: info?.type ?? event.type.replace(/StateEntered$/, ''),
      thread,
      enteredEventId: event.id,
      enteredAt: event.timestamp,
      attempts: 0,
      failures: [],
      lastAttemptFailed: false,
      phase: 'entered',
      eventIds: [],
      childThreads: [],
      childExecutions: [],
      ...(typeof details.input === 'string' ? { input: details.input } : {}),
    };
    this.runs.push(run);
    let list = this.runsByName.get(name);
    if (!list) this.runsByName.set(name, (list = []));
    list.push(run);
    thread.current = run;
    thread.runs.push(run);
    this.openRuns.add(run);
    let open = this.openRunsByName.get(name);
    if (!open) this.openRunsByName.set(name, (open = new Set()));
    open.add(run);
    if (event.type === 'FailStateEntered') {
      this.lastFailRun = run;
      this.finishRun(run, 'failed', event.id);
      thread.current = undefined;
      thread.status = 'failed';
    }
    return run;
  }

  private exit(event: HistoryEvent, name: string, details: Record<string, unknown>): StateRun | undefined {
    // A Task exits in the same decision as its task ends: when concurrent iterations' tasks end
    // out of order, the oldest open run of that name is not the one exiting.
    const lastTask = this.lastTaskRun;
    const run = lastTask && lastTask.name === name && !lastTask.outcome ? lastTask : this.openRunNamed(name);
    if (!run) return undefined;
    if (typeof details.output === 'string') run.output = details.output;
    run.exitedEventId = event.id;
    run.exitedAt = event.timestamp;
    this.finishRun(run, 'exited', event.id);
    const thread = run.thread;
    if (thread.current === run) thread.current = undefined;
    const def = this.states.get(name)?.def;
    // A caught error goes on to the Catch's Next, even from a state that would end its workflow.
    if (def && !run.lastAttemptFailed && (def.End === true || def.Type === 'Succeed')) {
      thread.expected = new Set();
      if (thread !== this.root) this.closeThread(thread, 'succeeded', event.id);
    } else {
      thread.expected = run.lastAttemptFailed ? catchTargets(def) : nextStates(def);
    }
    return run;
  }

  private taskStep(event: HistoryEvent, step: string, details: Record<string, unknown> | undefined): StateRun | undefined {
    const wants: Phase[] =
      step === 'Scheduled' ? ['entered', 'attempt-failed'] : step === 'Started' || step === 'ScheduleFailed' ? ['scheduled'] : step === 'Submitted' ? ['started'] : ['started', 'scheduled'];
    // Only a history with startExecution tasks has task results worth reading for a child.
    const named = !this.startsChildren ? undefined : step === 'Submitted' || step === 'Succeeded' ? childNamedIn(text(details?.output)) : step === 'Failed' ? childNamedIn(text(details?.cause)) : undefined;
    // Task events after TaskScheduled repeat its resource: a waiting task of another resource is not theirs.
    const resource = step === 'Scheduled' ? undefined : text(details?.resource);
    const sameResource = (r: StateRun) => resource === undefined || r.resource === undefined || r.resource === resource;
    const run =
      (named && this.runForChild(named.executionArn, step)) ??
      this.firstOpenRun((r) => r.type === 'Task' && wants.includes(r.phase) && sameResource(r)) ??
      this.firstOpenRun((r) => r.type === 'Task' && wants.includes(r.phase)) ??
      this.firstOpenRun((r) => r.type === 'Task');
    if (!run) return undefined;
    this.lastTaskRun = run;
    switch (step) {
      case 'Scheduled':
        run.attempts++;
        run.phase = 'scheduled';
        if (typeof details?.resource === 'string') run.resource = details.resource;
        if (typeof details?.resourceType === 'string') run.resourceType = details.resourceType;
        run.taskRequest = text(details?.parameters) ?? text(details?.input);
        run.taskOutput = undefined;
        this.requestedNames.delete(run);
        if (isStartExecutionTask(run.resourceType, run.resource)) {
          this.startsChildren = true;
          const name = requestedChildName(text(details?.parameters));
          if (name !== undefined) this.requestedNames.set(run, name);
        }
        break;
      case 'Started':
        run.phase = 'started';
        break;
      case 'Submitted':
        break;
      case 'Succeeded':
        run.phase = 'attempt-succeeded';
        run.lastAttemptFailed = false;
        if (typeof details?.output === 'string') run.taskOutput = details.output;
        break;
      default:
        // Failed, TimedOut, StartFailed, ScheduleFailed, SubmitFailed
        run.phase = 'attempt-failed';
        this.recordFailure(run, event, details);
    }
    if (named && isStartExecutionTask(run.resourceType, run.resource)) this.recordChild(run, event.id, step, named);
    return run;
  }

  /**
   * The run a task event naming `childArn` belongs to: for the end of a task, the run that
   * started that child; for TaskSubmitted, the waiting run that asked for that execution name.
   */
  private runForChild(childArn: string, step: string): StateRun | undefined {
    if (step !== 'Submitted') {
      const run = this.runsByChildArn.get(childArn);
      return run && !run.outcome ? run : undefined;
    }
    const { name } = executionParts(childArn);
    return this.firstOpenRun((r) => r.type === 'Task' && r.phase === 'started' && this.requestedNames.get(r) === name);
  }

  private recordChild(run: StateRun, eventId: number, step: string, named: NonNullable<ReturnType<typeof childNamedIn>>): void {
    let child = run.childExecutions.find((c) => c.executionArn === named.executionArn);
    if (!child) {
      // TaskSubmitted of a .sync task: the child runs until the task ends. Otherwise the task
      // does not follow the child, and only the child's own status would tell.
      const status = named.status ?? (step === 'Submitted' && waitsForChild(run.resource) ? 'RUNNING' : undefined);
      child = { executionArn: named.executionArn, attempt: run.attempts, eventId, ...(status ? { status } : {}) };
      run.childExecutions.push(child);
      this.runsByChildArn.set(named.executionArn, run);
    } else if (named.status) {
      child.status = named.status;
    }
    this.eventChildren.set(eventId, child);
  }

  private containerStarted(stateType: 'Map' | 'Parallel', event: HistoryEvent): StateRun | undefined {
    const run = this.firstOpenRun((r) => r.type === stateType && r.phase === 'entered');
    if (!run) return undefined;
    run.phase = 'started';
    if (stateType === 'Parallel') {
      const def = this.states.get(run.name)?.def;
      const branches = Array.isArray(def?.Branches) ? def.Branches : [];
      branches.forEach((branch, index) => {
        const workflow = `${run.name}#${index}`;
        const thread = this.newThread('branch', workflow, event.id, run.thread, run, index, `${run.name} › branch ${index + 1}`);
        const startAt = this.workflows.get(workflow)?.startAt;
        thread.expected = startAt ? new Set([startAt]) : 'any';
        if (!isObject(branch)) this.closeThread(thread, 'succeeded', event.id);
      });
    }
    return run;
  }

  private containerEnded(stateType: 'Map' | 'Parallel', how: 'succeeded' | 'failed' | 'aborted', event: HistoryEvent): StateRun | undefined {
    const run = this.firstOpenRun((r) => r.type === stateType && r.phase === 'started') ?? this.firstOpenRun((r) => r.type === stateType);
    if (!run) return undefined;
    run.phase = how === 'succeeded' ? 'attempt-succeeded' : 'attempt-failed';
    const open = run.childThreads.filter((t) => t.status === 'running');
    if (how === 'failed') {
      run.lastAttemptFailed = true;
      run.failures.push({ eventId: event.id, type: event.type });
      // The branch with a failing task is the one that failed; its siblings were cancelled.
      const failing = open.filter((t) => t.runs.some((r) => !r.outcome && r.lastAttemptFailed));
      for (const thread of open) this.closeThread(thread, failing.length === 0 || failing.includes(thread) ? 'failed' : 'aborted', event.id);
    } else {
      for (const thread of open) this.closeThread(thread, how === 'succeeded' ? 'succeeded' : 'aborted', event.id);
      if (how === 'aborted') this.finishRun(run, 'aborted', event.id);
    }
    return run;
  }

  private iterationStarted(event: HistoryEvent, mapName: string | undefined, index: unknown): StateRun | undefined {
    const run = this.firstOpenRun((r) => r.type === 'Map' && (mapName === undefined || r.name === mapName) && r.phase === 'started');
    if (!run) return undefined;
    const i = typeof index === 'number' ? index : run.childThreads.length;
    const thread = this.newThread('iteration', run.name, event.id, run.thread, run, i, `${run.name} #${i}`);
    let open = this.openIterations.get(run);
    if (!open) this.openIterations.set(run, (open = new Map()));
    open.set(i, thread);
    const startAt = this.workflows.get(run.name)?.startAt;
    thread.expected = startAt ? new Set([startAt]) : 'any';
    this.threadOfEvent = thread;
    return run;
  }

  private iterationEnded(event: HistoryEvent, mapName: string | undefined, index: unknown, how: 'succeeded' | 'failed' | 'aborted'): StateRun | undefined {
    for (const run of this.openRuns) {
      if (run.type !== 'Map' || (mapName !== undefined && run.name !== mapName)) continue;
      const open = this.openIterations.get(run);
      const thread = typeof index === 'number' ? open?.get(index) : undefined;
      if (!thread) continue;
      open!.delete(index as number);
      this.closeThread(thread, how, event.id);
      this.threadOfEvent = thread;
      return run;
    }
    return undefined;
  }

  private recordFailure(run: StateRun, event: HistoryEvent, details: Record<string, unknown> | undefined): void {
    run.lastAttemptFailed = true;
    run.failures.push({
      eventId: event.id,
      type: event.type,
      ...(typeof details?.error === 'string' ? { error: details.error } : {}),
      ...(typeof details?.cause === 'string' ? { cause: details.cause } : {}),
    });
  }

  /** Ends a thread; its open runs end as it did (a failed thread's open runs failed). */
  private closeThread(thread: Thread, how: 'succeeded' | 'failed' | 'aborted', eventId: number): void {
    if (thread.status === 'running' || how !== 'succeeded') {
      if (thread.status === 'running') thread.status = how;
      thread.endEventId ??= eventId;
    }
    this.openThreads.delete(thread);
    for (const run of thread.runs) {
      if (run.outcome) continue;
      for (const child of run.childThreads) if (child.status === 'running') this.closeThread(child, how, eventId);
      this.finishRun(run, how === 'aborted' ? 'aborted' : how === 'failed' ? 'failed' : 'exited', eventId);
    }
    thread.current = undefined;
  }

  /** The Fail state that ended a run, to hang the execution's error on. */
  private lastFailRun: StateRun | undefined;

  private finishRun(run: StateRun, outcome: 'exited' | 'failed' | 'aborted', eventId: number): void {
    if (run.outcome) return;
    run.outcome = outcome;
    run.exitedEventId ??= eventId;
    this.openRuns.delete(run);
    this.openRunsByName.get(run.name)?.delete(run);
    this.openIterations.delete(run);
    this.requestedNames.delete(run);
  }

  /** A redriven execution re-enters its failed states: let any open thread take them. */
  private redrive(): void {
    this.executionEnd = undefined;
    const reopen = (thread: Thread) => {
      if (thread.status !== 'succeeded') {
        thread.status = 'running';
        thread.expected = 'any';
        thread.endEventId = undefined;
        this.openThreads.add(thread);
      }
    };
    reopen(this.root);
  }

  private threadFor(name: string, info: StateInfo | undefined): Thread {
    const workflow = info?.workflow;
    let fallback: Thread | undefined;
    let idle: Thread | undefined;
    for (const thread of this.openThreads) {
      if (workflow !== undefined && thread.workflow !== workflow) continue;
      if (thread.current) {
        fallback ??= thread;
        continue;
      }
      if (thread.expected === 'any' || thread.expected.has(name)) return thread;
      idle ??= thread;
    }
    return idle ?? fallback ?? this.root;
  }

  private firstOpenRun(predicate: (run: StateRun) => boolean): StateRun | undefined {
    for (const run of this.openRuns) if (predicate(run)) return run;
    return undefined;
  }

  /** The oldest run of that state still open. */
  private openRunNamed(name: string): StateRun | undefined {
    const open = this.openRunsByName.get(name);
    if (open) for (const run of open) return run;
    return undefined;
  }

  private newThread(kind: Thread['kind'], workflow: string, startEventId: number, parent: Thread | undefined, owner: StateRun | undefined, index: number | undefined, label: string): Thread {
    const thread: Thread = {
      id: this.nextThreadId++,
      kind,
      workflow,
      ...(parent ? { parent } : {}),
      ...(owner ? { owner } : {}),
      ...(index !== undefined ? { index } : {}),
      label: parent && parent.label ? `${parent.label} › ${label}` : label,
      expected: 'any',
      status: 'running',
      runs: [],
      startEventId,
    };
    if (kind === 'root') {
      const startAt = this.workflows.get('root')?.startAt;
      thread.expected = startAt ? new Set([startAt]) : 'any';
    }
    owner?.childThreads.push(thread);
    this.openThreads.add(thread);
    return thread;
  }

  private indexWorkflow(workflow: unknown, key: string, parent?: string): void {
    if (!isObject(workflow)) return;
    this.workflows.set(key, typeof workflow.StartAt === 'string' ? { startAt: workflow.StartAt } : {});
    if (parent !== undefined) this.workflowParents.set(key, parent);
    if (!isObject(workflow.States)) return;
    for (const [name, def] of Object.entries(workflow.States)) {
      if (!isObject(def)) continue;
      const type = typeof def.Type === 'string' ? def.Type : 'Unknown';
      if (!this.states.has(name)) this.states.set(name, { def, type, workflow: key });
      if (type === 'Map') this.indexWorkflow(isObject(def.ItemProcessor) ? def.ItemProcessor : def.Iterator, name, key);
      if (type === 'Parallel' && Array.isArray(def.Branches)) def.Branches.forEach((b, i) => this.indexWorkflow(b, `${name}#${i}`, key));
    }
  }
}

/** Which status a state shows when it ran several times (Map iterations): the most telling. */
const PRECEDENCE: Record<StateStatus, number> = { 'not-reached': 0, succeeded: 1, caught: 2, cancelled: 3, failed: 4, 'in-progress': 5 };

export function runStatus(run: StateRun): StateStatus {
  switch (run.outcome) {
    case 'exited':
      return run.lastAttemptFailed ? 'caught' : 'succeeded';
    case 'failed':
      return 'failed';
    case 'aborted':
      return 'cancelled';
    default:
      return 'in-progress';
  }
}

export function isInside(thread: Thread, ancestor: Thread): boolean {
  for (let t: Thread | undefined = thread; t; t = t.parent) if (t === ancestor) return true;
  return false;
}

function nextStates(def: Record<string, unknown> | undefined): Set<string> | 'any' {
  if (!def) return 'any';
  const names = new Set<string>();
  if (typeof def.Next === 'string') names.add(def.Next);
  if (typeof def.Default === 'string') names.add(def.Default);
  if (Array.isArray(def.Choices)) for (const rule of def.Choices) if (isObject(rule) && typeof rule.Next === 'string') names.add(rule.Next);
  for (const name of catchTargetList(def)) names.add(name);
  return names.size > 0 ? names : 'any';
}

function catchTargets(def: Record<string, unknown> | undefined): Set<string> | 'any' {
  const names = def ? catchTargetList(def) : [];
  return names.length > 0 ? new Set(names) : 'any';
}

function catchTargetList(def: Record<string, unknown>): string[] {
  if (!Array.isArray(def.Catch)) return [];
  return def.Catch.filter(isObject).map((c) => c.Next).filter((n): n is string => typeof n === 'string');
}
