/** DescribeActivity. */
import { activityDoesNotExist } from '../aws-errors.js';
import { parseActivityArn } from '../arns.js';
import { shapes, struct } from '../input.js';
import { seconds } from '../wire.js';
import { operation } from './operation.js';

export const describeActivity = operation<{ activityArn: string }>(
  struct('DescribeActivityInput', { activityArn: shapes.Arn }, ['activityArn']),
  async ({ activityArn }, ctx) => {
    parseActivityArn(activityArn);
    const activity = await ctx.store.getActivity(activityArn);
    if (!activity) throw activityDoesNotExist(activityArn);
    return { activityArn: activity.arn, name: activity.name, creationDate: seconds(activity.createdAt) };
  },
);
