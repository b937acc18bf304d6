/**
 * CreateConnection, DescribeConnection, DeleteConnection and ListConnections: the credentials API
 * destinations send (API_KEY, BASIC and OAUTH_CLIENT_CREDENTIALS, as src/integrations/connections.ts
 * uses them). A connection is AUTHORIZED from its creation (no authorization round trip).
 *
 * Secrets (ApiKeyValue, Password, ClientSecret) are kept in Stepwise's database, in clear (AWS
 * keeps them in Secrets Manager), and never shown: DescribeConnection leaves them out as AWS does.
 * API destinations may also name a connection of stepwise.config.json; those are not listed here.
 */
import { randomUUID } from 'node:crypto';
import type { ConnectionRecord } from '../../store/event-bus.js';
import { EventsError, NAME, listing, optionalString, pageOf, requiredString, seconds, validation, type EventsContext, type Request } from './request.js';

const TYPES = ['API_KEY', 'BASIC', 'OAUTH_CLIENT_CREDENTIALS'];

export async function createConnection({ ctx }: EventsContext, request: Request): Promise<unknown> {
  const name = requiredString(request, 'Name', { min: 1, max: 64, pattern: NAME });
  const description = optionalString(request, 'Description', { max: 512 });
  const type = requiredString(request, 'AuthorizationType', { max: 64 });
  if (!TYPES.includes(type)) {
    throw validation(`1 validation error detected: Value '${type}' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [${TYPES.join(', ')}]`);
  }
  const auth = request.AuthParameters;
  if (auth === null || typeof auth !== 'object' || Array.isArray(auth)) throw validation("1 validation error detected: Value null at 'authParameters' failed to satisfy constraint: Member must not be null");
  checkAuth(type, auth as Record<string, unknown>);
  const now = ctx.clock.now();
  const record: ConnectionRecord = {
    arn: `arn:aws:events:${ctx.config.region}:${ctx.config.accountId}:connection/${name}/${randomUUID()}`,
    name,
    ...(description !== undefined ? { description } : {}),
    authorizationType: type as ConnectionRecord['authorizationType'],
    authParameters: auth as Record<string, unknown>,
    createdAt: now,
    updatedAt: now,
  };
  if ((await ctx.store.eventBus.createConnection(record)) === 'exists') throw new EventsError('ResourceAlreadyExistsException', `Connection ${name} already exists.`);
  return { ConnectionArn: record.arn, ConnectionState: 'AUTHORIZED', CreationTime: seconds(now), LastModifiedTime: seconds(now) };
}

export async function describeConnection({ ctx }: EventsContext, request: Request): Promise<unknown> {
  const connection = await existing(ctx.store.eventBus, request);
  return {
    ConnectionArn: connection.arn,
    Name: connection.name,
    ...(connection.description !== undefined ? { Description: connection.description } : {}),
    ConnectionState: 'AUTHORIZED',
    AuthorizationType: connection.authorizationType,
    AuthParameters: withoutSecrets(connection.authParameters),
    CreationTime: seconds(connection.createdAt),
    LastModifiedTime: seconds(connection.updatedAt),
    LastAuthorizedTime: seconds(connection.updatedAt),
  };
}

export async function deleteConnection({ ctx }: EventsContext, request: Request): Promise<unknown> {
  const connection = await existing(ctx.store.eventBus, request);
  await ctx.store.eventBus.deleteConnection(connection.name);
  return { ConnectionArn: connection.arn, ConnectionState: 'DELETING', CreationTime: seconds(connection.createdAt), LastModifiedTime: seconds(connection.updatedAt), LastAuthorizedTime: seconds(connection.updatedAt) };
}

export async function listConnections({ ctx }: EventsContext, request: Request): Promise<unknown> {
  const prefix = optionalString(request, 'NamePrefix', { min: 1, max: 64, pattern: NAME });
  const page = await listing(() => ctx.store.eventBus.listConnections(prefix, pageOf(request)));
  return {
    Connections: page.items.map((c) => ({
      ConnectionArn: c.arn, Name: c.name, ConnectionState: 'AUTHORIZED', AuthorizationType: c.authorizationType,
      CreationTime: seconds(c.createdAt), LastModifiedTime: seconds(c.updatedAt), LastAuthorizedTime: seconds(c.updatedAt),
    })),
    ...(page.nextToken ? { NextToken: page.nextToken } : {}),
  };
}

async function existing(store: EventsContext['ctx']['store']['eventBus'], request: Request): Promise<ConnectionRecord> {
  const name = requiredString(request, 'Name', { min: 1, max: 64, pattern: NAME });
  const connection = await store.getConnection(name);
  if (!connection) throw new EventsError('ResourceNotFoundException', `Failed to describe the connection(s). Connection '${name}' does not exist.`);
  return connection;
}

/** The parameters the type needs (AWS refuses a connection without them). */
function checkAuth(type: string, auth: Record<string, unknown>): void {
  const str = (o: unknown, k: string) => o !== null && typeof o === 'object' && typeof (o as Record<string, unknown>)[k] === 'string' && ((o as Record<string, string>)[k] ?? '') !== '';
  if (type === 'API_KEY' && !(str(auth.ApiKeyAuthParameters, 'ApiKeyName') && str(auth.ApiKeyAuthParameters, 'ApiKeyValue'))) {
    throw validation('ApiKeyAuthParameters with ApiKeyName and ApiKeyValue is required for AuthorizationType API_KEY.');
  }
  if (type === 'BASIC' && !(str(auth.BasicAuthParameters, 'Username') && str(auth.BasicAuthParameters, 'Password'))) {
    throw validation('BasicAuthParameters with Username and Password is required for AuthorizationType BASIC.');
  }
  if (type === 'OAUTH_CLIENT_CREDENTIALS') {
    const oauth = auth.OAuthParameters as Record<string, unknown> | undefined;
    if (!(str(oauth, 'AuthorizationEndpoint') && str(oauth, 'HttpMethod') && str(oauth?.ClientParameters, 'ClientID') && str(oauth?.ClientParameters, 'ClientSecret'))) {
      throw validation('OAuthParameters with AuthorizationEndpoint, HttpMethod and ClientParameters (ClientID, ClientSecret) is required for AuthorizationType OAUTH_CLIENT_CREDENTIALS.');
    }
  }
}

/** AuthParameters as DescribeConnection shows them: no secret values. */
function withoutSecrets(auth: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const api = auth.ApiKeyAuthParameters as { ApiKeyName?: unknown } | undefined;
  if (api) out.ApiKeyAuthParameters = { ApiKeyName: api.ApiKeyName };
  const basic = auth.BasicAuthParameters as { Username?: unknown } | undefined;
  if (basic) out.BasicAuthParameters = { Username: basic.Username };
  const oauth = auth.OAuthParameters as Record<string, unknown> | undefined;
  if (oauth) {
    out.OAuthParameters = {
      AuthorizationEndpoint: oauth.AuthorizationEndpoint,
      HttpMethod: oauth.HttpMethod,
      ClientParameters: { ClientID: (oauth.ClientParameters as { ClientID?: unknown } | undefined)?.ClientID },
      ...(oauth.OAuthHttpParameters ? { OAuthHttpParameters: publicParameters(oauth.OAuthHttpParameters) } : {}),
    };
  }
  if (auth.InvocationHttpParameters) out.InvocationHttpParameters = publicParameters(auth.InvocationHttpParameters);
  return out;
}

/** HTTP parameters with the values marked IsValueSecret left out. */
function publicParameters(parameters: unknown): unknown {
  if (parameters === null || typeof parameters !== 'object') return parameters;
  const out: Record<string, unknown> = {};
  for (const [kind, list] of Object.entries(parameters as Record<string, unknown>)) {
    out[kind] = Array.isArray(list) ? list.map((p) => (p && typeof p === 'object' && (p as { IsValueSecret?: unknown }).IsValueSecret ? { ...(p as object), Value: undefined } : p)) : list;
  }
  return JSON.parse(JSON.stringify(out)) as unknown;
}
