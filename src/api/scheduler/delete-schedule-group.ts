/**
 * DeleteScheduleGroup (`DELETE /schedule-groups/{Name}`): deletes the group and its schedules.
 * AWS does it in the background (the group shows DELETING meanwhile); here it is one
 * transaction, done when the call returns. The default group cannot be deleted.
 */
import { DEFAULT_SCHEDULE_GROUP } from '../../store/schedules.js';
import { validation } from './protocol.js';
import { groupNotFound, readName, type SchedulerAction } from './shared.js';
import { readClientToken } from './validate.js';

export const deleteScheduleGroup: SchedulerAction = async (ctx, request) => {
  const name = readName(request);
  readClientToken(request.query.get('clientToken') ?? undefined);
  // Our wording: AWS's message is not documented.
  if (name === DEFAULT_SCHEDULE_GROUP) throw validation('The default schedule group cannot be deleted.');
  const outcome = await ctx.api.store.schedules.deleteGroup(name);
  if (outcome === 'no-group') return groupNotFound(name);
  ctx.changed();
  return {};
};
