/** UntagResource: removes tags by key (unknown keys are ignored). */
import { TagKeyListShape, shapes, struct } from '../input.js';
import { taggableResource } from '../tagging.js';
import { operation } from './operation.js';

export const untagResource = operation<{ resourceArn: string; tagKeys: string[] }>(
  struct('UntagResourceInput', { resourceArn: shapes.Arn, tagKeys: TagKeyListShape }, ['resourceArn', 'tagKeys']),
  async ({ resourceArn, tagKeys }, ctx) => {
    const arn = await taggableResource(ctx, resourceArn);
    if (tagKeys.length > 0) await ctx.store.untagResource(arn, tagKeys);
    return {};
  },
);
