/**
 * Parses and validates a JSONPath-mode Choice Rule into a {@link ChoiceExpr} tree.
 * Structural problems are reported as {@link ChoiceRuleError}s carrying the location of the
 * offending field relative to the rule (`/And/1/NumericEquals`), so the definition validator
 * can prefix the state's own location.
 */
import type { ChoiceExpr, ComparisonType } from './ast.js';
import { COMBINATORS, OPERATORS, type OperatorSpec } from './operators.js';
import { compileWildcardPattern } from './string-matches.js';
import { parseTimestamp } from './timestamp.js';

export class ChoiceRuleError extends Error {
  override readonly name = 'ChoiceRuleError';
  constructor(
    message: string,
    /** Where the problem is, relative to the rule: `''` for the rule itself, else `/Field/…`. */
    readonly pointer: string,
  ) {
    super(message);
  }
}

/** Fields every rule may carry besides its operator. */
const COMMON_FIELDS: ReadonlySet<string> = new Set(['Comment']);
/** Fields only a top-level rule (an element of `Choices`) may carry; the engine handles them. */
const TOP_LEVEL_FIELDS: ReadonlySet<string> = new Set(['Next', 'Assign']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isReferencePath(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('$');
}

const TYPE_DESCRIPTIONS: Record<ComparisonType, string> = {
  String: 'a string',
  Numeric: 'a number',
  Boolean: 'a boolean',
  Timestamp: 'a timestamp (RFC 3339, for example 2016-03-14T01:59:00Z)',
};

/**
 * Compiles one element of a Choice state's `Choices` (the top-level rule: `Next`, `Assign` and
 * `Comment` are accepted and ignored here) into an expression tree.
 */
export function compileChoiceRule(rule: unknown): ChoiceExpr {
  return compileRule(rule, '', true);
}

function compileRule(rule: unknown, pointer: string, topLevel: boolean): ChoiceExpr {
  if (!isObject(rule)) throw new ChoiceRuleError('A choice rule must be a JSON object', pointer);

  let operatorName: string | undefined;
  for (const key of Object.keys(rule)) {
    if (OPERATORS.has(key) || COMBINATORS.has(key)) {
      if (operatorName !== undefined) {
        throw new ChoiceRuleError(
          `A choice rule must have exactly one comparison operator or And, Or, Not; found '${operatorName}' and '${key}'`,
          `${pointer}/${key}`,
        );
      }
      operatorName = key;
    } else if (key === 'Variable' || COMMON_FIELDS.has(key)) {
      continue;
    } else if (TOP_LEVEL_FIELDS.has(key)) {
      if (!topLevel) {
        throw new ChoiceRuleError(`Field '${key}' is only supported in a top-level choice rule`, `${pointer}/${key}`);
      }
    } else {
      throw new ChoiceRuleError(`Field '${key}' is not supported in a choice rule`, `${pointer}/${key}`);
    }
  }
  if (operatorName === undefined) {
    throw new ChoiceRuleError('A choice rule must have a comparison operator or one of And, Or, Not', pointer);
  }
  if (hasInvalidComment(rule)) {
    throw new ChoiceRuleError("Field 'Comment' must be a string", `${pointer}/Comment`);
  }

  const operand = rule[operatorName];
  const operandPointer = `${pointer}/${operatorName}`;
  if (COMBINATORS.has(operatorName)) {
    if ('Variable' in rule) {
      throw new ChoiceRuleError(`Field 'Variable' is not supported with '${operatorName}'`, `${pointer}/Variable`);
    }
    return compileCombinator(operatorName, operand, operandPointer);
  }

  const variable = rule.Variable;
  if (variable === undefined) {
    throw new ChoiceRuleError(`Missing required field 'Variable' for '${operatorName}'`, pointer);
  }
  if (!isReferencePath(variable)) {
    throw new ChoiceRuleError("Field 'Variable' must be a valid reference path", `${pointer}/Variable`);
  }
  return compileOperator(operatorName, OPERATORS.get(operatorName)!, variable, operand, operandPointer);
}

function hasInvalidComment(rule: Record<string, unknown>): boolean {
  return 'Comment' in rule && typeof rule.Comment !== 'string';
}

function compileCombinator(name: string, operand: unknown, pointer: string): ChoiceExpr {
  if (name === 'Not') {
    if (!isObject(operand)) throw new ChoiceRuleError("The value of 'Not' must be a choice rule object", pointer);
    return { kind: 'not', operand: compileRule(operand, pointer, false) };
  }
  if (!Array.isArray(operand) || operand.length === 0) {
    throw new ChoiceRuleError(`The value of '${name}' must be a non-empty array of choice rules`, pointer);
  }
  const operands = operand.map((item, index) => compileRule(item, `${pointer}/${index}`, false));
  return name === 'And' ? { kind: 'and', operands } : { kind: 'or', operands };
}

function compileOperator(
  name: string,
  spec: OperatorSpec,
  variable: string,
  operand: unknown,
  pointer: string,
): ChoiceExpr {
  switch (spec.kind) {
    case 'isPresent':
    case 'typeTest':
      if (typeof operand !== 'boolean') {
        throw new ChoiceRuleError(`The value of '${name}' must be a boolean`, pointer);
      }
      return spec.kind === 'isPresent'
        ? { kind: 'isPresent', variable, expected: operand }
        : { kind: 'typeTest', test: spec.test, variable, expected: operand };
    case 'matches':
      if (typeof operand !== 'string') {
        throw new ChoiceRuleError(`The value of '${name}' must be a string`, pointer);
      }
      return { kind: 'matches', variable, pattern: operand, matcher: compileWildcardPattern(operand) };
    case 'compare': {
      const { type, relation } = spec;
      if (spec.path) {
        if (!isReferencePath(operand)) {
          throw new ChoiceRuleError(`The value of '${name}' must be a valid reference path`, pointer);
        }
        return { kind: 'comparePath', operator: name, type, relation, variable, path: operand };
      }
      const value = compileConstant(type, operand);
      if (value === undefined) {
        throw new ChoiceRuleError(`The value of '${name}' must be ${TYPE_DESCRIPTIONS[type]}`, pointer);
      }
      return { kind: 'compare', operator: name, type, relation, variable, value };
    }
  }
}

/** The literal in its comparable form, or `undefined` when it is not of the operator's type. */
function compileConstant(type: ComparisonType, operand: unknown) {
  switch (type) {
    case 'String':
      return typeof operand === 'string' ? operand : undefined;
    case 'Numeric':
      return typeof operand === 'number' && Number.isFinite(operand) ? operand : undefined;
    case 'Boolean':
      return typeof operand === 'boolean' ? operand : undefined;
    case 'Timestamp':
      return typeof operand === 'string' ? parseTimestamp(operand) : undefined;
  }
}
