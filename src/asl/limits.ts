/**
 * The limits on user expressions (JSONata and JSONPath), one set for the whole process.
 *
 * They bound work that AWS bounds too but does not document as quotas, so each default is
 * AWS's observed behaviour where there is one (the `$range` length) and Stepwise's choice
 * otherwise (see each field). `stepwise serve` sets them from its flags (src/server/config.ts)
 * in its own thread and in every decision worker; a library user may call
 * configureExpressionLimits (exported by src/index.ts).
 *
 * Process-wide, not per execution: the evaluators read them at each evaluation, so a change
 * applies to evaluations that start afterwards, in every execution. They are meant to be set
 * once at start-up, before anything is evaluated; changing them while executions run makes no
 * promise about evaluations already under way.
 *
 * No Node.js module and no environment read here: src/asl/ is the language alone.
 */

export interface ExpressionLimits {
  /**
   * How long one JSONata evaluation may run, ms (jsonata's `timeout`, checked between expression
   * nodes). AWS's own limit is not documented; its sentence is "Expression evaluation timeout:
   * Check for infinite loop". Default 2,000 (src/asl/jsonata/expression.ts says why).
   */
  readonly jsonataTimeoutMs: number;
  /**
   * Longest sequence or array one JSONata evaluation may build, `$range` included (jsonata's
   * `sequence`). Default 360,145: the longest `$range` AWS builds, one more fails with
   * "Expression evaluation memory limit exceeded".
   */
  readonly jsonataMaxSequence: number;
  /**
   * Longest string one JSONata evaluation may build, in characters (UTF-16 code units, one per
   * byte of ASCII text). AWS states none; default 4 MiB, 16 × the 256 KiB payload quota.
   */
  readonly jsonataMaxStringLength: number;
  /**
   * Steps (nodes visited, values compared) one JSONPath evaluation may take before its state
   * fails with States.Runtime. AWS states none; default 10,000,000 (src/asl/jsonpath/budget.ts).
   */
  readonly jsonPathMaxSteps: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = Object.freeze({
  jsonataTimeoutMs: 2_000,
  jsonataMaxSequence: 360_145,
  jsonataMaxStringLength: 16 * 256 * 1024,
  jsonPathMaxSteps: 10_000_000,
});

/** Replaced as a whole on each change, so a reader may compare it by identity. */
let current: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS;

/** The limits in force (a frozen object; a new one after each configureExpressionLimits). */
export function expressionLimits(): ExpressionLimits {
  return current;
}

/**
 * Changes some of the limits, keeps the others, and answers the limits now in force. Each value
 * must be a positive safe integer; anything else (or an unknown name) throws a TypeError and
 * changes nothing. `configureExpressionLimits(DEFAULT_EXPRESSION_LIMITS)` restores the defaults.
 *
 * Process-wide (every execution, not one run): call it once at start-up, before anything is
 * evaluated. Worker threads have their own copy; `stepwise serve` passes its limits to its
 * decision workers.
 */
export function configureExpressionLimits(partial: Partial<ExpressionLimits>): ExpressionLimits {
  if (partial === null || typeof partial !== 'object') throw new TypeError('Expression limits must be an object.');
  const next: Record<string, number> = { ...current };
  for (const [name, value] of Object.entries(partial)) {
    if (!Object.prototype.hasOwnProperty.call(DEFAULT_EXPRESSION_LIMITS, name)) {
      throw new TypeError(`Unknown expression limit '${name}' (known: ${Object.keys(DEFAULT_EXPRESSION_LIMITS).join(', ')}).`);
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`The expression limit ${name} must be a positive whole number, not ${typeof value === 'string' ? `'${value}'` : String(value)}.`);
    }
    next[name] = value;
  }
  current = Object.freeze(next as unknown as ExpressionLimits);
  return current;
}
