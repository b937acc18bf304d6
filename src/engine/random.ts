/**
 * Seeded random sources. The interpreter never calls Math.random: every draw (retry jitter,
 * States.UUID, States.MathRandom, $random, $uuid, callback task tokens, Map Run ids) comes from
 * a generator that is a pure function of the execution's seed, so re-running the same triggers
 * reproduces the same history.
 *
 * - `keyedRandom(seed)`: for executions with a secret seed (32 random bytes drawn when they are
 *   created, src/runtime/execution-secrets.ts). Task tokens are secrets, so this one is
 *   cryptographically strong: values seen from one execution say nothing about another's or
 *   about its own later draws.
 * - `seededRandom(text)`: fast but predictable from its seed and its outputs; it serves
 *   executions stored before seeds were (seeded by their ARN, so they replay as they ran).
 *
 * Both are written here, free of node:crypto, so one definition serves every thread that
 * decides (the server's workers, the in-memory driver) and a replay anywhere draws the same.
 */
export interface RandomSource {
  /** A float in [0, 1). */
  next(): number;
  /** A version-4 UUID built from the generator. */
  uuid(): string;
}

/** sfc32, seeded from a string with a cyrb128 hash: small, fast and well distributed. */
export function seededRandom(seedText: string): RandomSource {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < seedText.length; i++) {
    const k = seedText.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  let a = h1 >>> 0, b = h2 >>> 0, c = h3 >>> 0, d = h4 >>> 0;
  const next32 = (): number => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  return {
    next: () => next32() / 4294967296,
    uuid: () => {
      const s = hex(next32()) + hex(next32()) + hex(next32()) + hex(next32());
      const variant = ((parseInt(s[16]!, 16) & 0x3) | 0x8).toString(16);
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${variant}${s.slice(17, 20)}-${s.slice(20, 32)}`;
    },
  };
}

/** Whether `text` is an execution seed `keyedRandom` takes: 32 bytes as 64 hexadecimal digits. */
export function isExecutionSeed(text: string): boolean {
  return text.length === 64 && /^[0-9a-fA-F]{64}$/.test(text);
}

/** "stepwise rng" as ChaCha20's 96-bit nonce: this keystream is for nothing else. */
const STREAM_NONCE = [0x70657473, 0x65736977, 0x676e7220] as const;

/**
 * The ChaCha20 keystream (RFC 8439) under the 256-bit seed as key, read 32 bits at a time. It is
 * continuous, so values do not depend on how they are drawn in between. Throws a TypeError for a
 * seed that is not 64 hexadecimal digits.
 */
export function keyedRandom(seed: string): RandomSource {
  if (!isExecutionSeed(seed)) throw new TypeError('An execution seed is 32 bytes written as 64 hexadecimal digits.');
  // Set up at the first draw: drivers build a generator for every execution, most draw nothing.
  let input: Uint32Array | undefined;
  let block: Uint32Array | undefined;
  let used = 16;
  const refill = (): void => {
    input ??= chachaInput(seed);
    block ??= new Uint32Array(16);
    chachaBlock(input, block);
    // A 32-bit block counter covers 256 GiB; beyond it the nonce's first word counts on.
    input[12] = (input[12]! + 1) >>> 0;
    if (input[12] === 0) input[13] = (input[13]! + 1) >>> 0;
    used = 0;
  };
  const next32 = (): number => {
    if (used === 16) refill();
    return block![used++]!;
  };
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  return {
    // 53 random bits: every multiple of 2^-53 in [0, 1) is equally likely.
    next: () => ((next32() >>> 11) * 4294967296 + next32()) / 9007199254740992,
    uuid: () => {
      const s = hex(next32()) + hex(next32()) + hex(next32()) + hex(next32());
      const variant = ((parseInt(s[16]!, 16) & 0x3) | 0x8).toString(16);
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${variant}${s.slice(17, 20)}-${s.slice(20, 32)}`;
    },
  };
}

/** ChaCha20's initial state: its constants, the seed as key, block counter 0, STREAM_NONCE. */
function chachaInput(seed: string): Uint32Array {
  const input = new Uint32Array(16);
  input[0] = 0x61707865; input[1] = 0x3320646e; input[2] = 0x79622d32; input[3] = 0x6b206574;
  for (let i = 0; i < 8; i++) {
    // The key's bytes in order, read as little-endian words (RFC 8439 §2.3).
    const at = i * 8;
    input[4 + i] = (hexByte(seed, at) | (hexByte(seed, at + 2) << 8) | (hexByte(seed, at + 4) << 16) | (hexByte(seed, at + 6) << 24)) >>> 0;
  }
  input[12] = 0;
  input[13] = STREAM_NONCE[0]; input[14] = STREAM_NONCE[1]; input[15] = STREAM_NONCE[2];
  return input;
}

/** The byte written by the two hexadecimal digits at `at` (already checked to be digits). */
function hexByte(text: string, at: number): number {
  return (nibble(text.charCodeAt(at)) << 4) | nibble(text.charCodeAt(at + 1));
}

function nibble(code: number): number {
  return code <= 57 ? code - 48 : (code | 32) - 87; // '0'-'9', then 'a'-'f' either case
}

/** One ChaCha20 block function call (RFC 8439 §2.3): 20 rounds over `input`, added back to it. */
function chachaBlock(input: Uint32Array, out: Uint32Array): void {
  let x0 = input[0]!, x1 = input[1]!, x2 = input[2]!, x3 = input[3]!, x4 = input[4]!, x5 = input[5]!, x6 = input[6]!, x7 = input[7]!;
  let x8 = input[8]!, x9 = input[9]!, x10 = input[10]!, x11 = input[11]!, x12 = input[12]!, x13 = input[13]!, x14 = input[14]!, x15 = input[15]!;
  for (let round = 0; round < 20; round += 2) {
    // Column rounds.
    x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 16) | (x12 >>> 16);
    x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 12) | (x4 >>> 20);
    x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 8) | (x12 >>> 24);
    x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 7) | (x4 >>> 25);
    x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 16) | (x13 >>> 16);
    x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 12) | (x5 >>> 20);
    x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 8) | (x13 >>> 24);
    x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 7) | (x5 >>> 25);
    x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 16) | (x14 >>> 16);
    x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 12) | (x6 >>> 20);
    x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 8) | (x14 >>> 24);
    x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 7) | (x6 >>> 25);
    x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 16) | (x15 >>> 16);
    x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 12) | (x7 >>> 20);
    x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 8) | (x15 >>> 24);
    x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 7) | (x7 >>> 25);
    // Diagonal rounds.
    x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 16) | (x15 >>> 16);
    x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 12) | (x5 >>> 20);
    x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 8) | (x15 >>> 24);
    x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 7) | (x5 >>> 25);
    x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 16) | (x12 >>> 16);
    x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 12) | (x6 >>> 20);
    x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 8) | (x12 >>> 24);
    x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 7) | (x6 >>> 25);
    x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 16) | (x13 >>> 16);
    x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 12) | (x7 >>> 20);
    x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 8) | (x13 >>> 24);
    x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 7) | (x7 >>> 25);
    x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 16) | (x14 >>> 16);
    x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 12) | (x4 >>> 20);
    x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 8) | (x14 >>> 24);
    x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 7) | (x4 >>> 25);
  }
  out[0] = x0 + input[0]!; out[1] = x1 + input[1]!; out[2] = x2 + input[2]!; out[3] = x3 + input[3]!;
  out[4] = x4 + input[4]!; out[5] = x5 + input[5]!; out[6] = x6 + input[6]!; out[7] = x7 + input[7]!;
  out[8] = x8 + input[8]!; out[9] = x9 + input[9]!; out[10] = x10 + input[10]!; out[11] = x11 + input[11]!;
  out[12] = x12 + input[12]!; out[13] = x13 + input[13]!; out[14] = x14 + input[14]!; out[15] = x15 + input[15]!;
}
