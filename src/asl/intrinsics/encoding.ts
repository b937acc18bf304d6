/**
 * States.Base64Encode, States.Base64Decode and States.Hash. Strings are UTF-8 encoded. Inputs are
 * limited to 10,000 characters (UTF-16 code units, as Java's String.length counts them).
 */
import { createHash } from 'node:crypto';
import { invalidArguments } from './failure.js';
import { javaToString } from './java.js';

export const ENCODING_MAX_CHARACTERS = 10_000;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The decoder also accepts the URL-safe alphabet, as Apache commons-codec does. */
const DECODE_TABLE = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  table['-'.charCodeAt(0)] = 62;
  table['_'.charCodeAt(0)] = 63;
  return table;
})();

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

function requireBoundedString(value: unknown, functionName: string): string {
  if (typeof value !== 'string' || value.length > ENCODING_MAX_CHARACTERS) throw invalidArguments(functionName);
  return value;
}

export function base64Encode([value]: unknown[]): string {
  const bytes = utf8Encoder.encode(requireBoundedString(value, 'States.Base64Encode'));
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63] + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + '=';
  }
  return out;
}

/**
 * Decodes leniently, as AWS does: characters outside the alphabet are skipped, the first `=` ends
 * the data, and a trailing partial group yields the whole bytes it holds ('abc', ' YWJjZA== ' and
 * '!!!invalid!!!' all decode). Bytes that are not valid UTF-8 become U+FFFD.
 */
export function base64Decode([value]: unknown[]): string {
  const text = requireBoundedString(value, 'States.Base64Decode');
  const bytes = new Uint8Array(Math.ceil((text.length * 3) / 4));
  let length = 0;
  let bits = 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 61 /* = */) break;
    const sextet = code < 128 ? DECODE_TABLE[code]! : -1;
    if (sextet < 0) continue;
    bits = (bits << 6) | sextet;
    if (++count === 4) {
      bytes[length++] = bits >> 16;
      bytes[length++] = (bits >> 8) & 255;
      bytes[length++] = bits & 255;
      bits = 0;
      count = 0;
    }
  }
  if (count === 2) {
    bytes[length++] = bits >> 4;
  } else if (count === 3) {
    bytes[length++] = bits >> 10;
    bytes[length++] = (bits >> 2) & 255;
  }
  return utf8Decoder.decode(bytes.subarray(0, length));
}

const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/**
 * A lowercase hex digest. The algorithm name must be spelled exactly (`SHA-256`, not `sha256`).
 * Data that is not a string is hashed in its printed form, as AWS does with numbers and objects.
 */
export function hash([data, algorithm]: unknown[]): string {
  const nodeAlgorithm =
    typeof algorithm === 'string' && Object.hasOwn(HASH_ALGORITHMS, algorithm) ? HASH_ALGORITHMS[algorithm] : undefined;
  if (nodeAlgorithm === undefined) throw invalidArguments('States.Hash');
  const text = typeof data === 'string' ? data : javaToString(data);
  if (text.length > ENCODING_MAX_CHARACTERS) throw invalidArguments('States.Hash');
  return createHash(nodeAlgorithm).update(text, 'utf8').digest('hex');
}
