/**
 * The task integrations of `execute({ config })` in memory: one set per configuration, shared by
 * every run that names it, so local functions stay warm between runs and tests. Their worker
 * processes do not keep the process alive and exit when idle; `closeTaskIntegrations()` stops
 * them at once (a test suite's teardown).
 */
import { loadProjectConfig } from '../config/load.js';
import type { ProjectConfig } from '../config/types.js';
import type { ExecutionIdentity } from '../engine/model.js';
import { TaskIntegrations } from './task-integrations.js';

const byFile = new Map<string, TaskIntegrations>();
const byObject = new WeakMap<ProjectConfig, TaskIntegrations>();
const all = new Set<TaskIntegrations>();

export function sharedTaskIntegrations(config: string | ProjectConfig, identity: Pick<ExecutionIdentity, 'region' | 'accountId'>): TaskIntegrations {
  if (typeof config === 'string') {
    let found = byFile.get(config);
    if (!found) {
      // Loaded (and validated) once per path: a ConfigFileError lists every problem.
      found = create(loadProjectConfig({ file: config }), identity);
      byFile.set(config, found);
    }
    return found;
  }
  let found = byObject.get(config);
  if (!found) {
    found = create(config, identity);
    byObject.set(config, found);
  }
  return found;
}

function create(config: ProjectConfig, identity: Pick<ExecutionIdentity, 'region' | 'accountId'>): TaskIntegrations {
  const integrations = new TaskIntegrations(config, { region: identity.region, accountId: identity.accountId });
  all.add(integrations);
  return integrations;
}

/** Stops the worker processes and clients of every configuration `execute()` has used. */
export async function closeTaskIntegrations(): Promise<void> {
  const closing = [...all];
  all.clear();
  byFile.clear();
  await Promise.allSettled(closing.map((i) => i.close()));
}
