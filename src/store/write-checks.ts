/**
 * Rules every backend enforces on an ExecutionWrite, so a bug in a writer cannot leave a history
 * with holes in it: events continue the history densely from the id the writer expected.
 */
import type { HistoryEvent } from '../engine/events.js';
import { StoreConflict, type ExecutionRecord, type ExecutionWrite } from './types.js';

export function conflict(executionArn: string, expected: number, actual: number | undefined): StoreConflict {
  return actual === undefined
    ? new StoreConflict(`Execution ${executionArn} does not exist`)
    : new StoreConflict(`Execution ${executionArn} is at event ${actual}, the write expected ${expected}`);
}

/** The execution's lastEventId after the events; throws when they do not continue the history. */
export function checkEventSequence(executionArn: string, expectedLastEventId: number, events: readonly HistoryEvent[]): number {
  let id = expectedLastEventId;
  for (const event of events) {
    if (event.id !== id + 1) {
      throw new Error(`Events of ${executionArn} must continue the history densely: expected event id ${id + 1}, got ${event.id}`);
    }
    id = event.id;
  }
  return id;
}

/** Map Runs a write carries must belong to its execution. */
export function checkMapRuns(write: ExecutionWrite): void {
  for (const run of write.mapRuns ?? []) {
    if (run.executionArn !== write.executionArn) {
      throw new Error(`Map Run ${run.arn} belongs to ${run.executionArn}, not to ${write.executionArn} which the write is for`);
    }
  }
}

/** Field names of ExecutionWrite.update, in one place for both backends. */
export const UPDATABLE_FIELDS = ['status', 'output', 'error', 'cause', 'stopDate', 'redriveCount', 'redriveDate'] as const;

/** An own property of the update sets the field; one present with the value undefined clears it. */
export function applyUpdate(record: ExecutionRecord, update: ExecutionWrite['update']): ExecutionRecord {
  if (!update) return record;
  const next: Record<string, unknown> = { ...record };
  for (const field of UPDATABLE_FIELDS) {
    if (!Object.prototype.hasOwnProperty.call(update, field)) continue;
    const value = update[field];
    if (value !== undefined) next[field] = value;
    else if (field !== 'status' && field !== 'redriveCount') delete next[field];
  }
  return next as unknown as ExecutionRecord;
}
