/**
 * Compiles an intrinsic expression once into a tree of closures and evaluates it against a scope.
 * Compiled expressions are cached by their text, so a state evaluated a million times parses once.
 */
import { StatesError } from '../errors.js';
import type { PathQuery } from '../scope.js';
import type { IntrinsicEnv } from './env.js';
import {
  functionFailureCause,
  IntrinsicArgumentError,
  IntrinsicPathNotFound,
  invalidArguments,
  pathNotFoundCause,
} from './failure.js';
import { parseFormatTemplate, renderFormat, type FormatTemplate } from './format.js';
import { INTRINSIC_FUNCTIONS } from './functions.js';
import { parseIntrinsic, type CallNode, type IntrinsicNode } from './parser.js';

interface EvalContext {
  readonly query: PathQuery;
  readonly env: IntrinsicEnv | undefined;
}

type Evaluator = (ctx: EvalContext) => unknown;

export interface CompiledIntrinsic {
  /** The expression as written. */
  readonly text: string;
  /** The parsed call, for validators that need to see the paths and variables it reads. */
  readonly ast: CallNode;
  /** @internal Use evaluateIntrinsic, which turns failures into AWS's States.Runtime errors. */
  readonly evaluate: Evaluator;
}

const CACHE_LIMIT = 10_000;
const cache = new Map<string, CompiledIntrinsic>();

/** Parses and compiles `expression`, or throws IntrinsicSyntaxError where AWS rejects the definition. */
export function compileIntrinsic(expression: string): CompiledIntrinsic {
  let compiled = cache.get(expression);
  if (compiled === undefined) {
    const ast = parseIntrinsic(expression);
    compiled = { text: expression, ast, evaluate: compileCall(ast) };
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(expression, compiled);
  }
  return compiled;
}

/**
 * Evaluates a compiled expression. Paths are looked up through `query`; a path that matches
 * nothing, or arguments a function rejects, fail with StatesError('States.Runtime', cause), the
 * cause worded as AWS words it (without the "An error occurred while executing the state…" prefix,
 * which the engine adds). Results may share structure with the values `query` returned.
 */
export function evaluateIntrinsic(compiled: CompiledIntrinsic, query: PathQuery, env?: IntrinsicEnv): unknown {
  try {
    return compiled.evaluate({ query, env });
  } catch (error) {
    if (error instanceof IntrinsicPathNotFound) {
      throw new StatesError('States.Runtime', pathNotFoundCause(compiled.text, error.path, describeInput(query, env)));
    }
    throw error;
  }
}

function describeInput(query: PathQuery, env: IntrinsicEnv | undefined): string {
  if (env?.inputText) return env.inputText();
  const input = query('$');
  return input.found ? (JSON.stringify(input.value) ?? 'null') : 'null';
}

function compileNode(node: IntrinsicNode): Evaluator {
  switch (node.kind) {
    case 'literal': {
      const value = node.value;
      return () => value;
    }
    case 'path': {
      const path = node.path;
      return ({ query }) => {
        const result = query(path);
        if (!result.found) throw new IntrinsicPathNotFound(path);
        return result.value;
      };
    }
    case 'call':
      return compileCall(node);
  }
}

function compileCall(node: CallNode): Evaluator {
  const fn = INTRINSIC_FUNCTIONS[node.name];
  const argEvaluators = node.args.map(compileNode);
  const count = argEvaluators.length;
  let run = fn.run;
  const literalTemplate = node.name === 'States.Format' ? literalFormatTemplate(node) : undefined;
  if (literalTemplate) run = (args) => renderFormat(literalTemplate(), args, 1);
  const arityOk = count >= fn.minArgs && count <= fn.maxArgs;
  return (ctx) => {
    const args = new Array<unknown>(count);
    for (let i = 0; i < count; i++) args[i] = argEvaluators[i]!(ctx);
    try {
      if (!arityOk) throw invalidArguments(node.name);
      return run(args, ctx.env);
    } catch (error) {
      if (error instanceof IntrinsicArgumentError) {
        throw new StatesError('States.Runtime', functionFailureCause(node.text, error.detail));
      }
      throw error;
    }
  };
}

/** For `States.Format('literal', …)`: the template parsed now, or its error raised at run time as on AWS. */
function literalFormatTemplate(node: CallNode): (() => FormatTemplate) | undefined {
  const first = node.args[0];
  if (first?.kind !== 'literal' || first.raw === undefined) return undefined;
  const parsed = parseFormatTemplate(first.raw);
  if (parsed instanceof IntrinsicArgumentError) {
    return () => {
      throw parsed;
    };
  }
  return () => parsed;
}
