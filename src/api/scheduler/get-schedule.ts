/** GetSchedule (`GET /schedules/{Name}?groupName=`). */
import { readName, scheduleNotFound, scheduleOutput, type SchedulerAction } from './shared.js';
import { readGroupName } from './validate.js';

export const getSchedule: SchedulerAction = async (ctx, request) => {
  const name = readName(request);
  const groupName = readGroupName(request.query.get('groupName') ?? undefined);
  const record = await ctx.api.store.schedules.getSchedule(groupName, name);
  return record ? scheduleOutput(record) : scheduleNotFound(name);
};
