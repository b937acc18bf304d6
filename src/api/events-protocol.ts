/**
 * EventBridge's API (AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Action>`) on the server's port,
 * so `@aws-sdk/client-eventbridge` and `aws events --endpoint-url` can reach it. Only
 * TestEventPattern is built (with src/events/pattern.ts); the bus, rules and targets are
 * issue 10's, and every other action says so in its error rather than pretending.
 */
import { matchesEventPattern, parseEventPattern, InvalidEventPatternError } from '../events/pattern.js';
import type { ApiResponse } from './protocol.js';

export const EVENTS_TARGET_PREFIX = 'AWSEvents.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** The fields TestEventPattern requires in the event (API reference). */
const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];
/** EventPattern's length constraint in TestEventPattern's request. */
const MAX_PATTERN_CHARS = 4096;

export function handleEventsRequest(target: string, body: Uint8Array | string, requestId: string): ApiResponse {
  const action = target.slice(EVENTS_TARGET_PREFIX.length);
  try {
    if (action !== 'TestEventPattern') {
      throw new EventsError(
        'UnknownOperationException',
        `Stepwise does not implement AWSEvents.${action} yet: of EventBridge's API only TestEventPattern is served (rules, targets and PutEvents come with schedules and events).`,
      );
    }
    const request = parseRequest(body);
    const pattern = requiredString(request, 'EventPattern');
    const eventText = requiredString(request, 'Event');
    if (pattern.length > MAX_PATTERN_CHARS) {
      throw new EventsError('ValidationException', `1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PATTERN_CHARS}`);
    }
    const compiled = parseEventPattern(pattern, { maxLength: MAX_PATTERN_CHARS });
    const event = parseEvent(eventText);
    return answer(200, { Result: matchesEventPattern(compiled, event) }, requestId);
  } catch (e) {
    if (e instanceof InvalidEventPatternError) return answer(400, { __type: 'InvalidEventPatternException', message: e.message }, requestId);
    if (e instanceof EventsError) return answer(400, { __type: e.type, message: e.message }, requestId);
    throw e;
  }
}

class EventsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function parseRequest(body: Uint8Array | string): Record<string, unknown> {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new EventsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new EventsError('SerializationException', 'The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

function requiredString(request: Record<string, unknown>, name: string): string {
  const value = request[name];
  if (value === undefined) throw new EventsError('ValidationException', `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  if (typeof value !== 'string') throw new EventsError('SerializationException', `${name} must be a string.`);
  return value;
}

/** The event as AWS's TestEventPattern accepts it: JSON with the envelope's mandatory fields. */
function parseEvent(text: string): unknown {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    throw new EventsError('InvalidEventPatternException', 'Event is not valid JSON.');
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw new EventsError('ValidationException', 'Parameter Event is not valid: it must be a JSON object.');
  const missing = REQUIRED_EVENT_FIELDS.filter((field) => !(field in event));
  // AWS's exact wording for a missing field is not documented; the fields are.
  if (missing.length > 0) throw new EventsError('ValidationException', `Parameter Event is not valid: it lacks ${missing.join(', ')} (id, account, source, time, region, resources and detail-type are required).`);
  return event;
}

function answer(status: number, body: unknown, requestId: string): ApiResponse {
  return { status, body: JSON.stringify(body), headers: { 'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': requestId } };
}
