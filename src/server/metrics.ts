/**
 * Prometheus metrics (`GET /metrics`), with prom-client: executions started and ended by
 * status, state transitions, task latency, and the depth of what waits (running executions,
 * pending timers, open activity tasks). Executions and transitions are labelled with the state
 * machine's name and type (STANDARD, EXPRESS): one series per state machine, as many as AWS's
 * quota of 10,000 state machines at most.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HistoryEvent } from '../engine/events.js';

/** The events that end a task with a result: its latency is observed. */
const TASK_RESULT = /^(Task|LambdaFunction|Activity)(Succeeded|Failed|TimedOut)$/;
/** The events that end a task before it ran: nothing to observe. */
const TASK_NOT_STARTED = /^(TaskStartFailed|TaskSubmitFailed|LambdaFunctionStartFailed|LambdaFunctionScheduleFailed|ActivityScheduleFailed)$/;
/**
 * Bounds the tasks whose latency is awaited (about 100 bytes each); beyond it, the executions
 * that scheduled first are forgotten: a few latencies go unmeasured, memory stays bounded.
 */
export const MAX_TASKS_IN_FLIGHT = 100_000;

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly started = new Counter({
    name: 'stepwise_executions_started_total',
    help: 'Executions started, by state machine and type',
    labelNames: ['state_machine', 'type'] as const,
    registers: [this.registry],
  });
  private readonly ended = new Counter({
    name: 'stepwise_executions_ended_total',
    help: 'Executions that ended, by state machine, type and status',
    labelNames: ['state_machine', 'type', 'status'] as const,
    registers: [this.registry],
  });
  private readonly transitions = new Counter({
    name: 'stepwise_state_transitions_total',
    help: 'States entered, by state machine and type',
    labelNames: ['state_machine', 'type'] as const,
    registers: [this.registry],
  });
  private readonly taskLatency = new Histogram({
    name: 'stepwise_task_duration_seconds',
    help: 'Time from a task being scheduled to its result',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });
  readonly running = new Gauge({ name: 'stepwise_executions_running', help: 'Executions in memory and RUNNING', registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'stepwise_pending_timers', help: 'Durable timers waiting to fire', registers: [this.registry] });
  /**
   * When each task still in flight was scheduled, by execution and then frame (a frame runs one
   * task at a time), for the latency histogram. A task that never ends normally (its execution
   * stopped, timed out or failed, its frame aborted, its start failed) has no result event: its
   * entry goes with the frame's next task, with the execution's end, or, past
   * MAX_TASKS_IN_FLIGHT, with the oldest executions' entries, so the map cannot grow without bound.
   */
  private readonly scheduledAt = new Map<string, Map<string, number>>();
  private tracked = 0;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'stepwise_' });
  }

  /** Counts what one committed decision did. */
  decision(executionArn: string, events: readonly HistoryEvent[], status: string): void {
    const labels = executionLabels(executionArn);
    let entered = 0;
    for (const event of events) {
      const type = event.type;
      if (type.endsWith('StateEntered')) entered++;
      else if (type === 'ExecutionStarted') this.started.inc(labels);
      else if (type === 'TaskScheduled' || type === 'LambdaFunctionScheduled' || type === 'ActivityScheduled') {
        this.track(executionArn, event.frame, event.timestamp);
      } else if (TASK_RESULT.test(type)) {
        const at = this.untrack(executionArn, event.frame);
        if (at !== undefined) this.taskLatency.observe(Math.max(0, event.timestamp - at) / 1000);
      } else if (TASK_NOT_STARTED.test(type)) {
        this.untrack(executionArn, event.frame);
      }
    }
    if (entered > 0) this.transitions.inc(labels, entered);
    if (status !== 'RUNNING') {
      this.ended.inc({ ...labels, status });
      this.forget(executionArn);
    }
  }

  /** Exposes the event bus's counts of events put that matched no rule and at least one. */
  countEvents(source: { readonly unmatchedEvents: number; readonly matchedEvents: number }): void {
    new Counter({
      name: 'stepwise_events_unmatched_total',
      help: 'Events put on the event bus that matched no rule',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(source.unmatchedEvents);
      },
    });
    new Counter({
      name: 'stepwise_events_matched_total',
      help: 'Events put on the event bus that matched at least one rule',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(source.matchedEvents);
      },
    });
  }

  /** Tasks scheduled whose result has not been seen (what the latency histogram waits for). */
  get tasksInFlight(): number {
    return this.tracked;
  }

  private track(executionArn: string, frame: string, at: number): void {
    let frames = this.scheduledAt.get(executionArn);
    if (frames?.has(frame)) {
      frames.set(frame, at);
      return;
    }
    while (this.tracked >= MAX_TASKS_IN_FLIGHT && this.scheduledAt.size > 0) this.forget(this.scheduledAt.keys().next().value!);
    frames = this.scheduledAt.get(executionArn);
    if (!frames) this.scheduledAt.set(executionArn, (frames = new Map()));
    frames.set(frame, at);
    this.tracked++;
  }

  private untrack(executionArn: string, frame: string): number | undefined {
    const frames = this.scheduledAt.get(executionArn);
    const at = frames?.get(frame);
    if (at === undefined) return undefined;
    frames!.delete(frame);
    this.tracked--;
    if (frames!.size === 0) this.scheduledAt.delete(executionArn);
    return at;
  }

  /** Drops what an execution had in flight (it ended, or the map is full). */
  private forget(executionArn: string): void {
    const frames = this.scheduledAt.get(executionArn);
    if (!frames) return;
    this.tracked -= frames.size;
    this.scheduledAt.delete(executionArn);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * The state machine's name and the type, read off an execution ARN: `…:execution:<machine>:<name>`
 * (STANDARD) or `…:express:<machine>:<name>:<id>` (EXPRESS).
 */
export function executionLabels(executionArn: string): { state_machine: string; type: 'STANDARD' | 'EXPRESS' } {
  const parts = executionArn.split(':');
  return { state_machine: parts[6] ?? '', type: parts[5] === 'express' ? 'EXPRESS' : 'STANDARD' };
}
