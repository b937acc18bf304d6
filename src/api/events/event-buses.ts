/**
 * ListEventBuses and DescribeEventBus: the `default` bus, the only one (CreateEventBus is not
 * built). Its creation time is not kept: DescribeEventBus leaves CreationTime out.
 */
import { busName, DEFAULT_BUS } from '../../runtime/event-bus.js';
import { EventsError, NAME, optionalString, BUS_NAME, type EventsContext, type Request } from './request.js';

function defaultBus({ ctx }: EventsContext): Record<string, unknown> {
  return { Name: DEFAULT_BUS, Arn: `arn:aws:events:${ctx.config.region}:${ctx.config.accountId}:event-bus/${DEFAULT_BUS}` };
}

export async function listEventBuses(events: EventsContext, request: Request): Promise<unknown> {
  const prefix = optionalString(request, 'NamePrefix', { min: 1, max: 256, pattern: NAME });
  return { EventBuses: prefix === undefined || DEFAULT_BUS.startsWith(prefix) ? [defaultBus(events)] : [] };
}

export async function describeEventBus(events: EventsContext, request: Request): Promise<unknown> {
  const name = busName(optionalString(request, 'Name', { min: 1, max: 1600, pattern: BUS_NAME }) ?? DEFAULT_BUS);
  if (name !== DEFAULT_BUS) throw new EventsError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
  return defaultBus(events);
}
