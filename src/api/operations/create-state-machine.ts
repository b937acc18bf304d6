/**
 * CreateStateMachine. Idempotent as AWS documents it: a second request with the same name,
 * definition, type, logging, tracing and publish/versionDescription returns the existing machine
 * (a different roleArn or different tags are ignored); any other difference is
 * StateMachineAlreadyExists.
 */
import { warnUnanswered } from '../unanswered.js';
import type { StateMachineRecord, StateMachineType, Tag } from '../../store/types.js';
import { stateMachineAlreadyExists, stateMachineLimitExceeded, validation } from '../aws-errors.js';
import { stateMachineArn } from '../arns.js';
import type { ApiContext } from '../context.js';
import { EncryptionConfigurationShape, LoggingConfigurationShape, TagListShape, TracingConfigurationShape, bool, shapes, struct } from '../input.js';
import { INITIAL_REVISION, checkDefinition, checkTagCount, normaliseLogging, normaliseTracing, sameJson, tagsOf, versionOfCurrentRevision } from '../machines.js';
import { checkEncryptionConfiguration } from '../encryption.js';
import { checkName } from '../names.js';
import { parseIamRoleArn } from '../roles.js';
import { compact, seconds } from '../wire.js';
import { operation } from './operation.js';

interface Input {
  name: string;
  definition: string;
  roleArn: string;
  type?: StateMachineType;
  loggingConfiguration?: Record<string, unknown>;
  tracingConfiguration?: Record<string, unknown>;
  encryptionConfiguration?: Record<string, unknown>;
  tags?: unknown[];
  publish?: boolean;
  versionDescription?: string;
}

export const createStateMachine = operation<Input>(
  struct(
    'CreateStateMachineInput',
    {
      name: shapes.Name,
      definition: shapes.Definition,
      roleArn: shapes.Arn,
      type: shapes.StateMachineType,
      loggingConfiguration: LoggingConfigurationShape,
      tags: TagListShape,
      tracingConfiguration: TracingConfigurationShape,
      publish: bool,
      versionDescription: shapes.VersionDescription,
      encryptionConfiguration: EncryptionConfigurationShape,
    },
    ['name', 'definition', 'roleArn'],
  ),
  async (input, ctx) => {
    if (input.versionDescription !== undefined && input.publish !== true) {
      throw validation('Version description can only be set when publish is true');
    }
    checkName(input.name);
    parseIamRoleArn(input.roleArn);
    checkEncryptionConfiguration(input.encryptionConfiguration);
    const type = input.type ?? 'STANDARD';
    const logging = normaliseLogging(input.loggingConfiguration);
    const tracing = normaliseTracing(input.tracingConfiguration);
    const arn = stateMachineArn(ctx, input.name);

    const existing = await ctx.store.getStateMachine(arn);
    if (existing) return idempotentAnswer(ctx, existing, input, type, logging, tracing);

    checkDefinition(input.definition, type);
    const tags: Tag[] = tagsOf(input.tags);
    checkTagCount(ctx, arn, [], tags);

    const record: StateMachineRecord = {
      arn,
      name: input.name,
      type,
      definition: input.definition,
      roleArn: input.roleArn,
      createdAt: ctx.clock.now(),
      revisionId: INITIAL_REVISION,
      loggingConfiguration: logging,
      tracingConfiguration: tracing,
      ...(input.encryptionConfiguration ? { encryptionConfiguration: input.encryptionConfiguration } : {}),
      nextVersion: 1,
    };
    // The machine, its tags and version 1 are one write, checked against the quota inside it.
    const created = await ctx.store.createStateMachine(record, {
      tags,
      maxStateMachines: ctx.config.limits.maxStateMachines,
      ...(input.publish === true ? { publish: input.versionDescription !== undefined ? { description: input.versionDescription } : {} } : {}),
    });
    if (created.outcome === 'limit-exceeded') throw stateMachineLimitExceeded();
    if (created.outcome === 'exists') {
      // Lost a race with an identical request, or with a different one.
      const winner = await ctx.store.getStateMachine(arn);
      if (winner) return idempotentAnswer(ctx, winner, input, type, logging, tracing);
      throw stateMachineAlreadyExists(arn);
    }
    warnUnanswered(ctx, arn, input.definition);
    return compact({ stateMachineArn: arn, creationDate: seconds(record.createdAt), stateMachineVersionArn: created.version?.arn });
  },
);

async function idempotentAnswer(
  ctx: ApiContext,
  existing: StateMachineRecord,
  input: Input,
  type: StateMachineType,
  logging: unknown,
  tracing: unknown,
): Promise<Record<string, unknown>> {
  const same =
    existing.definition === input.definition &&
    existing.type === type &&
    sameJson(existing.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false }, logging) &&
    sameJson(existing.tracingConfiguration ?? { enabled: false }, tracing) &&
    sameJson(existing.encryptionConfiguration, input.encryptionConfiguration);
  if (!same) throw stateMachineAlreadyExists(existing.arn);
  let versionArn: string | undefined;
  if (input.publish === true) {
    const version = await versionOfCurrentRevision(ctx, existing);
    if (!version || version.description !== input.versionDescription) throw stateMachineAlreadyExists(existing.arn);
    versionArn = version.arn;
  }
  return compact({ stateMachineArn: existing.arn, creationDate: seconds(existing.createdAt), stateMachineVersionArn: versionArn });
}
