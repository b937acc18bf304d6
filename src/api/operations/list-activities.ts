/** ListActivities, a page at a time. */
import { shapes, struct } from '../input.js';
import { listing, pageRequest } from '../paging.js';
import { compact, seconds } from '../wire.js';
import { operation } from './operation.js';

export const listActivities = operation<{ maxResults?: number; nextToken?: string }>(
  struct('ListActivitiesInput', { maxResults: shapes.PageSize, nextToken: shapes.PageToken }),
  async ({ maxResults, nextToken }, ctx) => {
    const page = await listing(() => ctx.store.listActivities(pageRequest(maxResults, nextToken)));
    return compact({
      activities: page.items.map((a) => ({ activityArn: a.arn, name: a.name, creationDate: seconds(a.createdAt) })),
      nextToken: page.nextToken,
    });
  },
);
