/**
 * One SQLite file, one server (issue 12): a second `stepwise serve` on the same file refuses to
 * start, saying why and pointing to PostgreSQL, instead of two servers driving the same
 * executions.
 *
 * The claim is an exclusive lock on a small SQLite file beside the database (`<db>.owner`),
 * taken with BEGIN EXCLUSIVE and held for the server's life. SQLite's locks are the operating
 * system's file locks: they go with the process however it ends (kill -9 included), so a
 * restart after a crash never finds a stale claim, and nothing needs a timeout or a PID check.
 * Readers of the database itself (`stepwise backup`, the sqlite3 shell) are not affected.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from './config.js';

export interface SqliteOwnership {
  release(): void;
}

/** Claims the database file for this process; ConfigError when another server holds it. */
export function claimSqliteFile(dbPath: string): SqliteOwnership {
  const lockPath = `${dbPath}.owner`;
  let owner: Database.Database;
  try {
    // The database's folder may not exist yet (a first start): made as the store makes it, 0700.
    mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
    owner = new Database(lockPath);
  } catch (e) {
    throw new ConfigError(`Cannot create ${lockPath}, which marks the database as in use: ${(e as Error).message}`);
  }
  try {
    owner.pragma('busy_timeout = 0');
    owner.pragma('journal_mode = DELETE');
    owner.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    owner.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY') {
      throw new ConfigError(
        `Another Stepwise server is using ${dbPath}: one SQLite file serves one server (two would run the same executions twice). ` +
          'Stop the other server, give this one its own --db, or run several servers on one PostgreSQL database (--db postgres://…).',
      );
    }
    throw new ConfigError(`Cannot lock ${lockPath}: ${(e as Error).message}`);
  }
  return {
    release: () => {
      try {
        owner.exec('ROLLBACK');
      } finally {
        owner.close();
      }
    },
  };
}
