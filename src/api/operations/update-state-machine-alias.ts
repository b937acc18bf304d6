/**
 * UpdateStateMachineAlias: a new description, a new routing, or both. The store changes the
 * alias only if it still exists and every version it would route to still does, in one write.
 */
import { invalidArn, missingRequiredParameter, resourceNotFound } from '../aws-errors.js';
import { checkRouting, routingOf, routingRefused } from '../aliases.js';
import { parseMachineArn } from '../arns.js';
import { RoutingConfigurationShape, shapes, struct } from '../input.js';
import { seconds } from '../wire.js';
import { operation } from './operation.js';

export const updateStateMachineAlias = operation<{ stateMachineAliasArn: string; description?: string; routingConfiguration?: unknown[] }>(
  struct(
    'UpdateStateMachineAliasInput',
    { stateMachineAliasArn: shapes.Arn, description: shapes.AliasDescription, routingConfiguration: RoutingConfigurationShape },
    ['stateMachineAliasArn'],
  ),
  async (input, ctx) => {
    const target = parseMachineArn(input.stateMachineAliasArn);
    if (target.kind !== 'alias') throw invalidArn(`Invalid ARN format: ${input.stateMachineAliasArn}`);
    if (input.description === undefined && input.routingConfiguration === undefined) {
      throw missingRequiredParameter('Either the description or the RoutingConfiguration must be specified');
    }
    const routing = input.routingConfiguration !== undefined ? routingOf(input.routingConfiguration) : undefined;
    if (routing) await checkRouting(ctx, routing, target.machineArn);
    const now = ctx.clock.now();
    const result = await ctx.store.updateAlias(target.arn, {
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(routing ? { routingConfiguration: routing } : {}),
      updatedAt: now,
    });
    if (result.outcome === 'no-alias') throw resourceNotFound('Request references a resource that does not exist.');
    if (result.outcome === 'missing-version') throw routingRefused(routing ?? []);
    return { updateDate: seconds(now) };
  },
);
