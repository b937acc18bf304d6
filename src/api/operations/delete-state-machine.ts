/**
 * DeleteStateMachine: removes the machine with its versions, aliases and tags. Deleting one that
 * does not exist succeeds, as on AWS. Executions keep running and stay describable.
 */
import { validation } from '../aws-errors.js';
import { parseMachineArn } from '../arns.js';
import { shapes, struct } from '../input.js';
import { operation } from './operation.js';

export const deleteStateMachine = operation<{ stateMachineArn: string }>(
  struct('DeleteStateMachineInput', { stateMachineArn: shapes.Arn }, ['stateMachineArn']),
  async ({ stateMachineArn }, ctx) => {
    const target = parseMachineArn(stateMachineArn);
    if (target.kind !== 'machine') {
      throw validation(`Invalid state machine ARN: '${stateMachineArn}'. Use DeleteStateMachineVersion or DeleteStateMachineAlias for qualified ARNs.`);
    }
    await ctx.store.deleteStateMachine(target.machineArn);
    return {};
  },
);
