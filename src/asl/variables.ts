/**
 * Size limits on workflow variables, as AWS documents them: a single variable may hold at most
 * 256 KiB, one Assign may set at most 256 KiB in all, and the variables an execution holds at
 * any moment may total at most 10 MiB. Sizes are those of the values' JSON text in UTF-8.
 */
import { StatesError } from './errors.js';

export const MAX_VARIABLE_BYTES = 256 * 1024;
export const MAX_ASSIGN_BYTES = 256 * 1024;
export const MAX_TOTAL_VARIABLE_BYTES = 10 * 1024 * 1024;

/** UTF-8 size of a value's JSON text. */
export function jsonByteLength(value: unknown): number {
  const text = JSON.stringify(value) ?? 'null';
  // Fast path: ASCII text is one byte per character.
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // 2-byte sequences add 1, 3-byte add 2; a surrogate pair (4 bytes) adds 1 per half.
    if (code >= 0x80) bytes += code < 0x800 || (code >= 0xd800 && code <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

/**
 * Checks one Assign's values and returns each one's size; `heldBytes(name)` is the size of
 * what the variable holds now and `totalBytes` the size of all variables held, so replacing a
 * variable is counted once. Throws States.DataLimitExceeded when a limit would be passed.
 */
export function checkAssignment(
  assigned: Record<string, unknown>,
  heldBytes: (name: string) => number,
  totalBytes: number,
): Map<string, number> {
  const sizes = new Map<string, number>();
  let assignTotal = 0;
  let total = totalBytes;
  for (const name of Object.keys(assigned)) {
    const size = jsonByteLength(assigned[name]);
    if (size > MAX_VARIABLE_BYTES) {
      throw new StatesError('States.DataLimitExceeded', `The variable '${name}' has a size of ${size} bytes, which exceeds the maximum of ${MAX_VARIABLE_BYTES} bytes for a single variable.`);
    }
    assignTotal += size;
    total += size - heldBytes(name);
    sizes.set(name, size);
  }
  if (assignTotal > MAX_ASSIGN_BYTES) {
    throw new StatesError('States.DataLimitExceeded', `The variables assigned by this state total ${assignTotal} bytes, which exceeds the maximum of ${MAX_ASSIGN_BYTES} bytes for one Assign field.`);
  }
  if (total > MAX_TOTAL_VARIABLE_BYTES) {
    throw new StatesError('States.DataLimitExceeded', `The variables of this execution would total ${total} bytes, which exceeds the maximum of ${MAX_TOTAL_VARIABLE_BYTES} bytes.`);
  }
  return sizes;
}
