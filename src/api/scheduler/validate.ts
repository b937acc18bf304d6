/**
 * The members of CreateSchedule and UpdateSchedule (they take the same ones), checked against
 * the Scheduler API reference's constraints, in AWS's validation message style ("1 validation
 * error detected: Value … at '…' failed to satisfy constraint: …"). Unknown members are ignored,
 * as AWS's JSON services ignore them.
 */
import { isValidTimeZone } from '../../schedules/time-zones.js';
import { parseScheduleExpression, ScheduleExpressionError } from '../../schedules/expressions.js';
import { DEFAULT_SCHEDULE_GROUP, type FlexibleTimeWindow, type ScheduleRecord, type ScheduleTarget } from '../../store/schedules.js';
import { validation } from './protocol.js';

export const NAME_PATTERN = /^[0-9a-zA-Z-_.]+$/;
const CLIENT_TOKEN_PATTERN = /^[a-zA-Z0-9-_]+$/;
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const SQS_ARN_PATTERN = /^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9-_]+$/;
/** Target parameter blocks Stepwise keeps and echoes but does not use (its targets are state machines). */
const OTHER_TARGET_PARAMETERS = ['EcsParameters', 'EventBridgeParameters', 'KinesisParameters', 'SageMakerPipelineParameters', 'SqsParameters'] as const;

export const DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400;
export const DEFAULT_MAX_RETRY_ATTEMPTS = 185;

function constraint(value: unknown, member: string, rule: string): never {
  const shown = typeof value === 'string' ? value.slice(0, 256) : JSON.stringify(value)?.slice(0, 256);
  throw validation(`1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${rule}`);
}

function missing(member: string): never {
  throw validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
}

export function requireString(value: unknown, member: string, min: number, max: number, pattern?: RegExp): string {
  if (value === undefined || value === null) missing(member);
  return optionalString(value, member, min, max, pattern)!;
}

export function optionalString(value: unknown, member: string, min: number, max: number, pattern?: RegExp): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') constraint(value, member, 'Member must be a string');
  if (value.length < min || value.length > max) {
    constraint(value, member, min === max ? `Member must have length equal to ${min}` : `Member must have length ${min > 0 ? `greater than or equal to ${min} and ` : ''}less than or equal to ${max}`);
  }
  if (pattern && !pattern.test(value)) constraint(value, member, `Member must satisfy regular expression pattern: ${pattern.source}`);
  return value;
}

function optionalInteger(value: unknown, member: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) constraint(value, member, 'Member must be an integer');
  if (value < min) constraint(value, member, `Member must have value greater than or equal to ${min}`);
  if (value > max) constraint(value, member, `Member must have value less than or equal to ${max}`);
  return value;
}

function optionalEnum<T extends string>(value: unknown, member: string, values: readonly T[]): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !values.includes(value as T)) constraint(value, member, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return value as T;
}

function optionalObject(value: unknown, member: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) constraint(value, member, 'Member must be a structure');
  return value as Record<string, unknown>;
}

/** Epoch seconds (the SDK's timestamp format) to milliseconds. */
function optionalDate(value: unknown, member: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 253_402_300_799) constraint(value, member, 'Member must be a timestamp');
  return Math.round(value * 1000);
}

export function readGroupName(value: unknown, member = 'groupName'): string {
  return optionalString(value, member, 1, 64, NAME_PATTERN) ?? DEFAULT_SCHEDULE_GROUP;
}

export function readClientToken(value: unknown, member = 'clientToken'): string | undefined {
  return optionalString(value, member, 1, 64, CLIENT_TOKEN_PATTERN);
}

/** A schedule as CreateSchedule/UpdateSchedule describe it: everything but identity, dates and firing state. */
export type ScheduleDefinition = Pick<
  ScheduleRecord,
  'expression' | 'timeZone' | 'startDate' | 'endDate' | 'description' | 'state' | 'kmsKeyArn' | 'flexibleTimeWindow' | 'target' | 'actionAfterCompletion'
>;

export function readScheduleDefinition(body: Record<string, unknown>): ScheduleDefinition {
  const expression = requireString(body.ScheduleExpression, 'scheduleExpression', 1, 256);
  try {
    parseScheduleExpression(expression);
  } catch (e) {
    if (e instanceof ScheduleExpressionError) throw validation(e.message);
    throw e;
  }
  const timeZone = optionalString(body.ScheduleExpressionTimezone, 'scheduleExpressionTimezone', 1, 50);
  // Our wording: AWS's text for an unknown zone is not documented.
  if (timeZone !== undefined && !isValidTimeZone(timeZone)) throw validation(`Invalid ScheduleExpressionTimezone ${timeZone}.`);
  const startDate = optionalDate(body.StartDate, 'startDate');
  const endDate = optionalDate(body.EndDate, 'endDate');
  // AWS's wording is not documented; an end before the start could never fire.
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) throw validation('The EndDate you specify must be after the StartDate.');
  const description = optionalString(body.Description, 'description', 0, 512);
  const state = optionalEnum(body.State, 'state', ['ENABLED', 'DISABLED'] as const) ?? 'ENABLED';
  const kmsKeyArn = optionalString(body.KmsKeyArn, 'kmsKeyArn', 1, 2048);
  const actionAfterCompletion = optionalEnum(body.ActionAfterCompletion, 'actionAfterCompletion', ['NONE', 'DELETE'] as const) ?? 'NONE';
  return {
    expression,
    ...(timeZone !== undefined ? { timeZone } : {}),
    ...(startDate !== undefined ? { startDate } : {}),
    ...(endDate !== undefined ? { endDate } : {}),
    ...(description !== undefined ? { description } : {}),
    state,
    ...(kmsKeyArn !== undefined ? { kmsKeyArn } : {}),
    flexibleTimeWindow: readFlexibleTimeWindow(body.FlexibleTimeWindow),
    target: readTarget(body.Target),
    actionAfterCompletion,
  };
}

function readFlexibleTimeWindow(value: unknown): FlexibleTimeWindow {
  if (value === undefined || value === null) missing('flexibleTimeWindow');
  const window = optionalObject(value, 'flexibleTimeWindow')!;
  const mode = optionalEnum(window.Mode, 'flexibleTimeWindow.mode', ['OFF', 'FLEXIBLE'] as const);
  if (mode === undefined) missing('flexibleTimeWindow.mode');
  const minutes = optionalInteger(window.MaximumWindowInMinutes, 'flexibleTimeWindow.maximumWindowInMinutes', 1, 1440);
  // AWS's wording for a FLEXIBLE window without its size is not documented.
  if (mode === 'FLEXIBLE' && minutes === undefined) throw validation('MaximumWindowInMinutes is required when Mode is FLEXIBLE.');
  return mode === 'FLEXIBLE' ? { mode, maximumWindowInMinutes: minutes! } : { mode };
}

function readTarget(value: unknown): ScheduleTarget {
  if (value === undefined || value === null) missing('target');
  const target = optionalObject(value, 'target')!;
  // Any ARN is accepted, as AWS accepts any target its role may reach; the firing of one that
  // Stepwise cannot start (it starts state machines) fails visibly, as a dead letter
  // (src/runtime/scheduler.ts), rather than the create.
  const arn = requireString(target.Arn, 'target.arn', 1, 1600);
  const roleArn = requireString(target.RoleArn, 'target.roleArn', 1, 1600, ROLE_ARN_PATTERN);
  const input = optionalString(target.Input, 'target.input', 1, 8192);
  const retry = optionalObject(target.RetryPolicy, 'target.retryPolicy') ?? {};
  const maximumEventAgeInSeconds = optionalInteger(retry.MaximumEventAgeInSeconds, 'target.retryPolicy.maximumEventAgeInSeconds', 60, 86_400) ?? DEFAULT_MAX_EVENT_AGE_SECONDS;
  const maximumRetryAttempts = optionalInteger(retry.MaximumRetryAttempts, 'target.retryPolicy.maximumRetryAttempts', 0, 185) ?? DEFAULT_MAX_RETRY_ATTEMPTS;
  const deadLetter = optionalObject(target.DeadLetterConfig, 'target.deadLetterConfig');
  const deadLetterArn = deadLetter && optionalString(deadLetter.Arn, 'target.deadLetterConfig.arn', 1, 1600, SQS_ARN_PATTERN);
  const parameters: Record<string, unknown> = {};
  for (const key of OTHER_TARGET_PARAMETERS) {
    const block = optionalObject(target[key], `target.${key[0]!.toLowerCase()}${key.slice(1)}`);
    if (block) parameters[key] = block;
  }
  return {
    arn,
    roleArn,
    ...(input !== undefined ? { input } : {}),
    retryPolicy: { maximumEventAgeInSeconds, maximumRetryAttempts },
    ...(deadLetterArn !== undefined ? { deadLetterArn } : {}),
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
  };
}

/** Tags as CreateScheduleGroup and TagResource take them: 0–200 of {Key 1–128, Value 0–256}. */
export function readTags(value: unknown, member: string, required: boolean): { key: string; value: string }[] {
  if (value === undefined || value === null) {
    if (required) missing(member);
    return [];
  }
  if (!Array.isArray(value)) constraint(value, member, 'Member must be a list');
  if (value.length > 200) constraint(value, member, 'Member must have length less than or equal to 200');
  if (required && value.length === 0) constraint(value, member, 'Member must have length greater than or equal to 1');
  return value.map((tag: unknown, i) => {
    const t = optionalObject(tag, `${member}.${i + 1}.member`) ?? {};
    return { key: requireString(t.Key, `${member}.${i + 1}.member.key`, 1, 128), value: requireString(t.Value, `${member}.${i + 1}.member.value`, 0, 256) };
  });
}
