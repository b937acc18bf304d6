/**
 * Choice states: a non-empty list of rules and an optional Default. A JSONPath rule is a Boolean
 * expression (a `Variable` with exactly one comparison operator, or `And`/`Or`/`Not` of nested
 * rules); a JSONata rule is a `Condition`. Only top-level rules carry `Next` (and Assign, Output).
 */
import { ChoiceRuleError, compileChoiceRule, parseTimestamp } from '../choice.js';
import type { ComparisonOperator } from '../definition.js';
import { checkReferencePath } from './common.js';
import type { StateContext } from './context.js';
import { type Diagnostics, at, atIndex, messages } from './diagnostics.js';
import { checkAssign, checkJsonataExpression, checkJsonataTemplate } from './payload.js';
import { checkRequired, checkType, has, isJsonataExpression, isObject, optionalString } from './values.js';

type OperandKind = 'string' | 'number' | 'boolean' | 'timestamp' | 'path';

/** Every comparison operator, in the order the specification lists them, with its operand type. */
const OPERATORS = new Map<ComparisonOperator, OperandKind>();
for (const [family, kind] of [
  ['String', 'string'],
  ['Numeric', 'number'],
  ['Boolean', 'boolean'],
  ['Timestamp', 'timestamp'],
] as const) {
  const relations = family === 'Boolean' ? ['Equals'] : ['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals'];
  for (const relation of relations) {
    OPERATORS.set(`${family}${relation}` as ComparisonOperator, kind);
    OPERATORS.set(`${family}${relation}Path` as ComparisonOperator, 'path');
  }
  if (family === 'String') OPERATORS.set('StringMatches', 'string');
}
for (const test of ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'] as const) {
  OPERATORS.set(test, 'boolean');
}
const OPERATOR_NAMES = [...OPERATORS.keys()];

const JSONPATH_RULE_FIELDS: ReadonlySet<string> = new Set(['Variable', 'And', 'Or', 'Not', ...OPERATOR_NAMES]);
const RULE_KINDS = ['And', 'Or', 'Not', 'Variable'] as const;

export function checkChoice(sc: StateContext): void {
  const { diagnostics: d, state, location } = sc;
  if (has(state, 'Default')) checkType(d, state.Default, 'STRING', at(location, 'Default'));
  if (!checkRequired(d, state, ['Choices'], location)) return;
  const where = at(location, 'Choices');
  if (!checkType(d, state.Choices, 'ARRAY', where)) return;
  const rules = state.Choices as unknown[];
  if (rules.length === 0) d.schema(messages.empty, where);
  rules.forEach((rule, index) => {
    const here = atIndex(where, index);
    if (sc.language === 'JSONata') checkJsonataRule(sc, rule, here);
    else checkTopLevelJsonPathRule(sc, rule, here);
  });
}

/** `Condition` (an expression or a boolean) and `Next`, plus Output and Assign. */
function checkJsonataRule(sc: StateContext, rule: unknown, location: string): void {
  const d = sc.diagnostics;
  if (!checkType(d, rule, 'OBJECT', location) || !isObject(rule)) return;
  for (const key of Object.keys(rule)) {
    if (JSONPATH_RULE_FIELDS.has(key)) d.schema(messages.languageField('JSONata', key, 'JSONPath'), location);
    else if (!['Condition', 'Next', 'Comment', 'Output', 'Assign'].includes(key)) d.schema(messages.notSupported(key), location);
  }
  checkRequired(d, rule, ['Condition', 'Next'], location);
  if (has(rule, 'Condition')) {
    const condition = rule.Condition;
    if (isJsonataExpression(condition)) checkJsonataExpression(d, condition, at(location, 'Condition'));
    else checkType(d, condition, 'BOOLEAN', at(location, 'Condition'));
  }
  if (has(rule, 'Next')) checkType(d, rule.Next, 'STRING', at(location, 'Next'));
  optionalString(d, rule, 'Comment', location);
  if (has(rule, 'Output')) checkJsonataTemplate(d, rule.Output, at(location, 'Output'));
  if (has(rule, 'Assign')) checkAssign(d, rule.Assign, at(location, 'Assign'), 'JSONata');
}

function checkTopLevelJsonPathRule(sc: StateContext, rule: unknown, location: string): void {
  const d = sc.diagnostics;
  const before = d.list.length;
  checkJsonPathRule(d, rule, location, true);
  if (!isObject(rule)) return;
  if (has(rule, 'Assign')) checkAssign(d, rule.Assign, at(location, 'Assign'), 'JSONPath');
  // The engine's own compiler is the last word on what it can evaluate; consult it only when the
  // rule looked fine, so a problem is not reported twice in two wordings.
  if (d.list.length === before) {
    try {
      compileChoiceRule(rule);
    } catch (error) {
      if (error instanceof ChoiceRuleError) {
        d.schema(error.message, location + error.pointer.replace(/\/(\d+)(?=\/|$)/g, '[$1]'));
      }
    }
  }
}

function checkJsonPathRule(d: Diagnostics, rule: unknown, location: string, topLevel: boolean): void {
  if (!checkType(d, rule, 'OBJECT', location) || !isObject(rule)) return;
  for (const key of Object.keys(rule)) {
    if (JSONPATH_RULE_FIELDS.has(key) || key === 'Comment') continue;
    if (topLevel && (key === 'Next' || key === 'Assign')) continue;
    if (key === 'Condition' || (topLevel && key === 'Output')) {
      d.schema(messages.languageField('JSONPath', key, 'JSONata'), location);
    } else {
      d.schema(messages.notSupported(key), location);
    }
  }
  optionalString(d, rule, 'Comment', location);
  if (topLevel) {
    if (checkRequired(d, rule, ['Next'], location)) checkType(d, rule.Next, 'STRING', at(location, 'Next'));
  }

  const kinds = RULE_KINDS.filter((kind) => has(rule, kind));
  if (kinds.length !== 1) {
    d.schema(messages.choiceRuleKind, location);
    if (!has(rule, 'Variable')) return;
  }
  if (has(rule, 'Variable')) {
    checkComparison(d, rule, location);
  } else if (has(rule, 'Not')) {
    checkJsonPathRule(d, rule.Not, at(location, 'Not'), false);
  } else {
    const kind = kinds[0]!;
    const where = at(location, kind);
    if (!checkType(d, rule[kind], 'ARRAY', where)) return;
    const operands = rule[kind] as unknown[];
    if (operands.length === 0) d.schema(messages.empty, where);
    operands.forEach((operand, index) => checkJsonPathRule(d, operand, atIndex(where, index), false));
  }
}

/** `Variable` and exactly one comparison operator, whose operand has the operator's type. */
function checkComparison(d: Diagnostics, rule: Record<string, unknown>, location: string): void {
  checkReferencePath(d, rule.Variable, at(location, 'Variable'));
  const operators = OPERATOR_NAMES.filter((name) => has(rule, name));
  if (operators.length > 1) d.schema(messages.onlyOneOf(OPERATOR_NAMES), location);
  if (operators.length === 0) d.schema(messages.exactlyOneOf(OPERATOR_NAMES), location);
  for (const operator of operators) {
    const operand = rule[operator];
    const where = at(location, operator);
    switch (OPERATORS.get(operator)) {
      case 'string':
        checkType(d, operand, 'STRING', where);
        break;
      case 'number':
        checkType(d, operand, 'NUMBER', where);
        break;
      case 'boolean':
        checkType(d, operand, 'BOOLEAN', where);
        break;
      case 'timestamp':
        if (checkType(d, operand, 'STRING', where) && parseTimestamp(operand as string) === undefined) {
          d.schema(messages.invalidTimestamp, where);
        }
        break;
      case 'path':
        checkReferencePath(d, operand, where);
        break;
    }
  }
}
