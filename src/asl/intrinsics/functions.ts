/**
 * The table of intrinsic functions: how many arguments each takes and what it does with their
 * values. A wrong argument count is a run-time failure on AWS ("Invalid arguments in States.X"),
 * not a definition error, so it is checked here, when the call is evaluated.
 */
import {
  arrayContains,
  arrayGetItem,
  arrayLength,
  arrayPartition,
  arrayRange,
  arrayUnique,
  statesArray,
} from './arrays.js';
import { base64Decode, base64Encode, hash } from './encoding.js';
import type { IntrinsicEnv } from './env.js';
import { renderFormat, templateFromValue } from './format.js';
import { mathAdd, mathRandom, uuid } from './math.js';
import type { IntrinsicName } from './parser.js';
import { jsonMerge, jsonToString, stringSplit, stringToJson } from './text.js';

/** Receives the evaluated arguments (never mutated by callers afterwards); throws IntrinsicArgumentError. */
export type IntrinsicImplementation = (args: unknown[], env: IntrinsicEnv | undefined) => unknown;

export interface IntrinsicFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly run: IntrinsicImplementation;
}

function fixed(count: number, run: IntrinsicImplementation): IntrinsicFunction {
  return { minArgs: count, maxArgs: count, run };
}

/** A literal States.Format template is parsed once at compile time (see compile.ts); this entry handles the rest. */
export const INTRINSIC_FUNCTIONS: Readonly<Record<IntrinsicName, IntrinsicFunction>> = {
  'States.Format': { minArgs: 1, maxArgs: Infinity, run: (args) => renderFormat(templateFromValue(args[0]), args, 1) },
  'States.StringToJson': fixed(1, stringToJson),
  'States.JsonToString': fixed(1, jsonToString),
  'States.Array': { minArgs: 0, maxArgs: Infinity, run: statesArray },
  'States.ArrayPartition': fixed(2, arrayPartition),
  'States.ArrayContains': fixed(2, arrayContains),
  'States.ArrayRange': fixed(3, arrayRange),
  'States.ArrayGetItem': fixed(2, arrayGetItem),
  'States.ArrayLength': fixed(1, arrayLength),
  'States.ArrayUnique': fixed(1, arrayUnique),
  'States.Base64Encode': fixed(1, base64Encode),
  'States.Base64Decode': fixed(1, base64Decode),
  'States.Hash': fixed(2, hash),
  'States.JsonMerge': fixed(3, jsonMerge),
  'States.MathRandom': { minArgs: 2, maxArgs: 3, run: mathRandom },
  'States.MathAdd': fixed(2, mathAdd),
  'States.StringSplit': fixed(2, stringSplit),
  'States.UUID': fixed(0, uuid),
};
