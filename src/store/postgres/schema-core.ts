/**
 * Migration 1 of the PostgreSQL store: the core tables, as SQLite's migrations 1–8 leave them
 * (src/store/sqlite/migrations.ts), with the same column names so both backends share their row
 * mappers (src/store/sqlite/rows.ts). What differs, and why:
 * - times are BIGINT (epoch milliseconds); the store reads int8 back as numbers (./sql.ts).
 * - JSON stays TEXT, not jsonb: records come back byte for byte as written.
 * - PostgreSQL indexes do not end in a rowid, so listings that order ties by insertion name
 *   their tie-breaker (`id`, `seq`) in the index.
 * - every table that belongs to an execution references `executions (id)` ON DELETE CASCADE:
 *   retention deletes the execution rows and PostgreSQL takes their rows with them (a later
 *   table that belongs to an execution must do the same).
 * - the RUNNING counter is split over 16 slots (by execution id): one row updated by every start
 *   and end would serialise all of them across nodes; a count is the sum of the slots.
 * - `counters` rows also serve as the locks that make quota checks race-free across processes
 *   (createStateMachine and createActivity lock theirs before counting).
 */
export const CORE = `
CREATE TABLE state_machines (
  seq BIGSERIAL PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT,
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
  created_at BIGINT NOT NULL,
  revision_id TEXT NOT NULL,
  logging_configuration TEXT,
  tracing_configuration TEXT
);
CREATE INDEX state_machine_versions_by_machine ON state_machine_versions (state_machine_arn, version);
CREATE INDEX state_machine_versions_by_revision ON state_machine_versions (state_machine_arn, revision_id);

CREATE TABLE aliases (
  seq BIGSERIAL PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  state_machine_arn TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  routing_configuration TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT
);
CREATE INDEX aliases_by_machine ON aliases (state_machine_arn, seq);

CREATE TABLE activities (
  seq BIGSERIAL PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE tags (
  seq BIGSERIAL PRIMARY KEY,
  resource_arn TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (resource_arn, key)
);

CREATE TABLE definitions (
  hash TEXT PRIMARY KEY,
  body TEXT NOT NULL
);

CREATE TABLE executions (
  id BIGSERIAL PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  state_machine_arn TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  cause TEXT,
  start_date BIGINT NOT NULL,
  stop_date BIGINT,
  definition_hash TEXT NOT NULL REFERENCES definitions (hash),
  role_arn TEXT NOT NULL,
  version_arn TEXT,
  alias_arn TEXT,
  redrive_count INTEGER NOT NULL,
  redrive_date BIGINT,
  test_case TEXT,
  trace_header TEXT,
  parent_execution_arn TEXT,
  parent_task_id TEXT,
  seed TEXT,
  engine_version INTEGER,
  started_by TEXT,
  last_event_id INTEGER NOT NULL,
  trigger_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX executions_by_start ON executions (start_date, id);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_date, id);
CREATE INDEX executions_by_machine_status ON executions (state_machine_arn, status, start_date, id);
CREATE INDEX executions_by_version ON executions (version_arn, start_date, id) WHERE version_arn IS NOT NULL;
CREATE INDEX executions_by_alias ON executions (alias_arn, start_date, id) WHERE alias_arn IS NOT NULL;
CREATE INDEX executions_by_status ON executions (status, start_date, id);
CREATE INDEX executions_by_parent ON executions (parent_execution_arn) WHERE parent_execution_arn IS NOT NULL;

CREATE TABLE events (
  execution_id BIGINT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  previous_event_id INTEGER NOT NULL,
  type TEXT NOT NULL,
  timestamp BIGINT NOT NULL,
  frame TEXT NOT NULL,
  details TEXT,
  refs TEXT,
  PRIMARY KEY (execution_id, id)
);

CREATE TABLE payloads (
  execution_id BIGINT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  body TEXT NOT NULL,
  refs TEXT,
  size BIGINT NOT NULL,
  PRIMARY KEY (execution_id, hash)
);

CREATE TABLE triggers (
  execution_id BIGINT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  time BIGINT NOT NULL,
  trigger TEXT NOT NULL,
  PRIMARY KEY (execution_id, seq)
);

CREATE TABLE timers (
  execution_id BIGINT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  timer_id TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  PRIMARY KEY (execution_id, timer_id)
);
CREATE INDEX timers_by_due ON timers (due_at);

CREATE TABLE tasks (
  seq BIGSERIAL PRIMARY KEY,
  token TEXT NOT NULL UNIQUE,
  execution_id BIGINT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  task_id TEXT NOT NULL,
  activity_arn TEXT,
  input TEXT NOT NULL,
  status TEXT NOT NULL,
  worker_name TEXT,
  created_at BIGINT NOT NULL,
  started_at BIGINT
);
CREATE INDEX tasks_by_execution ON tasks (execution_id, seq);
-- Only SCHEDULED tasks are in the claim index: claiming stays an index seek however many
-- tasks have been handed out.
CREATE INDEX tasks_to_claim ON tasks (activity_arn, created_at, seq) WHERE status = 'SCHEDULED';

CREATE TABLE map_runs (
  seq BIGSERIAL PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  execution_id BIGINT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  state_machine_arn TEXT NOT NULL,
  status TEXT NOT NULL,
  start_date BIGINT NOT NULL,
  stop_date BIGINT,
  max_concurrency INTEGER NOT NULL,
  tolerated_failure_percentage DOUBLE PRECISION NOT NULL,
  tolerated_failure_count INTEGER NOT NULL,
  item_counts TEXT NOT NULL,
  execution_counts TEXT NOT NULL,
  redrive_count INTEGER NOT NULL,
  redrive_date BIGINT
);
CREATE INDEX map_runs_by_execution ON map_runs (execution_id, seq);

CREATE TABLE decisions_in_progress (
  execution_arn TEXT PRIMARY KEY,
  restarts INTEGER NOT NULL
);

CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('state_machine_quota', 0), ('activity_quota', 0);

CREATE TABLE open_executions (
  slot INTEGER PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO open_executions (slot, value) SELECT s, 0 FROM generate_series(0, 15) AS s;

-- Kept in the transaction that changes the row it counts, so a rolled-back write leaves it exact.
-- search_path pinned: the trigger finds its counter whatever the session's search_path.
CREATE FUNCTION count_open_executions() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'RUNNING' THEN
    UPDATE open_executions SET value = value - 1 WHERE slot = OLD.id % 16;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'RUNNING' THEN
    UPDATE open_executions SET value = value + 1 WHERE slot = NEW.id % 16;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER executions_open_on_insert AFTER INSERT ON executions
  FOR EACH ROW WHEN (NEW.status = 'RUNNING') EXECUTE FUNCTION count_open_executions();
CREATE TRIGGER executions_open_on_update AFTER UPDATE OF status ON executions
  FOR EACH ROW WHEN ((OLD.status = 'RUNNING') IS DISTINCT FROM (NEW.status = 'RUNNING')) EXECUTE FUNCTION count_open_executions();
CREATE TRIGGER executions_open_on_delete AFTER DELETE ON executions
  FOR EACH ROW WHEN (OLD.status = 'RUNNING') EXECUTE FUNCTION count_open_executions();
`;
