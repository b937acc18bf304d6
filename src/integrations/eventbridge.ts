/**
 * The optimized EventBridge integration: `arn:aws:states:::events:putEvents`, with
 * `.waitForTaskToken` (https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html).
 * Unlike `aws-sdk:eventbridge:putEvents`:
 * - each entry's `Detail` given as JSON (not text) is sent as its JSON text (AWS's recording
 *   test_events_task_service.test_put_events_base mixes both);
 * - the state machine's and the execution's ARNs are appended to each entry's `Resources`;
 * - a result with a non-zero `FailedEntryCount` fails the task with `EventBridge.FailedEntry`,
 *   the result as the cause.
 * The result is PutEvents' `{Entries, FailedEntryCount}` alone (no SdkHttpMetadata, as recorded).
 * Service errors are `EventBridge.<Exception>` with the SDK for Java 1.x's cause; the service
 * name in it (`AmazonEventBridge`) and `EventBridge.AmazonEventBridgeException` for undeclared
 * errors follow that SDK's naming for this client, not a recording.
 *
 * On the server, when no EventBridge endpoint is configured, the same tasks reach Stepwise's own
 * bus instead (createLocalEventBridgeIntegration): the entries go through the bus's PutEvents,
 * with the same Resources appended, the same result and the same EventBridge.FailedEntry failure.
 */
import type { AwsClients } from './aws-clients.js';
import { callOptimized, type OptimizedService } from './aws-call.js';
import { inFlightAtCrash } from './aws-errors.js';
import { failure, type Integration, type IntegrationCall } from './integration.js';

const EVENTBRIDGE: OptimizedService = {
  service: 'eventbridge',
  packageName: '@aws-sdk/client-eventbridge',
  clientClass: 'EventBridgeClient',
  prefix: 'EventBridge',
  serviceName: 'AmazonEventBridge',
  baseException: 'AmazonEventBridgeException',
  httpMetadata: false,
};

/** The parameters with the state machine's and the execution's ARNs appended to each entry's Resources. */
function withExecutionResources(call: IntegrationCall): unknown {
  const { parameters } = call;
  if (typeof parameters !== 'object' || parameters === null || !Array.isArray((parameters as { Entries?: unknown }).Entries)) return parameters;
  const stateMachineArn = (call.context as { StateMachine?: { Id?: unknown } } | null)?.StateMachine?.Id;
  const arns = [...(typeof stateMachineArn === 'string' ? [stateMachineArn] : []), call.executionArn];
  const entries = (parameters as { Entries: unknown[] }).Entries.map((entry) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return entry;
    const resources = (entry as { Resources?: unknown }).Resources;
    return { ...entry, Resources: [...(Array.isArray(resources) ? resources : []), ...arns] };
  });
  return { ...parameters, Entries: entries };
}

export function createEventBridgeIntegration(clients: AwsClients): Integration {
  return {
    name: 'eventbridge',
    handles: (call) => call.resource.kind === 'service' && call.service === 'events' && call.action === 'putEvents' && call.pattern !== 'sync' && call.pattern !== 'sync2',
    async call(call) {
      const outcome = await callOptimized(clients, EVENTBRIDGE, 'PutEvents', withExecutionResources(call), call.signal);
      if (outcome.ok && typeof outcome.output.FailedEntryCount === 'number' && outcome.output.FailedEntryCount > 0) {
        return failure('EventBridge.FailedEntry', JSON.stringify(outcome.output));
      }
      return outcome;
    },
    // Events may have been put; EventBridge does not deduplicate them.
    afterCrash: () => inFlightAtCrash(EVENTBRIDGE.prefix, 'EventBridge'),
  };
}

/**
 * PutEvents of this server's own bus (src/runtime/event-bus.ts), as the runtime gives it: the
 * request's answer, or the error an EventBridge client would get (`type` is its exception name).
 */
export type LocalPutEvents = (parameters: unknown) => Promise<{ ok: true; output: { FailedEntryCount: number } & Record<string, unknown> } | { ok: false; type: string; message: string }>;

export function createLocalEventBridgeIntegration(putEvents: LocalPutEvents): Integration {
  return {
    name: 'eventbridge (this server)',
    handles: (call) => call.resource.kind === 'service' && call.service === 'events' && call.action === 'putEvents' && call.pattern !== 'sync' && call.pattern !== 'sync2',
    async call(call) {
      const outcome = await putEvents(withDetailText(withExecutionResources(call)));
      if (!outcome.ok) return failure(`${EVENTBRIDGE.prefix}.${outcome.type}`, `${outcome.message} (Service: ${EVENTBRIDGE.serviceName}; Status Code: 400; Error Code: ${outcome.type})`);
      if (outcome.output.FailedEntryCount > 0) return failure('EventBridge.FailedEntry', JSON.stringify(outcome.output));
      return { ok: true, output: outcome.output };
    },
    // Events may have been put; the bus does not deduplicate them (as EventBridge).
    afterCrash: () => inFlightAtCrash(EVENTBRIDGE.prefix, 'EventBridge'),
  };
}

/** Each entry's Detail given as JSON is put as its JSON text (as the service integration sends it). */
function withDetailText(parameters: unknown): unknown {
  if (typeof parameters !== 'object' || parameters === null || !Array.isArray((parameters as { Entries?: unknown }).Entries)) return parameters;
  const entries = (parameters as { Entries: unknown[] }).Entries.map((entry) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return entry;
    const detail = (entry as { Detail?: unknown }).Detail;
    return detail === undefined || typeof detail === 'string' ? entry : { ...entry, Detail: JSON.stringify(detail) };
  });
  return { ...parameters, Entries: entries };
}
