/** DeleteStateMachineAlias. The versions it routed to stay; deleting an unknown alias succeeds. */
import { invalidArn } from '../aws-errors.js';
import { parseMachineArn } from '../arns.js';
import { shapes, struct } from '../input.js';
import { operation } from './operation.js';

export const deleteStateMachineAlias = operation<{ stateMachineAliasArn: string }>(
  struct('DeleteStateMachineAliasInput', { stateMachineAliasArn: shapes.Arn }, ['stateMachineAliasArn']),
  async ({ stateMachineAliasArn }, ctx) => {
    const target = parseMachineArn(stateMachineAliasArn);
    if (target.kind !== 'alias') throw invalidArn(`Invalid ARN format: ${stateMachineAliasArn}`);
    await ctx.store.deleteAlias(target.arn);
    return {};
  },
);
