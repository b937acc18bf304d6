/**
 * One server per PostgreSQL database, until servers share work (issue 12): the runtime does not
 * yet lease executions, timers or activity tasks between nodes, so a second server on the same
 * database would fire every timer and resume every execution twice. It refuses to start instead.
 *
 * The claim is a session-level advisory lock held on a connection of its own for the server's
 * life: PostgreSQL drops it when the connection ends, however the server ends (kill -9 closes
 * the socket), so a restart never finds a stale claim.
 */
import pg from 'pg';
import { ConfigError } from './config.js';

/** 'STPN': distinct from the migrations' lock (src/store/postgres/db.ts). */
const SERVER_LOCK = 0x5354504e;

export interface PostgresOwnership {
  release(): Promise<void>;
}

export async function claimPostgresDatabase(url: string, schema = 'stepwise'): Promise<PostgresOwnership> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // The connection dropping later (the database restarted) must not crash the server.
  client.on('error', () => undefined);
  await client.connect();
  // The key includes the schema: servers on separate schemas of one database do not collide.
  const { rows } = await client.query<{ claimed: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS claimed', [SERVER_LOCK, schema]);
  if (!rows[0]?.claimed) {
    await client.end().catch(() => undefined);
    throw new ConfigError(
      'Another Stepwise server is using this PostgreSQL database: several servers on one database do not share their work yet (each would run every timer and execution), ' +
        'so a second one refuses to start. Stop the other server, or give this one its own database.',
    );
  }
  return { release: () => client.end().catch(() => undefined) };
}
