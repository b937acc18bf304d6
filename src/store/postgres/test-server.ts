/**
 * For the PostgreSQL store's tests: the server they use (STEPWISE_TEST_POSTGRES, default the
 * machine's own) and an admin pool on it that fails with how to start the server, never skips.
 */
import pg from 'pg';

export const TEST_POSTGRES = process.env.STEPWISE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function adminPool(): Promise<pg.Pool> {
  const admin = new pg.Pool({ connectionString: TEST_POSTGRES, max: 2, connectionTimeoutMillis: 5_000 });
  admin.on('error', () => undefined);
  try {
    await admin.query('SELECT 1');
  } catch (e) {
    await admin.end().catch(() => undefined);
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_POSTGRES} (set STEPWISE_TEST_POSTGRES to another server). ` +
        `Start the local one with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n(${(e as Error).message || (e as { code?: string }).code})`,
    );
  }
  return admin;
}
