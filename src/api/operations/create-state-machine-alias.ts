/**
 * CreateStateMachineAlias. Idempotent: the same name, description and routing return the
 * existing alias; a different description or routing is a ConflictException. The versions it
 * routes to are checked again in the write that creates it: a version deleted meanwhile is
 * refused as a missing one is.
 */
import type { AliasRecord } from '../../store/types.js';
import { conflict } from '../aws-errors.js';
import { checkRouting, routingOf, routingRefused, sameRouting } from '../aliases.js';
import { RoutingConfigurationShape, shapes, struct } from '../input.js';
import { compact, seconds } from '../wire.js';
import { operation } from './operation.js';

interface Input {
  name: string;
  description?: string;
  routingConfiguration: unknown[];
}

export const createStateMachineAlias = operation<Input>(
  struct(
    'CreateStateMachineAliasInput',
    { description: shapes.AliasDescription, name: shapes.CharacterRestrictedName, routingConfiguration: RoutingConfigurationShape },
    ['name', 'routingConfiguration'],
  ),
  async (input, ctx) => {
    const routing = routingOf(input.routingConfiguration);
    const machineArn = await checkRouting(ctx, routing);
    const arn = `${machineArn}:${input.name}`;
    const record: AliasRecord = {
      arn,
      stateMachineArn: machineArn,
      name: input.name,
      routingConfiguration: routing,
      createdAt: ctx.clock.now(),
      ...(input.description !== undefined ? { description: input.description } : {}),
    };
    const result = await ctx.store.createAlias(record);
    if (result.outcome === 'missing-version') throw routingRefused(routing);
    if (result.outcome === 'exists') {
      const existing = result.alias;
      if (existing.description === input.description && sameRouting(existing.routingConfiguration, routing)) {
        return { stateMachineAliasArn: arn, creationDate: seconds(existing.createdAt) };
      }
      throw conflict('Failed to create alias because an alias with the same name and a different routing configuration already exists.');
    }
    return compact({ stateMachineAliasArn: arn, creationDate: seconds(record.createdAt) });
  },
);
