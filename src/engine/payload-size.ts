/**
 * The size of a value's JSON text in UTF-8, as Step Functions measures payloads against its
 * 256 KiB limit. A state's output is usually a small new object around large parts passed on
 * by reference (`{"data.$": "$.data", "hop": 2}`); objects are never mutated once the
 * interpreter holds them, so each member object's size is measured once (natively, with
 * JSON.stringify, which beats any walk in JavaScript) and cached.
 */
const sizes = new WeakMap<object, number>();

/** AWS's limit on a state's input or output, a task's result and an execution's input. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;

type ByteLength = (text: string) => number;
const nodeBuffer = (globalThis as { Buffer?: { byteLength(text: string, encoding: string): number } }).Buffer;
/** The UTF-8 byte length of a string (Buffer's where Node is there, counted by hand elsewhere). */
export const utf8Length: ByteLength = nodeBuffer ? (text) => nodeBuffer.byteLength(text, 'utf8') : utf8LengthSlow;

export function jsonByteSize(value: unknown): number {
  if (value === null || typeof value !== 'object') return measure(value);
  const cached = sizes.get(value);
  if (cached !== undefined) return cached;
  let size: number;
  if (Array.isArray(value)) {
    size = 2 + Math.max(0, value.length - 1);
    for (const item of value) size += item !== null && typeof item === 'object' ? memberSize(item) : measure(item ?? null);
  } else {
    size = 2;
    let members = 0;
    for (const key of Object.keys(value)) {
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined || typeof member === 'function') continue;
      size += measure(key) + 1 + (member !== null && typeof member === 'object' ? memberSize(member) : measure(member));
      members++;
    }
    size += Math.max(0, members - 1);
  }
  sizes.set(value, size);
  return size;
}

/** A member object: cached, or measured natively in one go. */
function memberSize(value: object): number {
  const cached = sizes.get(value);
  if (cached !== undefined) return cached;
  const size = measure(value);
  sizes.set(value, size);
  return size;
}

function measure(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : utf8Length(text);
}

function utf8LengthSlow(text: string): number {
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size += 4;
      i++;
    } else size += 3;
  }
  return size;
}
