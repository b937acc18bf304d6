/** ListStateMachineVersions, newest first. An unknown machine has no versions. */
import { parseUnqualifiedMachineArn } from '../arns.js';
import { shapes, struct } from '../input.js';
import { listing, pageRequest } from '../paging.js';
import { compact, seconds } from '../wire.js';
import { operation } from './operation.js';

export const listStateMachineVersions = operation<{ stateMachineArn: string; maxResults?: number; nextToken?: string }>(
  struct('ListStateMachineVersionsInput', { stateMachineArn: shapes.Arn, nextToken: shapes.PageToken, maxResults: shapes.PageSize }, ['stateMachineArn']),
  async ({ stateMachineArn, maxResults, nextToken }, ctx) => {
    const machineArn = parseUnqualifiedMachineArn(stateMachineArn);
    const page = await listing(() => ctx.store.listVersions(machineArn, pageRequest(maxResults, nextToken)));
    return compact({
      stateMachineVersions: page.items.map((v) => ({ stateMachineVersionArn: v.arn, creationDate: seconds(v.createdAt) })),
      nextToken: page.nextToken,
    });
  },
);
