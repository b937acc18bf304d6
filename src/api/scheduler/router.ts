/**
 * EventBridge Scheduler on the server's port: claims the REST paths of the `scheduler` model
 * (`/schedules…`, `/schedule-groups…`, `/tags/…`) and leaves every other request to the rest of
 * the server, so @aws-sdk/client-scheduler and `aws scheduler --endpoint-url` work unchanged.
 *
 * A request body is bounded by limits.maxRequestBytes (413 as soon as it is known to be larger)
 * and must arrive within limits.requestBodyTimeoutMs (408); either closes the connection.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from '../context.js';
import { AwsError } from '../errors.js';
import { requestTooLarge } from '../protocol.js';
import { readBody } from '../read-body.js';
import { createSchedule } from './create-schedule.js';
import { createScheduleGroup } from './create-schedule-group.js';
import { deleteSchedule } from './delete-schedule.js';
import { deleteScheduleGroup } from './delete-schedule-group.js';
import { getSchedule } from './get-schedule.js';
import { getScheduleGroup } from './get-schedule-group.js';
import { listScheduleGroups } from './list-schedule-groups.js';
import { listSchedules } from './list-schedules.js';
import { errorResponse, jsonResponse, validation, type SchedulerResponse } from './protocol.js';
import { createSchedulerContext, type SchedulerAction, type SchedulerContext } from './shared.js';
import { listTagsForResource, tagResource, untagResource } from './tags.js';
import { updateSchedule } from './update-schedule.js';
import { answerUnread, schedulerActionName, type ApiAuth } from '../authorize.js';

/** Actions by `<method> <collection>` (no label) or `<method> <collection>/{}` (one label). */
const ROUTES: Readonly<Record<string, SchedulerAction>> = {
  'GET schedules': listSchedules,
  'POST schedules/{}': createSchedule,
  'GET schedules/{}': getSchedule,
  'PUT schedules/{}': updateSchedule,
  'DELETE schedules/{}': deleteSchedule,
  'GET schedule-groups': listScheduleGroups,
  'POST schedule-groups/{}': createScheduleGroup,
  'GET schedule-groups/{}': getScheduleGroup,
  'DELETE schedule-groups/{}': deleteScheduleGroup,
  'GET tags/{}': listTagsForResource,
  'POST tags/{}': tagResource,
  'DELETE tags/{}': untagResource,
};

export interface SchedulerRouteOptions {
  /** Called after a schedule was created, updated or deleted (the firing loop re-reads its wake time). */
  readonly onChange?: () => void;
  /** With a keys file: every route is SigV4-verified and authorised as `scheduler:<Action>` (../authorize.ts). */
  readonly auth?: ApiAuth;
}

/** The request handler for the server's extra routes: true when it answered the request. */
export function schedulerRoutes(api: ApiContext, options: SchedulerRouteOptions = {}): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const ctx = createSchedulerContext(api, () => options.onChange?.());
  return async (req, res) => {
    const route = routeOf(req.method ?? 'GET', req.url ?? '/');
    if (!route) return false;
    const requestId = randomUUID();
    const limits = api.config.limits;
    const gate = options.auth?.scheduler(req, requestId, { ...route, action: schedulerActionName(req.method ?? 'GET', req.url ?? '/') });
    if (gate && !gate.ok) return (answerUnread(req, res, gate.response, limits.maxRequestBytes), true);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxRequestBytes) return refuse(req, res, requestTooLarge(limits.maxRequestBytes), requestId);
    const body = await readBody(req, limits.maxRequestBytes, limits.requestBodyTimeoutMs);
    if (body === 'too-large') return refuse(req, res, requestTooLarge(limits.maxRequestBytes), requestId);
    if (body === 'timeout') return refuse(req, res, new AwsError('RequestTimeout', 'The request body was not received in time', 408), requestId);
    if (body === 'aborted') return true;
    const refusal = await gate?.complete(body);
    if (refusal) return (send(res, refusal), true);
    send(res, await answer(ctx, route, body, requestId));
    return true;
  };
}

interface Route {
  readonly action: SchedulerAction;
  readonly label?: string;
  readonly query: URLSearchParams;
}

function routeOf(method: string, url: string): Route | undefined {
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const search = mark < 0 ? '' : url.slice(mark + 1);
  const segments = path.split('/').slice(1);
  if (segments.length === 0 || segments.length > 2 || (segments.length === 2 && segments[1] === '')) return undefined;
  const action = ROUTES[`${method} ${segments[0]}${segments.length === 2 ? '/{}' : ''}`];
  if (!action) return undefined;
  let label: string | undefined;
  if (segments.length === 2) {
    try {
      label = decodeURIComponent(segments[1]!);
    } catch {
      return undefined;
    }
  }
  return { action, ...(label !== undefined ? { label } : {}), query: new URLSearchParams(search) };
}

async function answer(ctx: SchedulerContext, route: Route, raw: Buffer, requestId: string): Promise<SchedulerResponse> {
  try {
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        throw validation('The request body is not valid JSON.');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw validation('The request body must be a JSON object.');
      body = parsed as Record<string, unknown>;
    }
    const output = await route.action(ctx, { ...(route.label !== undefined ? { label: route.label } : {}), query: route.query, body });
    return jsonResponse(output, requestId);
  } catch (e) {
    if (e instanceof AwsError) return errorResponse(e, requestId);
    ctx.api.log.error('scheduler request failed', { error: e instanceof Error ? (e.stack ?? e.message) : String(e), requestId });
    return errorResponse(new AwsError('InternalServerException', 'An internal error occurred.', 500), requestId);
  }
}

function send(res: ServerResponse, response: SchedulerResponse, close = false): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, { ...response.headers, 'Content-Length': Buffer.byteLength(response.body), ...(close ? { Connection: 'close' } : {}) });
  res.end(response.body);
}

/** Answers with an error and closes the connection, without reading the rest of the body. */
function refuse(req: IncomingMessage, res: ServerResponse, error: AwsError, requestId: string): true {
  const response = errorResponse(error, requestId);
  send(res, response, true);
  res.on('finish', () => req.socket.destroy());
  return true;
}
