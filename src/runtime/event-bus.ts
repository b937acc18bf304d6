/**
 * The EventBridge event bus inside Stepwise (issue 10): PutEvents stamps each entry into an
 * event, matches it against every ENABLED rule of its bus, and writes one outbox row per matched
 * (event, rule, target) before it answers, so a put event survives a crash; the delivery worker
 * (event-bus-delivery.ts) sends the rows to their targets with the targets' retry policies.
 *
 * Only the `default` bus exists (CreateEventBus is not built): an entry for another bus fails.
 *
 * Matching is kept cheap: each rule's pattern is compiled once and cached with the store's
 * rules version; the version is asked again at most once a second (changes made through this
 * process's API drop the cache at once; another process's are seen within that second, which
 * AWS's "allow a short period of time for changes to take effect" allows).
 */
import { randomUUID } from 'node:crypto';
import type { ApiContext } from '../api/context.js';
import type { ConnectionConfig } from '../config/types.js';
import type { HistoryEvent } from '../engine/events.js';
import { matchesEventPattern, parseEventPattern, type EventPattern } from '../events/pattern.js';
import type { DeliveryRecord, EventRuleRecord, EventTargetRecord } from '../store/event-bus.js';
import { DeliveryWorker } from './event-bus-delivery.js';
import { executionStatusEvents } from './event-bus-status.js';

export const DEFAULT_BUS = 'default';

/** One PutEvents request entry (API member names), as a client or a putEvents task sent it. */
export type PutEventsEntry = Readonly<Record<string, unknown>>;

export type PutEventsResultEntry = { readonly EventId: string } | { readonly ErrorCode: string; readonly ErrorMessage: string };

export interface PutEventsResult {
  readonly Entries: readonly PutEventsResultEntry[];
  readonly FailedEntryCount: number;
}

/** An event as EventBridge delivers it (the envelope). */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

export interface CompiledRule {
  readonly rule: EventRuleRecord;
  readonly pattern: EventPattern | undefined;
  readonly targets: readonly EventTargetRecord[];
}

interface RuleCache {
  readonly version: number;
  checkedAt: number;
  /** ENABLED rules with a pattern and at least one target: what events are matched against. */
  readonly matching: readonly CompiledRule[];
  /** Every rule by ARN (deliveries look their target up here). */
  readonly byArn: ReadonlyMap<string, CompiledRule>;
}

export interface EventBusOptions {
  /** Connections of stepwise.config.json: an API destination may name one of them. */
  readonly connections?: Readonly<Record<string, ConnectionConfig>>;
  /** How long an API destination request may take (AWS: 5 seconds). */
  readonly httpTimeoutMs?: number;
  /** Jitter of retry back-offs (default Math.random). */
  readonly random?: () => number;
}

/** How often the store's rules version is asked again (see the module comment). */
const RULES_RECHECK_MS = 1_000;

export class EventBus {
  /** Events put that matched no rule (the server's metrics show it). */
  unmatchedEvents = 0;
  /** Events put that matched at least one rule. */
  matchedEvents = 0;
  readonly worker: DeliveryWorker;
  private readonly caches = new Map<string, RuleCache>();
  private loading = new Map<string, Promise<RuleCache>>();
  /** Status events being published (drain waits for them). */
  private readonly publishing = new Set<Promise<void>>();

  constructor(
    readonly ctx: ApiContext,
    readonly options: EventBusOptions = {},
  ) {
    this.worker = new DeliveryWorker(this);
  }

  get region(): string {
    return this.ctx.config.region;
  }

  get accountId(): string {
    return this.ctx.config.accountId;
  }

  /** Starts delivering (the outbox rows left by a previous run are delivered too). */
  start(): void {
    this.worker.start();
  }

  /** Stops delivering: waits for the deliveries in flight (their rows are completed or rescheduled). */
  close(): Promise<void> {
    return this.worker.close();
  }

  /** Resolves once nothing is due now and nothing is in flight (tests wait for deliveries with it). */
  async drain(): Promise<void> {
    while (this.publishing.size > 0) await Promise.all([...this.publishing]);
    await this.worker.drain();
  }

  /** Rules or targets changed through this process: the compiled patterns are stale. */
  rulesChanged(): void {
    this.caches.clear();
  }

  /**
   * Puts the entries (already checked as a request: count and total size); each entry is
   * answered with its event id or its error, in order. The matched deliveries are durable when
   * this resolves.
   */
  async putEvents(entries: readonly PutEventsEntry[]): Promise<PutEventsResult> {
    const now = this.ctx.clock.now();
    const results: PutEventsResultEntry[] = [];
    const deliveries: DeliveryRecord[] = [];
    let failed = 0;
    for (const entry of entries) {
      const checked = toEvent(entry, now, this.region, this.accountId);
      if ('ErrorCode' in checked) {
        failed++;
        results.push(checked);
        continue;
      }
      const { event, bus } = checked;
      const rules = await this.rules(bus);
      this.match(event, rules.matching, now, deliveries);
      results.push({ EventId: event.id });
    }
    await this.ctx.store.eventBus.enqueueDeliveries(deliveries);
    if (deliveries.length > 0) this.worker.wake();
    return { Entries: results, FailedEntryCount: failed };
  }

  /**
   * Publishes one event that Stepwise itself emits (no entry checks: it is built right), when
   * some rule could match it; resolves to the number of deliveries written.
   */
  async publish(event: BusEvent, bus = DEFAULT_BUS): Promise<number> {
    const rules = await this.rules(bus);
    if (rules.matching.length === 0) {
      this.unmatchedEvents++;
      return 0;
    }
    const deliveries: DeliveryRecord[] = [];
    this.match(event, rules.matching, this.ctx.clock.now(), deliveries);
    await this.ctx.store.eventBus.enqueueDeliveries(deliveries);
    if (deliveries.length > 0) this.worker.wake();
    return deliveries.length;
  }

  /**
   * The runner's onDecision hook: a STANDARD execution that started (or was redriven) or ended
   * publishes AWS's `Step Functions Execution Status Change` event to the default bus. Cheap when
   * no rule exists: nothing is read. Best effort, as on AWS ("Delivery type: Best effort"): the
   * decision is committed before this runs, so should the process die in between, the event is
   * not published (a restart does not publish it again).
   */
  executionDecided(executionArn: string, events: readonly HistoryEvent[], status: string): void {
    if (!events.some((e) => STATUS_EVENT_TYPES.has(e.type))) return;
    const publishing = (async () => {
      const rules = await this.rules(DEFAULT_BUS);
      if (rules.matching.length === 0) return;
      const execution = await this.ctx.store.getExecution(executionArn);
      if (!execution || execution.type !== 'STANDARD') return; // Express workflows emit no events (AWS)
      for (const event of executionStatusEvents(execution, events, () => randomUUID(), this.ctx.config)) await this.publish(event);
    })()
      .catch((e: unknown) => this.ctx.log.warn('execution status event not published', { executionArn, error: e instanceof Error ? e.message : String(e) }))
      .finally(() => this.publishing.delete(publishing));
    this.publishing.add(publishing);
  }

  /** The rule (with its targets) of that ARN as this process last loaded it, or undefined. */
  async ruleByArn(ruleArn: string): Promise<CompiledRule | undefined> {
    return (await this.rules(busOfRuleArn(ruleArn))).byArn.get(ruleArn);
  }

  private match(event: BusEvent, rules: readonly CompiledRule[], now: number, out: DeliveryRecord[]): void {
    let text: string | undefined;
    let matched = false;
    for (const { rule, pattern, targets } of rules) {
      if (!pattern || !matchesEventPattern(pattern, event)) continue;
      matched = true;
      text ??= JSON.stringify(event);
      for (const target of targets) {
        out.push({ id: randomUUID(), eventId: event.id, ruleArn: rule.arn, targetId: target.id, event: text, eventTime: now, attempts: 0, nextAttemptAt: now });
      }
    }
    if (matched) this.matchedEvents++;
    else this.unmatchedEvents++;
  }

  private async rules(bus: string): Promise<RuleCache> {
    const cached = this.caches.get(bus);
    const at = performance.now();
    if (cached && at - cached.checkedAt < RULES_RECHECK_MS) return cached;
    let pending = this.loading.get(bus);
    if (!pending) {
      pending = this.load(bus, cached).finally(() => this.loading.delete(bus));
      this.loading.set(bus, pending);
    }
    return pending;
  }

  private async load(bus: string, cached: RuleCache | undefined): Promise<RuleCache> {
    const store = this.ctx.store.eventBus;
    const version = await store.rulesVersion();
    if (cached && cached.version === version && this.caches.get(bus) === cached) {
      cached.checkedAt = performance.now();
      return cached;
    }
    const byArn = new Map<string, CompiledRule>();
    const matching: CompiledRule[] = [];
    for (const { rule, targets } of await store.rulesWithTargets(bus)) {
      let pattern: EventPattern | undefined;
      try {
        pattern = rule.eventPattern !== undefined ? parseEventPattern(rule.eventPattern, { maxLength: 4096 }) : undefined;
      } catch {
        pattern = undefined; // PutRule checked it; a pattern that no longer parses matches nothing
      }
      const compiled = { rule, pattern, targets };
      byArn.set(rule.arn, compiled);
      if (rule.state === 'ENABLED' && pattern && targets.length > 0) matching.push(compiled);
    }
    const fresh: RuleCache = { version, checkedAt: performance.now(), matching, byArn };
    this.caches.set(bus, fresh);
    return fresh;
  }
}

const STATUS_EVENT_TYPES = new Set(['ExecutionStarted', 'ExecutionRedriven', 'ExecutionSucceeded', 'ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

/** `rule/<name>` is on the default bus, `rule/<bus>/<name>` on another. */
export function busOfRuleArn(ruleArn: string): string {
  const path = ruleArn.slice(ruleArn.indexOf(':rule/') + ':rule/'.length);
  const slash = path.lastIndexOf('/');
  return slash < 0 ? DEFAULT_BUS : path.slice(0, slash);
}

export function ruleArn(region: string, accountId: string, bus: string, name: string): string {
  return `arn:aws:events:${region}:${accountId}:rule/${bus === DEFAULT_BUS ? '' : `${bus}/`}${name}`;
}

/** EventBridge's event time: ISO 8601 to the second (`2019-02-26T19:42:21Z`). */
export function eventTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The bus name of an EventBusName member: a name, or an event bus ARN. */
export function busName(value: string): string {
  const m = /^arn:[\w-]+:events:[\w-]*:\d*:event-bus\/(.+)$/.exec(value);
  return m ? m[1]! : value;
}

/** PutEvents' per-entry checks (messages as AWS answers them), and the event the entry becomes. */
function toEvent(entry: PutEventsEntry, now: number, region: string, accountId: string): { event: BusEvent; bus: string } | { ErrorCode: string; ErrorMessage: string } {
  const missing = (field: string) => ({ ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` });
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return missing('Source');
  const { Source, DetailType, Detail, Resources, Time, EventBusName } = entry as Record<string, unknown>;
  if (typeof Source !== 'string' || Source === '') return missing('Source');
  if (typeof DetailType !== 'string' || DetailType === '') return missing('DetailType');
  if (typeof Detail !== 'string' || Detail === '') return missing('Detail');
  // AWS documents no length for Source and DetailType; 256 characters is Stepwise's bound.
  if (Source.length > 256) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is longer than 256 characters.' };
  if (DetailType.length > 256) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is longer than 256 characters.' };
  let detail: unknown;
  try {
    detail = JSON.parse(Detail);
  } catch {
    detail = undefined;
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  if (Resources !== undefined && (!Array.isArray(Resources) || Resources.some((r) => typeof r !== 'string'))) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Resources is not valid. Reason: Resources must be a list of strings.' };
  }
  const bus = typeof EventBusName === 'string' && EventBusName !== '' ? busName(EventBusName) : DEFAULT_BUS;
  // AWS's answer for a bus that does not exist is not documented; this names it.
  if (bus !== DEFAULT_BUS) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
  // Time: epoch seconds on the wire (AWS JSON 1.1); absent, the time the event was received.
  const time = typeof Time === 'number' && Number.isFinite(Time) ? Time * 1000 : now;
  return {
    bus,
    event: {
      version: '0',
      id: randomUUID(),
      'detail-type': DetailType,
      source: Source,
      account: accountId,
      time: eventTime(time),
      region,
      resources: (Resources as string[] | undefined) ?? [],
      detail,
    },
  };
}
