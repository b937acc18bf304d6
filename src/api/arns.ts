/**
 * Step Functions ARNs: composing them from the configured region and account, and taking apart
 * the ones clients send.
 *
 *   state machine  arn:aws:states:<region>:<account>:stateMachine:<name>
 *   version        arn:aws:states:<region>:<account>:stateMachine:<name>:<number>
 *   alias          arn:aws:states:<region>:<account>:stateMachine:<name>:<alias>
 *   execution      arn:aws:states:<region>:<account>:execution:<machine>:<name>
 *   express run    arn:aws:states:<region>:<account>:express:<machine>:<name>:<id>
 *   activity       arn:aws:states:<region>:<account>:activity:<name>
 *   map run        arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<id>
 */
import { invalidArn, invalidArnPrefix, wrongResourceType } from './aws-errors.js';
import type { ApiContext } from './context.js';

export type ResourceType = 'stateMachine' | 'execution' | 'express' | 'activity' | 'mapRun';

export interface ParsedArn {
  readonly arn: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly resourceType: string;
  /** Everything after the resource type, split on ':'. */
  readonly parts: readonly string[];
}

function prefix(ctx: ApiContext): string {
  return `arn:aws:states:${ctx.config.region}:${ctx.config.accountId}`;
}

export const stateMachineArn = (ctx: ApiContext, name: string) => `${prefix(ctx)}:stateMachine:${name}`;
export const activityArn = (ctx: ApiContext, name: string) => `${prefix(ctx)}:activity:${name}`;

/** Executions live under the state machine's region and account, which the ARN carries. */
export function executionArn(machineArn: string, name: string, express: boolean, id: string): string {
  const parsed = machineArn.split(':');
  const base = parsed.slice(0, 5).join(':');
  const machineName = parsed[6];
  return express ? `${base}:express:${machineName}:${name}:${id}` : `${base}:execution:${machineName}:${name}`;
}

/**
 * Takes an ARN apart; InvalidArn for anything that is not `arn:<partition>:states:…`.
 * The message for a wrong prefix is AWS's; the others are guesses in the same style.
 */
export function parseArn(arn: string): ParsedArn {
  if (!arn.startsWith('arn:')) throw invalidArnPrefix(arn);
  const fields = arn.split(':');
  if (fields.length < 7 || fields[1] === '' || fields[2] !== 'states' || fields[3] === '' || fields[4] === '' || fields[5] === '') {
    throw invalidArn(`Invalid ARN format: ${arn}`);
  }
  const parts = fields.slice(6);
  if (parts.some((p) => p === '')) throw invalidArn(`Invalid ARN format: ${arn}`);
  return { arn, partition: fields[1]!, region: fields[3]!, account: fields[4]!, resourceType: fields[5]!, parts };
}

/** Parses and insists on a resource type ("Resource type not valid in this context: …"). */
export function expectArn(arn: string, ...types: ResourceType[]): ParsedArn {
  const parsed = parseArn(arn);
  if (!(types as string[]).includes(parsed.resourceType)) throw wrongResourceType(parsed.resourceType);
  return parsed;
}

export type MachineTarget =
  | { readonly kind: 'machine'; readonly machineArn: string; readonly name: string }
  | { readonly kind: 'version'; readonly machineArn: string; readonly name: string; readonly version: number; readonly arn: string }
  | { readonly kind: 'alias'; readonly machineArn: string; readonly name: string; readonly alias: string; readonly arn: string };

/** A state machine ARN, possibly qualified by a version number or an alias name. */
export function parseMachineArn(arn: string): MachineTarget {
  const parsed = expectArn(arn, 'stateMachine');
  if (parsed.parts.length > 2) throw invalidArn(`Invalid ARN format: ${arn}`);
  const name = parsed.parts[0]!;
  const machineArn = `arn:${parsed.partition}:states:${parsed.region}:${parsed.account}:stateMachine:${name}`;
  if (parsed.parts.length === 1) return { kind: 'machine', machineArn, name };
  const qualifier = parsed.parts[1]!;
  if (/^[0-9]+$/.test(qualifier)) return { kind: 'version', machineArn, name, version: Number(qualifier), arn };
  return { kind: 'alias', machineArn, name, alias: qualifier, arn };
}

/** A state machine ARN that must be unqualified. */
export function parseUnqualifiedMachineArn(arn: string): string {
  const target = parseMachineArn(arn);
  if (target.kind !== 'machine') throw invalidArn(`Invalid ARN format: ${arn}`);
  return target.machineArn;
}

/** An execution ARN; express executions are refused as AWS refuses them (InvalidArn). */
export function parseStandardExecutionArn(arn: string): ParsedArn {
  const parsed = expectArn(arn, 'execution', 'express');
  if (parsed.resourceType === 'express') throw wrongResourceType('express');
  if (parsed.parts.length !== 2) throw invalidArn(`Invalid ARN format: ${arn}`);
  return parsed;
}

export function parseActivityArn(arn: string): ParsedArn {
  const parsed = expectArn(arn, 'activity');
  if (parsed.parts.length !== 1) throw invalidArn(`Invalid ARN format: ${arn}`);
  return parsed;
}

/** The machine name of an execution ARN (`…:execution:<machine>:<name>`). */
export function machineNameOfExecution(arn: string): string {
  return arn.split(':')[6] ?? '';
}

/** `<machine ARN>` from a version or alias ARN (drops the last field). */
export function unqualify(arn: string): string {
  return arn.slice(0, arn.lastIndexOf(':'));
}
