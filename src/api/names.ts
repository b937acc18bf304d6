/**
 * Names of state machines, executions and activities. The model limits their length (1–80,
 * a ValidationException); the service then refuses the characters AWS documents (InvalidName):
 * white space, `< > { } [ ]`, `? *`, `" # % \ ^ | ~ ` $ & , ; : /` and the control characters
 * U+0000–001F and U+007F–009F. Other non-ASCII characters are allowed.
 */
import { invalidName } from './aws-errors.js';

const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 80 && !FORBIDDEN.test(name);
}

export function checkName(name: string): void {
  if (!isValidName(name)) throw invalidName(name);
}
