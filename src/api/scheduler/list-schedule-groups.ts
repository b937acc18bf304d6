/** ListScheduleGroups (`GET /schedule-groups?NamePrefix=&MaxResults=&NextToken=`), in creation order (`default` first). */
import { groupOutput, listed, listParameters, type SchedulerAction } from './shared.js';

export const listScheduleGroups: SchedulerAction = async (ctx, request) => {
  const { limit, nextToken, namePrefix } = listParameters(request);
  await ctx.ensureDefaultGroup();
  const filter = namePrefix !== undefined ? { namePrefix } : {};
  const page = await listed(() => ctx.api.store.schedules.listGroups(filter, { limit, ...(nextToken !== undefined ? { nextToken } : {}) }));
  return { ScheduleGroups: page.items.map(groupOutput), ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}) };
};
