/** ListTagsForResource. */
import { shapes, struct } from '../input.js';
import { taggableResource } from '../tagging.js';
import { operation } from './operation.js';

export const listTagsForResource = operation<{ resourceArn: string }>(
  struct('ListTagsForResourceInput', { resourceArn: shapes.Arn }, ['resourceArn']),
  async ({ resourceArn }, ctx) => {
    const arn = await taggableResource(ctx, resourceArn);
    const tags = await ctx.store.listTags(arn);
    return { tags: tags.map((t) => ({ key: t.key, value: t.value })) };
  },
);
