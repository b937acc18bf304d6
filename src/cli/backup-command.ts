/**
 * `stepwise backup FILE`: a consistent copy of a server's SQLite database, taken while the server
 * runs, with SQLite's online backup API (better-sqlite3's `db.backup()`). The copy is one
 * self-contained file (journal mode DELETE: no -wal beside it), created 0600 like the database,
 * and appears at FILE only once it is complete (it is written beside it, then renamed): a backup
 * interrupted half-way never passes for a good one.
 *
 * The pages are copied in one step, under one read transaction: the copy is the database as it
 * was at one instant. In WAL mode that reader does not stop the server's writes; were the copy
 * made in small steps instead, each write of the server would restart it.
 *
 * Restoring is copying FILE back to the --db path while no server uses it (docs/deployment.md).
 */
import { chmodSync, closeSync, existsSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { APPLICATION_ID } from '../store/sqlite/migrations.js';
import { EXIT, UsageError } from './io.js';

export const BACKUP_HELP = `Usage: stepwise backup FILE [--db PATH] [--force]

Copies a Stepwise SQLite database to FILE while its server runs (SQLite's online backup): the copy
is the database as it was at one instant, in one file readable only by its owner (0600).

Options:
  --db PATH     the database to copy (default: STEPWISE_DB, else ./.stepwise/stepwise.db)
  --force       replace FILE if it exists
  -h, --help    this help

Restore: stop the server, copy FILE to the --db path (removing any -wal and -shm files beside
it), start the server.
`;

const OPTIONS = {
  db: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DEFAULT_DB = './.stepwise/stepwise.db';
/** How long the copy waits for a lock held by the server (a checkpoint, a migration), in ms. */
const BUSY_TIMEOUT_MS = 10_000;

export async function backupCommand(args: readonly string[], out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(BACKUP_HELP);
    return EXIT.SUCCEEDED;
  }
  if (positionals.length !== 1) throw new UsageError(`backup needs exactly one FILE to write (got ${positionals.length}); see stepwise backup --help`);
  const location = values.db ?? (env.STEPWISE_DB || DEFAULT_DB);
  if (location === ':memory:') throw new UsageError('an in-memory database (:memory:) lives inside its server and cannot be backed up; serve from a file (--db PATH) to keep and back up executions');
  if (/^postgres(ql)?:\/\//i.test(location)) throw new UsageError('stepwise backup copies SQLite databases; back up PostgreSQL with pg_dump');
  const source = resolve(location);
  const target = resolve(positionals[0]!);
  if (!existsSync(source)) throw new UsageError(`there is no database at ${source} (give the server's --db PATH)`);
  if (source === target) throw new UsageError('FILE is the database itself; give another path');
  if (existsSync(target) && !values.force) throw new UsageError(`${target} exists; choose another FILE, or add --force to replace it`);

  const db = openSource(source);
  const partial = `${target}.partial-${process.pid}`;
  try {
    // Created 0600 before SQLite writes into it: SQLite would make it 0644.
    closeSync(openSync(partial, 'wx', 0o600));
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (e) {
    rmSync(partial, { force: true });
    throw new UsageError(`cannot back up ${source} to ${target}: ${reason(e)}`);
  } finally {
    db.close();
  }
  let summary: { machines: number; executions: number };
  try {
    summary = finish(partial);
    renameSync(partial, target);
    chmodSync(target, 0o600);
  } catch (e) {
    rmSync(partial, { force: true });
    throw new UsageError(`the backup of ${source} could not be completed at ${target}: ${reason(e)}`);
  }
  const bytes = statSync(target).size;
  out(`Backed up ${source} to ${target}: ${formatBytes(bytes)}, ${summary.machines} state machine${summary.machines === 1 ? '' : 's'}, ${summary.executions} execution${summary.executions === 1 ? '' : 's'}.`);
  return EXIT.SUCCEEDED;
}

/** The server's database, checked to be Stepwise's (never migrated or otherwise changed here). */
function openSource(file: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true });
  } catch (e) {
    throw new UsageError(`cannot open the database ${file}: ${reason(e)}`);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    if (applicationId !== APPLICATION_ID) throw new UsageError(`${file} is not a Stepwise database`);
    return db;
  } catch (e) {
    db.close();
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read the database ${file}: ${reason(e)}`);
  }
}

/**
 * Makes the copy one self-contained file (the copied header says WAL, which would put -wal and
 * -shm files beside it when opened) and counts what it holds, which also proves it opens.
 */
function finish(file: string): { machines: number; executions: number } {
  const copy = new Database(file, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw new Error(`the copy fails SQLite's quick_check: ${check}`);
    return {
      machines: copy.prepare('SELECT count(*) FROM state_machines').pluck().get() as number,
      executions: copy.prepare('SELECT count(*) FROM executions').pluck().get() as number,
    };
  } finally {
    copy.close();
  }
}

function reason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_CANTOPEN') return 'permission denied, or the folder does not exist';
  if (code === 'ENOENT') return 'the folder does not exist';
  if (code === 'EEXIST') return 'a file of the same name is in the way';
  if (code === 'SQLITE_NOTADB') return 'it is not an SQLite database';
  return e instanceof Error ? e.message : String(e);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
