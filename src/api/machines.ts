/**
 * What the state machine, version and alias operations share: loading records (with AWS's
 * "does not exist" errors), validating definitions and configurations, publishing versions and
 * describing machines in AWS's shape.
 */
import { parseDefinition } from '../asl/validate.js';
import type { Diagnostic } from '../asl/validate.js';
import type { PublishResult, StateMachineRecord, StateMachineType, StateMachineVersionRecord, Tag } from '../store/types.js';
import { conflict, invalidDefinition, invalidLoggingConfiguration, stateMachineDoesNotExist, tooManyTags, validation } from './aws-errors.js';
import type { ApiContext } from './context.js';
import { isWellFormed } from './names.js';
import { seconds, compact } from './wire.js';

/**
 * The revision id of a machine that was never updated. AWS shows none for it (DescribeStateMachine
 * leaves `revisionId` out) and accepts the word INITIAL for it in PublishStateMachineVersion.
 */
export const INITIAL_REVISION = 'INITIAL';

export const DEFAULT_LOGGING = { level: 'OFF', includeExecutionData: false } as const;
export const DEFAULT_TRACING = { enabled: false } as const;

export async function getMachine(ctx: ApiContext, arn: string, reportAs: string = arn): Promise<StateMachineRecord> {
  const record = await ctx.store.getStateMachine(arn);
  if (!record) throw stateMachineDoesNotExist(reportAs);
  return record;
}

/** The definition's errors (warnings do not count), or an empty list. */
export function definitionErrors(text: string, type: StateMachineType): Diagnostic[] {
  if (text.trim() === '') return [{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'Definition must be a valid JSON object', location: '' }];
  return parseDefinition(text, { stateMachineType: type }).diagnostics.filter((d) => d.severity === 'ERROR');
}

/** `'CODE: message at /location'`, as InvalidDefinition quotes each problem. */
export function quoteDiagnostic(d: Diagnostic): string {
  return d.location === '' ? `'${d.code}: ${d.message}'` : `'${d.code}: ${d.message} at ${d.location}'`;
}

/** Throws InvalidDefinition ("Invalid State Machine Definition: '…', '…'") for a definition AWS refuses. */
export function checkDefinition(text: string, type: StateMachineType): void {
  const errors = definitionErrors(text, type);
  if (errors.length > 0) throw invalidDefinition(errors.map(quoteDiagnostic).join(', '));
}

export interface LoggingConfiguration {
  level: string;
  includeExecutionData: boolean;
  destinations?: unknown[];
}

/** Fills in AWS's defaults (level OFF, no execution data) and checks the destinations. */
export function normaliseLogging(input: Record<string, unknown> | undefined): LoggingConfiguration {
  const level = (input?.level as string | undefined) ?? 'OFF';
  const destinations = input?.destinations as unknown[] | undefined;
  if ((destinations && destinations.length > 1) || (level !== 'OFF' && (!destinations || destinations.length === 0))) {
    throw invalidLoggingConfiguration('Must specify exactly one Log Destination.');
  }
  const out: LoggingConfiguration = { level, includeExecutionData: (input?.includeExecutionData as boolean | undefined) ?? false };
  if (destinations && destinations.length > 0) out.destinations = destinations;
  return out;
}

export function normaliseTracing(input: Record<string, unknown> | undefined): { enabled: boolean } {
  return { enabled: (input?.enabled as boolean | undefined) ?? false };
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The revision id as AWS shows it (none for the first revision). */
export function shownRevision(revisionId: string | undefined): string | undefined {
  return revisionId === undefined || revisionId === INITIAL_REVISION ? undefined : revisionId;
}

/** The version already published from the machine's current revision, if any. */
export async function versionOfCurrentRevision(ctx: ApiContext, machine: StateMachineRecord): Promise<StateMachineVersionRecord | undefined> {
  const page = await ctx.store.listVersions(machine.arn, { limit: 1000 });
  return page.items.find((v) => v.revisionId === machine.revisionId);
}

/**
 * The version a publish left, or AWS's error. The store numbers, checks and writes in one
 * transaction (Store.publishVersion), so racing publishes each get their own number.
 */
export function publishedVersion(result: PublishResult, requested: { readonly arn: string; readonly revisionId?: string }): StateMachineVersionRecord {
  switch (result.outcome) {
    case 'published':
    case 'existing':
      return result.version;
    case 'stale-revision':
      throw conflict(`Failed to publish the State Machine version for revision ${requested.revisionId}. The current State Machine revision is ${result.currentRevisionId}.`);
    case 'no-machine':
      throw stateMachineDoesNotExist(requested.arn);
  }
}

/** DescribeStateMachine's answer for a machine. */
export function describeMachine(machine: StateMachineRecord): Record<string, unknown> {
  return compact({
    stateMachineArn: machine.arn,
    name: machine.name,
    status: 'ACTIVE',
    definition: machine.definition,
    roleArn: machine.roleArn,
    type: machine.type,
    creationDate: seconds(machine.createdAt),
    loggingConfiguration: machine.loggingConfiguration ?? DEFAULT_LOGGING,
    tracingConfiguration: machine.tracingConfiguration ?? DEFAULT_TRACING,
    revisionId: shownRevision(machine.revisionId),
    encryptionConfiguration: machine.encryptionConfiguration,
  });
}

/** DescribeStateMachine's answer for a version ARN: the version's own ARN, date and description. */
export function describeVersion(version: StateMachineVersionRecord, machineName: string): Record<string, unknown> {
  return compact({
    stateMachineArn: version.arn,
    name: machineName,
    status: 'ACTIVE',
    definition: version.definition,
    roleArn: version.roleArn,
    type: version.type,
    creationDate: seconds(version.createdAt),
    loggingConfiguration: version.loggingConfiguration ?? DEFAULT_LOGGING,
    tracingConfiguration: version.tracingConfiguration ?? DEFAULT_TRACING,
    revisionId: shownRevision(version.revisionId),
    description: version.description,
  });
}

/** Checks that `incoming` tags fit next to `existing` ones (AWS allows 50 per resource). */
export function checkTagCount(ctx: ApiContext, arn: string, existing: readonly Tag[], incoming: readonly Tag[]): void {
  const keys = new Set(existing.map((t) => t.key));
  for (const t of incoming) keys.add(t.key);
  if (keys.size > ctx.config.limits.maxTagsPerResource) throw tooManyTags(arn, ctx.config.limits.maxTagsPerResource);
}

/**
 * Tags from the request's `[{key, value}]` (a missing value is an empty string). A key or value
 * with a lone surrogate could be stored but never matched again (UntagResource): refused with a
 * ValidationException (AWS's answer to one is not documented).
 */
export function tagsOf(input: unknown): Tag[] {
  if (!Array.isArray(input)) return [];
  const tags = input.map((t: { key?: string; value?: string }) => ({ key: t.key ?? '', value: t.value ?? '' }));
  if (tags.some((t) => !isWellFormed(t.key) || !isWellFormed(t.value))) throw validation('Tag keys and values must be well-formed Unicode text (a lone surrogate is not).');
  return tags;
}
