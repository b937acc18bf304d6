/**
 * Alias routing: one or two distinct versions of one state machine whose weights add up to 100,
 * checked in AWS's order with AWS's messages; and the weighted draw StartExecution makes.
 */
import type { AliasRecord, RoutingEntry } from '../store/types.js';
import { validation } from './aws-errors.js';
import type { AwsError } from './errors.js';
import { parseMachineArn } from './arns.js';
import type { ApiContext } from './context.js';
import { draw } from './context.js';

/** Validates a routing configuration (already past the model's 1–2 items, 0–100 weights). */
export async function checkRouting(ctx: ApiContext, routing: readonly RoutingEntry[], machineArn?: string): Promise<string> {
  const arns = routing.map((r) => r.stateMachineVersionArn);
  const received = `[${arns.join(', ')}]`;
  if (new Set(arns).size < arns.length) {
    throw validation(`Routing configuration must contain distinct state machine version ARNs. Received: ${received}`);
  }
  const sum = routing.reduce((total, r) => total + r.weight, 0);
  if (sum !== 100) {
    throw validation(`Sum of routing configuration weights must equal 100. Received: ${JSON.stringify(routing.map((r) => r.weight))}`);
  }
  let owner = machineArn;
  for (const arn of arns) {
    let target;
    try {
      target = parseMachineArn(arn);
    } catch {
      throw validation(`Routing configuration must contain state machine version ARNs. Received: ${received}`);
    }
    if (target.kind !== 'version' || !(await ctx.store.getVersion(target.arn))) throw routingRefused(routing);
    if (owner !== undefined && owner !== target.machineArn) {
      throw validation(`Routing configuration must contain state machine version ARNs of the same state machine. Received: ${received}`);
    }
    owner = target.machineArn;
  }
  return owner!;
}

/** A routing that names something other than an existing version (also when the store finds one gone). */
export function routingRefused(routing: readonly RoutingEntry[]): AwsError {
  return validation(`Routing configuration must contain state machine version ARNs. Received: [${routing.map((r) => r.stateMachineVersionArn).join(', ')}]`);
}

/** The version an execution started through the alias runs: a weighted draw. */
export function pickVersion(ctx: ApiContext, alias: AliasRecord): string {
  const routes = alias.routingConfiguration;
  if (routes.length === 1) return routes[0]!.stateMachineVersionArn;
  let point = draw(ctx) * 100;
  for (const route of routes) {
    if (point < route.weight) return route.stateMachineVersionArn;
    point -= route.weight;
  }
  return routes[routes.length - 1]!.stateMachineVersionArn;
}

export function sameRouting(a: readonly RoutingEntry[], b: readonly RoutingEntry[]): boolean {
  return a.length === b.length && a.every((r, i) => r.stateMachineVersionArn === b[i]!.stateMachineVersionArn && r.weight === b[i]!.weight);
}

export function routingOf(input: unknown): RoutingEntry[] {
  return (input as Array<{ stateMachineVersionArn: string; weight: number }>).map((r) => ({ stateMachineVersionArn: r.stateMachineVersionArn, weight: r.weight }));
}
