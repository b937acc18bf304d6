/**
 * Migration 3 of the PostgreSQL store: several nodes on one database (../cluster.ts).
 * - `nodes`: one row per live node, its lease renewed by the node (times from PostgreSQL's own
 *   clock, so the nodes' clocks need not agree).
 * - `executions.owner`: the node that makes a RUNNING execution's decisions; NULL once it ends
 *   or its node left. The partial index finds a dead node's executions without a scan.
 * - `routed`: work for an execution's owner, removed by the decision that applies it.
 * - `decisions_in_progress.node`: which node's decision left the mark.
 * - `stepwise_conflict`: raised inside an execution write that must not commit (it would close
 *   a task whose answer another node accepted): the whole statement fails, nothing is written.
 */
export const CLUSTER = `
CREATE TABLE nodes (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  joined_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);

ALTER TABLE executions ADD COLUMN owner TEXT;
CREATE INDEX executions_running_by_owner ON executions (owner) WHERE status = 'RUNNING';

CREATE TABLE routed (
  id BIGSERIAL PRIMARY KEY,
  execution_id BIGINT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  token TEXT,
  work TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX routed_by_execution ON routed (execution_id, id);

ALTER TABLE decisions_in_progress ADD COLUMN node TEXT;

CREATE FUNCTION now_ms() RETURNS BIGINT LANGUAGE sql VOLATILE AS $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;

CREATE FUNCTION stepwise_conflict(message TEXT) RETURNS INTEGER LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'SW001', MESSAGE = message;
END $$;
`;

/** Migration 4: a Distributed Map's child executions name their Map Run (SQLite's migration 12). */
export const MAP_RUN_CHILDREN = `
ALTER TABLE executions ADD COLUMN map_run_arn TEXT;
CREATE INDEX executions_by_map_run ON executions (map_run_arn, start_date, id) WHERE map_run_arn IS NOT NULL;
`;
