/**
 * Opens the store a `--db` location names: `:memory:` keeps everything in process memory, a
 * `postgres://` or `postgresql://` URL names a PostgreSQL database (the tables live in its schema
 * `stepwise`), anything else is an SQLite file path.
 */
import { StoreOpenError } from './errors.js';
import { MemoryStore } from './memory.js';
import { openPostgresStore } from './postgres/index.js';
import { openSqliteStore, type SqliteOptions } from './sqlite/index.js';
import type { Store } from './types.js';

export type OpenStoreOptions = SqliteOptions;

export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (location === ':memory:') return new MemoryStore();
  if (/^postgres(ql)?:\/\//i.test(location)) return openPostgresStore(location);
  if (location.trim() === '') throw new StoreOpenError('The database location is empty; give an SQLite file path or :memory:', location);
  return openSqliteStore(location, options);
}
