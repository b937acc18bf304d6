/**
 * TEST-ONLY stand-in for the durable runner (src/engine/durable-runner.ts), so the API tests do
 * not depend on it: executions run in memory with `execute()` and their history is written to
 * the store in two writes (ExecutionStarted at start, the rest at the end). Tasks for
 * GetActivityTask/SendTask* are scheduled by hand with `scheduleTask`.
 */
import { execute } from '../../src/index.js';
import { AwsError } from '../../src/api/errors.js';
import type { ExecutionRunner, NewExecution, TaskOutcome } from '../../src/api/runner.js';
import type { HistoryEvent } from '../../src/engine/events.js';
import type { ExecutionRecord, Store, TaskRecord } from '../../src/store/types.js';

export class FakeRunner implements ExecutionRunner {
  readonly outcomes: Array<{ token: string; outcome: TaskOutcome }> = [];
  readonly claimed: Array<{ token: string; workerName?: string }> = [];
  readonly redriven: string[] = [];
  private readonly runs = new Map<string, { controller: AbortController; done: Promise<void>; stop?: { error?: string; cause?: string } }>();
  private readonly waiters = new Set<() => void>();
  private tokenSeq = 0;

  constructor(private readonly store: Store, private readonly clock: { now(): number } = { now: () => Date.now() }) {}

  async start(execution: NewExecution): Promise<boolean> {
    const started: HistoryEvent = {
      id: 1, previousEventId: 0, timestamp: execution.startDate, type: 'ExecutionStarted', frame: '',
      details: { input: JSON.parse(execution.input), roleArn: execution.roleArn },
    };
    const record: ExecutionRecord = { ...execution, status: 'RUNNING', lastEventId: 0 };
    const created = await this.store.createExecution(record, { executionArn: execution.arn, expectedLastEventId: 0, events: [started], trigger: { time: execution.startDate, trigger: { type: 'Start' } } });
    if (!created) return false;
    const controller = new AbortController();
    const entry: { controller: AbortController; done: Promise<void>; stop?: { error?: string; cause?: string } } = { controller, done: Promise.resolve() };
    entry.done = this.run(execution, controller.signal, entry);
    this.runs.set(execution.arn, entry);
    return true;
  }

  private async run(execution: NewExecution, signal: AbortSignal, entry: { stop?: { error?: string; cause?: string } }): Promise<void> {
    const result = await execute(execution.definition, JSON.parse(execution.input), {
      waitTimeScale: 1,
      signal,
      executionName: execution.name,
      context: { executionArn: execution.arn, stateMachineArn: execution.stateMachineArn, roleArn: execution.roleArn },
    });
    const rest = result.events.slice(1);
    const stopDate = this.clock.now();
    await this.store.appendExecution({
      executionArn: execution.arn,
      expectedLastEventId: 1,
      events: rest,
      update: {
        status: result.status,
        stopDate,
        ...(result.status === 'SUCCEEDED' ? { output: JSON.stringify(result.output ?? null) } : {}),
        ...(entry.stop?.error ?? result.error) !== undefined ? { error: entry.stop?.error ?? result.error } : {},
        ...(entry.stop?.cause ?? result.cause) !== undefined ? { cause: entry.stop?.cause ?? result.cause } : {},
      },
    });
  }

  /** Resolves when the execution has been written to the store in its final state. */
  async settled(arn: string): Promise<void> {
    await this.runs.get(arn)?.done;
  }

  async runSync(execution: NewExecution): Promise<ExecutionRecord> {
    const result = await execute(execution.definition, JSON.parse(execution.input), { waitTimeScale: 0, executionName: execution.name });
    return {
      ...execution,
      status: result.status,
      stopDate: this.clock.now(),
      lastEventId: result.events.length,
      ...(result.status === 'SUCCEEDED' ? { output: JSON.stringify(result.output ?? null) } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.cause !== undefined ? { cause: result.cause } : {}),
    };
  }

  async stop(executionArn: string, error?: string, cause?: string): Promise<number> {
    const run = this.runs.get(executionArn);
    if (run) {
      run.stop = { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
      run.controller.abort();
      await run.done;
    }
    return (await this.store.getExecution(executionArn))?.stopDate ?? this.clock.now();
  }

  async redrive(executionArn: string): Promise<number> {
    const execution = (await this.store.getExecution(executionArn))!;
    const now = this.clock.now();
    this.redriven.push(executionArn);
    await this.store.appendExecution({
      executionArn,
      expectedLastEventId: execution.lastEventId,
      events: [],
      update: { status: 'RUNNING', redriveCount: execution.redriveCount + 1, redriveDate: now },
    });
    return now;
  }

  /** Adds an open task (an activity task when activityArn is given) to a running execution. */
  async scheduleTask(executionArn: string, input: unknown, activityArn?: string): Promise<string> {
    const execution = (await this.store.getExecution(executionArn))!;
    const token = `fake-token-${++this.tokenSeq}`;
    const task: TaskRecord = {
      token, executionArn, taskId: `task-${this.tokenSeq}`, input: JSON.stringify(input), status: 'SCHEDULED', createdAt: this.clock.now(),
      ...(activityArn ? { activityArn } : {}),
    };
    await this.store.appendExecution({ executionArn, expectedLastEventId: execution.lastEventId, events: [], tasksAdded: [task] });
    for (const wake of this.waiters) wake();
    return token;
  }

  async completeTask(token: string, outcome: TaskOutcome): Promise<void> {
    const task = await this.store.getTask(token);
    if (!task) throw new AwsError('InvalidToken', "Invalid Token: 'Invalid token'");
    if (task.status === 'CLOSED') throw new AwsError('TaskDoesNotExist', 'Task Does Not Exist');
    this.outcomes.push({ token, outcome });
    if (outcome.type === 'heartbeat') return;
    const execution = (await this.store.getExecution(task.executionArn))!;
    await this.store.appendExecution({ executionArn: task.executionArn, expectedLastEventId: execution.lastEventId, events: [], tasksClosed: [token] });
  }

  async activityTaskClaimed(task: TaskRecord, workerName?: string): Promise<void> {
    this.claimed.push({ token: task.token, ...(workerName !== undefined ? { workerName } : {}) });
  }

  waitForActivityTask(_activityArn: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  /** Stops every execution still running (test teardown). */
  async close(): Promise<void> {
    for (const run of this.runs.values()) run.controller.abort();
    await Promise.all([...this.runs.values()].map((r) => r.done.catch(() => {})));
  }
}
