/**
 * Sends one delivery to its target: a state machine (StartExecution through the API's checks,
 * startExecutionFrom) or an API destination (an HTTP request through the HTTP Task's client,
 * src/integrations/http.ts, with the destination's connection). Each answer says whether
 * EventBridge would retry it.
 *
 * The target's input ("Transform target input"): Input as it is, the value at InputPath, the
 * InputTransformer's result, or else the whole event.
 *
 * API destinations ("API destinations as targets", eb-api-destinations.html): requests time out
 * after 5 seconds; 401, 407, 409, 429 and 5xx answers, timeouts and network failures are retried,
 * any other status outside 2xx is not. `*` in the InvocationEndpoint is replaced by
 * HttpParameters.PathParameterValues in order; HeaderParameters and QueryStringParameters are
 * sent with the request. Where the HTTP Task's client differs from EventBridge's (its
 * User-Agent, the headers it refuses), Stepwise keeps the HTTP Task's.
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../api/errors.js';
import { startExecutionFrom } from '../api/start-from.js';
import type { ConnectionConfig } from '../config/types.js';
import { classifyResource } from '../engine/resources.js';
import { applyInputTransformer, type InputTransformer } from '../events/input-transformer.js';
import { createHttpIntegration } from '../integrations/http.js';
import type { Integration } from '../integrations/integration.js';
import type { ClaimedDelivery, EventRuleRecord, EventTargetRecord } from '../store/event-bus.js';
import type { EventBus } from './event-bus.js';

export type DeliveryOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly retry: boolean; readonly error: string; readonly cause: string }
  /** Not sent: try again in `later` ms without counting an attempt (a rate limit). */
  | { readonly ok: false; readonly later: number };

const API_DESTINATION_TIMEOUT_MS = 5_000;
/** StartExecution errors that a later attempt may get past. */
const RETRIED_START_ERRORS = new Set(['ThrottlingException', 'ExecutionLimitExceeded', 'InternalFailure', 'ServiceUnavailable']);
const HTTP_RESOURCE = classifyResource('arn:aws:states:::http:invoke');

export class TargetSenders {
  /** One HTTP client per connection (its OAuth token and sockets), keyed by the connection's record. */
  private readonly clients = new Map<string, { readonly key: string; readonly integration: Integration }>();
  /** Requests sent per API destination in the current second (InvocationRateLimitPerSecond). */
  private readonly rates = new Map<string, { second: number; count: number }>();

  constructor(private readonly bus: EventBus) {}

  async send(row: ClaimedDelivery, rule: EventRuleRecord, target: EventTargetRecord): Promise<DeliveryOutcome> {
    const event = JSON.parse(row.event) as unknown;
    let input: string;
    try {
      input = targetInput(target.target, row.event, event, rule, row.eventTime);
    } catch (e) {
      return { ok: false, retry: false, error: 'InputTransformationFailed', cause: e instanceof Error ? e.message : String(e) };
    }
    if (/^arn:[\w-]+:states:[\w-]+:\d+:stateMachine:/.test(target.arn)) return this.startExecution(row, rule, target, input);
    const destination = /^arn:[\w-]+:events:[\w-]+:\d+:api-destination\/([.\-_A-Za-z0-9]+)\//.exec(target.arn);
    if (destination) return this.callApiDestination(destination[1]!, target, input);
    return { ok: false, retry: false, error: 'UnsupportedTarget', cause: `Stepwise delivers events to state machines and API destinations only, not to ${target.arn}.` };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.clients.values()].map((c) => c.integration.close?.()));
    this.clients.clear();
  }

  private async startExecution(row: ClaimedDelivery, rule: EventRuleRecord, target: EventTargetRecord, input: string): Promise<DeliveryOutcome> {
    try {
      await startExecutionFrom(this.bus.ctx, { stateMachineArn: target.arn, name: executionName(row.eventId, rule.arn, target.id), input }, { type: 'rule', arn: rule.arn, eventId: row.eventId });
      return { ok: true };
    } catch (e) {
      if (e instanceof AwsError) return { ok: false, retry: RETRIED_START_ERRORS.has(e.type), error: e.type, cause: e.message };
      return { ok: false, retry: true, error: 'InternalFailure', cause: e instanceof Error ? e.message : String(e) };
    }
  }

  private async callApiDestination(name: string, target: EventTargetRecord, input: string): Promise<DeliveryOutcome> {
    const store = this.bus.ctx.store.eventBus;
    const destination = await store.getApiDestination(name);
    if (!destination) return { ok: false, retry: false, error: 'ResourceNotFoundException', cause: `API destination ${name} does not exist.` };
    const limit = destination.invocationRateLimitPerSecond;
    if (limit !== undefined) {
      const now = this.bus.ctx.clock.now();
      const second = Math.floor(now / 1000);
      const rate = this.rates.get(name);
      if (rate && rate.second === second && rate.count >= limit) return { ok: false, later: (second + 1) * 1000 - now };
      if (rate && rate.second === second) rate.count++;
      else this.rates.set(name, { second, count: 1 });
    }
    const connectionName = /:connection\/([.\-_A-Za-z0-9]+)/.exec(destination.connectionArn)?.[1] ?? '';
    const client = await this.client(connectionName);
    if (!client) return { ok: false, retry: false, error: 'ResourceNotFoundException', cause: `Connection ${connectionName} does not exist.` };
    const http = (target.target.HttpParameters ?? {}) as { PathParameterValues?: unknown; HeaderParameters?: unknown; QueryStringParameters?: unknown };
    const pathValues = Array.isArray(http.PathParameterValues) ? [...(http.PathParameterValues as unknown[])] : [];
    const endpoint = destination.invocationEndpoint.replace(/\*/g, () => encodeURIComponent(String(pathValues.shift() ?? '')));
    const controller = new AbortController();
    const outcome = await client.call({
      resource: HTTP_RESOURCE,
      service: 'http',
      action: 'invoke',
      pattern: 'request-response',
      parameters: {
        ApiEndpoint: endpoint,
        Method: destination.httpMethod,
        Authentication: { ConnectionArn: `arn:aws:events:${this.bus.region}:${this.bus.accountId}:connection/${connectionName}` },
        ...(isObject(http.HeaderParameters) ? { Headers: http.HeaderParameters } : {}),
        ...(isObject(http.QueryStringParameters) ? { QueryParameters: http.QueryStringParameters } : {}),
        ...(destination.httpMethod === 'GET' || destination.httpMethod === 'HEAD' ? {} : { RequestBody: input }),
      },
      stateName: '',
      executionArn: '',
      context: null,
      requestId: crypto.randomUUID(),
      signal: controller.signal,
    });
    if (outcome.ok) return { ok: true };
    const status = /^States\.Http\.StatusCode\.(\d+)$/.exec(outcome.error)?.[1];
    if (status !== undefined) {
      const code = Number(status);
      const retry = code === 401 || code === 407 || code === 409 || code === 429 || code >= 500;
      return { ok: false, retry, error: `HTTP ${code}`, cause: `${destination.httpMethod} ${safeEndpoint(endpoint)} answered ${code} ${outcome.cause}.`.replace(/ \.$/, '.') };
    }
    // Timeouts and network failures are retried; a broken connection or request is not.
    return { ok: false, retry: outcome.error === 'States.Http.Socket', error: outcome.error, cause: outcome.cause };
  }

  /** The HTTP client of a connection created through the API, or else of stepwise.config.json. */
  private async client(name: string): Promise<Integration | undefined> {
    const record = await this.bus.ctx.store.eventBus.getConnection(name);
    const config: ConnectionConfig | undefined = record
      ? ({ AuthorizationType: record.authorizationType, AuthParameters: record.authParameters } as unknown as ConnectionConfig)
      : this.bus.options.connections?.[name];
    if (!config) return undefined;
    const key = JSON.stringify([record?.arn, record?.updatedAt, config]);
    const cached = this.clients.get(name);
    if (cached?.key === key) return cached.integration;
    void cached?.integration.close?.();
    const integration = createHttpIntegration({
      connections: { [name]: config },
      region: this.bus.region,
      accountId: this.bus.accountId,
      timeoutMs: this.bus.options.httpTimeoutMs ?? API_DESTINATION_TIMEOUT_MS,
    });
    this.clients.set(name, { key, integration });
    return integration;
  }
}

/**
 * The execution a delivery starts: the event's id with a hash of the rule and target, so each
 * (event, rule, target) has its own name and a repeated delivery finds its execution (53
 * characters of [0-9a-f-_], within StartExecution's 80).
 */
export function executionName(eventId: string, ruleArn: string, targetId: string): string {
  return `${eventId.slice(0, 36)}_${createHash('sha256').update(`${ruleArn}\n${targetId}`).digest('hex').slice(0, 16)}`;
}

/** The text the target gets for the event (Input, InputPath, InputTransformer, or the event). */
export function targetInput(target: Readonly<Record<string, unknown>>, eventText: string, event: unknown, rule: EventRuleRecord, eventTimeMs: number): string {
  if (typeof target.Input === 'string') return target.Input;
  const context = { ruleArn: rule.arn, ruleName: rule.name, ingestionTime: new Date(eventTimeMs).toISOString() };
  if (typeof target.InputPath === 'string') {
    // The transformer's JSONPath subset, reused: its value placed as JSON, read back.
    const wrapped = applyInputTransformer({ InputPathsMap: { value: target.InputPath }, InputTemplate: '{"value": <value>}' }, event, context);
    return JSON.stringify((JSON.parse(wrapped) as { value: unknown }).value);
  }
  if (isObject(target.InputTransformer)) return applyInputTransformer(target.InputTransformer as unknown as InputTransformer, event, context);
  return eventText;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The endpoint without its query string (connection parameters may be secret). */
function safeEndpoint(url: string): string {
  return url.split('?', 1)[0]!;
}
