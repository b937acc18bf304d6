/** ListRuleNamesByTarget: names of the bus's rules that have a target of that ARN. */
import { listing, pageOf, requiredString, type EventsContext, type Request } from './request.js';
import { requestBus } from './rules.js';

export async function listRuleNamesByTarget({ ctx }: EventsContext, request: Request): Promise<unknown> {
  const targetArn = requiredString(request, 'TargetArn', { min: 1, max: 1600 });
  const bus = requestBus(request);
  const page = await listing(() => ctx.store.eventBus.listRuleNamesByTarget(bus, targetArn, pageOf(request)));
  return { RuleNames: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}
