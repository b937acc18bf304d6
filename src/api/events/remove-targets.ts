/** RemoveTargets: removes targets by Id (up to 100; Ids the rule does not have are ignored). */
import { NAME, requiredList, requiredString, type EventsContext, type Request } from './request.js';
import { existingRule, requestBus, ruleName } from './rules.js';

export async function removeTargets(events: EventsContext, request: Request): Promise<unknown> {
  const name = ruleName(request, 'Rule');
  const bus = requestBus(request);
  const ids = requiredList(request, 'Ids', 1, 100).map((id) => requiredString({ Id: id }, 'Id', { min: 1, max: 64, pattern: NAME }));
  const rule = await existingRule(events, bus, name);
  await events.ctx.store.eventBus.removeTargets(rule.arn, ids);
  events.bus.rulesChanged();
  return { FailedEntryCount: 0, FailedEntries: [] };
}
