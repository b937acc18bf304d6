/**
 * Evaluates a compiled Choice Rule against the current scope, with Step Functions' semantics:
 *
 * - A Variable of the wrong type for the operator is simply no match (`"1"` is not
 *   `NumericEquals 1`), never an error; `Is…` tests report the type.
 * - A Variable path that selects nothing is a `States.Runtime` error for every operator except
 *   `IsPresent`, whose whole purpose is to test that.
 * - For `…Path` operators the second path must select something too (same error). When it
 *   selects a value of the wrong type, an `…Equals…Path` comparison is no match, while an
 *   ordering comparison (`…LessThanPath`, `…GreaterThanEqualsPath`, …) fails with the same
 *   error, naming the second path — even when the Variable itself has the wrong type.
 * - `And`/`Or` stop at the first operand that decides the result, so later operands are not
 *   evaluated (nor can they fail).
 */
import { StatesError } from '../errors.js';
import type { PathQuery } from '../scope.js';
import type { ChoiceExpr, ComparisonType, ConstantComparison, PathComparison, Relation, TypeTest } from './ast.js';
import { compareTimestamps, parseTimestamp, type Timestamp } from './timestamp.js';

/** AWS's cause text when a Choice rule's path selects nothing (or an unusable value). */
export function invalidChoicePathCause(path: string): string {
  return `Invalid path '${path}': The choice state's condition path references an invalid value.`;
}

function invalidPath(path: string): StatesError {
  return new StatesError('States.Runtime', invalidChoicePathCause(path));
}

function resolve(path: string, query: PathQuery): unknown {
  const result = query(path);
  if (!result.found) throw invalidPath(path);
  return result.value;
}

export function evaluateChoiceRule(expr: ChoiceExpr, query: PathQuery): boolean {
  switch (expr.kind) {
    case 'and':
      for (const operand of expr.operands) if (!evaluateChoiceRule(operand, query)) return false;
      return true;
    case 'or':
      for (const operand of expr.operands) if (evaluateChoiceRule(operand, query)) return true;
      return false;
    case 'not':
      return !evaluateChoiceRule(expr.operand, query);
    case 'isPresent':
      return query(expr.variable).found === expr.expected;
    case 'typeTest':
      return hasType(expr.test, resolve(expr.variable, query)) === expr.expected;
    case 'matches': {
      const value = resolve(expr.variable, query);
      return typeof value === 'string' && expr.matcher(value);
    }
    case 'compare':
      return compareWithConstant(expr, resolve(expr.variable, query));
    case 'comparePath':
      return compareWithPath(expr, resolve(expr.variable, query), query);
  }
}

function hasType(test: TypeTest, value: unknown): boolean {
  switch (test) {
    case 'IsNull':
      return value === null;
    case 'IsNumeric':
      return typeof value === 'number';
    case 'IsString':
      return typeof value === 'string';
    case 'IsBoolean':
      return typeof value === 'boolean';
    case 'IsTimestamp':
      return typeof value === 'string' && parseTimestamp(value) !== undefined;
  }
}

function holds(relation: Relation, order: number): boolean {
  switch (relation) {
    case 'Equals':
      return order === 0;
    case 'LessThan':
      return order < 0;
    case 'GreaterThan':
      return order > 0;
    case 'LessThanEquals':
      return order <= 0;
    case 'GreaterThanEquals':
      return order >= 0;
  }
}

/** Strings order by UTF-16 code units, as Java's `String.compareTo` (which AWS documents) does. */
function order(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareWithConstant(expr: ConstantComparison, value: unknown): boolean {
  switch (expr.type) {
    case 'String':
    case 'Numeric': {
      const expectedType = expr.type === 'String' ? 'string' : 'number';
      if (typeof value !== expectedType) return false;
      return holds(expr.relation, order(value as string | number, expr.value as string | number));
    }
    case 'Boolean':
      return value === expr.value;
    case 'Timestamp': {
      if (typeof value !== 'string') return false;
      const instant = parseTimestamp(value);
      return instant !== undefined && holds(expr.relation, compareTimestamps(instant, expr.value as Timestamp));
    }
  }
}

/** The value in its comparable form, or `undefined` when it is not of the comparison's type. */
function comparable(type: ComparisonType, value: unknown): string | number | boolean | Timestamp | undefined {
  switch (type) {
    case 'String':
      return typeof value === 'string' ? value : undefined;
    case 'Numeric':
      return typeof value === 'number' ? value : undefined;
    case 'Boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'Timestamp':
      return typeof value === 'string' ? parseTimestamp(value) : undefined;
  }
}

function compareWithPath(expr: PathComparison, value: unknown, query: PathQuery): boolean {
  const other = comparable(expr.type, resolve(expr.path, query));
  if (other === undefined) {
    if (expr.relation === 'Equals') return false;
    throw invalidPath(expr.path);
  }
  const own = comparable(expr.type, value);
  if (own === undefined) return false;
  switch (expr.type) {
    case 'Boolean':
      return own === other;
    case 'Timestamp':
      return holds(expr.relation, compareTimestamps(own as Timestamp, other as Timestamp));
    default:
      return holds(expr.relation, order(own as string | number, other as string | number));
  }
}
