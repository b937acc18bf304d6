/** ListSchedules (`GET /schedules?ScheduleGroup=&NamePrefix=&State=&MaxResults=&NextToken=`), in creation order. */
import type { ScheduleState } from '../../store/schedules.js';
import { validation } from './protocol.js';
import { listed, listParameters, scheduleSummary, type SchedulerAction } from './shared.js';
import { NAME_PATTERN, optionalString } from './validate.js';

export const listSchedules: SchedulerAction = async (ctx, request) => {
  const { limit, nextToken, namePrefix } = listParameters(request);
  const groupName = optionalString(request.query.get('ScheduleGroup') ?? undefined, 'groupName', 1, 64, NAME_PATTERN);
  const state = request.query.get('State') ?? undefined;
  if (state !== undefined && state !== 'ENABLED' && state !== 'DISABLED') {
    throw validation(`1 validation error detected: Value '${state.slice(0, 20)}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`);
  }
  const filter = { ...(groupName !== undefined ? { groupName } : {}), ...(namePrefix !== undefined ? { namePrefix } : {}), ...(state !== undefined ? { state: state as ScheduleState } : {}) };
  await ctx.ensureDefaultGroup();
  const page = await listed(() => ctx.api.store.schedules.listSchedules(filter, { limit, ...(nextToken !== undefined ? { nextToken } : {}) }));
  return { Schedules: page.items.map(scheduleSummary), ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}) };
};
