/**
 * Opening the SQLite file: folder creation, pragmas, recognising foreign files and applying the
 * migrations. Every failure becomes a StoreOpenError with a sentence a user can act on.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreOpenError } from '../errors.js';
import { APPLICATION_ID, MIGRATIONS, type Migration } from './migrations.js';

export interface SqliteOptions {
  /**
   * FULL (default) syncs the WAL on every commit: a committed write survives power loss. NORMAL
   * syncs only at checkpoints: a crash of the process loses nothing, a power cut may lose the
   * last commits (never consistency).
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** How long a write waits for another process holding the lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /** Writes committed together at most (default 1000); a full batch commits at once. */
  readonly maxBatch?: number;
  /** Milliseconds the first write of a batch waits for others to join it (default 2; 0: next tick). */
  readonly commitWindowMs?: number;
}

export function openDatabase(path: string, options: SqliteOptions, migrations: readonly Migration[] = MIGRATIONS): Database.Database {
  const file = resolve(path);
  try {
    makeFolders(dirname(file));
  } catch (e) {
    throw new StoreOpenError(`Cannot create the folder for the database ${file}: ${reason(e)}`, path, { cause: e });
  }
  let db: Database.Database;
  try {
    createPrivately(file);
    db = new Database(file);
  } catch (e) {
    throw new StoreOpenError(`Cannot open the database ${file}: ${reason(e)}`, path, { cause: e });
  }
  try {
    prepare(db, file, path, options, migrations);
    return db;
  } catch (e) {
    db.close();
    if (e instanceof StoreOpenError) throw e;
    throw new StoreOpenError(describe(e, file), path, { cause: e });
  }
}

function prepare(db: Database.Database, file: string, path: string, options: SqliteOptions, migrations: readonly Migration[]): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  // The first statement that reads the header: a file that is not SQLite fails here.
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (applicationId !== APPLICATION_ID && (applicationId !== 0 || tables.length > 0)) {
    throw new StoreOpenError(`${file} is an SQLite database of another application, not a Stepwise database`, path);
  }
  const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
  if (mode.toLowerCase() !== 'wal') {
    throw new StoreOpenError(`Cannot put the database ${file} in WAL mode (the file system may not support it; journal mode is ${mode})`, path);
  }
  db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  migrate(db, file, path, migrations);
}

function migrate(db: Database.Database, file: string, path: string, migrations: readonly Migration[]): void {
  const latest = migrations.reduce((max, m) => Math.max(max, m.id), 0);
  const applied = (): Set<number> => {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    return new Set(exists ? (db.prepare('SELECT id FROM schema_migrations').pluck().all() as number[]) : []);
  };
  const check = (ids: Set<number>): void => {
    const newest = Math.max(0, ...ids);
    if (newest > latest) {
      throw new StoreOpenError(
        `The database ${file} has schema version ${newest}, newer than this release of Stepwise understands (${latest}). Upgrade Stepwise to open it.`,
        path,
      );
    }
  };
  const before = applied();
  check(before);
  if (migrations.every((m) => before.has(m.id))) return;
  // IMMEDIATE: two processes opening a new file at once migrate one after the other.
  db.transaction(() => {
    const ids = applied();
    check(ids);
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)');
    for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
      if (ids.has(m.id)) continue;
      db.exec(m.sql);
      record.run(m.id, m.name, Date.now());
    }
  }).immediate();
}

function reason(e: unknown): string {
  const err = e as { code?: string; message?: string };
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EROFS':
      return 'the file system is read-only';
    default:
      return err.message ?? String(e);
  }
}

function describe(e: unknown, file: string): string {
  // Extended result codes (SQLITE_READONLY_DIRECTORY, SQLITE_IOERR_WRITE…) share a prefix.
  const code = (e as { code?: string }).code ?? '';
  const family = code.replace(/^(SQLITE_[A-Z]+?)(_[A-Z_]+)?$/, '$1');
  switch (family) {
    case 'SQLITE_NOTADB':
      return `${file} is not an SQLite database (a Stepwise database file was expected)`;
    case 'SQLITE_CORRUPT':
      return `The database ${file} is corrupt`;
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
    case 'SQLITE_IOERR':
      return `Cannot write the database ${file} (${reason(e)}); check the permissions of the file and its folder`;
    case 'SQLITE_BUSY':
      return `The database ${file} is locked by another process`;
    default:
      return `Cannot open the database ${file}: ${reason(e)}`;
  }
}

/**
 * A new database file is created empty with mode 0600 before SQLite opens it: SQLite would make
 * it 0644, and it gives the -wal and -shm files the mode of the database file. The file holds
 * every execution's input and output, so only its owner may read it. An existing file keeps the
 * mode it has (its owner may have chosen one); the server warns when others can read it.
 */
function createPrivately(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync never returns for some paths
 * (e.g. under /proc), where a plain mkdirSync fails at once with ENOENT. Each folder it creates
 * is 0700 (only the owner may list the database's files); an existing one is left as it is.
 */
function makeFolders(folder: string): void {
  if (existsSync(folder)) return;
  const parent = dirname(folder);
  if (parent !== folder) makeFolders(parent);
  mkdirSync(folder, { mode: 0o700 });
}
