/**
 * Dead letters on PostgreSQL (migration 2, schema-triggers.ts): newest first by seq, the
 * filter's columns indexed. Each call is one statement, so it needs no transaction of its own.
 */
import { deadLetterOf, type DeadLetterRow } from '../sqlite/dead-letters.js';
import { deadLetterScope } from '../memory-dead-letters.js';
import { decodePageToken, encodePageToken, pageLimit } from '../page-token.js';
import type { DeadLetterFilter, DeadLetterRecord, DeadLetterStore, Page, PageRequest } from '../types.js';
import type { PostgresDatabase } from './db.js';
import { rows as select } from './sql.js';

export class PostgresDeadLetterStore implements DeadLetterStore {
  constructor(private readonly db: PostgresDatabase) {}

  async add(records: readonly DeadLetterRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One statement for the batch; WITH ORDINALITY keeps the batch's order in seq (newest last).
    await this.db.query(
      `INSERT INTO dead_letters (id, source, source_arn, target_arn, target_id, payload, error, cause, attempts, event_time, time)
       SELECT id, source, source_arn, target_arn, target_id, payload, error, cause, attempts, event_time, time
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::bigint[], $11::bigint[])
         WITH ORDINALITY AS r (id, source, source_arn, target_arn, target_id, payload, error, cause, attempts, event_time, time, n)
       ORDER BY n
       ON CONFLICT (id) DO NOTHING`,
      [
        records.map((r) => r.id),
        records.map((r) => r.source),
        records.map((r) => r.sourceArn),
        records.map((r) => r.targetArn),
        records.map((r) => r.targetId ?? null),
        records.map((r) => r.payload),
        records.map((r) => r.error),
        records.map((r) => r.cause),
        records.map((r) => r.attempts),
        records.map((r) => r.eventTime),
        records.map((r) => r.time),
      ],
    );
  }

  async list(filter: DeadLetterFilter, page: PageRequest): Promise<Page<DeadLetterRecord>> {
    const scope = deadLetterScope(filter);
    const below = page.nextToken === undefined ? Number.MAX_SAFE_INTEGER : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
    const n = pageLimit(page.limit);
    const params: unknown[] = [below];
    const conditions = ['seq < $1'];
    if (filter.source !== undefined) conditions.push(`source = $${params.push(filter.source)}`);
    if (filter.sourceArn !== undefined) conditions.push(`source_arn = $${params.push(filter.sourceArn)}`);
    // BIGINT columns read as numbers (sql.ts): the rows are SQLite's, and so is their mapper.
    const rows = await select<DeadLetterRow>(
      this.db.pool,
      `SELECT * FROM dead_letters WHERE ${conditions.join(' AND ')} ORDER BY seq DESC LIMIT $${params.push(n + 1)}`,
      params,
    );
    const items = rows.slice(0, n).map(deadLetterOf);
    const last = rows[n - 1];
    return rows.length > n && last ? { items, nextToken: encodePageToken(scope, [last.seq]) } : { items };
  }

  async remove(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db.query('DELETE FROM dead_letters WHERE id = ANY($1::text[])', [ids]);
    return result.rowCount ?? 0;
  }

  async purge(before: number, limit: number): Promise<number> {
    // SKIP LOCKED: two nodes purging at once take different batches instead of waiting on each other.
    const result = await this.db.query(
      'DELETE FROM dead_letters WHERE seq IN (SELECT seq FROM dead_letters WHERE time < $1 ORDER BY time LIMIT $2 FOR UPDATE SKIP LOCKED)',
      [before, Math.max(0, Math.floor(limit))],
    );
    return result.rowCount ?? 0;
  }
}
