/**
 * The event bus store in process memory (MemoryStore's `eventBus`). Each write runs without an
 * await between its checks and its changes, which in one process is as atomic as SQLite's
 * transaction. Records are copied in and out (structuredClone), as MemoryStore does.
 */
import { randomUUID } from 'node:crypto';
import { decodePageToken, encodePageToken, pageLimit } from './page-token.js';
import type {
  ApiDestinationRecord,
  ClaimedDelivery,
  ConnectionRecord,
  CreateNamedResult,
  DeleteRuleResult,
  DeliveryRecord,
  EventBusStore,
  EventRuleRecord,
  EventRuleState,
  EventTargetRecord,
  PutRuleResult,
  PutTargetsResult,
} from './event-bus.js';
import type { Page, PageRequest } from './types.js';

interface Held {
  record: DeliveryRecord;
  claim?: string;
  claimedUntil?: number;
}

export class MemoryEventBusStore implements EventBusStore {
  /** Rules by `<bus>\n<name>`. */
  private readonly rules = new Map<string, EventRuleRecord>();
  /** Targets by rule ARN, then Id. */
  private readonly targets = new Map<string, Map<string, EventTargetRecord>>();
  private readonly connections = new Map<string, ConnectionRecord>();
  private readonly destinations = new Map<string, ApiDestinationRecord>();
  private readonly deliveries = new Map<string, Held>();
  private version = 0;

  async putRule(rule: EventRuleRecord, options: { readonly maxRules: number }): Promise<PutRuleResult> {
    const key = ruleKey(rule.eventBusName, rule.name);
    const existing = this.rules.get(key);
    if (!existing && this.countRules(rule.eventBusName) >= options.maxRules) return { outcome: 'limit-exceeded' };
    const stored = existing ? { ...clone(rule), arn: existing.arn, createdAt: existing.createdAt } : clone(rule);
    this.rules.set(key, stored);
    this.version++;
    return { outcome: existing ? 'updated' : 'created', rule: clone(stored) };
  }

  async getRule(eventBusName: string, name: string): Promise<EventRuleRecord | undefined> {
    const rule = this.rules.get(ruleKey(eventBusName, name));
    return rule && clone(rule);
  }

  async setRuleState(eventBusName: string, name: string, state: EventRuleState): Promise<boolean> {
    const key = ruleKey(eventBusName, name);
    const rule = this.rules.get(key);
    if (!rule) return false;
    this.rules.set(key, { ...rule, state });
    this.version++;
    return true;
  }

  async deleteRule(eventBusName: string, name: string): Promise<DeleteRuleResult> {
    const key = ruleKey(eventBusName, name);
    const rule = this.rules.get(key);
    if (!rule) return 'absent';
    if ((this.targets.get(rule.arn)?.size ?? 0) > 0) return 'has-targets';
    this.rules.delete(key);
    this.targets.delete(rule.arn);
    this.version++;
    return 'deleted';
  }

  async listRules(eventBusName: string, namePrefix: string | undefined, page: PageRequest): Promise<Page<EventRuleRecord>> {
    const rules = [...this.rules.values()].filter((r) => r.eventBusName === eventBusName && (namePrefix === undefined || r.name.startsWith(namePrefix)));
    return pageByName(rules, (r) => r.name, `rules:${eventBusName}:${namePrefix ?? ''}`, page, clone);
  }

  async putTargets(ruleArn: string, targets: readonly EventTargetRecord[], options: { readonly maxTargets: number }): Promise<PutTargetsResult> {
    if (!this.ruleByArn(ruleArn)) return 'no-rule';
    const existing = this.targets.get(ruleArn) ?? new Map<string, EventTargetRecord>();
    const ids = new Set([...existing.keys(), ...targets.map((t) => t.id)]);
    if (ids.size > options.maxTargets) return 'limit-exceeded';
    for (const target of targets) existing.set(target.id, clone(target));
    this.targets.set(ruleArn, existing);
    this.version++;
    return 'written';
  }

  async removeTargets(ruleArn: string, ids: readonly string[]): Promise<boolean> {
    if (!this.ruleByArn(ruleArn)) return false;
    const existing = this.targets.get(ruleArn);
    for (const id of ids) existing?.delete(id);
    this.version++;
    return true;
  }

  async listTargets(ruleArn: string, page: PageRequest): Promise<Page<EventTargetRecord>> {
    return pageByName([...(this.targets.get(ruleArn)?.values() ?? [])], (t) => t.id, `targets:${ruleArn}`, page, clone);
  }

  async listRuleNamesByTarget(eventBusName: string, targetArn: string, page: PageRequest): Promise<Page<string>> {
    const names = [...this.rules.values()]
      .filter((r) => r.eventBusName === eventBusName && [...(this.targets.get(r.arn)?.values() ?? [])].some((t) => t.arn === targetArn))
      .map((r) => r.name);
    return pageByName(names, (n) => n, `by-target:${eventBusName}:${targetArn}`, page, (n) => n);
  }

  async rulesWithTargets(eventBusName: string): Promise<ReadonlyArray<{ readonly rule: EventRuleRecord; readonly targets: readonly EventTargetRecord[] }>> {
    return [...this.rules.values()]
      .filter((r) => r.eventBusName === eventBusName)
      .sort((a, b) => compare(a.name, b.name))
      .map((rule) => ({ rule: clone(rule), targets: [...(this.targets.get(rule.arn)?.values() ?? [])].sort((a, b) => compare(a.id, b.id)).map(clone) }));
  }

  async rulesVersion(): Promise<number> {
    return this.version;
  }

  async createConnection(record: ConnectionRecord): Promise<CreateNamedResult> {
    if (this.connections.has(record.name)) return 'exists';
    this.connections.set(record.name, clone(record));
    return 'created';
  }

  async getConnection(name: string): Promise<ConnectionRecord | undefined> {
    const found = this.connections.get(name);
    return found && clone(found);
  }

  async deleteConnection(name: string): Promise<boolean> {
    return this.connections.delete(name);
  }

  async listConnections(namePrefix: string | undefined, page: PageRequest): Promise<Page<ConnectionRecord>> {
    const found = [...this.connections.values()].filter((c) => namePrefix === undefined || c.name.startsWith(namePrefix));
    return pageByName(found, (c) => c.name, `connections:${namePrefix ?? ''}`, page, clone);
  }

  async createApiDestination(record: ApiDestinationRecord): Promise<CreateNamedResult> {
    if (this.destinations.has(record.name)) return 'exists';
    this.destinations.set(record.name, clone(record));
    return 'created';
  }

  async getApiDestination(name: string): Promise<ApiDestinationRecord | undefined> {
    const found = this.destinations.get(name);
    return found && clone(found);
  }

  async deleteApiDestination(name: string): Promise<boolean> {
    return this.destinations.delete(name);
  }

  async listApiDestinations(namePrefix: string | undefined, page: PageRequest): Promise<Page<ApiDestinationRecord>> {
    const found = [...this.destinations.values()].filter((d) => namePrefix === undefined || d.name.startsWith(namePrefix));
    return pageByName(found, (d) => d.name, `api-destinations:${namePrefix ?? ''}`, page, clone);
  }

  async enqueueDeliveries(deliveries: readonly DeliveryRecord[]): Promise<void> {
    for (const record of deliveries) if (!this.deliveries.has(record.id)) this.deliveries.set(record.id, { record: { ...record } });
  }

  async claimDeliveries(now: number, limit: number, leaseMs: number): Promise<readonly ClaimedDelivery[]> {
    const due = [...this.deliveries.values()]
      .filter((h) => h.record.nextAttemptAt <= now && (h.claim === undefined || (h.claimedUntil ?? 0) <= now))
      .sort((a, b) => a.record.nextAttemptAt - b.record.nextAttemptAt)
      .slice(0, pageLimit(limit));
    return due.map((held) => {
      held.claim = randomUUID();
      held.claimedUntil = now + leaseMs;
      return { ...held.record, claim: held.claim };
    });
  }

  async completeDelivery(id: string, claim: string): Promise<boolean> {
    const held = this.deliveries.get(id);
    if (!held || held.claim !== claim) return false;
    this.deliveries.delete(id);
    return true;
  }

  async rescheduleDelivery(id: string, claim: string, attempts: number, nextAttemptAt: number): Promise<boolean> {
    const held = this.deliveries.get(id);
    if (!held || held.claim !== claim) return false;
    this.deliveries.set(id, { record: { ...held.record, attempts, nextAttemptAt } });
    return true;
  }

  async nextDeliveryDue(): Promise<number | undefined> {
    let next: number | undefined;
    for (const held of this.deliveries.values()) {
      const at = held.claim !== undefined ? Math.max(held.record.nextAttemptAt, held.claimedUntil ?? 0) : held.record.nextAttemptAt;
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  async countDeliveries(): Promise<number> {
    return this.deliveries.size;
  }

  private countRules(eventBusName: string): number {
    let n = 0;
    for (const rule of this.rules.values()) if (rule.eventBusName === eventBusName) n++;
    return n;
  }

  private ruleByArn(arn: string): EventRuleRecord | undefined {
    for (const rule of this.rules.values()) if (rule.arn === arn) return rule;
    return undefined;
  }
}

function ruleKey(eventBusName: string, name: string): string {
  return `${eventBusName}\n${name}`;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Code-unit order, as SQLite's BINARY collation sorts. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A page of items in name order after the token's name. */
function pageByName<R, T>(items: readonly R[], nameOf: (item: R) => string, scope: string, page: PageRequest, out: (item: R) => T): Page<T> {
  const after = page.nextToken !== undefined ? (decodePageToken(page.nextToken, scope, ['string'])[0] as string) : undefined;
  const sorted = items.filter((i) => after === undefined || nameOf(i) > after).sort((a, b) => compare(nameOf(a), nameOf(b)));
  const limit = pageLimit(page.limit);
  const taken = sorted.slice(0, limit);
  return {
    items: taken.map(out),
    ...(sorted.length > limit ? { nextToken: encodePageToken(scope, [nameOf(taken[taken.length - 1]!)]) } : {}),
  };
}
