/**
 * A step budget for one JSONPath evaluation.
 *
 * Filters make JSONPath's cost depend on the data and the filter rather than on the path's
 * length: `in`, `nin`, `subsetof`, `anyof` and `noneof` compare lists with lists, a filter may
 * evaluate paths from the root inside it, filters nest, and `..` visits every node. A nested
 * `in` filter is cubic in the input: on a 256 KiB input that is hours. Every node visited and
 * every comparison made is counted here; an evaluation that needs more than `jsonPathMaxSteps`
 * (src/asl/limits.ts, read when each evaluation begins) fails its state with States.Runtime. Ordinary paths take a few steps per node they touch, so the
 * budget is far above any of them (a `..` scan of a 256 KiB input is under 100,000 steps) and
 * costs a counter decrement per step.
 *
 * AWS states no such limit; Jayway would evaluate on. One evaluation is one top-level path
 * lookup, with the paths inside its filters; the count is module state because evaluation is
 * synchronous and never interleaves.
 */
import { StatesError } from '../errors.js';
import { expressionLimits } from '../limits.js';

/** Steps (nodes visited, values compared) the evaluation under way may take in all. */
let budget = expressionLimits().jsonPathMaxSteps;
let remaining = budget;
let depth = 0;

/** Starts counting when a top-level evaluation begins; nested ones (inside filters) share its budget. */
export function enterEvaluation(): void {
  if (depth++ === 0) remaining = budget = expressionLimits().jsonPathMaxSteps;
}

export function leaveEvaluation(): void {
  depth--;
}

/** Counts `steps` elementary steps of the evaluation under way. */
export function spend(steps: number): void {
  remaining -= steps;
  if (remaining < 0) {
    remaining = budget; // a caller that goes on after the failure starts afresh
    throw new StatesError(
      'States.Runtime',
      `The JSONPath evaluation exceeded its budget of ${budget} steps (nodes visited and values compared); its filters compare too many values.`,
    );
  }
}
