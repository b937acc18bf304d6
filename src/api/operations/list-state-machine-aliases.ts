/**
 * ListStateMachineAliases for a state machine, or (given a version ARN) the aliases that route
 * to that version.
 */
import { invalidArn } from '../aws-errors.js';
import { parseMachineArn } from '../arns.js';
import { shapes, struct } from '../input.js';
import { getMachine } from '../machines.js';
import { listing, pageRequest } from '../paging.js';
import { compact, seconds } from '../wire.js';
import { operation } from './operation.js';

export const listStateMachineAliases = operation<{ stateMachineArn: string; maxResults?: number; nextToken?: string }>(
  struct('ListStateMachineAliasesInput', { stateMachineArn: shapes.Arn, nextToken: shapes.PageToken, maxResults: shapes.PageSize }, ['stateMachineArn']),
  async ({ stateMachineArn, maxResults, nextToken }, ctx) => {
    const target = parseMachineArn(stateMachineArn);
    if (target.kind === 'alias') throw invalidArn(`Invalid ARN format: ${stateMachineArn}`);
    await getMachine(ctx, target.machineArn, stateMachineArn);
    const page = await listing(() => ctx.store.listAliases(target.machineArn, pageRequest(maxResults, nextToken)));
    const items = target.kind === 'version' ? page.items.filter((a) => a.routingConfiguration.some((r) => r.stateMachineVersionArn === target.arn)) : page.items;
    return compact({
      stateMachineAliases: items.map((a) => ({ stateMachineAliasArn: a.arn, creationDate: seconds(a.createdAt) })),
      nextToken: page.nextToken,
    });
  },
);
