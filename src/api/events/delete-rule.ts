/**
 * DeleteRule: "Before you can delete the rule, you must remove all targets"; deleting a rule
 * that does not exist succeeds (AWS: "If you call delete rule multiple times for the same rule,
 * all calls will succeed").
 */
import { validation, type EventsContext, type Request } from './request.js';
import { requestBus, ruleName } from './rules.js';

export async function deleteRule({ ctx, bus: eventBus }: EventsContext, request: Request): Promise<unknown> {
  const name = ruleName(request);
  const bus = requestBus(request);
  const outcome = await ctx.store.eventBus.deleteRule(bus, name);
  if (outcome === 'has-targets') throw validation("Rule can't be deleted since it has targets.");
  if (outcome === 'deleted') eventBus.rulesChanged();
  return {};
}
