/**
 * The PostgreSQL connection of a store (issue 12): one `pg` pool per store, transactions that
 * retry on serialization failures and deadlocks, and the numbered migrations applied at start
 * under an advisory lock, so several Stepwise nodes starting at once apply each exactly once.
 *
 * Every table lives in one schema of Stepwise's own (default `stepwise`), so a database shared
 * with other applications stays tidy.
 */
import pg from 'pg';
import { StoreOpenError } from '../errors.js';
import { POSTGRES_MIGRATIONS, type PostgresMigration } from './migrations.js';

export type Client = pg.PoolClient;
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** An arbitrary but fixed key for pg_advisory_lock: 'STPW' as in the SQLite file header. */
const MIGRATION_LOCK = 0x53545057;
/** SQLSTATEs after which the whole transaction may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
const MAX_ATTEMPTS = 5;

export interface PostgresOptions {
  /** Connections at most (default 10). */
  readonly maxConnections?: number;
  /** Schema the tables live in (default `stepwise`). */
  readonly schema?: string;
}

export class PostgresDatabase {
  constructor(
    readonly pool: pg.Pool,
    readonly schema: string,
  ) {}

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values as unknown[] | undefined);
  }

  /**
   * Runs `work` in one transaction (READ COMMITTED unless `serializable`), committing when it
   * resolves and rolling back when it throws; a transaction that lost to a concurrent one
   * (serialization failure, deadlock) is run again, up to a few times.
   */
  async transaction<T>(work: (client: Client) => Promise<T>, options: { readonly serializable?: boolean } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query(options.serializable ? 'BEGIN ISOLATION LEVEL SERIALIZABLE' : 'BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (attempt < MAX_ATTEMPTS && RETRYABLE.has((e as { code?: string }).code ?? '')) continue;
        throw e;
      } finally {
        client.release();
      }
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** Connects, creates the schema and applies the migrations it lacks; StoreOpenError with a sentence otherwise. */
export async function openPostgres(url: string, options: PostgresOptions = {}, migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS): Promise<PostgresDatabase> {
  const schema = options.schema ?? 'stepwise';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new StoreOpenError(`The PostgreSQL schema name '${schema}' is not a plain lower-case identifier`, redact(url));
  const pool = new pg.Pool({
    Client: NulSafeClient,
    connectionString: url,
    max: options.maxConnections ?? 10,
    // A host that drops packets silently would otherwise hold the start (and every query) forever.
    connectionTimeoutMillis: 10_000,
    // Every connection works in Stepwise's schema.
    options: `-c search_path=${schema}`,
  });
  // An idle client that errors (the server restarted) must not crash the process.
  pool.on('error', () => undefined);
  const db = new PostgresDatabase(pool, schema);
  try {
    await migrate(db, schema, migrations);
    return db;
  } catch (e) {
    await pool.end().catch(() => undefined);
    if (e instanceof StoreOpenError) throw e;
    throw new StoreOpenError(`Cannot open the PostgreSQL database ${redact(url)}: ${(e as Error).message}`, redact(url), { cause: e });
  }
}

async function migrate(db: PostgresDatabase, schema: string, migrations: readonly PostgresMigration[]): Promise<void> {
  const client = await db.pool.connect();
  try {
    // Session-level lock: held across the migrations' own transactions, released at the end.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const applied = new Set((await client.query<{ id: number }>(`SELECT id FROM ${schema}.schema_migrations`)).rows.map((r) => r.id));
      const known = new Set(migrations.map((m) => m.id));
      const unknown = [...applied].filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new StoreOpenError(`The PostgreSQL schema ${schema} has migrations this release does not know (${unknown.join(', ')}): it was written by a newer Stepwise`, '');
      }
      for (const migration of migrations) {
        if (applied.has(migration.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(`INSERT INTO ${schema}.schema_migrations (id, name) VALUES ($1, $2)`, [migration.id, migration.name]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`migration ${migration.id} (${migration.name}) failed: ${(e as Error).message}`);
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

/**
 * PostgreSQL's text cannot hold U+0000, which SQLite and JavaScript strings can: a failure's
 * cause sent by a client (SendTaskFailure) or a worker name with one would make the decision's
 * whole write fail, again at every retry, leaving its execution stuck. Every string parameter
 * has its U+0000 replaced by U+FFFD (the replacement character) on the way in. JSON texts are
 * never affected: JSON.stringify writes U+0000 as the six characters `\u0000`. Only the raw
 * text columns (errors, causes, names, descriptions, tags) can differ from what was sent.
 */
class NulSafeClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [first, second] = args;
    if (Array.isArray(second)) args[1] = second.map(withoutNul);
    else if (first !== null && typeof first === 'object' && !('submit' in first) && Array.isArray((first as { values?: unknown }).values)) {
      args[0] = { ...(first as object), values: (first as { values: unknown[] }).values.map(withoutNul) };
    }
    return (super.query as (...a: unknown[]) => never).apply(this, args);
  }
}

function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  return value;
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}
