/** ListTargetsByRule: the rule's targets as PutTargets got them, in Id order. */
import { listing, pageOf, type EventsContext, type Request } from './request.js';
import { existingRule, requestBus, ruleName } from './rules.js';

export async function listTargetsByRule(events: EventsContext, request: Request): Promise<unknown> {
  const name = ruleName(request, 'Rule');
  const bus = requestBus(request);
  const rule = await existingRule(events, bus, name);
  const page = await listing(() => events.ctx.store.eventBus.listTargets(rule.arn, pageOf(request)));
  return { Targets: page.items.map((t) => t.target), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}
