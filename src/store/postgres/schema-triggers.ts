/**
 * Migration 2 of the PostgreSQL schema (migrations.ts): what triggers executions from outside —
 * dead letters, EventBridge Scheduler's groups and schedules, and the EventBridge event bus. The
 * tables mirror SQLite's migrations 9–11 (src/store/sqlite/migrations.ts) and reference nothing
 * of migration 1, so either can change without the other.
 *
 * Choices that differ from SQLite, and why:
 * - Times are BIGINT epoch milliseconds; `pg` hands int8 back as text, the stores turn it into a
 *   number (exact below 2^53, which epoch milliseconds stay far under).
 * - JSON is kept as TEXT, not JSONB: JSONB reorders keys and drops duplicates, and a record must
 *   read back byte for byte as it was written (an event pattern, a target's Input).
 * - Names that lists are sorted or filtered by are COLLATE "C": byte order, as SQLite and AWS
 *   sort, whatever collation the database was created with; keyset pages compare in that order.
 * - schedules reference their group ON DELETE CASCADE: a schedule created while its group is
 *   being deleted either goes with the group or is refused, never left behind.
 * - The rules version is a one-row table: a transactional counter (a sequence would move before
 *   the commit, and a node could cache the old rules under the new number). Every rule and target
 *   write locks that row first, which is also what makes the rule quota and the target limit hold
 *   across nodes.
 */
export const TRIGGERS = `
CREATE TABLE dead_letters (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  source text NOT NULL,
  source_arn text NOT NULL,
  target_arn text NOT NULL,
  target_id text,
  payload text NOT NULL,
  error text NOT NULL,
  cause text NOT NULL,
  attempts integer NOT NULL,
  event_time bigint NOT NULL,
  time bigint NOT NULL
);
CREATE INDEX dead_letters_by_source ON dead_letters (source, seq);
CREATE INDEX dead_letters_by_source_arn ON dead_letters (source_arn, seq);
CREATE INDEX dead_letters_by_time ON dead_letters (time);

CREATE TABLE schedule_groups (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text COLLATE "C" NOT NULL UNIQUE,
  arn text NOT NULL UNIQUE,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  tags text NOT NULL
);
CREATE TABLE schedules (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  arn text NOT NULL UNIQUE,
  group_name text COLLATE "C" NOT NULL REFERENCES schedule_groups (name) ON DELETE CASCADE,
  name text COLLATE "C" NOT NULL,
  state text NOT NULL,
  definition text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  next_due_at bigint,
  next_fire_at bigint,
  attempt integer NOT NULL,
  UNIQUE (group_name, name)
);
CREATE INDEX schedules_by_group ON schedules (group_name, seq);
CREATE INDEX schedules_due ON schedules (next_fire_at, seq) WHERE state = 'ENABLED' AND next_fire_at IS NOT NULL;
-- One row, locked by every schedule create: the schedule quota counts under it.
CREATE TABLE schedule_quota_lock (
  id boolean PRIMARY KEY DEFAULT true CHECK (id)
);
INSERT INTO schedule_quota_lock DEFAULT VALUES;

CREATE TABLE event_rules (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  arn text NOT NULL UNIQUE,
  bus text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  record text NOT NULL,
  UNIQUE (bus, name)
);
CREATE TABLE event_targets (
  rule_arn text NOT NULL,
  id text COLLATE "C" NOT NULL,
  arn text NOT NULL,
  target text NOT NULL,
  PRIMARY KEY (rule_arn, id)
);
CREATE INDEX event_targets_by_arn ON event_targets (arn);
CREATE TABLE event_rules_version (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  value bigint NOT NULL
);
INSERT INTO event_rules_version (value) VALUES (0);
CREATE TABLE event_connections (
  name text COLLATE "C" PRIMARY KEY,
  record text NOT NULL
);
CREATE TABLE event_api_destinations (
  name text COLLATE "C" PRIMARY KEY,
  record text NOT NULL
);
CREATE TABLE event_deliveries (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  event_id text NOT NULL,
  rule_arn text NOT NULL,
  target_id text NOT NULL,
  event text NOT NULL,
  event_time bigint NOT NULL,
  attempts integer NOT NULL,
  next_attempt_at bigint NOT NULL,
  claim text,
  claimed_until bigint
);
CREATE INDEX event_deliveries_due ON event_deliveries (next_attempt_at, seq);
`;
