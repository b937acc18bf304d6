/**
 * `stepwise serve`: the Step Functions API (and, later, the console) on one port, until SIGTERM
 * or Ctrl-C. Bad options, an unusable database or a taken port are one-line messages with exit
 * status 2.
 */
import { ConfigError, ENVIRONMENT, parseServeArgs } from '../server/config.js';
import { startServer } from '../server/start.js';
import { StoreOpenError } from '../store/errors.js';
import { EXIT, UsageError } from './io.js';

export const SERVE_HELP = `Usage: stepwise serve [options]

Serves the AWS Step Functions API (AWS JSON 1.0: POST / with X-Amz-Target) on one port,
with executions kept in a SQLite file that survives crashes, or in PostgreSQL shared by
several servers (docs/multi-node.md). GET /health and GET /metrics too.

Options (each also read from the environment variable beside it):
  --host HOST             ${ENVIRONMENT.STEPWISE_HOST}   [STEPWISE_HOST]
  --port PORT             ${ENVIRONMENT.STEPWISE_PORT}   [STEPWISE_PORT]
  --db PATH               ${ENVIRONMENT.STEPWISE_DB}   [STEPWISE_DB]
  --region REGION         ${ENVIRONMENT.STEPWISE_REGION}   [STEPWISE_REGION]
  --account-id ID         ${ENVIRONMENT.STEPWISE_ACCOUNT_ID}   [STEPWISE_ACCOUNT_ID]
  --mock-config FILE      ${ENVIRONMENT.SFN_MOCK_CONFIG}   [SFN_MOCK_CONFIG]
  --config FILE           ${ENVIRONMENT.STEPWISE_CONFIG}   [STEPWISE_CONFIG]
  --lambda-endpoint URL   ${ENVIRONMENT.LAMBDA_ENDPOINT}   [LAMBDA_ENDPOINT]
  --wait-time-scale N     ${ENVIRONMENT.WAIT_TIME_SCALE}   [WAIT_TIME_SCALE]
  --log-level LEVEL       ${ENVIRONMENT.STEPWISE_LOG_LEVEL}   [STEPWISE_LOG_LEVEL]
  --synchronous MODE      SQLite durability: ${ENVIRONMENT.STEPWISE_SQLITE_SYNCHRONOUS}   [STEPWISE_SQLITE_SYNCHRONOUS]
  --max-open-executions N   ${ENVIRONMENT.STEPWISE_MAX_OPEN_EXECUTIONS}   [STEPWISE_MAX_OPEN_EXECUTIONS]
  --max-state-machines N    ${ENVIRONMENT.STEPWISE_MAX_STATE_MACHINES}   [STEPWISE_MAX_STATE_MACHINES]
  --max-activities N        ${ENVIRONMENT.STEPWISE_MAX_ACTIVITIES}   [STEPWISE_MAX_ACTIVITIES]
  --max-schedules N         ${ENVIRONMENT.STEPWISE_MAX_SCHEDULES}   [STEPWISE_MAX_SCHEDULES]
  --max-schedule-groups N   ${ENVIRONMENT.STEPWISE_MAX_SCHEDULE_GROUPS}   [STEPWISE_MAX_SCHEDULE_GROUPS]
  --max-rules-per-bus N     ${ENVIRONMENT.STEPWISE_MAX_RULES_PER_BUS}   [STEPWISE_MAX_RULES_PER_BUS]
  --max-child-executions N  ${ENVIRONMENT.STEPWISE_MAX_CHILD_EXECUTIONS}   [STEPWISE_MAX_CHILD_EXECUTIONS]
  --max-execution-depth N   ${ENVIRONMENT.STEPWISE_MAX_EXECUTION_DEPTH}   [STEPWISE_MAX_EXECUTION_DEPTH]
  --api-rate-limits SPEC    ${ENVIRONMENT.STEPWISE_API_RATE_LIMITS}   [STEPWISE_API_RATE_LIMITS]
  --retention-days N      ${ENVIRONMENT.STEPWISE_RETENTION_DAYS}   [STEPWISE_RETENTION_DAYS]
  --node-lease-seconds N  ${ENVIRONMENT.STEPWISE_NODE_LEASE_SECONDS}   [STEPWISE_NODE_LEASE_SECONDS]
  --max-history-page-bytes N  ${ENVIRONMENT.STEPWISE_MAX_HISTORY_PAGE_BYTES}   [STEPWISE_MAX_HISTORY_PAGE_BYTES]

Exposure (docs/deployment.md):
  --auth-file FILE        ${ENVIRONMENT.STEPWISE_AUTH_FILE}   [STEPWISE_AUTH_FILE]
  --insecure              ${ENVIRONMENT.STEPWISE_INSECURE}   [STEPWISE_INSECURE]
  --allowed-host NAME     a host name a loopback server without a keys file answers beside localhost (repeatable)   [STEPWISE_ALLOWED_HOSTS]
  --allowed-origin ORIGIN an origin (https://app.example.com) whose web pages may call the server (repeatable)   [STEPWISE_ALLOWED_ORIGINS]
  --tls-cert FILE         ${ENVIRONMENT.STEPWISE_TLS_CERT}   [STEPWISE_TLS_CERT]
  --tls-key FILE          ${ENVIRONMENT.STEPWISE_TLS_KEY}   [STEPWISE_TLS_KEY]
  --access-log FILE|-     ${ENVIRONMENT.STEPWISE_ACCESS_LOG}   [STEPWISE_ACCESS_LOG]
  --metrics-port N        ${ENVIRONMENT.STEPWISE_METRICS_PORT}   [STEPWISE_METRICS_PORT]
  --metrics-host HOST     ${ENVIRONMENT.STEPWISE_METRICS_HOST}   [STEPWISE_METRICS_HOST]
  --base-path PATH        ${ENVIRONMENT.STEPWISE_BASE_PATH}   [STEPWISE_BASE_PATH]

Containment (docs/limits.md):
  --decision-workers N      ${ENVIRONMENT.STEPWISE_DECISION_WORKERS}   [STEPWISE_DECISION_WORKERS]
  --decision-timeout S      ${ENVIRONMENT.STEPWISE_DECISION_TIMEOUT}   [STEPWISE_DECISION_TIMEOUT]
  --worker-memory-mb N      ${ENVIRONMENT.STEPWISE_WORKER_MEMORY_MB}   [STEPWISE_WORKER_MEMORY_MB]
  --max-history-events N    ${ENVIRONMENT.STEPWISE_MAX_HISTORY_EVENTS}   [STEPWISE_MAX_HISTORY_EVENTS]
  --max-live-executions N   ${ENVIRONMENT.STEPWISE_MAX_LIVE_EXECUTIONS}   [STEPWISE_MAX_LIVE_EXECUTIONS]
  --decision-slice-ms N     ${ENVIRONMENT.STEPWISE_DECISION_SLICE_MS}   [STEPWISE_DECISION_SLICE_MS]
  --decision-max-events N   ${ENVIRONMENT.STEPWISE_DECISION_MAX_EVENTS}   [STEPWISE_DECISION_MAX_EVENTS]
  --decision-max-bytes N    ${ENVIRONMENT.STEPWISE_DECISION_MAX_BYTES}   [STEPWISE_DECISION_MAX_BYTES]
  --express-timeout S       ${ENVIRONMENT.STEPWISE_EXPRESS_TIMEOUT}   [STEPWISE_EXPRESS_TIMEOUT]
  --test-state-timeout S    ${ENVIRONMENT.STEPWISE_TEST_STATE_TIMEOUT}   [STEPWISE_TEST_STATE_TIMEOUT]
  --jsonata-timeout-ms N    ${ENVIRONMENT.STEPWISE_JSONATA_TIMEOUT_MS}   [STEPWISE_JSONATA_TIMEOUT_MS]
  --jsonata-max-sequence N  ${ENVIRONMENT.STEPWISE_JSONATA_MAX_SEQUENCE}   [STEPWISE_JSONATA_MAX_SEQUENCE]
  --jsonata-max-string-length N  ${ENVIRONMENT.STEPWISE_JSONATA_MAX_STRING_LENGTH}   [STEPWISE_JSONATA_MAX_STRING_LENGTH]
  --jsonpath-max-steps N    ${ENVIRONMENT.STEPWISE_JSONPATH_MAX_STEPS}   [STEPWISE_JSONPATH_MAX_STEPS]
`;

/** Serves until a signal; resolves to the exit status. */
export async function serveCommand(args: readonly string[], err: (line: string) => void): Promise<number> {
  let server;
  try {
    server = await startServer(parseServeArgs(args));
  } catch (e) {
    if (e instanceof ConfigError || e instanceof StoreOpenError) throw new UsageError(e.message);
    throw e;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        err(`stepwise serve: ${signal} again, exiting at once`);
        process.exit(EXIT.FAILED);
      }
      stopping = true;
      server.close().then(
        () => resolve(EXIT.SUCCEEDED),
        (e: unknown) => {
          err(`stepwise serve: error while shutting down: ${e instanceof Error ? e.message : String(e)}`);
          resolve(EXIT.FAILED);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // SIGHUP rereads what may change while serving (the TLS certificate, the access log's file);
    // what cannot be reread keeps its old value and the log says why.
    const reload = () => {
      if (stopping) return;
      server.reload().catch((e: unknown) => err(`stepwise serve: reload failed: ${e instanceof Error ? e.message : String(e)}`));
    };
    process.on('SIGHUP', reload);
  });
}
