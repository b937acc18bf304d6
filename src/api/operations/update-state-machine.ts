/**
 * UpdateStateMachine: a new revision (a new revisionId) when the definition, role, logging,
 * tracing or encryption actually change; the same revision otherwise. With `publish` the current
 * revision is published as a version (or the version already published from it is returned).
 */
import type { StateMachineRecord } from '../../store/types.js';
import { missingRequiredParameter, stateMachineDoesNotExist, validation } from '../aws-errors.js';
import { parseMachineArn } from '../arns.js';
import { newId } from '../context.js';
import { EncryptionConfigurationShape, LoggingConfigurationShape, TracingConfigurationShape, bool, shapes, struct } from '../input.js';
import { checkDefinition, getMachine, normaliseLogging, normaliseTracing, publishVersion, sameJson, shownRevision } from '../machines.js';
import { parseIamRoleArn } from '../roles.js';
import { compact, seconds } from '../wire.js';
import { operation } from './operation.js';

interface Input {
  stateMachineArn: string;
  definition?: string;
  roleArn?: string;
  loggingConfiguration?: Record<string, unknown>;
  tracingConfiguration?: Record<string, unknown>;
  encryptionConfiguration?: Record<string, unknown>;
  publish?: boolean;
  versionDescription?: string;
}

export const updateStateMachine = operation<Input>(
  struct(
    'UpdateStateMachineInput',
    {
      stateMachineArn: shapes.Arn,
      definition: shapes.Definition,
      roleArn: shapes.Arn,
      loggingConfiguration: LoggingConfigurationShape,
      tracingConfiguration: TracingConfigurationShape,
      publish: bool,
      versionDescription: shapes.VersionDescription,
      encryptionConfiguration: EncryptionConfigurationShape,
    },
    ['stateMachineArn'],
  ),
  async (input, ctx) => {
    const target = parseMachineArn(input.stateMachineArn);
    if (target.kind !== 'machine') throw stateMachineDoesNotExist(input.stateMachineArn);
    const machine = await getMachine(ctx, target.machineArn, input.stateMachineArn);
    if (
      input.definition === undefined &&
      input.roleArn === undefined &&
      input.loggingConfiguration === undefined &&
      input.tracingConfiguration === undefined &&
      input.encryptionConfiguration === undefined
    ) {
      throw missingRequiredParameter('Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified');
    }
    if (input.versionDescription !== undefined && input.publish !== true) {
      throw validation('Version description can only be set when publish is true');
    }
    if (input.roleArn !== undefined) parseIamRoleArn(input.roleArn);
    if (input.definition !== undefined) checkDefinition(input.definition, machine.type);

    const next: StateMachineRecord = {
      ...machine,
      definition: input.definition ?? machine.definition,
      roleArn: input.roleArn ?? machine.roleArn,
      loggingConfiguration: input.loggingConfiguration !== undefined ? normaliseLogging(input.loggingConfiguration) : machine.loggingConfiguration,
      tracingConfiguration: input.tracingConfiguration !== undefined ? normaliseTracing(input.tracingConfiguration) : machine.tracingConfiguration,
      encryptionConfiguration: input.encryptionConfiguration ?? machine.encryptionConfiguration,
    };
    const changed =
      next.definition !== machine.definition ||
      next.roleArn !== machine.roleArn ||
      !sameJson(next.loggingConfiguration, machine.loggingConfiguration) ||
      !sameJson(next.tracingConfiguration, machine.tracingConfiguration) ||
      !sameJson(next.encryptionConfiguration, machine.encryptionConfiguration);
    const now = ctx.clock.now();
    const updated: StateMachineRecord = { ...next, updatedAt: now, revisionId: changed ? newId(ctx) : machine.revisionId };
    await ctx.store.putStateMachine(updated);
    const version = input.publish === true ? await publishVersion(ctx, updated, input.versionDescription) : undefined;
    return compact({ updateDate: seconds(now), revisionId: shownRevision(updated.revisionId), stateMachineVersionArn: version?.arn });
  },
);
