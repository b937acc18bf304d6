/**
 * Opaque pagination tokens. A token carries the sort key of the last item of a page (keyset
 * pagination, so pages stay stable while rows are added) and a fingerprint of the listing it
 * belongs to, so a token from another listing or filter is refused rather than misread.
 */
import { createHash } from 'node:crypto';
import { InvalidPageToken } from './errors.js';
import type { ExecutionFilter, Page } from './types.js';

export type PageKey = readonly (string | number)[];

const VERSION = 1;

function fingerprint(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 12);
}

export function encodePageToken(scope: string, key: PageKey): string {
  return Buffer.from(JSON.stringify([VERSION, fingerprint(scope), ...key])).toString('base64url');
}

/**
 * The key of a token handed out by encodePageToken for the same scope; `shape` names the type of
 * each key element. Throws InvalidPageToken for anything else.
 */
export function decodePageToken(token: string, scope: string, shape: readonly ('string' | 'number')[]): PageKey {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidPageToken();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length + 2 || parsed[0] !== VERSION || parsed[1] !== fingerprint(scope)) {
    throw new InvalidPageToken();
  }
  const key = parsed.slice(2) as unknown[];
  for (let i = 0; i < shape.length; i++) {
    const v = key[i];
    if (shape[i] === 'number' ? typeof v !== 'number' || !Number.isFinite(v) : typeof v !== 'string') throw new InvalidPageToken();
  }
  return key as PageKey;
}

/** Page sizes below 1 are treated as 1: a store always makes progress. */
export function pageLimit(limit: number): number {
  return Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : 1;
}

/** The listing a ListExecutions token belongs to: its filter, field by field. */
export function executionScope(filter: ExecutionFilter): string {
  return ['executions', filter.stateMachineArn ?? '', filter.versionArn ?? '', filter.aliasArn ?? '', filter.status ?? '', filter.mapRunArn ?? ''].join('\n');
}

/** `rows` holds up to n + 1 rows: the extra one only says that there is another page. */
export function pageOf<R, T>(rows: readonly R[], n: number, tokenOf: (last: R) => string, out: (row: R) => T): Page<T> {
  const items = rows.slice(0, n).map(out);
  return rows.length > n ? { items, nextToken: tokenOf(rows[n - 1]!) } : { items };
}
