/**
 * PutRule: creates or replaces a rule of the default bus (its targets stay). The pattern is
 * checked as TestEventPattern checks it (InvalidEventPatternException).
 *
 * ScheduleExpression is refused: scheduled rules are EventBridge's legacy way to run on a
 * schedule, and Stepwise runs schedules with EventBridge Scheduler (CreateSchedule) instead, so
 * the answer says to use it rather than storing a rule that would never fire.
 */
import { parseEventPattern } from '../../events/pattern.js';
import { ruleArn } from '../../runtime/event-bus.js';
import { EventsError, optionalString, validation, type EventsContext, type Request } from './request.js';
import { requestBus, ruleName } from './rules.js';


export async function putRule(events: EventsContext, request: Request): Promise<unknown> {
  const { ctx, bus: eventBus } = events;
  const name = ruleName(request);
  const pattern = optionalString(request, 'EventPattern', { max: 4096 });
  const schedule = optionalString(request, 'ScheduleExpression', { max: 256 });
  const state = optionalString(request, 'State', { max: 64 }) ?? 'ENABLED';
  const description = optionalString(request, 'Description', { max: 512 });
  const roleArn = optionalString(request, 'RoleArn', { min: 1, max: 1600 });
  const bus = requestBus(request);
  if (state !== 'ENABLED' && state !== 'DISABLED') {
    throw validation(`1 validation error detected: Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`);
  }
  if (schedule !== undefined) {
    throw validation('Stepwise does not run scheduled rules (ScheduleExpression): create the schedule with EventBridge Scheduler (CreateSchedule) on this server instead.');
  }
  if (pattern === undefined) throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
  parseEventPattern(pattern, { maxLength: 4096 }); // throws InvalidEventPatternError
  const result = await ctx.store.eventBus.putRule(
    {
      arn: ruleArn(ctx.config.region, ctx.config.accountId, bus, name),
      name,
      eventBusName: bus,
      eventPattern: pattern,
      state,
      ...(description !== undefined ? { description } : {}),
      ...(roleArn !== undefined ? { roleArn } : {}),
      createdAt: ctx.clock.now(),
    },
    { maxRules: ctx.config.limits.maxRulesPerBus },
  );
  if (result.outcome === 'limit-exceeded') throw new EventsError('LimitExceededException', 'The requested resource exceeds the maximum number allowed.');
  eventBus.rulesChanged();
  return { RuleArn: result.rule.arn };
}
