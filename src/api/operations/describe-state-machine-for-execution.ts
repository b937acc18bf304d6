/**
 * DescribeStateMachineForExecution: the definition and role the execution runs, which the
 * execution keeps (the machine may have changed or gone since). The revision and update date
 * come from the version the execution ran, or from the machine while it still has the
 * execution's definition and role; otherwise the execution's start date stands in.
 */
import { machineNameOfExecution } from '../arns.js';
import { getExecution } from '../executions.js';
import { shapes, struct } from '../input.js';
import { DEFAULT_LOGGING, DEFAULT_TRACING, shownRevision } from '../machines.js';
import { compact, seconds } from '../wire.js';
import { operation } from './operation.js';

export const describeStateMachineForExecution = operation<{ executionArn: string }>(
  struct('DescribeStateMachineForExecutionInput', { executionArn: shapes.Arn, includedData: shapes.IncludedData }, ['executionArn']),
  async ({ executionArn }, ctx) => {
    const execution = await getExecution(ctx, executionArn);
    const machine = await ctx.store.getStateMachine(execution.stateMachineArn);
    const version = execution.stateMachineVersionArn ? await ctx.store.getVersion(execution.stateMachineVersionArn) : undefined;
    let revisionId: string | undefined;
    let updateDate = execution.startDate;
    let logging: unknown = machine?.loggingConfiguration;
    let tracing: unknown = machine?.tracingConfiguration;
    if (version) {
      revisionId = version.revisionId;
      updateDate = version.createdAt;
      logging = version.loggingConfiguration ?? logging;
      tracing = version.tracingConfiguration ?? tracing;
    } else if (machine && machine.definition === execution.definition && machine.roleArn === execution.roleArn) {
      revisionId = machine.revisionId;
      updateDate = machine.updatedAt ?? machine.createdAt;
    }
    return compact({
      stateMachineArn: execution.stateMachineArn,
      name: machine?.name ?? machineNameOfExecution(execution.arn),
      definition: execution.definition,
      roleArn: execution.roleArn,
      updateDate: seconds(updateDate),
      loggingConfiguration: logging ?? DEFAULT_LOGGING,
      tracingConfiguration: tracing ?? DEFAULT_TRACING,
      revisionId: shownRevision(revisionId),
      encryptionConfiguration: machine?.encryptionConfiguration,
    });
  },
);
