/**
 * Dead letters in process memory, with the SQLite store's order (newest first, ties by
 * insertion) and paging.
 */
import { decodePageToken, encodePageToken, pageLimit } from './page-token.js';
import type { DeadLetterFilter, DeadLetterRecord, DeadLetterStore, Page, PageRequest } from './types.js';

export class MemoryDeadLetterStore implements DeadLetterStore {
  private seq = 0;
  /** In insertion order; a listing walks it backwards. */
  private readonly rows: Array<{ seq: number; record: DeadLetterRecord }> = [];

  async add(records: readonly DeadLetterRecord[]): Promise<void> {
    for (const record of records) {
      if (this.rows.some((row) => row.record.id === record.id)) continue; // ids are unique: a repeat is the same letter
      this.rows.push({ seq: ++this.seq, record: { ...record } });
    }
  }

  async list(filter: DeadLetterFilter, page: PageRequest): Promise<Page<DeadLetterRecord>> {
    const scope = deadLetterScope(filter);
    const below = page.nextToken === undefined ? Number.MAX_SAFE_INTEGER : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
    const n = pageLimit(page.limit);
    const matching: Array<{ seq: number; record: DeadLetterRecord }> = [];
    for (let i = this.rows.length - 1; i >= 0 && matching.length <= n; i--) {
      const row = this.rows[i]!;
      if (row.seq < below && matchesFilter(row.record, filter)) matching.push(row);
    }
    const items = matching.slice(0, n).map((row) => ({ ...row.record }));
    const last = matching[n - 1];
    return matching.length > n && last ? { items, nextToken: encodePageToken(scope, [last.seq]) } : { items };
  }

  async purge(before: number, limit: number): Promise<number> {
    const old = this.rows.filter((row) => row.record.time < before).slice(0, limit);
    return this.remove(old.map((row) => row.record.id));
  }

  async remove(ids: readonly string[]): Promise<number> {
    const wanted = new Set(ids);
    let removed = 0;
    for (let i = this.rows.length - 1; i >= 0; i--) {
      if (wanted.has(this.rows[i]!.record.id)) {
        this.rows.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }
}

/** The listing a dead-letter page token belongs to (its filter). */
export function deadLetterScope(filter: DeadLetterFilter): string {
  return ['dead-letters', filter.source ?? '', filter.sourceArn ?? ''].join('\n');
}

function matchesFilter(record: DeadLetterRecord, filter: DeadLetterFilter): boolean {
  return (filter.source === undefined || record.source === filter.source) && (filter.sourceArn === undefined || record.sourceArn === filter.sourceArn);
}
