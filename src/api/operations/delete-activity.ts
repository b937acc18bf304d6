/** DeleteActivity. Deleting an activity that does not exist succeeds, as on AWS. */
import { parseActivityArn } from '../arns.js';
import { shapes, struct } from '../input.js';
import { operation } from './operation.js';

export const deleteActivity = operation<{ activityArn: string }>(
  struct('DeleteActivityInput', { activityArn: shapes.Arn }, ['activityArn']),
  async ({ activityArn }, ctx) => {
    parseActivityArn(activityArn);
    await ctx.store.deleteActivity(activityArn);
    return {};
  },
);
