/**
 * What the EventBridge event bus keeps (issue 10): rules and their targets, connections and API
 * destinations, and the delivery outbox. Backend-neutral, like types.ts: memory-event-bus.ts and
 * sqlite/event-bus.ts implement it, event-bus-contract.ts is the behaviour both share.
 *
 * The outbox holds one row per (event, rule, target) that matched. PutEvents writes the rows
 * before it answers (a put event is durable), and delivery workers claim them: a claim is a
 * compare-and-set on the row (a fresh claim token and a lease), so two processes sharing the
 * database never deliver one row at the same time, and a row whose worker died is claimed again
 * once its lease has run out. Completing or rescheduling a row names the claim token: a worker
 * whose lease was taken over cannot touch the row any more.
 */
import type { Page, PageRequest } from './types.js';

export type EventRuleState = 'ENABLED' | 'DISABLED';

export interface EventRuleRecord {
  /** `arn:aws:events:<region>:<account>:rule/<name>` on the default bus, `rule/<bus>/<name>` otherwise. */
  readonly arn: string;
  readonly name: string;
  readonly eventBusName: string;
  /** The pattern as PutRule got it (JSON text). */
  readonly eventPattern?: string;
  readonly state: EventRuleState;
  readonly description?: string;
  readonly roleArn?: string;
  readonly createdAt: number;
}

export interface EventTargetRecord {
  readonly ruleArn: string;
  readonly id: string;
  readonly arn: string;
  /** The whole Target as PutTargets got it (Id, Arn, Input, InputTransformer, RetryPolicy, HttpParameters…). */
  readonly target: Readonly<Record<string, unknown>>;
}

export interface ConnectionRecord {
  /** `arn:aws:events:<region>:<account>:connection/<name>/<uuid>` */
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly authorizationType: 'API_KEY' | 'BASIC' | 'OAUTH_CLIENT_CREDENTIALS';
  /**
   * AuthParameters as CreateConnection got them, secrets included (ApiKeyValue, Password,
   * ClientSecret). AWS keeps them in Secrets Manager; Stepwise keeps them in its database, in
   * clear: whoever can read the database file can read them.
   */
  readonly authParameters: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ApiDestinationRecord {
  /** `arn:aws:events:<region>:<account>:api-destination/<name>/<uuid>` */
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly connectionArn: string;
  readonly invocationEndpoint: string;
  readonly httpMethod: string;
  readonly invocationRateLimitPerSecond?: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One matched (event, rule, target), waiting to be delivered. */
export interface DeliveryRecord {
  /** Unique, assigned by the caller. */
  readonly id: string;
  readonly eventId: string;
  readonly ruleArn: string;
  readonly targetId: string;
  /** The event as JSON text. */
  readonly event: string;
  /** When the event was put (MaximumEventAgeInSeconds counts from it). */
  readonly eventTime: number;
  /** Delivery attempts made so far. */
  readonly attempts: number;
  readonly nextAttemptAt: number;
}

export interface ClaimedDelivery extends DeliveryRecord {
  /** The claim token: completing or rescheduling the row must name it. */
  readonly claim: string;
}

export type PutRuleResult = { readonly outcome: 'created' | 'updated'; readonly rule: EventRuleRecord } | { readonly outcome: 'limit-exceeded' };
export type DeleteRuleResult = 'deleted' | 'absent' | 'has-targets';
export type PutTargetsResult = 'written' | 'no-rule' | 'limit-exceeded';
export type CreateNamedResult = 'created' | 'exists';

export interface EventBusStore {
  // ------------------------------------------------------------------ rules and targets
  /**
   * Creates the rule, or replaces an existing one of that bus and name (keeping its ARN, creation
   * time and targets); refuses a new rule when the bus has `maxRules` already.
   */
  putRule(rule: EventRuleRecord, options: { readonly maxRules: number }): Promise<PutRuleResult>;
  getRule(eventBusName: string, name: string): Promise<EventRuleRecord | undefined>;
  /** Sets the rule's state; false when there is no such rule. */
  setRuleState(eventBusName: string, name: string, state: EventRuleState): Promise<boolean>;
  /** Deletes the rule unless it has targets (AWS wants them removed first). */
  deleteRule(eventBusName: string, name: string): Promise<DeleteRuleResult>;
  /** The bus's rules in name order, those starting with `namePrefix` when given. */
  listRules(eventBusName: string, namePrefix: string | undefined, page: PageRequest): Promise<Page<EventRuleRecord>>;
  /** Adds or replaces targets by Id, all or none; refuses when the rule would have more than `maxTargets`. */
  putTargets(ruleArn: string, targets: readonly EventTargetRecord[], options: { readonly maxTargets: number }): Promise<PutTargetsResult>;
  /** Removes the targets of those ids (absent ids are ignored); false when there is no such rule. */
  removeTargets(ruleArn: string, ids: readonly string[]): Promise<boolean>;
  /** The rule's targets in Id order. */
  listTargets(ruleArn: string, page: PageRequest): Promise<Page<EventTargetRecord>>;
  /** Names of the bus's rules with a target of that ARN, in name order. */
  listRuleNamesByTarget(eventBusName: string, targetArn: string, page: PageRequest): Promise<Page<string>>;
  /** Every rule of the bus with its targets (the matcher compiles them once). */
  rulesWithTargets(eventBusName: string): Promise<ReadonlyArray<{ readonly rule: EventRuleRecord; readonly targets: readonly EventTargetRecord[] }>>;
  /**
   * A number that changes whenever any rule or target changes, in this process or another
   * sharing the database: the matcher's cache is valid while it stays the same.
   */
  rulesVersion(): Promise<number>;

  // ------------------------------------------------------------------ connections and API destinations
  createConnection(record: ConnectionRecord): Promise<CreateNamedResult>;
  getConnection(name: string): Promise<ConnectionRecord | undefined>;
  deleteConnection(name: string): Promise<boolean>;
  listConnections(namePrefix: string | undefined, page: PageRequest): Promise<Page<ConnectionRecord>>;
  createApiDestination(record: ApiDestinationRecord): Promise<CreateNamedResult>;
  getApiDestination(name: string): Promise<ApiDestinationRecord | undefined>;
  deleteApiDestination(name: string): Promise<boolean>;
  listApiDestinations(namePrefix: string | undefined, page: PageRequest): Promise<Page<ApiDestinationRecord>>;

  // ------------------------------------------------------------------ delivery outbox
  /** Writes the deliveries (durable when it resolves). */
  enqueueDeliveries(deliveries: readonly DeliveryRecord[]): Promise<void>;
  /**
   * Claims up to `limit` deliveries due at `now` (nextAttemptAt <= now) that nobody holds, or
   * whose holder's lease ran out, for `leaseMs`; oldest due first. A row is never claimed by two
   * callers at once.
   */
  claimDeliveries(now: number, limit: number, leaseMs: number): Promise<readonly ClaimedDelivery[]>;
  /** Deletes a delivered (or given-up) row; false when the claim is no longer held. */
  completeDelivery(id: string, claim: string): Promise<boolean>;
  /** Releases the row for another attempt at `nextAttemptAt`; false when the claim is no longer held. */
  rescheduleDelivery(id: string, claim: string, attempts: number, nextAttemptAt: number): Promise<boolean>;
  /** The earliest time a row becomes claimable (due, or its lease running out), if any. */
  nextDeliveryDue(): Promise<number | undefined>;
  /** Rows in the outbox (tests, diagnostics). */
  countDeliveries(): Promise<number>;
}
