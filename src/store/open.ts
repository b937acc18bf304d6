/**
 * Opens the store a `--db` location names: `:memory:` keeps everything in process memory, a
 * `postgres://` URL will name a PostgreSQL database, anything else is an SQLite file path.
 */
import { StoreOpenError } from './errors.js';
import { MemoryStore } from './memory.js';
import { openSqliteStore, type SqliteOptions } from './sqlite/index.js';
import type { Store } from './types.js';

export type OpenStoreOptions = SqliteOptions;

export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (location === ':memory:') return new MemoryStore();
  if (/^postgres(ql)?:\/\//i.test(location)) {
    throw new StoreOpenError('PostgreSQL support arrives in a later release; use an SQLite file path or :memory: for now', location);
  }
  if (location.trim() === '') throw new StoreOpenError('The database location is empty; give an SQLite file path or :memory:', location);
  return openSqliteStore(location, options);
}
