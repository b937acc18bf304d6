/**
 * An execution's secrets: its random seed, and the activity task tokens derived from it.
 *
 * Each execution is given 32 bytes from node:crypto when it is created (`newExecutionSeed`),
 * stored with it and never shown by the API. Everything it draws (States.UUID, `$uuid()`,
 * `$random()`, retry jitter, callback task tokens) comes from `keyedRandom(seed)`
 * (src/engine/random.ts, a ChaCha20 keystream: the engine stays free of node:crypto, and one
 * definition serves every thread that decides), and its activity task tokens are HMACs under
 * the seed (below). So nothing can be computed from the ARN before the execution exists, values
 * seen from one execution say nothing about another's, and a replay with the stored seed hands
 * out the same tokens it handed out before a restart.
 *
 * Executions created before seeds were stored have none: they keep the generator seeded by
 * their ARN and their `base64url(executionArn|taskId)` activity tokens, which their stored
 * histories and open tasks were made with, so they replay as they ran.
 */
import { createHmac, randomFillSync } from 'node:crypto';
import { keyedRandom, seededRandom, type RandomSource } from '../engine/random.js';

/**
 * Random bytes drawn a few kilobytes at a time: one draw per seed costs about 2.5 µs, which a
 * one-state `execute()` would feel; served from a pool it costs 0.2 µs. Each byte is handed
 * out once.
 */
let pool = Buffer.alloc(0);
let poolUsed = 0;

/** A new execution's seed: 32 random bytes from node:crypto, as 64 hexadecimal digits. */
export function newExecutionSeed(): string {
  if (poolUsed + 32 > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(4096));
    poolUsed = 0;
  }
  const seed = pool.toString('hex', poolUsed, poolUsed + 32);
  pool.fill(0, poolUsed, poolUsed + 32);
  poolUsed += 32;
  return seed;
}

/**
 * The seed of a child execution run in memory by a parent with a given seed (`execute()` with
 * `seed`): a function of the parent's seed and the task, so a seeded run stays repeatable and
 * no two of its executions share a seed.
 */
export function childExecutionSeed(parentSeed: string, taskId: string, executionName: string): string {
  return createHmac('sha256', parentSeed).update('stepwise child execution seed\0').update(taskId).update('\0').update(executionName).digest('hex');
}

/** The fields of an execution its activity tokens derive from. */
export interface SeededExecution {
  readonly arn: string;
  /** Absent for executions created before seeds were stored. */
  readonly seed?: string;
}

/**
 * The generator an execution draws from: `keyedRandom(seed)`, or for an execution created
 * before seeds were stored, the ARN-seeded one it started with (replaying it with any other
 * would regenerate other UUIDs and tokens than its stored history holds). The same choice the
 * Interpreter makes from InterpreterOptions.seed.
 */
export function randomSourceFor(execution: SeededExecution): RandomSource {
  return execution.seed !== undefined ? keyedRandom(execution.seed) : seededRandom(execution.arn);
}

/**
 * The token of an activity task (what GetActivityTask hands out and SendTask* answer with): an
 * HMAC-SHA256 of the task id under the execution's seed, so a replay hands out the same token
 * and no one else can compute it; the store maps it to its task row. An execution created
 * before seeds were stored keeps its old token, `base64url(executionArn|taskId)`, so the tasks
 * it has open can still be answered after an upgrade.
 */
export function activityTaskToken(execution: SeededExecution, taskId: string): string {
  if (execution.seed === undefined) return Buffer.from(`${execution.arn}|${taskId}`).toString('base64url');
  return createHmac('sha256', execution.seed).update('stepwise activity task token\0').update(taskId).digest('base64url');
}

/** Whether a token has the shape of one `activityTaskToken` hands out (either kind). */
export function isActivityTaskTokenShape(token: string): boolean {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return false;
  const bytes = Buffer.from(token, 'base64url');
  // An HMAC-SHA256: 32 bytes, in the one spelling base64url gives them.
  if (bytes.length === 32 && bytes.toString('base64url') === token) return true;
  return /^arn:[\w-]+:states:[^|]+\|task-\d+$/.test(bytes.toString('utf8'));
}
