/**
 * Why a PostgreSQL database could not be opened, as a sentence for the person who typed the
 * URL: pg's own errors are terse (`connect ECONNREFUSED`, an AggregateError without a message
 * when `localhost` resolves to two addresses) and name no remedy.
 */
import { StoreOpenError } from '../errors.js';
import { redact } from './db.js';

interface Target {
  readonly where: string;
  readonly database: string;
  readonly user: string;
}

function targetOf(url: string): Target {
  try {
    const u = new URL(url);
    const host = u.hostname || 'localhost';
    return {
      where: `${host}:${u.port || '5432'}`,
      database: decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres',
      user: decodeURIComponent(u.username) || process.env.PGUSER || process.env.USER || 'postgres',
    };
  } catch {
    return { where: 'the server the URL names', database: '?', user: '?' };
  }
}

/** The code of the error or of the first of an AggregateError's errors. */
function codeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; errors?: unknown[] } | undefined;
  if (typeof e?.code === 'string') return e.code;
  if (Array.isArray(e?.errors)) return codeOf(e.errors[0]);
  return undefined;
}

/** A StoreOpenError that says what went wrong with `url` and what to do; `error` as it came from openPostgres. */
export function describeOpenError(url: string, error: unknown): unknown {
  if (!(error instanceof StoreOpenError) || error.cause === undefined) return error;
  const cause = error.cause;
  const { where, database, user } = targetOf(url);
  const location = redact(url);
  const say = (sentence: string): StoreOpenError => new StoreOpenError(sentence, location, { cause });
  switch (codeOf(cause)) {
    case 'ECONNREFUSED':
      return say(`Cannot connect to PostgreSQL at ${where}: the connection was refused. Is the server running and listening on that address and port?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return say(`Cannot connect to PostgreSQL at ${where}: the host name does not resolve. Check the host in ${location}.`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return say(`Cannot connect to PostgreSQL at ${where}: the host does not answer. Check the host and port, and any firewall between.`);
    case '3D000': // invalid_catalog_name
      return say(`The PostgreSQL database "${database}" does not exist at ${where}. Create it (createdb -h <host> -U <user> ${database}) or name another in the URL.`);
    case '28P01': // invalid_password
    case '28000': // invalid_authorization_specification (unknown role, pg_hba.conf refusal)
      return say(`PostgreSQL at ${where} refused the user "${user}": ${(cause as Error).message}. Check the user name and password in the URL.`);
    case '42501': // insufficient_privilege (CREATE SCHEMA, CREATE TABLE)
      return say(`The user "${user}" may not create Stepwise's tables in the database "${database}" at ${where}: ${(cause as Error).message}. Grant it CREATE on the database, or create the schema for it.`);
    default:
      return error;
  }
}
