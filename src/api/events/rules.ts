/**
 * What the rule actions share: the bus a request names (only `default` exists), the rule it
 * names, and a rule as DescribeRule and ListRules show it.
 */
import { busName, DEFAULT_BUS } from '../../runtime/event-bus.js';
import type { EventRuleRecord } from '../../store/event-bus.js';
import { BUS_NAME, EventsError, NAME, optionalString, requiredString, type EventsContext, type Request } from './request.js';

/** The bus of EventBusName (a name or an ARN; default `default`), which must exist. */
export function requestBus(request: Request): string {
  const value = optionalString(request, 'EventBusName', { min: 1, max: 1600, pattern: BUS_NAME });
  const bus = value === undefined ? DEFAULT_BUS : busName(value);
  if (bus !== DEFAULT_BUS) throw new EventsError('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
  return bus;
}

export function ruleName(request: Request, member = 'Name'): string {
  return requiredString(request, member, { min: 1, max: 64, pattern: NAME });
}

/** The rule, or AWS's ResourceNotFoundException for it. */
export async function existingRule({ ctx }: EventsContext, bus: string, name: string): Promise<EventRuleRecord> {
  const rule = await ctx.store.eventBus.getRule(bus, name);
  if (!rule) throw noRule(bus, name);
  return rule;
}

export function noRule(bus: string, name: string): EventsError {
  return new EventsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`);
}

export function ruleView(rule: EventRuleRecord, accountId: string, forDescribe: boolean): Record<string, unknown> {
  return {
    Name: rule.name,
    Arn: rule.arn,
    ...(rule.eventPattern !== undefined ? { EventPattern: rule.eventPattern } : {}),
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
    EventBusName: rule.eventBusName,
    ...(forDescribe ? { CreatedBy: accountId } : {}),
  };
}
