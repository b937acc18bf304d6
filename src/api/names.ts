/**
 * Names of state machines, executions and activities. The model limits their length (1–80,
 * a ValidationException); the service then refuses the characters AWS documents (InvalidName):
 * white space, `< > { } [ ]`, `? *`, `" # % \ ^ | ~ ` $ & , ; : /` and the control characters
 * U+0000–001F and U+007F–009F. Other non-ASCII characters are allowed.
 *
 * A name must also be well-formed UTF-16: a lone surrogate (JSON's `"\ud800"`) has no UTF-8
 * form, so the name could not be stored, put in an ARN or asked for again. What AWS does with
 * one is not documented; it is refused here as the other bad names are.
 */
import { invalidName } from './aws-errors.js';

const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;
/** With the `u` flag a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /\p{Cs}/u;

export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 80 && !FORBIDDEN.test(name) && isWellFormed(name);
}

export function checkName(name: string): void {
  if (!isValidName(name)) throw invalidName(name);
}

/** True when `text` has no lone surrogate. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
