/**
 * UpdateStateMachine: a new revision (a new revisionId) when the definition, role, logging,
 * tracing or encryption actually change; the same revision otherwise. With `publish` the
 * revision the update leaves is published as a version (or the version already published from
 * it is returned).
 *
 * The change is applied by the store to the machine as it is when the write commits, not to the
 * copy read here: two updates of different fields both take effect, and the version an update
 * publishes is the revision that update made, whatever else commits around it.
 */
import { warnUnanswered } from '../unanswered.js';
import type { StateMachineChange } from '../../store/types.js';
import { missingRequiredParameter, stateMachineDoesNotExist, validation } from '../aws-errors.js';
import { parseMachineArn } from '../arns.js';
import { newId } from '../context.js';
import { EncryptionConfigurationShape, LoggingConfigurationShape, TracingConfigurationShape, bool, shapes, struct } from '../input.js';
import { checkDefinition, getMachine, normaliseLogging, normaliseTracing, shownRevision } from '../machines.js';
import { checkEncryptionConfiguration } from '../encryption.js';
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
    checkEncryptionConfiguration(input.encryptionConfiguration);
    if (input.definition !== undefined) checkDefinition(input.definition, machine.type);

    const change: StateMachineChange = {
      ...(input.definition !== undefined ? { definition: input.definition } : {}),
      ...(input.roleArn !== undefined ? { roleArn: input.roleArn } : {}),
      ...(input.loggingConfiguration !== undefined ? { loggingConfiguration: normaliseLogging(input.loggingConfiguration) } : {}),
      ...(input.tracingConfiguration !== undefined ? { tracingConfiguration: normaliseTracing(input.tracingConfiguration) } : {}),
      ...(input.encryptionConfiguration !== undefined ? { encryptionConfiguration: input.encryptionConfiguration } : {}),
    };
    const now = ctx.clock.now();
    const result = await ctx.store.updateStateMachine(machine.arn, change, {
      newRevisionId: () => newId(ctx),
      updatedAt: now,
      ...(input.publish === true ? { publish: input.versionDescription !== undefined ? { description: input.versionDescription } : {} } : {}),
    });
    if (result.outcome === 'no-machine') throw stateMachineDoesNotExist(input.stateMachineArn); // deleted meanwhile
    warnUnanswered(ctx, machine.arn, input.definition);
    return compact({ updateDate: seconds(now), revisionId: shownRevision(result.machine.revisionId), stateMachineVersionArn: result.version?.arn });
  },
);
