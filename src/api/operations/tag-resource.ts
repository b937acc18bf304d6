/**
 * TagResource: adds or overwrites tags (at most 50 per resource: TooManyTags). The count is
 * checked in the write that adds them, so racing calls cannot together pass the quota, and a
 * resource deleted meanwhile gets no tags (a new one of its name would inherit them).
 */
import { resourceNotFoundArn, tooManyTags } from '../aws-errors.js';
import { TagListShape, shapes, struct } from '../input.js';
import { checkTagCount, tagsOf } from '../machines.js';
import { taggableResource } from '../tagging.js';
import { operation } from './operation.js';

export const tagResource = operation<{ resourceArn: string; tags: unknown[] }>(
  struct('TagResourceInput', { resourceArn: shapes.Arn, tags: TagListShape }, ['resourceArn', 'tags']),
  async ({ resourceArn, tags }, ctx) => {
    const arn = await taggableResource(ctx, resourceArn);
    const incoming = tagsOf(tags);
    checkTagCount(ctx, arn, await ctx.store.listTags(arn), incoming);
    if (incoming.length === 0) return {};
    const result = await ctx.store.tagResource(arn, incoming, { maxTags: ctx.config.limits.maxTagsPerResource });
    if (result === 'too-many-tags') throw tooManyTags(arn, ctx.config.limits.maxTagsPerResource);
    if (result === 'no-resource') throw resourceNotFoundArn(arn);
    return {};
  },
);
