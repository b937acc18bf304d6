/**
 * Intrinsic functions for JSONPath states (`"field.$": "States.Format('{}', $.name)"`): parse
 * once with compileIntrinsic, evaluate many times with evaluateIntrinsic.
 */
export { compileIntrinsic, evaluateIntrinsic, type CompiledIntrinsic } from './intrinsics/compile.js';
export type { IntrinsicEnv } from './intrinsics/env.js';
export {
  INTRINSIC_FUNCTION_NAMES,
  IntrinsicSyntaxError,
  isIntrinsicCall,
  MAX_NESTING_DEPTH,
  parseIntrinsic,
  type CallNode,
  type IntrinsicName,
  type IntrinsicNode,
  type LiteralNode,
  type PathNode,
} from './intrinsics/parser.js';
