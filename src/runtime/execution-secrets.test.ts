// The execution's secret seed and what derives from it: the engine's keyed generator (a ChaCha20
// keystream, checked against node:crypto's), activity task tokens, and the fallbacks for
// executions stored before seeds were.
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyedRandom, seededRandom } from '../engine/random.js';
import { ENGINE_VERSION, UNRECORDED_ENGINE_VERSION, engineVersionMismatch } from '../engine/version.js';
import { execute } from '../index.js';
import {
  activityTaskToken,
  childExecutionSeed,
  isActivityTaskTokenShape,
  newExecutionSeed,
  randomSourceFor,
} from './execution-secrets.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ARN = 'arn:aws:states:us-east-1:123456789012:execution:m:e';

/** The generator's first `uuids` UUIDs as hex: 122 random bits each (the version and variant are fixed). */
function uuidBits(seed: string, uuids: number): string {
  const random = keyedRandom(seed);
  return Array.from({ length: uuids }, () => random.uuid().replace(/-/g, '')).join('');
}

/** How many of the bits of two hex strings of equal length differ. */
function differingBits(a: string, b: string): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) {
    let x = parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16);
    for (; x; x >>= 1) count += x & 1;
  }
  return count;
}

describe('keyedRandom (the generator of executions with a secret seed)', () => {
  it('is a pure function of the seed: the same seed gives the same stream', () => {
    const seed = newExecutionSeed();
    const a = keyedRandom(seed);
    const b = keyedRandom(seed);
    const draws = (r: typeof a) => Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? r.next() : r.uuid()));
    expect(draws(a)).toEqual(draws(b));
  });

  it('gives unrelated streams for seeds one bit apart', () => {
    const seed = newExecutionSeed();
    const flipped = (parseInt(seed[63]!, 16) ^ 1).toString(16);
    const neighbour = seed.slice(0, 63) + flipped;
    const a = uuidBits(seed, 64);
    const b = uuidBits(neighbour, 64);
    // 64 UUIDs carry 64 × 122 random bits; unrelated streams differ in about half of them
    // (the standard deviation is about 44 bits, the bounds are six of them away).
    const bits = 64 * 122;
    const differing = differingBits(a, b);
    expect(differing).toBeGreaterThan(bits / 2 - 270);
    expect(differing).toBeLessThan(bits / 2 + 270);
    const setA = new Set(Array.from({ length: 1000 }, keyedRandom(seed).uuid));
    expect(Array.from({ length: 1000 }, keyedRandom(neighbour).uuid).some((u) => setA.has(u))).toBe(false);
  });

  it('is the ChaCha20 keystream (RFC 8439) under the seed, as node:crypto computes it', () => {
    const seed = newExecutionSeed();
    // OpenSSL's chacha20 takes a 16-byte IV: the 32-bit block counter (little-endian), then the nonce.
    const iv = Buffer.concat([Buffer.alloc(4), Buffer.from('stepwise rng')]);
    const keystream = createCipheriv('chacha20', Buffer.from(seed, 'hex'), iv).update(Buffer.alloc(64 * 40));
    const random = keyedRandom(seed);
    // Past the first 64-byte block, so the block counter is checked too.
    for (let i = 0; i < 160; i++) {
      const uuid = random.uuid().replace(/-/g, '');
      for (let w = 0; w < 4; w++) {
        const expected = keystream.readUInt32LE((i * 4 + w) * 4);
        const drawn = parseInt(uuid.slice(w * 8, w * 8 + 8), 16);
        // The UUID's version nibble and variant bits replace four and two of the stream's bits.
        const mask = w === 1 ? 0xffff0fff : w === 2 ? 0x3fffffff : 0xffffffff;
        expect((drawn & mask) >>> 0).toBe((expected & mask) >>> 0);
      }
    }
  });

  it('draws version-4 UUIDs and numbers in [0, 1) with 53 random bits', () => {
    const random = keyedRandom(newExecutionSeed());
    for (let i = 0; i < 200; i++) expect(random.uuid()).toMatch(UUID_V4);
    const numbers = Array.from({ length: 20_000 }, random.next);
    expect(numbers.every((n) => n >= 0 && n < 1)).toBe(true);
    const mean = numbers.reduce((a, b) => a + b, 0) / numbers.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    // 53 bits: multiplied by 2^53 every draw is a whole number, and some use the lowest bits.
    expect(numbers.every((n) => Number.isInteger(n * 2 ** 53))).toBe(true);
    expect(numbers.some((n) => !Number.isInteger(n * 2 ** 32))).toBe(true);
  });

  it('refuses a seed that is not 32 bytes of hexadecimal', () => {
    for (const seed of ['', 'abc', 'g'.repeat(64), '0'.repeat(63), '0'.repeat(65)]) {
      expect(() => keyedRandom(seed)).toThrow('An execution seed is 32 bytes written as 64 hexadecimal digits.');
    }
    expect(() => keyedRandom('AB'.repeat(32))).not.toThrow();
  });
});

describe('newExecutionSeed', () => {
  it('draws 32 bytes of hex, never the same twice', () => {
    const seeds = Array.from({ length: 10_000 }, newExecutionSeed);
    for (const seed of seeds.slice(0, 100)) expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(seeds).size).toBe(seeds.length);
  });

  it('derives distinct, valid seeds for children run in memory', () => {
    const parent = newExecutionSeed();
    const a = childExecutionSeed(parent, 'task-1', 'child');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(childExecutionSeed(parent, 'task-1', 'child')).toBe(a);
    expect(new Set([a, parent, childExecutionSeed(parent, 'task-2', 'child'), childExecutionSeed(parent, 'task-1', 'other'), childExecutionSeed(newExecutionSeed(), 'task-1', 'child')]).size).toBe(5);
  });
});

describe('activity task tokens', () => {
  it('are an HMAC of the task id under the seed: the same on replay, unrelated across executions and tasks', () => {
    const seed = newExecutionSeed();
    const token = activityTaskToken({ arn: ARN, seed }, 'task-1');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(activityTaskToken({ arn: ARN, seed }, 'task-1')).toBe(token);
    expect(activityTaskToken({ arn: ARN, seed }, 'task-2')).not.toBe(token);
    // Same ARN, another seed (an execution of that name on another server, or recreated).
    expect(activityTaskToken({ arn: ARN, seed: newExecutionSeed() }, 'task-1')).not.toBe(token);
    // Nothing of the ARN or the task id is in it.
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain('task-1');
    expect(token).not.toBe(Buffer.from(`${ARN}|task-1`).toString('base64url'));
  });

  it('stay base64url(executionArn|taskId) for executions stored before seeds were', () => {
    expect(activityTaskToken({ arn: ARN }, 'task-3')).toBe(Buffer.from(`${ARN}|task-3`).toString('base64url'));
  });

  it('are recognised by shape (either kind), anything else is not', () => {
    expect(isActivityTaskTokenShape(activityTaskToken({ arn: ARN, seed: newExecutionSeed() }, 'task-1'))).toBe(true);
    expect(isActivityTaskTokenShape(activityTaskToken({ arn: ARN }, 'task-12'))).toBe(true);
    for (const token of ['', 'not a token', 'A'.repeat(42), 'A'.repeat(44), `${'A'.repeat(42)}B`, Buffer.from('arn:aws:states:x|task-x').toString('base64url'), 'abc+/=']) {
      expect(isActivityTaskTokenShape(token)).toBe(false);
    }
  });
});

describe('executions stored before seeds were', () => {
  it('keep drawing from their ARN, so they replay as they ran', () => {
    const old = randomSourceFor({ arn: ARN });
    const reference = seededRandom(ARN);
    expect([old.uuid(), old.next(), old.uuid()]).toEqual([reference.uuid(), reference.next(), reference.uuid()]);
    const seed = newExecutionSeed();
    const seeded = randomSourceFor({ arn: ARN, seed });
    expect(seeded.uuid()).toBe(keyedRandom(seed).uuid());
  });

  it('count as the engine version of their time, which this engine no longer replays', () => {
    expect(ENGINE_VERSION).toBeGreaterThan(UNRECORDED_ENGINE_VERSION);
    expect(engineVersionMismatch(undefined)).toBe(
      `The execution was started by engine version ${UNRECORDED_ENGINE_VERSION} and this server runs engine version ${ENGINE_VERSION}, which cannot replay its history.`,
    );
    expect(engineVersionMismatch(ENGINE_VERSION)).toBeUndefined();
    expect(engineVersionMismatch(ENGINE_VERSION + 1)).toBe(
      `The execution was started by engine version ${ENGINE_VERSION + 1} and this server runs engine version ${ENGINE_VERSION}, which cannot replay its history.`,
    );
  });
});

describe('execute() in memory', () => {
  const definition = {
    StartAt: 'U',
    States: { U: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()', 'n.$': 'States.MathRandom(1, 1000000)' }, End: true } },
  };
  const clock = { now: () => 1_700_000_000_000 };

  it('draws a new secret seed for each run: the same name and clock give other UUIDs, none from the ARN', async () => {
    const a = await execute(definition, {}, { clock, executionName: 'same' });
    const b = await execute(definition, {}, { clock, executionName: 'same' });
    const ids = [(a.output as { id: string }).id, (b.output as { id: string }).id];
    expect(ids[0]).toMatch(UUID_V4);
    expect(ids[0]).not.toBe(ids[1]);
    const arn = 'arn:aws:states:us-east-1:111111111111:execution:stepwise:same';
    expect(ids).not.toContain(seededRandom(arn).uuid());
  });

  it('draws from keyedRandom(seed) when given a seed', async () => {
    const seed = newExecutionSeed();
    const result = await execute(definition, {}, { clock, seed });
    expect((result.output as { id: string }).id).toBe(keyedRandom(seed).uuid());
  });

  it('gives a seeded run\'s child executions seeds of their own, the same on every run', async () => {
    const parent = {
      StartAt: 'Own',
      States: {
        Own: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()' }, ResultPath: '$.own', Next: 'Child' },
        Child: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: 'child', Input: {} }, ResultSelector: { 'id.$': '$.Output.id' }, ResultPath: '$.child', End: true },
      },
    };
    const options = { clock, executionName: 'parent', seed: newExecutionSeed(), stateMachines: { child: definition } };
    const first = (await execute(parent, {}, options)).output as { own: { id: string }; child: { id: string } };
    const again = (await execute(parent, {}, options)).output;
    expect(first.child.id).toMatch(UUID_V4);
    expect(first.child.id).not.toBe(first.own.id);
    expect(again).toEqual(first);
  });
});
