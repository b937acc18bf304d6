/**
 * Prometheus metrics (`GET /metrics`), with prom-client: executions started and ended by
 * status, state transitions, task latency, and the depth of what waits (running executions,
 * pending timers, open activity tasks).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HistoryEvent } from '../engine/events.js';

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly started = new Counter({ name: 'stepwise_executions_started_total', help: 'Executions started', registers: [this.registry] });
  private readonly ended = new Counter({
    name: 'stepwise_executions_ended_total',
    help: 'Executions that ended, by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly transitions = new Counter({ name: 'stepwise_state_transitions_total', help: 'States entered', registers: [this.registry] });
  private readonly taskLatency = new Histogram({
    name: 'stepwise_task_duration_seconds',
    help: 'Time from a task being scheduled to its result',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });
  readonly running = new Gauge({ name: 'stepwise_executions_running', help: 'Executions in memory and RUNNING', registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'stepwise_pending_timers', help: 'Durable timers waiting to fire', registers: [this.registry] });
  private readonly scheduledAt = new Map<string, number>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'stepwise_' });
  }

  /** Counts what one committed decision did. */
  decision(executionArn: string, events: readonly HistoryEvent[], status: string): void {
    for (const event of events) {
      const type = event.type;
      if (type.endsWith('StateEntered')) this.transitions.inc();
      else if (type === 'ExecutionStarted') this.started.inc();
      else if (type === 'TaskScheduled' || type === 'LambdaFunctionScheduled' || type === 'ActivityScheduled') {
        this.scheduledAt.set(`${executionArn}|${event.frame}`, event.timestamp);
      } else if (/^(Task|LambdaFunction|Activity)(Succeeded|Failed|TimedOut)$/.test(type)) {
        const key = `${executionArn}|${event.frame}`;
        const at = this.scheduledAt.get(key);
        if (at !== undefined) {
          this.taskLatency.observe(Math.max(0, event.timestamp - at) / 1000);
          this.scheduledAt.delete(key);
        }
      }
    }
    if (status !== 'RUNNING') this.ended.inc({ status });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
