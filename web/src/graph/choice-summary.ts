/**
 * One-line summaries of Choice rules for edge labels: `$.IsHelloWorldExample == true`,
 * `($.a > 1 AND NOT ($.b is present))`, or a JSONata Condition's expression.
 */

type Json = Record<string, unknown>;

const OPERATORS: [suffix: string, symbol: string][] = [
  ['GreaterThanEquals', '>='],
  ['LessThanEquals', '<='],
  ['GreaterThan', '>'],
  ['LessThan', '<'],
  ['Equals', '=='],
  ['Matches', 'matches'],
];

const TYPE_TESTS: Record<string, string> = {
  IsNull: 'null',
  IsPresent: 'present',
  IsNumeric: 'numeric',
  IsString: 'a string',
  IsBoolean: 'a boolean',
  IsTimestamp: 'a timestamp',
};

export function summarizeChoiceRule(rule: Json): string {
  if (typeof rule.Condition === 'string') return stripJsonata(rule.Condition);
  if (typeof rule.Condition === 'boolean') return String(rule.Condition);
  if (Array.isArray(rule.And)) return `(${rule.And.map((r) => summarizeNested(r)).join(' AND ')})`;
  if (Array.isArray(rule.Or)) return `(${rule.Or.map((r) => summarizeNested(r)).join(' OR ')})`;
  if (rule.Not !== undefined) return `NOT ${summarizeNested(rule.Not)}`;

  const variable = typeof rule.Variable === 'string' ? rule.Variable : '?';
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next' || key === 'Assign' || key === 'Output' || key === 'Comment') continue;
    if (key in TYPE_TESTS) return `${variable} is ${value === false ? 'not ' : ''}${TYPE_TESTS[key]}`;
    const isPath = key.endsWith('Path');
    const name = isPath ? key.slice(0, -4) : key;
    const operator = OPERATORS.find(([suffix]) => name.endsWith(suffix));
    if (operator) return `${variable} ${operator[1]} ${isPath ? String(value) : JSON.stringify(value)}`;
  }
  return variable;
}

function summarizeNested(rule: unknown): string {
  return typeof rule === 'object' && rule !== null && !Array.isArray(rule) ? summarizeChoiceRule(rule as Json) : '?';
}

function stripJsonata(condition: string): string {
  const match = /^\s*\{%([\s\S]*)%\}\s*$/.exec(condition);
  return (match ? match[1]! : condition).trim().replace(/\s+/g, ' ');
}
