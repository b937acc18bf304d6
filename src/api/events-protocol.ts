/**
 * EventBridge's API (AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Action>`) on the server's port,
 * so `@aws-sdk/client-eventbridge` and `aws events --endpoint-url` can reach it. The actions
 * live in src/api/events/ (one module each, events/router.ts names them); this is the protocol:
 * the body read as JSON, the action found, its answer or its error (`__type`, `message`) written.
 * Without an event bus (an API served without the server's bus, as in tests of the API alone),
 * only TestEventPattern is served.
 */
import { InvalidEventPatternError } from '../events/pattern.js';
import type { EventBus } from '../runtime/event-bus.js';
import type { ApiContext } from './context.js';
import { EVENTS_ACTIONS } from './events/router.js';
import { EventsError, type Request } from './events/request.js';
import { testEventPattern } from './events/test-event-pattern.js';
import type { ApiResponse } from './protocol.js';

export const EVENTS_TARGET_PREFIX = 'AWSEvents.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export async function handleEventsRequest(target: string, body: Uint8Array | string, requestId: string, ctx: ApiContext, bus?: EventBus): Promise<ApiResponse> {
  const action = target.slice(EVENTS_TARGET_PREFIX.length);
  try {
    if (action === 'TestEventPattern') return answer(200, testEventPattern(parseRequest(body)), requestId);
    const run = Object.prototype.hasOwnProperty.call(EVENTS_ACTIONS, action) ? EVENTS_ACTIONS[action] : undefined;
    if (!run || !bus) {
      throw new EventsError(
        'UnknownOperationException',
        `Stepwise does not implement AWSEvents.${action.slice(0, 100)}: of EventBridge's API it serves ${bus ? ['TestEventPattern', ...Object.keys(EVENTS_ACTIONS)].join(', ') : 'TestEventPattern only here (no event bus runs with this API)'}.`,
      );
    }
    return answer(200, await run({ ctx, bus }, parseRequest(body)), requestId);
  } catch (e) {
    if (e instanceof InvalidEventPatternError) return answer(400, { __type: 'InvalidEventPatternException', message: e.message }, requestId);
    if (e instanceof EventsError) return answer(400, { __type: e.type, message: e.message }, requestId);
    throw e;
  }
}

function parseRequest(body: Uint8Array | string): Request {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new EventsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new EventsError('SerializationException', 'The request body must be a JSON object.');
  return parsed as Request;
}

function answer(status: number, body: unknown, requestId: string): ApiResponse {
  return { status, body: JSON.stringify(body), headers: { 'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': requestId } };
}
