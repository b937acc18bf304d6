/**
 * What the Scheduler actions share: their context, ARNs, the records as the wire shows them,
 * the default group (made on first use) and listing parameters.
 */
import { InvalidPageToken } from '../../store/errors.js';
import { DEFAULT_SCHEDULE_GROUP, type ScheduleGroupRecord, type ScheduleRecord } from '../../store/schedules.js';
import type { Page } from '../../store/types.js';
import type { ApiContext } from '../context.js';
import { notFound, toEpochSeconds, validation, type SchedulerRequest } from './protocol.js';
import { NAME_PATTERN, optionalString } from './validate.js';

// The quotas on schedules and groups are ApiLimits (--max-schedules, --max-schedule-groups).
/** Tags per schedule group (TagList holds at most 200). */
export const MAX_GROUP_TAGS = 200;

export interface SchedulerContext {
  readonly api: ApiContext;
  /** Tells the firing loop that a schedule changed (it re-reads when to wake). */
  changed(): void;
  /** Makes the `default` group exist (once per process; a no-op afterwards). */
  ensureDefaultGroup(): Promise<void>;
}

export type SchedulerAction = (ctx: SchedulerContext, request: SchedulerRequest) => Promise<unknown>;

export function createSchedulerContext(api: ApiContext, changed: () => void): SchedulerContext {
  let made: Promise<void> | undefined;
  return {
    api,
    changed,
    ensureDefaultGroup: () =>
      (made ??= api.store.schedules.createGroup(newGroup(api, DEFAULT_SCHEDULE_GROUP, [])).then(
        () => undefined,
        (e: unknown) => {
          made = undefined;
          throw e;
        },
      )),
  };
}

const prefix = (ctx: ApiContext) => `arn:aws:scheduler:${ctx.config.region}:${ctx.config.accountId}`;

export function scheduleArn(ctx: ApiContext, groupName: string, name: string): string {
  return `${prefix(ctx)}:schedule/${groupName}/${name}`;
}

export function groupArn(ctx: ApiContext, name: string): string {
  return `${prefix(ctx)}:schedule-group/${name}`;
}

export function newGroup(ctx: ApiContext, name: string, tags: ScheduleGroupRecord['tags']): ScheduleGroupRecord {
  const now = ctx.clock.now();
  return { name, arn: groupArn(ctx, name), createdAt: now, updatedAt: now, tags };
}

/** The `{Name}` label of a schedule or group path. */
export function readName(request: SchedulerRequest): string {
  return optionalString(request.label ?? '', 'name', 1, 64, NAME_PATTERN)!;
}

export function scheduleNotFound(name: string): never {
  throw notFound(`Schedule ${name} does not exist.`);
}

export function groupNotFound(name: string): never {
  throw notFound(`Schedule group ${name} does not exist.`);
}

export function scheduleOutput(record: ScheduleRecord): Record<string, unknown> {
  const { target, flexibleTimeWindow: window } = record;
  return {
    Arn: record.arn,
    GroupName: record.groupName,
    Name: record.name,
    ScheduleExpression: record.expression,
    ...(record.timeZone !== undefined ? { ScheduleExpressionTimezone: record.timeZone } : {}),
    ...(record.startDate !== undefined ? { StartDate: toEpochSeconds(record.startDate) } : {}),
    ...(record.endDate !== undefined ? { EndDate: toEpochSeconds(record.endDate) } : {}),
    ...(record.description !== undefined ? { Description: record.description } : {}),
    State: record.state,
    CreationDate: toEpochSeconds(record.createdAt),
    LastModificationDate: toEpochSeconds(record.updatedAt),
    ...(record.kmsKeyArn !== undefined ? { KmsKeyArn: record.kmsKeyArn } : {}),
    Target: {
      Arn: target.arn,
      RoleArn: target.roleArn,
      ...(target.input !== undefined ? { Input: target.input } : {}),
      RetryPolicy: { MaximumEventAgeInSeconds: target.retryPolicy.maximumEventAgeInSeconds, MaximumRetryAttempts: target.retryPolicy.maximumRetryAttempts },
      ...(target.deadLetterArn !== undefined ? { DeadLetterConfig: { Arn: target.deadLetterArn } } : {}),
      ...target.parameters,
    },
    FlexibleTimeWindow: { Mode: window.mode, ...(window.maximumWindowInMinutes !== undefined ? { MaximumWindowInMinutes: window.maximumWindowInMinutes } : {}) },
    ActionAfterCompletion: record.actionAfterCompletion,
  };
}

export function scheduleSummary(record: ScheduleRecord): Record<string, unknown> {
  return {
    Arn: record.arn,
    Name: record.name,
    GroupName: record.groupName,
    State: record.state,
    CreationDate: toEpochSeconds(record.createdAt),
    LastModificationDate: toEpochSeconds(record.updatedAt),
    Target: { Arn: record.target.arn },
  };
}

export function groupOutput(record: ScheduleGroupRecord): Record<string, unknown> {
  // Deleting a group is immediate here, so a group that can be read is always ACTIVE.
  return { Arn: record.arn, Name: record.name, State: 'ACTIVE', CreationDate: toEpochSeconds(record.createdAt), LastModificationDate: toEpochSeconds(record.updatedAt) };
}

/** MaxResults (1–100, default 100), NextToken and NamePrefix of the List actions. */
export function listParameters(request: SchedulerRequest): { limit: number; nextToken?: string; namePrefix?: string } {
  const max = request.query.get('MaxResults');
  let limit = 100;
  if (max !== null) {
    limit = Number(max);
    if (!/^\d+$/.test(max) || limit < 1 || limit > 100) {
      throw validation(`1 validation error detected: Value '${max.slice(0, 20)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`);
    }
  }
  const nextToken = optionalString(request.query.get('NextToken') ?? undefined, 'nextToken', 1, 2048);
  const namePrefix = optionalString(request.query.get('NamePrefix') ?? undefined, 'namePrefix', 1, 64, NAME_PATTERN);
  return { limit, ...(nextToken !== undefined ? { nextToken } : {}), ...(namePrefix !== undefined ? { namePrefix } : {}) };
}

/** A store listing, with a token the store does not recognise answered as AWS would. */
export async function listed<T>(list: () => Promise<Page<T>>): Promise<Page<T>> {
  try {
    return await list();
  } catch (e) {
    // Our wording: AWS's message for a bad NextToken is not documented.
    if (e instanceof InvalidPageToken) throw validation('The NextToken is not valid.');
    throw e;
  }
}
