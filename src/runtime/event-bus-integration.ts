/**
 * `arn:aws:states:::events:putEvents` tasks on the server: when no EventBridge endpoint is
 * configured (stepwise.config.json `endpoints.eventbridge`, EVENTBRIDGE_ENDPOINT,
 * AWS_ENDPOINT_URL_EVENTBRIDGE or AWS_ENDPOINT_URL), they reach this server's own bus, whatever
 * AWS credentials the environment has: a local workflow's events stay local unless an endpoint
 * (or `"eventbridge": "aws"`) says where else they go. Routes still come first.
 *
 * A subclass of TaskIntegrations, so the runner and the resource checks use it unchanged; the
 * bus is bound after construction (the server makes it once the store is open).
 */
import { endpointFor } from '../integrations/aws-clients.js';
import { createLocalEventBridgeIntegration } from '../integrations/eventbridge.js';
import type { Integration } from '../integrations/integration.js';
import { EventsError } from '../api/events/request.js';
import { putEventsRequest } from '../api/events/put-events.js';
import type { EventBus } from './event-bus.js';
import { describeResource, TaskIntegrations, type TaskAnswerer } from './task-integrations.js';
import type { InvokeTask } from './task-dispatcher.js';

export class TaskIntegrationsWithBus extends TaskIntegrations {
  private bus: EventBus | undefined;
  private readonly local: Integration = createLocalEventBridgeIntegration(async (parameters) => {
    if (!this.bus) return { ok: false, type: 'InternalException', message: 'The event bus is not running.' };
    const request = parameters !== null && typeof parameters === 'object' && !Array.isArray(parameters) ? (parameters as Record<string, unknown>) : {};
    try {
      const result = await putEventsRequest(this.bus, request);
      return { ok: true, output: { Entries: result.Entries, FailedEntryCount: result.FailedEntryCount } };
    } catch (e) {
      if (e instanceof EventsError) return { ok: false, type: e.type, message: e.message };
      throw e;
    }
  });

  /** Binds the server's bus (tasks that run before it is bound fail with InternalException). */
  useBus(bus: EventBus): void {
    this.bus = bus;
  }

  override answererFor(command: InvokeTask): TaskAnswerer | undefined {
    const routed = super.answererFor(command);
    if (routed?.via === 'route' || !this.goesToLocalBus(command)) return routed;
    return { integration: this.local, via: 'integration' };
  }

  override unansweredBecause(command: InvokeTask): string | undefined {
    return this.goesToLocalBus(command) ? undefined : super.unansweredBecause(command);
  }

  private goesToLocalBus(command: InvokeTask): boolean {
    if (!this.local.handles(describeResource(command))) return false;
    const settings = { region: '', endpoints: this.config.endpoints };
    return endpointFor('eventbridge', settings) === undefined && this.config.endpoints.eventbridge !== 'aws';
  }
}
