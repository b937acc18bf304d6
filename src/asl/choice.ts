/**
 * Choice Rules in JSONPath mode: `compileChoiceRule` parses and validates a rule once (when the
 * definition is loaded); `evaluateChoiceRule` decides it against a scope, many times, quickly.
 * The pieces live in `./choice/`.
 */
export type {
  AndRule,
  ChoiceExpr,
  ComparisonType,
  ConstantComparison,
  IsPresentRule,
  NotRule,
  OrRule,
  PathComparison,
  Relation,
  StringMatchesRule,
  TypeTest,
  TypeTestRule,
} from './choice/ast.js';
export { ChoiceRuleError, compileChoiceRule } from './choice/compile.js';
export { evaluateChoiceRule, invalidChoicePathCause } from './choice/evaluate.js';
export { compareTimestamps, parseTimestamp, type Timestamp } from './choice/timestamp.js';
export { compileWildcardPattern, type WildcardMatcher } from './choice/string-matches.js';
