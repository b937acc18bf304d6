/**
 * UpdateSchedule (`PUT /schedules/{Name}`): replaces the whole definition, as AWS does ("all
 * parameters you do not specify are set to their default values"), and starts the firings over
 * from now: re-enabling a DISABLED schedule does not fire the due times it missed, as on AWS.
 * A firing under way when the update commits loses its compare-and-set and is not advanced
 * (its execution, if started, stays).
 */
import { initialFiring } from '../../runtime/schedule-timing.js';
import type { ScheduleRecord } from '../../store/schedules.js';
import { readName, scheduleArn, scheduleNotFound, type SchedulerAction } from './shared.js';
import { readClientToken, readGroupName, readScheduleDefinition } from './validate.js';

export const updateSchedule: SchedulerAction = async (ctx, request) => {
  const name = readName(request);
  const groupName = readGroupName(request.body.GroupName);
  readClientToken(request.body.ClientToken);
  const definition = readScheduleDefinition(request.body);
  const now = ctx.api.clock.now();
  // createdAt is kept by the store; this one is only a placeholder.
  const base = { ...definition, arn: scheduleArn(ctx.api, groupName, name), groupName, name, createdAt: now, updatedAt: now };
  const record: ScheduleRecord = { ...base, ...initialFiring(base, now) };
  if ((await ctx.api.store.schedules.updateSchedule(record)) === 'no-schedule') return scheduleNotFound(name);
  ctx.changed();
  return { ScheduleArn: record.arn };
};
