/** EnableRule and DisableRule (one file: they differ by the state they set). */
import type { EventRuleState } from '../../store/event-bus.js';
import type { EventsContext, Request } from './request.js';
import { noRule, requestBus, ruleName } from './rules.js';

export function enableRule(events: EventsContext, request: Request): Promise<unknown> {
  return setState(events, request, 'ENABLED');
}

export function disableRule(events: EventsContext, request: Request): Promise<unknown> {
  return setState(events, request, 'DISABLED');
}

async function setState({ ctx, bus: eventBus }: EventsContext, request: Request, state: EventRuleState): Promise<unknown> {
  const name = ruleName(request);
  const bus = requestBus(request);
  if (!(await ctx.store.eventBus.setRuleState(bus, name, state))) throw noRule(bus, name);
  eventBus.rulesChanged();
  return {};
}
