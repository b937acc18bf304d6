/**
 * CreateActivity. Idempotent by name: the existing activity is returned and the request's tags
 * are ignored, as AWS documents.
 */
import { activityLimitExceeded } from '../aws-errors.js';
import { activityArn } from '../arns.js';
import { EncryptionConfigurationShape, TagListShape, shapes, struct } from '../input.js';
import { checkTagCount, tagsOf } from '../machines.js';
import { checkEncryptionConfiguration } from '../encryption.js';
import { checkName } from '../names.js';
import { seconds } from '../wire.js';
import { operation } from './operation.js';

export const createActivity = operation<{ name: string; tags?: unknown[]; encryptionConfiguration?: Record<string, unknown> }>(
  struct('CreateActivityInput', { name: shapes.Name, tags: TagListShape, encryptionConfiguration: EncryptionConfigurationShape }, ['name']),
  async ({ name, tags, encryptionConfiguration }, ctx) => {
    checkName(name);
    checkEncryptionConfiguration(encryptionConfiguration);
    const arn = activityArn(ctx, name);
    const existing = await ctx.store.getActivity(arn);
    if (existing) return { activityArn: arn, creationDate: seconds(existing.createdAt) };
    const tagList = tagsOf(tags);
    checkTagCount(ctx, arn, [], tagList);
    const record = { arn, name, createdAt: ctx.clock.now() };
    // The activity and its tags are one write, checked against the quota inside it.
    const outcome = await ctx.store.createActivity(record, { tags: tagList, maxActivities: ctx.config.limits.maxActivities });
    if (outcome === 'limit-exceeded') throw activityLimitExceeded();
    if (outcome === 'exists') {
      const winner = await ctx.store.getActivity(arn);
      return { activityArn: arn, creationDate: seconds(winner?.createdAt ?? record.createdAt) };
    }
    return { activityArn: arn, creationDate: seconds(record.createdAt) };
  },
);
