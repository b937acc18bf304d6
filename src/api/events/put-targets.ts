/**
 * PutTargets: adds or replaces (by Id) up to 10 targets of a rule, at most 5 per rule ("Targets
 * per rule: 5", Amazon EventBridge quotas; LimitExceededException beyond). Malformed members
 * refuse the whole request (ValidationException); a target Stepwise cannot deliver to (not a
 * state machine or an API destination) is answered in FailedEntries and not stored, rather than
 * stored and silently never delivered.
 */
import { InputTransformerValidationError, validateInputTransformer, type InputTransformer } from '../../events/input-transformer.js';
import type { EventTargetRecord } from '../../store/event-bus.js';
import { EventsError, NAME, optionalInteger, requiredList, requiredString, validation, type EventsContext, type Request } from './request.js';
import { existingRule, requestBus, ruleName } from './rules.js';

export const MAX_TARGETS_PER_RULE = 5;
const STATE_MACHINE = /^arn:[\w-]+:states:[\w-]+:\d{12}:stateMachine:[\w.-]+$/;
const API_DESTINATION = /^arn:[\w-]+:events:[\w-]+:\d{12}:api-destination\/[.\-_A-Za-z0-9]+\/[-A-Za-z0-9]+$/;

export async function putTargets(events: EventsContext, request: Request): Promise<unknown> {
  const { ctx } = events;
  const name = ruleName(request, 'Rule');
  const bus = requestBus(request);
  const targets = requiredList(request, 'Targets', 1, 10).map(readTarget);
  const rule = await existingRule(events, bus, name);
  const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
  const accepted: EventTargetRecord[] = [];
  for (const target of targets) {
    const arn = target.Arn as string;
    if (!STATE_MACHINE.test(arn) && !API_DESTINATION.test(arn)) {
      failed.push({ TargetId: target.Id as string, ErrorCode: 'ValidationException', ErrorMessage: `Stepwise delivers events to state machines and API destinations only; ${arn} is neither.` });
    } else {
      accepted.push({ ruleArn: rule.arn, id: target.Id as string, arn, target });
    }
  }
  if (accepted.length > 0) {
    const outcome = await ctx.store.eventBus.putTargets(rule.arn, accepted, { maxTargets: MAX_TARGETS_PER_RULE });
    if (outcome === 'no-rule') throw new EventsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`);
    if (outcome === 'limit-exceeded') throw new EventsError('LimitExceededException', 'The requested resource exceeds the maximum number allowed.');
    events.bus.rulesChanged();
  }
  return { FailedEntryCount: failed.length, FailedEntries: failed };
}

function readTarget(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new EventsError('SerializationException', 'Each of Targets must be an object.');
  const target = value as Record<string, unknown>;
  const id = requiredString(target, 'Id', { min: 1, max: 64, pattern: NAME });
  requiredString(target, 'Arn', { min: 1, max: 1600 });
  const given = ['Input', 'InputPath', 'InputTransformer'].filter((k) => target[k] !== undefined && target[k] !== null);
  if (given.length > 1) throw validation(`Target ${id}: only one of Input, InputPath and InputTransformer may be given.`);
  if (target.Input !== undefined) {
    const input = requiredString(target, 'Input', { max: 8192 });
    try {
      JSON.parse(input);
    } catch {
      throw validation(`Target ${id}: Input is not valid JSON text.`);
    }
  }
  if (target.InputPath !== undefined) {
    const path = requiredString(target, 'InputPath', { max: 256 });
    if (!path.startsWith('$')) throw validation(`Target ${id}: InputPath must be a JSON path starting with $.`);
  }
  if (target.InputTransformer !== undefined) {
    try {
      validateInputTransformer(target.InputTransformer as InputTransformer);
    } catch (e) {
      if (e instanceof InputTransformerValidationError) throw validation(`Target ${id}: ${e.message}`);
      throw e;
    }
  }
  if (target.RetryPolicy !== undefined) {
    const policy = target.RetryPolicy;
    if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) throw new EventsError('SerializationException', 'RetryPolicy must be an object.');
    optionalInteger(policy as Record<string, unknown>, 'MaximumRetryAttempts', 0, 185);
    optionalInteger(policy as Record<string, unknown>, 'MaximumEventAgeInSeconds', 60, 86_400);
  }
  return target;
}
