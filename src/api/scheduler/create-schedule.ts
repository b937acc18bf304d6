/**
 * CreateSchedule (`POST /schedules/{Name}`): the group must exist (ResourceNotFoundException),
 * the name must be free in it (ConflictException), unless the request repeats the ClientToken of
 * the create that made the schedule: that is the same request again, answered with its ARN.
 * The schedule's first firing is its first due time from now on.
 */
import { initialFiring } from '../../runtime/schedule-timing.js';
import type { ScheduleRecord } from '../../store/schedules.js';
import { conflict, quotaExceeded } from './protocol.js';
import { groupNotFound, readName, scheduleArn, type SchedulerAction } from './shared.js';
import { readClientToken, readGroupName, readScheduleDefinition } from './validate.js';

export const createSchedule: SchedulerAction = async (ctx, request) => {
  const name = readName(request);
  const groupName = readGroupName(request.body.GroupName);
  const clientToken = readClientToken(request.body.ClientToken);
  const definition = readScheduleDefinition(request.body);
  await ctx.ensureDefaultGroup();
  const now = ctx.api.clock.now();
  const base = { ...definition, arn: scheduleArn(ctx.api, groupName, name), groupName, name, createdAt: now, updatedAt: now };
  const record: ScheduleRecord = { ...base, ...initialFiring(base, now), ...(clientToken !== undefined ? { clientToken } : {}) };
  const result = await ctx.api.store.schedules.createSchedule(record, { maxSchedules: ctx.api.config.limits.maxSchedules });
  switch (result.outcome) {
    case 'created':
      ctx.changed();
      return { ScheduleArn: record.arn };
    case 'exists':
      if (clientToken !== undefined && result.existing.clientToken === clientToken) return { ScheduleArn: result.existing.arn };
      throw conflict(`Schedule ${name} already exists.`);
    case 'no-group':
      return groupNotFound(groupName);
    case 'limit-exceeded':
      throw quotaExceeded(`The number of schedules has reached the limit of ${ctx.api.config.limits.maxSchedules}.`);
  }
};
