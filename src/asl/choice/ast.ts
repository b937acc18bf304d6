/**
 * The compiled form of a JSONPath-mode Choice Rule. Rules are parsed once, when the state
 * machine is loaded, into this tree; evaluating it never re-reads the raw definition.
 */
import type { Timestamp } from './timestamp.js';
import type { WildcardMatcher } from './string-matches.js';

/** The data types a comparison operator works on (the prefix of its name). */
export type ComparisonType = 'String' | 'Numeric' | 'Boolean' | 'Timestamp';

/** How the two sides are related (the middle of the operator name). */
export type Relation = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';

/** The type tests of the `Is…` operators, except `IsPresent`, which is about the path itself. */
export type TypeTest = 'IsNull' | 'IsNumeric' | 'IsString' | 'IsBoolean' | 'IsTimestamp';

/** A comparison against a literal from the definition, already converted for fast comparison. */
export interface ConstantComparison {
  readonly kind: 'compare';
  /** The operator as written, e.g. `NumericLessThan`. */
  readonly operator: string;
  readonly type: ComparisonType;
  readonly relation: Relation;
  readonly variable: string;
  /** The literal; for `Timestamp…` operators the parsed instant. */
  readonly value: string | number | boolean | Timestamp;
}

/** A comparison against a value read from another path (`…Path` operators). */
export interface PathComparison {
  readonly kind: 'comparePath';
  /** The operator as written, e.g. `NumericLessThanPath`. */
  readonly operator: string;
  readonly type: ComparisonType;
  readonly relation: Relation;
  readonly variable: string;
  readonly path: string;
}

export interface StringMatchesRule {
  readonly kind: 'matches';
  readonly variable: string;
  readonly pattern: string;
  readonly matcher: WildcardMatcher;
}

export interface TypeTestRule {
  readonly kind: 'typeTest';
  readonly test: TypeTest;
  readonly variable: string;
  readonly expected: boolean;
}

export interface IsPresentRule {
  readonly kind: 'isPresent';
  readonly variable: string;
  readonly expected: boolean;
}

export interface AndRule {
  readonly kind: 'and';
  readonly operands: readonly ChoiceExpr[];
}

export interface OrRule {
  readonly kind: 'or';
  readonly operands: readonly ChoiceExpr[];
}

export interface NotRule {
  readonly kind: 'not';
  readonly operand: ChoiceExpr;
}

export type ChoiceExpr =
  | ConstantComparison
  | PathComparison
  | StringMatchesRule
  | TypeTestRule
  | IsPresentRule
  | AndRule
  | OrRule
  | NotRule;
