/**
 * DeleteStateMachineVersion. Refused (ConflictException) while an alias routes to the version;
 * deleting a version that does not exist succeeds.
 */
import { conflict, invalidArn } from '../aws-errors.js';
import { parseMachineArn } from '../arns.js';
import { shapes, struct } from '../input.js';
import { operation } from './operation.js';

export const deleteStateMachineVersion = operation<{ stateMachineVersionArn: string }>(
  struct('DeleteStateMachineVersionInput', { stateMachineVersionArn: shapes.LongArn }, ['stateMachineVersionArn']),
  async ({ stateMachineVersionArn }, ctx) => {
    const target = parseMachineArn(stateMachineVersionArn);
    if (target.kind !== 'version') throw invalidArn(`Invalid ARN format: ${stateMachineVersionArn}`);
    const version = await ctx.store.getVersion(target.arn);
    if (!version) return {};
    const aliases = await ctx.store.listAliases(target.machineArn, { limit: 1000 });
    const routing = aliases.items.filter((a) => a.routingConfiguration.some((r) => r.stateMachineVersionArn === target.arn));
    if (routing.length > 0) {
      throw conflict(
        `Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [${routing.map((a) => a.name).join(', ')}]`,
      );
    }
    await ctx.store.deleteVersion(target.arn);
    return {};
  },
);
