/**
 * When a schedule fires, computed from its record alone (no clock read here: callers pass `now`),
 * so every node and every restart computes the same instants:
 *  - due times come from src/schedules (rate, cron, at; time zone; StartDate/EndDate);
 *  - a flexible window's offset is a hash of (schedule ARN, due time), uniform in the window, so
 *    a firing interrupted by a restart happens at the same instant afterwards;
 *  - a retry waits 1 s, 2 s, 4 s… up to 5 minutes after the failed attempt. AWS documents
 *    "exponential backoff" without numbers; ours has no jitter, for the same reason as above.
 */
import { createHash } from 'node:crypto';
import { dueTimesBetween, nextDueTime, parseScheduleExpression, type DueTimeOptions, type ScheduleExpression } from '../schedules/expressions.js';
import type { FiringState, ScheduleRecord } from '../store/schedules.js';

const MAX_BACKOFF_MS = 5 * 60_000;

type Timing = Pick<ScheduleRecord, 'arn' | 'expression' | 'timeZone' | 'startDate' | 'endDate' | 'updatedAt' | 'flexibleTimeWindow'>;

function dueOptions(record: Timing): DueTimeOptions {
  return {
    ...(record.timeZone !== undefined ? { timeZone: record.timeZone } : {}),
    ...(record.startDate !== undefined ? { startDate: record.startDate } : {}),
    ...(record.endDate !== undefined ? { endDate: record.endDate } : {}),
    // A rate without a StartDate counts from the create or the last update: AWS starts such a
    // schedule "immediately" when it is created; what an update does is not documented, and
    // restarting the count is our choice (the update also starts the firings over).
    anchorMs: record.updatedAt,
  };
}

const parsed = new Map<string, ScheduleExpression>();

function expressionOf(text: string): ScheduleExpression {
  let expression = parsed.get(text);
  if (!expression) {
    if (parsed.size >= 1_000) parsed.clear();
    parsed.set(text, (expression = parseScheduleExpression(text)));
  }
  return expression;
}

/** The first due time at or after `now` (undefined when there is none: an `at` in the past, an EndDate passed). */
export function firstDueAt(record: Timing, now: number): number | undefined {
  return nextDueTime(expressionOf(record.expression), now - 1, dueOptions(record));
}

/** The due time after `dueAt`, or undefined when the schedule has no more. */
export function dueAfter(record: Timing, dueAt: number): number | undefined {
  return nextDueTime(expressionOf(record.expression), dueAt, dueOptions(record));
}

/** Due times in [fromMs, toMs), at most `limit`, earliest first. */
export function dueTimesIn(record: Timing, fromMs: number, toMs: number, limit: number): number[] {
  return dueTimesBetween(expressionOf(record.expression), fromMs - 1, toMs - 1, { ...dueOptions(record), limit });
}

/** The firing state of a due time not yet attempted (no due time: nothing left to fire). */
export function firingOf(record: Timing, dueAt: number | undefined): FiringState {
  return dueAt === undefined ? { attempt: 0 } : { nextDueAt: dueAt, nextFireAt: dueAt + flexOffsetMs(record, dueAt), attempt: 0 };
}

/** A new or updated schedule's firing state: its first due time from `now` on (AWS does not fire the past of a new schedule). */
export function initialFiring(record: Timing, now: number): FiringState {
  return firingOf(record, firstDueAt(record, now));
}

/** Where in its flexible window a due time fires: [0, window) ms, the same on every node. */
export function flexOffsetMs(record: Pick<Timing, 'arn' | 'flexibleTimeWindow'>, dueAt: number): number {
  const { mode, maximumWindowInMinutes } = record.flexibleTimeWindow;
  if (mode !== 'FLEXIBLE' || !maximumWindowInMinutes) return 0;
  const windowMs = maximumWindowInMinutes * 60_000;
  const digest = createHash('sha256').update(`${record.arn}\n${dueAt}`).digest();
  return digest.readUIntBE(0, 6) % windowMs;
}

/** The wait before the retry that follows `failures` failed attempts (1, 2, 3…). */
export function retryBackoffMs(failures: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(20, Math.max(0, failures - 1)));
}

/**
 * The execution a firing starts, named after the schedule and the due time: a firing repeated
 * (a retry, a restart, another node) names the same execution. Schedule names allow only
 * `[0-9a-zA-Z-_.]`, all valid in execution names; the name is cut to 40 characters and a hash
 * of group and name added, so two schedules never share an execution name. At most 66 characters.
 */
export function firingExecutionName(record: Pick<ScheduleRecord, 'groupName' | 'name'>, dueAt: number): string {
  const hash = createHash('sha256').update(`${record.groupName}/${record.name}`).digest('hex').slice(0, 8);
  return `${record.name.slice(0, 40)}-${compactTime(dueAt)}-${hash}`;
}

/** `20260101T120000Z`, or with milliseconds when the due time has some (rates anchored at a create). */
function compactTime(ms: number): string {
  const iso = new Date(ms).toISOString().replace(/[-:]/g, '');
  return ms % 1000 === 0 ? iso.replace(/\.\d{3}Z$/, 'Z') : iso.replace('.', '');
}

/**
 * AWS's context attributes, replaced in the target's Input text as AWS does ("EventBridge
 * Scheduler replaces each keyword with its respective value when your schedule invokes the
 * target"). The scheduled time is given to the second, as in AWS's example (2022-03-22T18:59:43Z);
 * the execution id is 16 hex digits (AWS's example d32c5kddcf5bb8c3), one per attempt.
 */
export function substituteContext(input: string, context: { readonly scheduleArn: string; readonly dueAt: number; readonly attemptNumber: number }): string {
  if (!input.includes('<aws.scheduler.')) return input;
  const values: Record<string, string> = {
    '<aws.scheduler.schedule-arn>': context.scheduleArn,
    '<aws.scheduler.scheduled-time>': new Date(context.dueAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    '<aws.scheduler.execution-id>': createHash('sha256').update(`${context.scheduleArn}\n${context.dueAt}\n${context.attemptNumber}`).digest('hex').slice(0, 16),
    '<aws.scheduler.attempt-number>': String(context.attemptNumber),
  };
  return input.replace(/<aws\.scheduler\.[a-z-]+>/g, (keyword) => values[keyword] ?? keyword);
}
