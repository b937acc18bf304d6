/**
 * CreateApiDestination, DescribeApiDestination, DeleteApiDestination and ListApiDestinations.
 * The connection must exist (created through the API, or declared in stepwise.config.json).
 * InvocationEndpoint may be `http://` here (AWS requires HTTPS), so local services can be called.
 */
import { randomUUID } from 'node:crypto';
import type { ApiDestinationRecord } from '../../store/event-bus.js';
import { EventsError, NAME, listing, optionalInteger, optionalString, pageOf, requiredString, seconds, validation, type EventsContext, type Request } from './request.js';

const METHODS = ['POST', 'GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE'];
const CONNECTION_ARN = /^arn:aws([a-z]|-)*:events:([a-z]|\d|-)*:\d{12}:connection\/([.\-_A-Za-z0-9]+)\/[\-A-Za-z0-9]+$/;

export async function createApiDestination({ ctx, bus }: EventsContext, request: Request): Promise<unknown> {
  const name = requiredString(request, 'Name', { min: 1, max: 64, pattern: NAME });
  const description = optionalString(request, 'Description', { max: 512 });
  const connectionArn = requiredString(request, 'ConnectionArn', { min: 1, max: 1600, pattern: CONNECTION_ARN });
  const endpoint = requiredString(request, 'InvocationEndpoint', { min: 1, max: 2048, pattern: /^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@\x26=+$,A-Za-z0-9])+)([).!';/?:,])?$/ });
  const method = requiredString(request, 'HttpMethod', { max: 16 });
  const rate = optionalInteger(request, 'InvocationRateLimitPerSecond', 1, 300);
  if (!METHODS.includes(method)) throw validation(`1 validation error detected: Value '${method}' at 'httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [${METHODS.join(', ')}]`);
  if (!/^https?:\/\//i.test(endpoint)) throw validation('InvocationEndpoint must be an http:// or https:// URL.');
  const connectionName = CONNECTION_ARN.exec(connectionArn)![3]!;
  if (!(await ctx.store.eventBus.getConnection(connectionName)) && !bus.options.connections?.[connectionName]) {
    throw new EventsError('ResourceNotFoundException', `Connection '${connectionName}' does not exist.`);
  }
  const now = ctx.clock.now();
  const record: ApiDestinationRecord = {
    arn: `arn:aws:events:${ctx.config.region}:${ctx.config.accountId}:api-destination/${name}/${randomUUID()}`,
    name,
    ...(description !== undefined ? { description } : {}),
    connectionArn,
    invocationEndpoint: endpoint,
    httpMethod: method,
    // AWS's default is 300 per second.
    invocationRateLimitPerSecond: rate ?? 300,
    createdAt: now,
    updatedAt: now,
  };
  if ((await ctx.store.eventBus.createApiDestination(record)) === 'exists') throw new EventsError('ResourceAlreadyExistsException', `An api-destination '${name}' already exists.`);
  return { ApiDestinationArn: record.arn, ApiDestinationState: 'ACTIVE', CreationTime: seconds(now), LastModifiedTime: seconds(now) };
}

export async function describeApiDestination({ ctx }: EventsContext, request: Request): Promise<unknown> {
  const d = await existing(ctx, request);
  return {
    ApiDestinationArn: d.arn, Name: d.name, ...(d.description !== undefined ? { Description: d.description } : {}), ApiDestinationState: 'ACTIVE',
    ConnectionArn: d.connectionArn, InvocationEndpoint: d.invocationEndpoint, HttpMethod: d.httpMethod,
    ...(d.invocationRateLimitPerSecond !== undefined ? { InvocationRateLimitPerSecond: d.invocationRateLimitPerSecond } : {}),
    CreationTime: seconds(d.createdAt), LastModifiedTime: seconds(d.updatedAt),
  };
}

export async function deleteApiDestination({ ctx }: EventsContext, request: Request): Promise<unknown> {
  const d = await existing(ctx, request);
  await ctx.store.eventBus.deleteApiDestination(d.name);
  return {};
}

export async function listApiDestinations({ ctx }: EventsContext, request: Request): Promise<unknown> {
  const prefix = optionalString(request, 'NamePrefix', { min: 1, max: 64, pattern: NAME });
  const connectionArn = optionalString(request, 'ConnectionArn', { min: 1, max: 1600 });
  const page = await listing(() => ctx.store.eventBus.listApiDestinations(prefix, pageOf(request)));
  return {
    ApiDestinations: page.items
      .filter((d) => connectionArn === undefined || d.connectionArn === connectionArn)
      .map((d) => ({
        ApiDestinationArn: d.arn, Name: d.name, ApiDestinationState: 'ACTIVE', ConnectionArn: d.connectionArn, InvocationEndpoint: d.invocationEndpoint,
        HttpMethod: d.httpMethod, InvocationRateLimitPerSecond: d.invocationRateLimitPerSecond, CreationTime: seconds(d.createdAt), LastModifiedTime: seconds(d.updatedAt),
      })),
    ...(page.nextToken ? { NextToken: page.nextToken } : {}),
  };
}

async function existing(ctx: EventsContext['ctx'], request: Request): Promise<ApiDestinationRecord> {
  const name = requiredString(request, 'Name', { min: 1, max: 64, pattern: NAME });
  const d = await ctx.store.eventBus.getApiDestination(name);
  if (!d) throw new EventsError('ResourceNotFoundException', `Failed to describe the api-destination(s). An api-destination '${name}' does not exist.`);
  return d;
}
