/** DescribeRule. */
import type { EventsContext, Request } from './request.js';
import { existingRule, requestBus, ruleName, ruleView } from './rules.js';

export async function describeRule(events: EventsContext, request: Request): Promise<unknown> {
  const name = ruleName(request);
  const bus = requestBus(request);
  return ruleView(await existingRule(events, bus, name), events.ctx.config.accountId, true);
}
