/**
 * A seeded pseudo-random source. The interpreter never calls Math.random: every draw (retry
 * jitter, States.UUID, States.MathRandom, $random, $uuid, task tokens) comes from a generator
 * seeded by the execution ARN, so re-running the same triggers reproduces the same history.
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
