/**
 * What an expression refers to, read once from its parse tree:
 * - the `$name`s it mentions, so that evaluation binds only those (workflow variables are looked
 *   up by name instead of copied wholesale into every evaluation);
 * - what it reads from the top-level context, which Step Functions refuses when a definition is
 *   validated: an expression runs with no context item, so `phone`, `$` and `$$` at the top level
 *   read nothing (`$states.input.phone` is the input, `$phone` a variable);
 * - whether it reads `$states.errorOutput`, which only a Catch's Output and Assign may.
 */
import type jsonata from 'jsonata';

/** jsonata's typings miss some node types (`path`, `bind`, `apply`), so nodes are read loosely. */
type Node = { readonly type: string; readonly value?: unknown; readonly [key: string]: unknown };

/** Every `$name` the expression mentions, including names it binds itself (harmless to look up). */
export function referencedVariableNames(ast: jsonata.ExprNode): string[] {
  const names = new Set<string>();
  const seen = new Set<object>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    const node = value as Node;
    if (node.type === 'variable' && typeof node.value === 'string' && node.value !== '' && node.value !== '$') {
      names.add(node.value);
    }
    for (const key of Object.keys(node)) {
      const child = node[key];
      if (child !== null && typeof child === 'object' && !(child instanceof RegExp)) visit(child);
    }
  };
  visit(ast);
  return [...names];
}

export interface TopLevelReferences {
  /**
   * What the expression reads from the (absent) top-level context, in the order written: a field
   * name (`phone`), `$` for the context item, `$$` for the root.
   */
  readonly topLevel: readonly string[];
  /** Whether it reads `$states.errorOutput` anywhere. */
  readonly readsErrorOutput: boolean;
}

/**
 * Only the first step of a path reads the top-level context: later steps, predicates, sort terms
 * and groupings read what the step before produced. A lambda body keeps the context of the
 * expression that defines it, so `$map(xs, function($x){ b })` does read `b` at the top level.
 * Object constructor keys are read there too (`{aaa: 1}` reads `aaa`).
 */
export function topLevelReferences(ast: jsonata.ExprNode): TopLevelReferences {
  const names = new Set<string>();
  let readsErrorOutput = false;
  // `$states.errorOutput` counts wherever it is, predicates and lambda bodies included.
  const visit = (node: Node | undefined): void => {
    if (node === undefined || node === null || typeof node !== 'object') return;
    switch (node.type) {
      case 'path': {
        const steps = (node.steps ?? []) as Node[];
        visit(steps[0]);
        return;
      }
      case 'name':
        names.add(String(node.value));
        return;
      case 'variable':
        if (node.value === '') names.add('$');
        else if (node.value === '$') names.add('$$');
        return;
      case 'unary':
        if (node.value === '[') each(node.expressions as Node[]);
        else if (node.value === '{') for (const [key, value] of (node.lhs ?? []) as [Node, Node][]) (visit(key), visit(value));
        else visit(node.expression as Node);
        return;
      case 'binary':
      case 'apply':
        visit(node.lhs as Node);
        visit(node.rhs as Node);
        return;
      case 'function':
      case 'partial':
        visit(node.procedure as Node);
        each(node.arguments as Node[]);
        return;
      case 'lambda':
        visit(node.body as Node);
        return;
      case 'condition':
        visit(node.condition as Node);
        visit(node.then as Node);
        visit(node.else as Node);
        return;
      case 'block':
        each(node.expressions as Node[]);
        return;
      case 'bind':
        visit(node.rhs as Node);
        return;
      default:
      // Literals, regexes, wildcards, descendants and transforms read no top-level name.
    }
  };
  const each = (nodes: Node[] | undefined): void => {
    for (const node of nodes ?? []) visit(node);
  };
  const scanForErrorOutput = (value: unknown): void => {
    if (readsErrorOutput || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) scanForErrorOutput(item);
      return;
    }
    const node = value as Node;
    if (node.type === 'path' && isStatesErrorOutput((node.steps ?? []) as Node[])) {
      readsErrorOutput = true;
      return;
    }
    for (const key of Object.keys(node)) {
      const child = node[key];
      if (child !== null && typeof child === 'object' && !(child instanceof RegExp)) scanForErrorOutput(child);
    }
  };
  visit(ast as unknown as Node);
  scanForErrorOutput(ast);
  return { topLevel: [...names], readsErrorOutput };
}

function isStatesErrorOutput(steps: readonly Node[]): boolean {
  const [first, second] = steps;
  return (
    first?.type === 'variable' && first.value === 'states' && second?.type === 'name' && second.value === 'errorOutput'
  );
}
