/**
 * Large payloads stored once per execution and referred to from the events that carry them.
 *
 * The interpreter hands the same value from state to state by reference (a Pass/Choice loop
 * records one input in every event), so writing each event's details as JSON text copied the
 * payload into every row: 25,000 events of a 64 KiB input wrote 3.3 GB. Here a value whose JSON
 * text reaches PAYLOAD_THRESHOLD becomes a chunk, content-addressed by sha256 and stored once per
 * execution (the `payloads` table, migration 0005); the event keeps a placeholder `0` and a
 * reference `[key, hash]` beside it. Smaller values stay inline, as before.
 *
 * A chunk is split the same way: its own large members are chunks of their own, so a new small
 * object around a large shared part (`{"count": 3, "data.$": "$.data"}`, built afresh at every
 * turn of a counting loop) costs a row of a few bytes, not another copy of `data`.
 *
 * Two caches keep this cheap. Chunks are remembered per object (a WeakMap: values are never
 * mutated once recorded, see engine/events.ts), so an object recorded again is neither
 * serialised nor hashed again; long strings are remembered by value in a small map. Equal
 * payloads that are different objects meet in the table through their hash. Details without a
 * known or long value take the old path: one JSON.stringify and a length check.
 */
import { createHash } from 'node:crypto';

/**
 * A value whose JSON text has at least this many characters is stored apart, once. Events are a
 * WITHOUT ROWID table, whose rows keep at most ~1,000 bytes in their b-tree page (4 KiB pages):
 * a longer row spills into an overflow page of its own, and 1 KiB details then took ~4.7 KiB of
 * file (measured: 2,000 executions of 22 events with a 1,000-character input, 215 MB at a
 * threshold of 1,024 characters; 512 keeps an event with one inline value inside its page).
 */
export const PAYLOAD_THRESHOLD = 512;

/**
 * Nesting below this depth is not split further (its chunk keeps the whole text): it bounds the
 * recursion (a deeply nested document cannot exhaust the stack here) and the re-serialisation
 * (each level measures its members once).
 */
const MAX_SPLIT_DEPTH = 16;

export interface Chunk {
  /** sha256 (base64url) of `refs` and `body`: equal values encode, and so hash, alike. */
  readonly hash: string;
  /** The JSON text, a `0` in the place of each member stored apart. */
  readonly body: string;
  /** `[[key, hash], …]` (JSON) of the members stored apart, or null. */
  readonly refs: string | null;
  /** Characters of the whole JSON text, references expanded. */
  readonly size: number;
  /** The chunks `refs` names (stored with this one). */
  readonly children: readonly Chunk[];
}

/** An event's details as stored: `text` inline, `refs` naming the chunks put in its placeholders. */
export interface EncodedDetails {
  readonly text: string;
  readonly refs: string | null;
  readonly chunks: readonly Chunk[];
}

const NO_CHUNKS: readonly Chunk[] = [];

/** Chunks of objects already encoded (objects are immutable once recorded). */
const chunksByObject = new WeakMap<object, Chunk>();

/** Chunks of long strings, by value; small and cleared when full, like the definition hashes. */
const chunksByString = new Map<string, Chunk>();
let stringChars = 0;
const MAX_STRINGS = 64;
const MAX_STRING_CHARS = 16 * 1024 * 1024;

/** Encodes an event's details (an object of AWS's detail fields) for its row. */
export function encodeDetails(details: object): EncodedDetails {
  // Fast path: nothing known to be large, one level down, and the whole text is short.
  let suspect = false;
  for (const key in details) {
    const value = (details as Record<string, unknown>)[key];
    if (isLarge(value) || (typeof value === 'object' && value !== null && holdsLarge(value))) {
      suspect = true;
      break;
    }
  }
  if (!suspect) {
    const text = JSON.stringify(details);
    if (text.length < PAYLOAD_THRESHOLD) return { text, refs: null, chunks: NO_CHUNKS };
  }
  const split = compose(details, 0);
  if (split.children.length === 0) return { text: split.body, refs: null, chunks: NO_CHUNKS };
  return { text: split.body, refs: split.refs, chunks: split.children };
}

interface Composed {
  readonly body: string;
  readonly refs: string | null;
  readonly size: number;
  readonly children: readonly Chunk[];
}

/**
 * The JSON text of an object or array member by member, as JSON.stringify writes it (own
 * enumerable keys in order; undefined, functions and symbols left out of objects and null in
 * arrays), with large members as chunks.
 */
function compose(value: object, depth: number): Composed {
  let body = '';
  let size = 0;
  const refs: (readonly [string | number, string])[] = [];
  const children: Chunk[] = [];
  const add = (key: string | number, member: unknown, prefix: string): boolean => {
    const piece = encodeMember(member, depth);
    if (piece === undefined) return false;
    if (typeof piece === 'string') {
      body += prefix + piece;
      size += prefix.length + piece.length;
    } else {
      body += prefix + '0';
      size += prefix.length + piece.size;
      refs.push([key, piece.hash]);
      children.push(piece);
    }
    return true;
  };
  if (Array.isArray(value)) {
    body = '[';
    for (let i = 0; i < value.length; i++) {
      if (!add(i, value[i], i === 0 ? '' : ',')) {
        body += i === 0 ? 'null' : ',null';
        size += i === 0 ? 4 : 5;
      }
    }
    body += ']';
  } else {
    body = '{';
    let first = true;
    for (const key of Object.keys(value)) {
      if (add(key, (value as Record<string, unknown>)[key], (first ? '' : ',') + JSON.stringify(key) + ':')) first = false;
    }
    body += '}';
  }
  return { body, refs: refs.length ? JSON.stringify(refs) : null, size: size + 2, children };
}

/** A member's JSON text, or its chunk when large; undefined when JSON leaves it out. */
function encodeMember(member: unknown, depth: number): string | Chunk | undefined {
  switch (typeof member) {
    case 'object': {
      if (member === null) return 'null';
      const known = chunksByObject.get(member);
      if (known) return known;
      // Around a known chunk (a counting loop's new wrapper): large without measuring it.
      if (depth + 1 < MAX_SPLIT_DEPTH && holdsLarge(member)) return composedChunk(member, depth + 1);
      const text = JSON.stringify(member) as string | undefined;
      if (text === undefined || text.length < PAYLOAD_THRESHOLD) return text;
      return objectChunk(member, text, depth + 1);
    }
    case 'string':
      return member.length < PAYLOAD_THRESHOLD ? JSON.stringify(member) : stringChunk(member);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      return JSON.stringify(member);
  }
}

function objectChunk(value: object, text: string, depth: number): Chunk {
  let chunk: Chunk | undefined;
  // An object with a toJSON (none in ASL data, but be exact) is whatever that returns: one text.
  if (depth < MAX_SPLIT_DEPTH && typeof (value as { toJSON?: unknown }).toJSON !== 'function' && mayHoldLarge(value)) {
    const split = compose(value, depth);
    if (split.children.length) chunk = makeChunk(split.body, split.refs, split.size, split.children);
  }
  chunk ??= makeChunk(text, null, text.length, NO_CHUNKS);
  chunksByObject.set(value, chunk);
  return chunk;
}

/** A known chunk or a long string. */
function isLarge(value: unknown): boolean {
  return typeof value === 'object' ? value !== null && chunksByObject.has(value) : typeof value === 'string' && value.length >= PAYLOAD_THRESHOLD;
}

/** True when a member is large (isLarge): the container's text is long, no need to measure it. */
function holdsLarge(value: object): boolean {
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (isLarge(value[i])) return true;
    return false;
  }
  for (const key in value) if (isLarge((value as Record<string, unknown>)[key])) return true;
  return false;
}

/** The chunk of an object that holdsLarge: split without serialising it whole. */
function composedChunk(value: object, depth: number): Chunk {
  const split = compose(value, depth);
  const chunk = makeChunk(split.body, split.refs, split.size, split.children);
  chunksByObject.set(value, chunk);
  return chunk;
}

/** False for a container of primitives and short strings: its text needs no splitting. */
function mayHoldLarge(value: object): boolean {
  const members = Array.isArray(value) ? value : Object.values(value);
  for (const m of members) {
    if (typeof m === 'object' ? m !== null : typeof m === 'string' && m.length >= PAYLOAD_THRESHOLD) return true;
  }
  return false;
}

function stringChunk(value: string): Chunk {
  let chunk = chunksByString.get(value);
  if (chunk) return chunk;
  const text = JSON.stringify(value);
  chunk = makeChunk(text, null, text.length, NO_CHUNKS);
  if (chunksByString.size >= MAX_STRINGS || stringChars + value.length > MAX_STRING_CHARS) {
    chunksByString.clear();
    stringChars = 0;
  }
  chunksByString.set(value, chunk);
  stringChars += value.length;
  return chunk;
}

function makeChunk(body: string, refs: string | null, size: number, children: readonly Chunk[]): Chunk {
  // A newline never occurs in `refs` (compact JSON), so (refs, body) pairs hash apart.
  const hash = createHash('sha256').update(refs ?? '').update('\n').update(body).digest('base64url');
  return { hash, body, refs, size, children };
}

// ------------------------------------------------------------------ reading

/** A stored chunk as the payloads table gives it back. */
export interface StoredChunk {
  readonly body: string;
  readonly refs: string | null;
}

/**
 * Turns stored details back into the value that was written. Chunks are parsed once per `memo`
 * (one read) and shared by the events that refer to them, as the interpreter shared them.
 */
export function decodeDetails(text: string, refs: string | null, load: (hash: string) => StoredChunk | undefined, memo: Map<string, unknown>): unknown {
  const value = JSON.parse(text) as unknown;
  if (refs !== null) attach(value as Record<string | number, unknown>, refs, load, memo);
  return value;
}

function attach(target: Record<string | number, unknown>, refs: string, load: (hash: string) => StoredChunk | undefined, memo: Map<string, unknown>): void {
  // The key exists already (JSON.parse made it an own property, even `__proto__`), so plain
  // assignment sets it.
  for (const [key, hash] of JSON.parse(refs) as [string | number, string][]) target[key] = resolve(hash, load, memo);
}

function resolve(hash: string, load: (hash: string) => StoredChunk | undefined, memo: Map<string, unknown>): unknown {
  if (memo.has(hash)) return memo.get(hash);
  const chunk = load(hash);
  if (!chunk) throw new Error(`The stored payload ${hash} is missing`);
  const value = JSON.parse(chunk.body) as unknown;
  if (chunk.refs !== null) attach(value as Record<string | number, unknown>, chunk.refs, load, memo);
  memo.set(hash, value);
  return value;
}
