/**
 * The SQLite schema as numbered, immutable migrations (graphile-worker style): a database records
 * the ones applied in `schema_migrations`, and opening applies the missing ones in order, each in
 * its own transaction. Never edit a released migration; add the next number.
 *
 * The SQL lives in TypeScript strings so `tsc` ships it in dist/ without a copy step.
 */

export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Design notes for 0001:
 * - executions have an integer id; events, triggers, timers and tasks refer to it rather than
 *   repeating the ARN in every row (an event row is then a few dozen bytes plus its details).
 * - every listing pages by a key in an index (keyset pagination); SQLite appends the rowid to
 *   each index, so (…, start_date) indexes also order ties by insertion.
 * - definitions are stored once per distinct text (sha256), since thousands of executions of a
 *   state machine run the same definition.
 * - only SCHEDULED tasks are in the claim index (partial), so claiming stays an index seek
 *   however many tasks have been handed out.
 */
const INIT = `
CREATE TABLE state_machines (
  seq INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER,
  revision_id TEXT NOT NULL,
  description TEXT,
  logging_configuration TEXT,
  tracing_configuration TEXT,
  encryption_configuration TEXT,
  next_version INTEGER NOT NULL
);

CREATE TABLE state_machine_versions (
  arn TEXT PRIMARY KEY,
  state_machine_arn TEXT NOT NULL,
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  type TEXT NOT NULL,
  description TEXT,
  created_at INTEGER NOT NULL,
  revision_id TEXT NOT NULL,
  logging_configuration TEXT,
  tracing_configuration TEXT
);
CREATE INDEX state_machine_versions_by_machine ON state_machine_versions (state_machine_arn, version);

CREATE TABLE aliases (
  seq INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  state_machine_arn TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  routing_configuration TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER
);
CREATE INDEX aliases_by_machine ON aliases (state_machine_arn);

CREATE TABLE activities (
  seq INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE tags (
  seq INTEGER PRIMARY KEY,
  resource_arn TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (resource_arn, key)
);

CREATE TABLE definitions (
  hash TEXT PRIMARY KEY,
  body TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE executions (
  id INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  state_machine_arn TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  cause TEXT,
  start_date INTEGER NOT NULL,
  stop_date INTEGER,
  definition_hash TEXT NOT NULL REFERENCES definitions (hash),
  role_arn TEXT NOT NULL,
  version_arn TEXT,
  alias_arn TEXT,
  redrive_count INTEGER NOT NULL,
  redrive_date INTEGER,
  test_case TEXT,
  trace_header TEXT,
  last_event_id INTEGER NOT NULL,
  trigger_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_date);
CREATE INDEX executions_by_machine_status ON executions (state_machine_arn, status, start_date);
CREATE INDEX executions_by_version ON executions (version_arn, start_date) WHERE version_arn IS NOT NULL;
CREATE INDEX executions_by_alias ON executions (alias_arn, start_date) WHERE alias_arn IS NOT NULL;
CREATE INDEX executions_by_status ON executions (status, start_date);

CREATE TABLE events (
  execution_id INTEGER NOT NULL REFERENCES executions (id),
  id INTEGER NOT NULL,
  previous_event_id INTEGER NOT NULL,
  type TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  frame TEXT NOT NULL,
  details TEXT,
  PRIMARY KEY (execution_id, id)
) WITHOUT ROWID;

CREATE TABLE triggers (
  execution_id INTEGER NOT NULL REFERENCES executions (id),
  seq INTEGER NOT NULL,
  time INTEGER NOT NULL,
  trigger TEXT NOT NULL,
  PRIMARY KEY (execution_id, seq)
) WITHOUT ROWID;

CREATE TABLE timers (
  execution_id INTEGER NOT NULL REFERENCES executions (id),
  timer_id TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  PRIMARY KEY (execution_id, timer_id)
) WITHOUT ROWID;
CREATE INDEX timers_by_due ON timers (due_at);

CREATE TABLE tasks (
  seq INTEGER PRIMARY KEY,
  token TEXT NOT NULL UNIQUE,
  execution_id INTEGER NOT NULL REFERENCES executions (id),
  task_id TEXT NOT NULL,
  activity_arn TEXT,
  input TEXT NOT NULL,
  status TEXT NOT NULL,
  worker_name TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER
);
CREATE INDEX tasks_by_execution ON tasks (execution_id);
CREATE INDEX tasks_to_claim ON tasks (activity_arn, created_at) WHERE status = 'SCHEDULED';
`;

/**
 * 0002: Map Runs (DescribeMapRun, ListMapRuns). A row per run, upserted by every decision that
 * changes it; its counters are JSON (always read and written whole). Listing an execution's runs
 * walks (execution_id, seq).
 */
const MAP_RUNS = `
CREATE TABLE map_runs (
  seq INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  execution_id INTEGER NOT NULL REFERENCES executions (id),
  state_machine_arn TEXT NOT NULL,
  status TEXT NOT NULL,
  start_date INTEGER NOT NULL,
  stop_date INTEGER,
  max_concurrency INTEGER NOT NULL,
  tolerated_failure_percentage REAL NOT NULL,
  tolerated_failure_count INTEGER NOT NULL,
  item_counts TEXT NOT NULL,
  execution_counts TEXT NOT NULL,
  redrive_count INTEGER NOT NULL,
  redrive_date INTEGER
);
CREATE INDEX map_runs_by_execution ON map_runs (execution_id, seq);
`;

/** 0003: nested executions remember the execution and task that started them. */
const PARENT_TASKS = `
ALTER TABLE executions ADD COLUMN parent_execution_arn TEXT;
ALTER TABLE executions ADD COLUMN parent_task_id TEXT;
`;

/**
 * 0004: each execution's secret random seed and the engine version that started it. Rows from
 * before stay NULL: those executions keep drawing from their ARN-seeded generator, so they
 * replay as they ran (src/runtime/execution-secrets.ts).
 */
const EXECUTION_SEEDS = `
ALTER TABLE executions ADD COLUMN seed TEXT;
ALTER TABLE executions ADD COLUMN engine_version INTEGER;
`;

/**
 * 0005: large payloads stored once per execution (payloads.ts). An event's `refs` names the
 * chunks that fill the placeholders of its `details`; a chunk's `refs` those of its `body`.
 * `size` is the whole text's length, so a history page can be cut to a byte budget without
 * reading the payloads. A rowid table: its rows run to hundreds of KiB, which WITHOUT ROWID
 * tables store badly. Events written before keep their details whole (refs NULL).
 */
const PAYLOADS = `
CREATE TABLE payloads (
  seq INTEGER PRIMARY KEY,
  execution_id INTEGER NOT NULL REFERENCES executions (id),
  hash TEXT NOT NULL,
  body TEXT NOT NULL,
  refs TEXT,
  size INTEGER NOT NULL,
  UNIQUE (execution_id, hash)
);
ALTER TABLE events ADD COLUMN refs TEXT;
`;

/**
 * 0007: quarantine. A decision that runs long marks its execution here until it ends; a mark
 * left when the process stopped counts the restarts it survives, so an execution whose
 * decision kills the process is failed instead of run again for ever (a crash loop).
 */
const DECISIONS_IN_PROGRESS = `
CREATE TABLE decisions_in_progress (
  execution_arn TEXT PRIMARY KEY,
  restarts INTEGER NOT NULL
) WITHOUT ROWID;
`;

/**
 * 0006: quotas that are checked on every start must not count rows. `counters` keeps the number
 * of RUNNING executions, maintained by triggers in the same transaction as the row it counts
 * (so a rolled-back write leaves it exact, also with several processes on one file); the
 * executions an execution started are counted through an index on their parent.
 */
const QUOTA_COUNTERS = `
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) SELECT 'open_executions', count(*) FROM executions WHERE status = 'RUNNING';
CREATE TRIGGER executions_open_on_insert AFTER INSERT ON executions WHEN new.status = 'RUNNING'
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'open_executions'; END;
CREATE TRIGGER executions_open_on_update AFTER UPDATE OF status ON executions WHEN (old.status = 'RUNNING') <> (new.status = 'RUNNING')
BEGIN UPDATE counters SET value = value + CASE WHEN new.status = 'RUNNING' THEN 1 ELSE -1 END WHERE name = 'open_executions'; END;
CREATE TRIGGER executions_open_on_delete AFTER DELETE ON executions WHEN old.status = 'RUNNING'
BEGIN UPDATE counters SET value = value - 1 WHERE name = 'open_executions'; END;
CREATE INDEX executions_by_parent ON executions (parent_execution_arn) WHERE parent_execution_arn IS NOT NULL;
`;

/**
 * 0008: what started an execution (API, schedule, HTTP route, event rule, parent execution), as
 * JSON (types.ts StartedBy), for the console. NULL for executions started by an API call, and for
 * every execution stored before.
 */
const STARTED_BY = `
ALTER TABLE executions ADD COLUMN started_by TEXT;
`;

/**
 * 0009: dead letters: schedule firings and events that could not be delivered (types.ts
 * DeadLetterRecord). Listed newest first, all or by source.
 */
const DEAD_LETTERS = `
CREATE TABLE dead_letters (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  source_arn TEXT NOT NULL,
  target_arn TEXT NOT NULL,
  target_id TEXT,
  payload TEXT NOT NULL,
  error TEXT NOT NULL,
  cause TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  event_time INTEGER NOT NULL,
  time INTEGER NOT NULL
);
CREATE INDEX dead_letters_by_source ON dead_letters (source, seq);
CREATE INDEX dead_letters_by_source_arn ON dead_letters (source_arn, seq);
CREATE INDEX dead_letters_by_time ON dead_letters (time);
`;

/**
 * 0010: EventBridge Scheduler's schedule groups and schedules (sqlite/schedules.ts). A schedule's
 * definition is one JSON column; its firing state is columns, with a partial index for the
 * "due" lookup of the firing loop (ENABLED schedules by next_fire_at).
 */
const SCHEDULES = `
CREATE TABLE schedule_groups (
  seq INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  arn TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  tags TEXT NOT NULL
);
CREATE TABLE schedules (
  seq INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  group_name TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  next_due_at INTEGER,
  next_fire_at INTEGER,
  attempt INTEGER NOT NULL,
  UNIQUE (group_name, name)
);
CREATE INDEX schedules_by_group ON schedules (group_name, seq);
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE state = 'ENABLED' AND next_fire_at IS NOT NULL;
`;

/**
 * 0011: the EventBridge event bus (src/store/event-bus.ts): rules and their targets, connections
 * and API destinations as JSON records (read and written whole), and the delivery outbox, one
 * row per matched (event, rule, target), claimed with a token and a lease. The counter
 * `event_rules_version` moves with every rule or target write, so each process knows when its
 * compiled patterns are stale.
 */
const EVENT_BUS = `
CREATE TABLE event_rules (
  seq INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  bus TEXT NOT NULL,
  name TEXT NOT NULL,
  record TEXT NOT NULL,
  UNIQUE (bus, name)
);
CREATE TABLE event_targets (
  rule_arn TEXT NOT NULL,
  id TEXT NOT NULL,
  arn TEXT NOT NULL,
  target TEXT NOT NULL,
  PRIMARY KEY (rule_arn, id)
) WITHOUT ROWID;
CREATE INDEX event_targets_by_arn ON event_targets (arn);
CREATE TABLE event_connections (
  name TEXT PRIMARY KEY,
  record TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE event_api_destinations (
  name TEXT PRIMARY KEY,
  record TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE event_deliveries (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  event_id TEXT NOT NULL,
  rule_arn TEXT NOT NULL,
  target_id TEXT NOT NULL,
  event TEXT NOT NULL,
  event_time INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  claim TEXT,
  claimed_until INTEGER
);
CREATE INDEX event_deliveries_due ON event_deliveries (next_attempt_at);
INSERT INTO counters (name, value) VALUES ('event_rules_version', 0);
`;

/**
 * 0012: a Distributed Map's child executions (engine version 5) name their Map Run, so
 * ListExecutions lists them by mapRunArn, and the nested-execution quotas leave them out.
 */
const MAP_RUN_CHILDREN = `
ALTER TABLE executions ADD COLUMN map_run_arn TEXT;
CREATE INDEX executions_by_map_run ON executions (map_run_arn, start_date, id) WHERE map_run_arn IS NOT NULL;
`;

export const MIGRATIONS: readonly Migration[] = [
  { id: 1, name: 'init', sql: INIT },
  { id: 2, name: 'map_runs', sql: MAP_RUNS },
  { id: 3, name: 'parent_tasks', sql: PARENT_TASKS },
  { id: 4, name: 'execution_seeds', sql: EXECUTION_SEEDS },
  { id: 5, name: 'payloads', sql: PAYLOADS },
  { id: 6, name: 'quota_counters', sql: QUOTA_COUNTERS },
  { id: 7, name: 'decisions_in_progress', sql: DECISIONS_IN_PROGRESS },
  { id: 8, name: 'started_by', sql: STARTED_BY },
  { id: 9, name: 'dead_letters', sql: DEAD_LETTERS },
  { id: 10, name: 'schedules', sql: SCHEDULES },
  { id: 11, name: 'event_bus', sql: EVENT_BUS },
  { id: 12, name: 'map_run_children', sql: MAP_RUN_CHILDREN },
];

/** Written to the file header (PRAGMA application_id) so other SQLite files are recognised. */
export const APPLICATION_ID = 0x53545057; // 'STPW'
