/**
 * The table of JSONPath-mode Choice operators, built once from the operator-name grammar
 * `<Type><Relation>[Path]` plus `StringMatches` and the `Is…` tests.
 */
import type { ComparisonType, Relation, TypeTest } from './ast.js';

export type OperatorSpec =
  | { readonly kind: 'compare'; readonly type: ComparisonType; readonly relation: Relation; readonly path: boolean }
  | { readonly kind: 'matches' }
  | { readonly kind: 'typeTest'; readonly test: TypeTest }
  | { readonly kind: 'isPresent' };

const ORDERED_TYPES: readonly ComparisonType[] = ['String', 'Numeric', 'Timestamp'];
const RELATIONS: readonly Relation[] = ['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals'];
const TYPE_TESTS: readonly TypeTest[] = ['IsNull', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'];

function buildOperatorTable(): ReadonlyMap<string, OperatorSpec> {
  const table = new Map<string, OperatorSpec>();
  const addComparison = (type: ComparisonType, relation: Relation) => {
    table.set(`${type}${relation}`, { kind: 'compare', type, relation, path: false });
    table.set(`${type}${relation}Path`, { kind: 'compare', type, relation, path: true });
  };
  for (const type of ORDERED_TYPES) for (const relation of RELATIONS) addComparison(type, relation);
  addComparison('Boolean', 'Equals');
  table.set('StringMatches', { kind: 'matches' });
  for (const test of TYPE_TESTS) table.set(test, { kind: 'typeTest', test });
  table.set('IsPresent', { kind: 'isPresent' });
  return table;
}

export const OPERATORS: ReadonlyMap<string, OperatorSpec> = buildOperatorTable();

/** The Boolean combinators; a rule has exactly one of these or one operator. */
export const COMBINATORS: ReadonlySet<string> = new Set(['And', 'Or', 'Not']);
