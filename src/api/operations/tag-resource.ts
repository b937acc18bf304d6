/** TagResource: adds or overwrites tags (at most 50 per resource: TooManyTags). */
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
    if (incoming.length > 0) await ctx.store.tagResource(arn, incoming);
    return {};
  },
);
