/**
 * StartExecution, for a state machine, a version (`…:name:3`), an alias (`…:name:prod`, which
 * picks a version by its weights) or any of them with `#TestCase` (Step Functions Local mocks).
 *
 * Standard executions are idempotent while RUNNING: the same name and input return the same
 * executionArn and startDate; otherwise a reused name is ExecutionAlreadyExists. Express
 * executions get AWS's `…:express:<machine>:<name>:<id>` ARN, so names never collide; they run
 * (through the same runner) but, as on AWS, cannot be described, listed or stopped.
 */
import type { NewExecution } from '../runner.js';
import { executionAlreadyExists } from '../aws-errors.js';
import { executionArn } from '../arns.js';
import type { ApiContext } from '../context.js';
import { newId } from '../context.js';
import { checkExecutionInput, resolveStartTarget, type StartTarget } from '../executions.js';
import { payload, readInput, shapes, struct } from '../input.js';
import { checkName } from '../names.js';
import { checkNestedStart, checkOpenExecutions } from '../quotas.js';
import { throttle } from '../throttling.js';
import { seconds } from '../wire.js';
import { ENGINE_VERSION } from '../../engine/version.js';
import { newExecutionSeed } from '../../runtime/execution-secrets.js';
import { operation } from './operation.js';

export interface StartInput {
  stateMachineArn: string;
  name?: string;
  input?: string;
  traceHeader?: string;
}

export const startInputShape = (ctx: ApiContext, shapeName: string) =>
  struct(
    shapeName,
    { stateMachineArn: shapes.Arn, name: shapes.Name, input: payload(ctx.config.limits.maxPayloadBytes), traceHeader: shapes.TraceHeader, includedData: shapes.IncludedData },
    ['stateMachineArn'],
  );

/** Resolves and checks what a start request asks for, in AWS's order (machine, name, input). */
export async function prepareExecution(ctx: ApiContext, input: StartInput): Promise<{ target: StartTarget; execution: NewExecution }> {
  const target = await resolveStartTarget(ctx, input.stateMachineArn);
  if (input.name !== undefined) checkName(input.name);
  const text = input.input ?? '{}';
  checkExecutionInput(text);
  const name = input.name ?? newId(ctx);
  const express = target.type === 'EXPRESS';
  const execution: NewExecution = {
    arn: executionArn(target.machineArn, name, express, newId(ctx)),
    stateMachineArn: target.machineArn,
    name,
    type: target.type,
    input: text,
    startDate: ctx.clock.now(),
    definition: target.definition,
    roleArn: target.roleArn,
    redriveCount: 0,
    // Secret, so that its UUIDs and task tokens cannot be computed from the ARN; kept for replay.
    seed: newExecutionSeed(),
    engineVersion: ENGINE_VERSION,
    ...(target.versionArn ? { stateMachineVersionArn: target.versionArn } : {}),
    ...(target.aliasArn ? { stateMachineAliasArn: target.aliasArn } : {}),
    ...(target.testCase !== undefined ? { testCase: target.testCase } : {}),
    ...(input.traceHeader !== undefined ? { traceHeader: input.traceHeader } : {}),
  };
  return { target, execution };
}

/**
 * A StartExecution request made by a Task state (`states:startExecution`) of `parentArn`: the
 * same checks, in the same order, as the API action, so the task fails with the error a client
 * would get; then the quotas (throttling, open executions, nested executions). A child the task
 * started before a crash is let through, so the restarted parent finds it instead of failing.
 */
export async function prepareNestedExecution(ctx: ApiContext, request: Record<string, unknown>, parentArn?: string): Promise<NewExecution> {
  throttle(ctx, 'StartExecution');
  const input = readInput<StartInput>(request, startInputShape(ctx, 'StartExecutionInput'));
  const { execution } = await prepareExecution(ctx, input);
  if (execution.type === 'STANDARD' && (await ctx.store.getExecution(execution.arn))) return execution;
  if (parentArn !== undefined) await checkNestedStart(ctx, parentArn);
  if (execution.type === 'STANDARD') await checkOpenExecutions(ctx);
  return execution;
}

export const startExecution = operation<StartInput>(
  (ctx) => startInputShape(ctx, 'StartExecutionInput'),
  async (input, ctx, request) => {
    const prepared = await prepareExecution(ctx, input);
    // Started by a workflow through the SDK integration: it counts among that execution's children.
    const parent = request.callerExecutionArn;
    const execution: NewExecution = {
      ...prepared.execution,
      ...(parent !== undefined ? { parentExecutionArn: parent } : {}),
      ...(request.startedBy ? { startedBy: request.startedBy } : {}),
    };
    if (execution.type === 'STANDARD') {
      const same = await sameRunningExecution(ctx, execution);
      if (same) return same;
    }
    if (parent !== undefined) await checkNestedStart(ctx, parent);
    if (execution.type === 'STANDARD') await checkOpenExecutions(ctx);
    if (!(await ctx.runner.start(execution))) {
      const same = await sameRunningExecution(ctx, execution);
      if (same) return same;
      throw executionAlreadyExists(execution.arn);
    }
    return { executionArn: execution.arn, startDate: seconds(execution.startDate) };
  },
);

/** The answer for a repeated start of a running execution; ExecutionAlreadyExists for a reused name. */
async function sameRunningExecution(ctx: ApiContext, execution: NewExecution): Promise<Record<string, unknown> | undefined> {
  const existing = await ctx.store.getExecution(execution.arn);
  if (!existing) return undefined;
  if (
    existing.status === 'RUNNING' &&
    existing.input === execution.input &&
    existing.stateMachineAliasArn === execution.stateMachineAliasArn &&
    // Through an alias the draw may pick another version: the alias is what was asked for.
    (execution.stateMachineAliasArn !== undefined || existing.stateMachineVersionArn === execution.stateMachineVersionArn)
  ) {
    return { executionArn: existing.arn, startDate: seconds(existing.startDate) };
  }
  throw executionAlreadyExists(execution.arn);
}
