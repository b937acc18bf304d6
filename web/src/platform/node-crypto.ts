/**
 * `node:crypto` in the browser, for the console's bundle only (web/vite.config.ts). The console
 * builds on the package's `./asl` entry point, whose intrinsic and JSONata functions import
 * node:crypto for States.Hash, $hash and UUIDs. The console never evaluates those functions (it
 * validates and draws definitions), so hashing here says so instead of computing anything.
 */
export function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}

export function createHash(): never {
  throw new Error('Hashing is not available in the console: run the state machine on the server or with execute().');
}
