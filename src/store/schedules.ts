/**
 * EventBridge Scheduler's records and the store of them (issue 10): schedule groups, schedules,
 * and each schedule's firing state, which the firing loop (src/runtime/scheduler.ts) moves on
 * with a compare-and-set so that two nodes sharing one database never both fire one due time.
 *
 * The store checks what a write depends on (the group exists, the name is free) inside the
 * write, as the other control-plane writes do (types.ts, CreateOutcome); the API validates
 * everything else before it calls.
 */
import type { Page, PageRequest, Tag, TagResult } from './types.js';

/** The group every account has; it cannot be deleted. */
export const DEFAULT_SCHEDULE_GROUP = 'default';

export interface ScheduleGroupRecord {
  readonly name: string;
  /** `arn:aws:scheduler:<region>:<account>:schedule-group/<name>` */
  readonly arn: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly tags: readonly Tag[];
}

export interface RetryPolicy {
  /** 60–86400; AWS's default 86400. */
  readonly maximumEventAgeInSeconds: number;
  /** 0–185; AWS's default 185. */
  readonly maximumRetryAttempts: number;
}

export interface ScheduleTarget {
  readonly arn: string;
  readonly roleArn: string;
  /** Text passed to the target, context attributes substituted at each firing. */
  readonly input?: string;
  readonly retryPolicy: RetryPolicy;
  readonly deadLetterArn?: string;
  /**
   * The target's other parameter blocks (EcsParameters, SqsParameters…) as they were given, so
   * GetSchedule answers with them; Stepwise's firing uses none of them.
   */
  readonly parameters?: Readonly<Record<string, unknown>>;
}

export interface FlexibleTimeWindow {
  readonly mode: 'OFF' | 'FLEXIBLE';
  readonly maximumWindowInMinutes?: number;
}

export type ScheduleState = 'ENABLED' | 'DISABLED';

/** Where a schedule is in its firings; see ScheduleRecord. */
export interface FiringState {
  /** Nominal due time of the next firing not yet done; undefined when none is left. */
  readonly nextDueAt?: number;
  /** When that firing is to run: due + flexible-window offset, or a retry's back-off. */
  readonly nextFireAt?: number;
  /** Failed attempts of that firing so far (0 before the first). */
  readonly attempt: number;
}

export interface ScheduleRecord extends FiringState {
  /** `arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>` */
  readonly arn: string;
  readonly groupName: string;
  readonly name: string;
  readonly expression: string;
  readonly timeZone?: string;
  readonly startDate?: number;
  readonly endDate?: number;
  readonly description?: string;
  readonly state: ScheduleState;
  readonly kmsKeyArn?: string;
  readonly flexibleTimeWindow: FlexibleTimeWindow;
  readonly target: ScheduleTarget;
  readonly actionAfterCompletion: 'NONE' | 'DELETE';
  /** The ClientToken of the CreateSchedule that made it (a repeated create answers with it). */
  readonly clientToken?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ScheduleFilter {
  readonly groupName?: string;
  readonly namePrefix?: string;
  readonly state?: ScheduleState;
}

export type CreateScheduleResult =
  | { readonly outcome: 'created' }
  /** A schedule of that group and name exists (nothing was written). */
  | { readonly outcome: 'exists'; readonly existing: ScheduleRecord }
  | { readonly outcome: 'no-group' }
  | { readonly outcome: 'limit-exceeded' };

/** What advanceSchedule leaves: the next firing state, or the schedule deleted (ActionAfterCompletion DELETE). */
export type ScheduleAdvance = FiringState | { readonly delete: true };

export interface ScheduleStore {
  /** Inserts the group unless its name exists or `maxGroups` groups exist. */
  createGroup(record: ScheduleGroupRecord, options?: { readonly maxGroups?: number }): Promise<'created' | 'exists' | 'limit-exceeded'>;
  getGroup(name: string): Promise<ScheduleGroupRecord | undefined>;
  /** Deletes the group with all its schedules; 'default' is refused (the API says why). */
  deleteGroup(name: string): Promise<'deleted' | 'no-group' | 'default-group'>;
  /** In creation order. */
  listGroups(filter: { readonly namePrefix?: string }, page: PageRequest): Promise<Page<ScheduleGroupRecord>>;
  /** Adds or overwrites tags by key on a group, all or none. */
  tagGroup(arn: string, tags: readonly Tag[], options?: { readonly maxTags?: number }): Promise<TagResult>;
  untagGroup(arn: string, keys: readonly string[]): Promise<'untagged' | 'no-resource'>;

  /** Inserts the schedule once its group exists, unless its name is taken in the group. */
  createSchedule(record: ScheduleRecord, options?: { readonly maxSchedules?: number }): Promise<CreateScheduleResult>;
  getSchedule(groupName: string, name: string): Promise<ScheduleRecord | undefined>;
  /**
   * Replaces an existing schedule (firing state included: an update starts its firings over),
   * keeping its creation date and client token; 'no-schedule' when there is none of that name.
   */
  updateSchedule(record: ScheduleRecord): Promise<'updated' | 'no-schedule'>;
  deleteSchedule(groupName: string, name: string): Promise<boolean>;
  /** In creation order. */
  listSchedules(filter: ScheduleFilter, page: PageRequest): Promise<Page<ScheduleRecord>>;

  /** ENABLED schedules whose nextFireAt is at or before `now`, earliest first. */
  dueSchedules(now: number, limit: number): Promise<readonly ScheduleRecord[]>;
  /** The earliest nextFireAt of an ENABLED schedule (so the firing loop can sleep until then). */
  nextFireAt(): Promise<number | undefined>;
  /**
   * Compare-and-set: moves the schedule on only while its nextDueAt and attempt are still the
   * ones the caller fired; resolves false (nothing written) when another node, an update or a
   * delete came first.
   */
  advanceSchedule(arn: string, expectedDueAt: number, expectedAttempt: number, next: ScheduleAdvance): Promise<boolean>;
}

/** Whether a name starts with the filter's prefix (shared by the backends). */
export function matchesScheduleFilter(record: ScheduleRecord, filter: ScheduleFilter): boolean {
  return (
    (filter.groupName === undefined || record.groupName === filter.groupName) &&
    (filter.namePrefix === undefined || record.name.startsWith(filter.namePrefix)) &&
    (filter.state === undefined || record.state === filter.state)
  );
}

/** The listing a ListSchedules token belongs to. */
export function scheduleScope(filter: ScheduleFilter): string {
  return ['schedules', filter.groupName ?? '', filter.namePrefix ?? '', filter.state ?? ''].join('\n');
}

/** Tags after adding `tags` (overwriting by key), in first-seen order. */
export function mergeTags(existing: readonly Tag[], tags: readonly Tag[]): Tag[] {
  const merged = new Map(existing.map((t) => [t.key, t.value]));
  for (const t of tags) merged.set(t.key, t.value);
  return [...merged].map(([key, value]) => ({ key, value }));
}
