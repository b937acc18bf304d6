/**
 * SHA-256 and HMAC-SHA-256 for @smithy/signature-v4 through the browser's Web Crypto (its
 * `sha256` option takes a class of this shape). Chosen over a JavaScript implementation
 * (@aws-crypto/sha256-js is not a dependency): nothing to ship, and the browser's is the one
 * audited. Web Crypto exists only in secure contexts (HTTPS, or http://localhost and 127.0.0.1):
 * the sign-in page says so when it is missing (`canSign`).
 */
import type { Checksum, SourceData } from '@smithy/types';

export function canSign(): boolean {
  return typeof crypto !== 'undefined' && crypto.subtle !== undefined;
}

/** A copy in an ArrayBuffer of its own (Web Crypto takes no SharedArrayBuffer views). */
function bytesOf(data: SourceData): Uint8Array<ArrayBuffer> {
  const view = typeof data === 'string' ? new TextEncoder().encode(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return copy;
}

export class WebCryptoSha256 implements Checksum {
  private chunks: Uint8Array<ArrayBuffer>[] = [];

  /** With a secret: HMAC-SHA-256 keyed by it; without: a plain digest. */
  constructor(private readonly secret?: SourceData) {}

  update(data: Uint8Array): void {
    this.chunks.push(bytesOf(data));
  }

  async digest(): Promise<Uint8Array> {
    const length = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const data = new Uint8Array(length);
    let offset = 0;
    for (const chunk of this.chunks) {
      data.set(chunk, offset);
      offset += chunk.length;
    }
    if (this.secret === undefined) return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
    const key = await crypto.subtle.importKey('raw', bytesOf(this.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await crypto.subtle.sign('HMAC', key, data));
  }

  reset(): void {
    this.chunks = [];
  }
}
