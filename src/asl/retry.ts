/**
 * Matching of errors against Retry and Catch, as the States language defines it. Pure: how long
 * to wait comes out as a number; waiting is the engine's business.
 */
import { isTerminalError } from './errors.js';

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
  Comment?: string;
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
  Output?: unknown;
  Assign?: Record<string, unknown>;
  Comment?: string;
}

/**
 * Whether a retrier's or catcher's ErrorEquals names this error. `States.ALL` matches every
 * error but the terminal ones; `States.TaskFailed` matches every error but `States.Timeout`
 * (and the terminal ones), as AWS documents.
 */
export function errorMatches(errorEquals: readonly string[], error: string | undefined): boolean {
  for (const name of errorEquals) {
    if (name === error) return true;
    if (name === 'States.ALL' && !isTerminalError(error)) return true;
    if (name === 'States.TaskFailed' && error !== 'States.Timeout' && !isTerminalError(error)) return true;
  }
  return false;
}

/** The index of the first retrier whose ErrorEquals matches, or -1. */
export function matchRetrier(retriers: readonly Retrier[] | undefined, error: string | undefined): number {
  if (!retriers) return -1;
  for (let i = 0; i < retriers.length; i++) if (errorMatches(retriers[i]!.ErrorEquals, error)) return i;
  return -1;
}

/** The first catcher whose ErrorEquals matches, or undefined. */
export function matchCatcher(catchers: readonly Catcher[] | undefined, error: string | undefined): Catcher | undefined {
  if (!catchers) return undefined;
  for (const catcher of catchers) if (errorMatches(catcher.ErrorEquals, error)) return catcher;
  return undefined;
}

/**
 * The delay before retry attempt `attempt` (0-based count of retries already made under this
 * retrier), or null when the retrier's MaxAttempts is used up.
 * `random` is only drawn for JitterStrategy FULL.
 */
export function retryDelaySeconds(retrier: Retrier, attempt: number, random: () => number): number | null {
  const maxAttempts = retrier.MaxAttempts ?? 3;
  if (attempt >= maxAttempts) return null;
  const interval = retrier.IntervalSeconds ?? 1;
  const backoff = retrier.BackoffRate ?? 2;
  let delay = interval * Math.pow(backoff, attempt);
  if (retrier.MaxDelaySeconds !== undefined) delay = Math.min(delay, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') delay = random() * delay;
  return delay;
}
