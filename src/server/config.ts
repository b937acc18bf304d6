/**
 * `stepwise serve` settings: command-line options first, then environment variables, then
 * defaults. Every mistake is a ConfigError with a sentence for the user, never a stack trace.
 */
import { parseArgs } from 'node:util';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** SQLite file path, `:memory:`, or (later) a postgres:// URL. */
  readonly db: string;
  readonly region: string;
  readonly accountId: string;
  /** Path of a Step Functions Local MockConfigFile (SFN_MOCK_CONFIG). */
  readonly mockConfigPath?: string;
  readonly waitTimeScale: number;
  readonly logLevel: string;
  /** SQLite durability: FULL (default) commits survive power loss; NORMAL survives process crashes. */
  readonly synchronous: 'FULL' | 'NORMAL';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The environment variables `serve` reads, for --help and the README. */
export const ENVIRONMENT = {
  STEPWISE_HOST: 'address to listen on (default 127.0.0.1)',
  STEPWISE_PORT: 'port (default 8083)',
  STEPWISE_DB: 'database: a SQLite file (default ./.stepwise/stepwise.db) or :memory:',
  STEPWISE_REGION: 'region in ARNs (default us-east-1)',
  STEPWISE_ACCOUNT_ID: 'account in ARNs (default 111111111111)',
  SFN_MOCK_CONFIG: 'Step Functions Local mock configuration file',
  WAIT_TIME_SCALE: 'multiplies Wait and retry delays; 0 makes them instant (default 1)',
  STEPWISE_LOG_LEVEL: 'pino log level: fatal, error, warn, info, debug, trace, silent (default info)',
  STEPWISE_SQLITE_SYNCHRONOUS: 'FULL (default) or NORMAL',
} as const;

export const SERVE_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  db: { type: 'string' },
  region: { type: 'string' },
  'account-id': { type: 'string' },
  'mock-config': { type: 'string' },
  'wait-time-scale': { type: 'string' },
  'log-level': { type: 'string' },
  synchronous: { type: 'string' },
} as const;

export function parseServeArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args: [...args], options: SERVE_OPTIONS, strict: true, allowPositionals: false }).values as Record<string, string | undefined>;
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const pick = (option: string, variable: string): string | undefined => values[option] ?? (env[variable] === '' ? undefined : env[variable]);

  const portText = pick('port', 'STEPWISE_PORT') ?? '8083';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new ConfigError(`--port must be a number from 0 to 65535, not '${portText}'.`);

  const scaleText = pick('wait-time-scale', 'WAIT_TIME_SCALE') ?? '1';
  const waitTimeScale = Number(scaleText);
  if (!Number.isFinite(waitTimeScale) || waitTimeScale < 0) throw new ConfigError(`--wait-time-scale must be a number of at least 0, not '${scaleText}'.`);

  const accountId = pick('account-id', 'STEPWISE_ACCOUNT_ID') ?? '111111111111';
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError(`--account-id must be 12 digits, not '${accountId}'.`);
  const region = pick('region', 'STEPWISE_REGION') ?? 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new ConfigError(`--region must look like us-east-1, not '${region}'.`);

  const synchronous = (pick('synchronous', 'STEPWISE_SQLITE_SYNCHRONOUS') ?? 'FULL').toUpperCase();
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') throw new ConfigError(`--synchronous must be FULL or NORMAL, not '${synchronous}'.`);

  const mockConfigPath = pick('mock-config', 'SFN_MOCK_CONFIG');
  return {
    host: pick('host', 'STEPWISE_HOST') ?? '127.0.0.1',
    port,
    db: pick('db', 'STEPWISE_DB') ?? './.stepwise/stepwise.db',
    region,
    accountId,
    ...(mockConfigPath !== undefined ? { mockConfigPath } : {}),
    waitTimeScale,
    logLevel: pick('log-level', 'STEPWISE_LOG_LEVEL') ?? 'info',
    synchronous,
  };
}
