/** DeleteSchedule (`DELETE /schedules/{Name}?groupName=&clientToken=`). */
import { readName, scheduleNotFound, type SchedulerAction } from './shared.js';
import { readClientToken, readGroupName } from './validate.js';

export const deleteSchedule: SchedulerAction = async (ctx, request) => {
  const name = readName(request);
  const groupName = readGroupName(request.query.get('groupName') ?? undefined);
  readClientToken(request.query.get('clientToken') ?? undefined);
  if (!(await ctx.api.store.schedules.deleteSchedule(groupName, name))) return scheduleNotFound(name);
  ctx.changed();
  return {};
};
