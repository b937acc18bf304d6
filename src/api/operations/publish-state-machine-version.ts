/**
 * PublishStateMachineVersion: publishes the current revision (idempotent per revision). With
 * `revisionId`, only when it is still the current one (ConflictException otherwise); INITIAL
 * names the revision of a machine that was never updated.
 */
import { conflict, stateMachineDoesNotExist } from '../aws-errors.js';
import { parseMachineArn } from '../arns.js';
import { shapes, struct } from '../input.js';
import { getMachine, publishVersion } from '../machines.js';
import { seconds } from '../wire.js';
import { operation } from './operation.js';

export const publishStateMachineVersion = operation<{ stateMachineArn: string; revisionId?: string; description?: string }>(
  struct('PublishStateMachineVersionInput', { stateMachineArn: shapes.Arn, revisionId: shapes.RevisionId, description: shapes.VersionDescription }, ['stateMachineArn']),
  async ({ stateMachineArn, revisionId, description }, ctx) => {
    const target = parseMachineArn(stateMachineArn);
    if (target.kind !== 'machine') throw stateMachineDoesNotExist(stateMachineArn);
    const machine = await getMachine(ctx, target.machineArn, stateMachineArn);
    if (revisionId !== undefined && revisionId !== machine.revisionId) {
      throw conflict(`Failed to publish the State Machine version for revision ${revisionId}. The current State Machine revision is ${machine.revisionId}.`);
    }
    const version = await publishVersion(ctx, machine, description);
    return { creationDate: seconds(version.createdAt), stateMachineVersionArn: version.arn };
  },
);
