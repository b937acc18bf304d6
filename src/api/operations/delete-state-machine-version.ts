/**
 * DeleteStateMachineVersion. Refused (ConflictException) while an alias routes to the version,
 * checked in the same write as the delete (so an alias created meanwhile cannot be left routing
 * to nothing); deleting a version that does not exist succeeds.
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
    const result = await ctx.store.deleteVersion(target.arn);
    if (result.outcome === 'referenced') {
      throw conflict(
        `Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [${result.aliasNames.join(', ')}]`,
      );
    }
    return {};
  },
);
