/** TestEventPattern: whether the event matches the pattern (src/events/pattern.ts). */
import { matchesEventPattern, parseEventPattern } from '../../events/pattern.js';
import { EventsError, requiredString, type Request } from './request.js';

/** The fields TestEventPattern requires in the event (API reference). */
const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];
/** EventPattern's length constraint in TestEventPattern's request. */
const MAX_PATTERN_CHARS = 4096;

export function testEventPattern(request: Request): unknown {
  const pattern = requiredString(request, 'EventPattern', { max: MAX_PATTERN_CHARS });
  const eventText = requiredString(request, 'Event', { max: Number.MAX_SAFE_INTEGER });
  const compiled = parseEventPattern(pattern, { maxLength: MAX_PATTERN_CHARS });
  return { Result: matchesEventPattern(compiled, parseEvent(eventText)) };
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
