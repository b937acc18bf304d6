/** ListRules: the bus's rules in name order, NamePrefix and paging (Limit 1..100). */
import { NAME, listing, optionalString, pageOf, type EventsContext, type Request } from './request.js';
import { requestBus, ruleView } from './rules.js';

export async function listRules({ ctx }: EventsContext, request: Request): Promise<unknown> {
  const prefix = optionalString(request, 'NamePrefix', { min: 1, max: 64, pattern: NAME });
  const bus = requestBus(request);
  const page = await listing(() => ctx.store.eventBus.listRules(bus, prefix, pageOf(request)));
  return { Rules: page.items.map((r) => ruleView(r, ctx.config.accountId, false)), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}
