/**
 * TagResource, UntagResource and ListTagsForResource (`/tags/{ResourceArn}`). In EventBridge
 * Scheduler only schedule groups carry tags; any other ARN is answered ResourceNotFoundException.
 */
import { quotaExceeded, validation } from './protocol.js';
import { groupNotFound, MAX_GROUP_TAGS, type SchedulerAction } from './shared.js';
import { readTags, requireString } from './validate.js';

function readArn(label: string | undefined): string {
  return requireString(label, 'resourceArn', 1, 1011);
}

/** The group an ARN names, for the error message. */
function groupNameOf(arn: string): string {
  return /:schedule-group\/([^/]+)$/.exec(arn)?.[1] ?? arn;
}

export const tagResource: SchedulerAction = async (ctx, request) => {
  const arn = readArn(request.label);
  const tags = readTags(request.body.Tags, 'tags', true);
  await ctx.ensureDefaultGroup();
  const outcome = await ctx.api.store.schedules.tagGroup(arn, tags, { maxTags: MAX_GROUP_TAGS });
  if (outcome === 'no-resource') return groupNotFound(groupNameOf(arn));
  if (outcome === 'too-many-tags') throw quotaExceeded(`A schedule group can have at most ${MAX_GROUP_TAGS} tags.`);
  return {};
};

export const untagResource: SchedulerAction = async (ctx, request) => {
  const arn = readArn(request.label);
  const keys = request.query.getAll('TagKeys');
  if (keys.length === 0) throw validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
  keys.forEach((key, i) => requireString(key, `tagKeys.${i + 1}.member`, 1, 128));
  await ctx.ensureDefaultGroup();
  if ((await ctx.api.store.schedules.untagGroup(arn, keys)) === 'no-resource') return groupNotFound(groupNameOf(arn));
  return {};
};

export const listTagsForResource: SchedulerAction = async (ctx, request) => {
  const arn = readArn(request.label);
  await ctx.ensureDefaultGroup();
  const name = groupNameOf(arn);
  const group = await ctx.api.store.schedules.getGroup(name);
  if (!group || group.arn !== arn) return groupNotFound(name);
  return { Tags: group.tags.map((t) => ({ Key: t.key, Value: t.value })) };
};
