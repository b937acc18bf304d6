/** DescribeStateMachineAlias. updateDate is the creation date until the alias is updated. */
import { resourceNotFound } from '../aws-errors.js';
import { parseMachineArn } from '../arns.js';
import { invalidArn } from '../aws-errors.js';
import { shapes, struct } from '../input.js';
import { compact, seconds } from '../wire.js';
import { operation } from './operation.js';

export const describeStateMachineAlias = operation<{ stateMachineAliasArn: string }>(
  struct('DescribeStateMachineAliasInput', { stateMachineAliasArn: shapes.Arn }, ['stateMachineAliasArn']),
  async ({ stateMachineAliasArn }, ctx) => {
    const target = parseMachineArn(stateMachineAliasArn);
    if (target.kind !== 'alias') throw invalidArn(`Invalid ARN format: ${stateMachineAliasArn}`);
    const alias = await ctx.store.getAlias(target.arn);
    if (!alias) throw resourceNotFound('Request references a resource that does not exist.');
    return compact({
      stateMachineAliasArn: alias.arn,
      name: alias.name,
      description: alias.description,
      routingConfiguration: alias.routingConfiguration.map((r) => ({ stateMachineVersionArn: r.stateMachineVersionArn, weight: r.weight })),
      creationDate: seconds(alias.createdAt),
      updateDate: seconds(alias.updatedAt ?? alias.createdAt),
    });
  },
);
