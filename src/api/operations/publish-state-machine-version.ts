/**
 * PublishStateMachineVersion: publishes the current revision (idempotent per revision). With
 * `revisionId`, only when it is still the current one (ConflictException otherwise); INITIAL
 * names the revision of a machine that was never updated. The comparison, the number and the
 * new version are one write (Store.publishVersion): an update that commits first makes the
 * revisionId stale, and racing publishes never share a number.
 */
import { stateMachineDoesNotExist } from '../aws-errors.js';
import { parseMachineArn } from '../arns.js';
import { shapes, struct } from '../input.js';
import { publishedVersion } from '../machines.js';
import { seconds } from '../wire.js';
import { operation } from './operation.js';

export const publishStateMachineVersion = operation<{ stateMachineArn: string; revisionId?: string; description?: string }>(
  struct('PublishStateMachineVersionInput', { stateMachineArn: shapes.Arn, revisionId: shapes.RevisionId, description: shapes.VersionDescription }, ['stateMachineArn']),
  async ({ stateMachineArn, revisionId, description }, ctx) => {
    const target = parseMachineArn(stateMachineArn);
    if (target.kind !== 'machine') throw stateMachineDoesNotExist(stateMachineArn);
    const result = await ctx.store.publishVersion(target.machineArn, {
      createdAt: ctx.clock.now(),
      ...(revisionId !== undefined ? { revisionId } : {}),
      ...(description !== undefined ? { description } : {}),
    });
    const version = publishedVersion(result, { arn: stateMachineArn, ...(revisionId !== undefined ? { revisionId } : {}) });
    return { creationDate: seconds(version.createdAt), stateMachineVersionArn: version.arn };
  },
);
