/**
 * What the execution operations share: resolving what StartExecution was asked to run (a state
 * machine, one of its versions, an alias, each optionally with a `#TestCase` suffix for Step
 * Functions Local mocks), reading the input, loading executions, and describing them.
 */
import { parseJsonText } from '../asl/validate/json-text.js';
import type { ExecutionRecord, StateMachineType } from '../store/types.js';
import { nestingProblem } from './wire.js';
import { executionDoesNotExist, invalidExecutionInput, stateMachineDoesNotExist } from './aws-errors.js';
import { pickVersion } from './aliases.js';
import { parseMachineArn, parseStandardExecutionArn } from './arns.js';
import type { ApiContext } from './context.js';
import { redriveStatusOf, compact, seconds } from './wire.js';

export interface StartTarget {
  /** The unqualified state machine ARN. */
  readonly machineArn: string;
  readonly machineName: string;
  readonly type: StateMachineType;
  readonly definition: string;
  readonly roleArn: string;
  readonly versionArn?: string;
  readonly aliasArn?: string;
  readonly testCase?: string;
}

/** Resolves StartExecution's `stateMachineArn` (StateMachineDoesNotExist when it names nothing). */
export async function resolveStartTarget(ctx: ApiContext, requested: string): Promise<StartTarget> {
  const hash = requested.indexOf('#');
  const arn = hash === -1 ? requested : requested.slice(0, hash);
  const testCase = hash === -1 ? undefined : requested.slice(hash + 1);
  const target = parseMachineArn(arn);
  const mock = testCase !== undefined && testCase !== '' ? { testCase } : {};

  if (target.kind === 'machine') {
    const machine = await ctx.store.getStateMachine(target.machineArn);
    if (!machine) throw stateMachineDoesNotExist(arn);
    return { machineArn: machine.arn, machineName: machine.name, type: machine.type, definition: machine.definition, roleArn: machine.roleArn, ...mock };
  }
  let versionArn: string;
  let aliasArn: string | undefined;
  if (target.kind === 'alias') {
    const alias = await ctx.store.getAlias(target.arn);
    if (!alias) throw stateMachineDoesNotExist(arn);
    versionArn = pickVersion(ctx, alias);
    aliasArn = alias.arn;
  } else {
    versionArn = target.arn;
  }
  const version = await ctx.store.getVersion(versionArn);
  if (!version) throw stateMachineDoesNotExist(arn);
  return {
    machineArn: version.stateMachineArn,
    machineName: target.name,
    type: version.type,
    definition: version.definition,
    roleArn: version.roleArn,
    versionArn,
    ...(aliasArn ? { aliasArn } : {}),
    ...mock,
  };
}

/**
 * Checks execution input text: any JSON value (AWS accepts `1`, `"text"` and `null`), reported
 * with Jackson's wording when it is not JSON.
 */
export function checkExecutionInput(text: string): void {
  if (text.trim() === '') throw invalidExecutionInput('Invalid execution input.');
  const tooDeep = nestingProblem(text);
  if (tooDeep) throw invalidExecutionInput(tooDeep);
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw invalidExecutionInput(parsed.message.split('\n at ')[0]!);
}

/** A standard execution by ARN, or ExecutionDoesNotExist (InvalidArn for malformed or express ARNs). */
export async function getExecution(ctx: ApiContext, arn: string): Promise<ExecutionRecord> {
  parseStandardExecutionArn(arn);
  const execution = await ctx.store.getExecution(arn);
  if (!execution) throw executionDoesNotExist(arn);
  return execution;
}

/** DescribeExecution's answer. */
export function describeExecution(execution: ExecutionRecord, now: number): Record<string, unknown> {
  const redrive = redriveStatusOf(execution, now);
  return compact({
    executionArn: execution.arn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: seconds(execution.startDate),
    stopDate: execution.stopDate !== undefined ? seconds(execution.stopDate) : undefined,
    input: execution.input,
    inputDetails: { included: true },
    output: execution.output,
    outputDetails: execution.output !== undefined ? { included: true } : undefined,
    error: execution.error,
    cause: execution.cause,
    traceHeader: execution.traceHeader,
    mapRunArn: execution.mapRunArn,
    stateMachineVersionArn: execution.stateMachineVersionArn,
    stateMachineAliasArn: execution.stateMachineAliasArn,
    redriveCount: execution.redriveCount,
    redriveDate: execution.redriveDate !== undefined ? seconds(execution.redriveDate) : undefined,
    redriveStatus: redrive.status,
    redriveStatusReason: redrive.reason,
  });
}

/** An item of ListExecutions. */
export function executionListItem(execution: ExecutionRecord): Record<string, unknown> {
  return compact({
    executionArn: execution.arn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: seconds(execution.startDate),
    stopDate: execution.stopDate !== undefined ? seconds(execution.stopDate) : undefined,
    mapRunArn: execution.mapRunArn,
    stateMachineVersionArn: execution.stateMachineVersionArn,
    stateMachineAliasArn: execution.stateMachineAliasArn,
    redriveCount: execution.redriveCount,
    redriveDate: execution.redriveDate !== undefined ? seconds(execution.redriveDate) : undefined,
  });
}
