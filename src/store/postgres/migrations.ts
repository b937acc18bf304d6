/**
 * The PostgreSQL schema as numbered, immutable migrations (as src/store/sqlite/migrations.ts):
 * a database records the ones applied in `schema_migrations`, and opening applies the missing
 * ones in order, each in its own transaction, under an advisory lock (db.ts). Never edit a
 * released migration; add the next number. The SQL runs with `search_path` set to Stepwise's
 * schema: table names are unqualified.
 */
export interface PostgresMigration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

// 1: the core store (state machines, versions, aliases, activities, tags, executions, events,
//    the replay log, timers, tasks, map runs, payloads, counters, decisions in progress).
// 2: triggers (dead letters, schedule groups and schedules, the event bus).
// 3: several nodes (node leases, execution owners, routed work: ../cluster.ts).
// 4: a Distributed Map's child executions name their Map Run.
// Each is filled in by its module's author; see ./index.ts and ./triggers.ts.
import { CORE } from './schema-core.js';
import { TRIGGERS } from './schema-triggers.js';
import { CLUSTER, MAP_RUN_CHILDREN } from './schema-cluster.js';

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  { id: 1, name: 'core', sql: CORE },
  { id: 2, name: 'triggers', sql: TRIGGERS },
  { id: 3, name: 'cluster', sql: CLUSTER },
  { id: 4, name: 'map_run_children', sql: MAP_RUN_CHILDREN },
];
