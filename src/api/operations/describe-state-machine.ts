/** DescribeStateMachine, for a state machine ARN or a version ARN. */
import { stateMachineDoesNotExist } from '../aws-errors.js';
import { parseMachineArn } from '../arns.js';
import { shapes, struct } from '../input.js';
import { describeMachine, describeVersion, getMachine } from '../machines.js';
import { operation } from './operation.js';

export const describeStateMachine = operation<{ stateMachineArn: string; includedData?: string }>(
  struct('DescribeStateMachineInput', { stateMachineArn: shapes.Arn, includedData: shapes.IncludedData }, ['stateMachineArn']),
  async ({ stateMachineArn }, ctx) => {
    const target = parseMachineArn(stateMachineArn);
    if (target.kind === 'machine') return describeMachine(await getMachine(ctx, target.machineArn, stateMachineArn));
    if (target.kind === 'alias') throw stateMachineDoesNotExist(stateMachineArn);
    const version = await ctx.store.getVersion(target.arn);
    if (!version) throw stateMachineDoesNotExist(stateMachineArn);
    return describeVersion(version, target.name);
  },
);
