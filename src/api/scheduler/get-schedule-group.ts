/** GetScheduleGroup (`GET /schedule-groups/{Name}`). */
import { groupNotFound, groupOutput, readName, type SchedulerAction } from './shared.js';

export const getScheduleGroup: SchedulerAction = async (ctx, request) => {
  const name = readName(request);
  await ctx.ensureDefaultGroup();
  const record = await ctx.api.store.schedules.getGroup(name);
  return record ? groupOutput(record) : groupNotFound(name);
};
