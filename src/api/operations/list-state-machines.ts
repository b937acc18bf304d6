/** ListStateMachines, a page at a time. */
import { shapes, struct } from '../input.js';
import { listing, pageRequest } from '../paging.js';
import { compact, seconds } from '../wire.js';
import { operation } from './operation.js';

export const listStateMachines = operation<{ maxResults?: number; nextToken?: string }>(
  struct('ListStateMachinesInput', { maxResults: shapes.PageSize, nextToken: shapes.PageToken }),
  async ({ maxResults, nextToken }, ctx) => {
    const page = await listing(() => ctx.store.listStateMachines(pageRequest(maxResults, nextToken)));
    return compact({
      stateMachines: page.items.map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: seconds(m.createdAt) })),
      nextToken: page.nextToken,
    });
  },
);
