/**
 * The rules of control-plane writes that both backends apply inside their transactions, so the
 * memory and SQLite stores decide alike: how an update changes a machine (and whether it makes a
 * new revision), what a published version holds, which routed version is missing, which aliases
 * hold a version, and how many tags a resource would have.
 */
import type { AliasRecord, RoutingEntry, StateMachineChange, StateMachineRecord, StateMachineVersionRecord, Tag } from './types.js';

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The machine after `change`: a new revision (`newRevisionId()`) when the definition, role, logging,
 * tracing or encryption actually differ, the same revision otherwise. The update date moves
 * either way, as AWS answers every update with its date.
 */
export function applyMachineChange(current: StateMachineRecord, change: StateMachineChange, newRevisionId: () => string, updatedAt: number): StateMachineRecord {
  const next: StateMachineRecord = {
    ...current,
    definition: change.definition ?? current.definition,
    roleArn: change.roleArn ?? current.roleArn,
    loggingConfiguration: change.loggingConfiguration !== undefined ? change.loggingConfiguration : current.loggingConfiguration,
    tracingConfiguration: change.tracingConfiguration !== undefined ? change.tracingConfiguration : current.tracingConfiguration,
    encryptionConfiguration: change.encryptionConfiguration !== undefined ? change.encryptionConfiguration : current.encryptionConfiguration,
  };
  const changed =
    next.definition !== current.definition ||
    next.roleArn !== current.roleArn ||
    !sameJson(next.loggingConfiguration, current.loggingConfiguration) ||
    !sameJson(next.tracingConfiguration, current.tracingConfiguration) ||
    !sameJson(next.encryptionConfiguration, current.encryptionConfiguration);
  const record: Record<string, unknown> = { ...next, updatedAt, revisionId: changed ? newRevisionId() : current.revisionId };
  // Absent stays absent (a record read back equals the record written).
  for (const key of ['loggingConfiguration', 'tracingConfiguration', 'encryptionConfiguration']) if (record[key] === undefined) delete record[key];
  return record as unknown as StateMachineRecord;
}

/** Version `number` of the machine's current revision. */
export function versionOf(machine: StateMachineRecord, number: number, description: string | undefined, createdAt: number): StateMachineVersionRecord {
  return {
    arn: `${machine.arn}:${number}`,
    stateMachineArn: machine.arn,
    version: number,
    definition: machine.definition,
    roleArn: machine.roleArn,
    type: machine.type,
    createdAt,
    revisionId: machine.revisionId,
    ...(description !== undefined ? { description } : {}),
    ...(machine.loggingConfiguration !== undefined ? { loggingConfiguration: machine.loggingConfiguration } : {}),
    ...(machine.tracingConfiguration !== undefined ? { tracingConfiguration: machine.tracingConfiguration } : {}),
  };
}

/** The first routed version that does not exist or belongs to another machine, if any. */
export function missingRoutedVersion(
  routing: readonly RoutingEntry[],
  machineArn: string,
  getVersion: (arn: string) => StateMachineVersionRecord | undefined,
): string | undefined {
  for (const route of routing) {
    const version = getVersion(route.stateMachineVersionArn);
    if (!version || version.stateMachineArn !== machineArn) return route.stateMachineVersionArn;
  }
  return undefined;
}

/** Names of the aliases that route to `versionArn`, in the order given. */
export function aliasesRoutingTo(aliases: Iterable<AliasRecord>, versionArn: string): string[] {
  const names: string[] = [];
  for (const alias of aliases) if (alias.routingConfiguration.some((r) => r.stateMachineVersionArn === versionArn)) names.push(alias.name);
  return names;
}

/** How many tags a resource holding `existingKeys` has once `incoming` is added (keys overwrite). */
export function tagCountAfter(existingKeys: Iterable<string>, incoming: readonly Tag[]): number {
  const keys = new Set(existingKeys);
  for (const tag of incoming) keys.add(tag.key);
  return keys.size;
}
