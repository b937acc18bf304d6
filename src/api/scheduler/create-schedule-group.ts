/** CreateScheduleGroup (`POST /schedule-groups/{Name}`): ConflictException when the name is taken, ServiceQuotaExceededException past 500 groups. */
import { conflict, quotaExceeded } from './protocol.js';
import { newGroup, readName, type SchedulerAction } from './shared.js';
import { readClientToken, readTags } from './validate.js';

export const createScheduleGroup: SchedulerAction = async (ctx, request) => {
  const name = readName(request);
  const tags = readTags(request.body.Tags, 'tags', false);
  readClientToken(request.body.ClientToken);
  await ctx.ensureDefaultGroup();
  const record = newGroup(ctx.api, name, tags);
  const outcome = await ctx.api.store.schedules.createGroup(record, { maxGroups: ctx.api.config.limits.maxScheduleGroups });
  if (outcome === 'exists') throw conflict(`Schedule group ${name} already exists.`);
  if (outcome === 'limit-exceeded') throw quotaExceeded(`The number of schedule groups has reached the limit of ${ctx.api.config.limits.maxScheduleGroups}.`);
  return { ScheduleGroupArn: record.arn };
};
