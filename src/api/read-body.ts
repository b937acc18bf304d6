/**
 * Reads a request body for every HTTP entry point of the server (the JSON APIs, the Scheduler's
 * REST API, HTTP triggers), so each one holds a hostile client to the same bounds: at most
 * `limit` bytes (then 'too-large', and nothing more is read), within `timeoutMs` (then
 * 'timeout': a body that trickles in is not waited for), 'aborted' when the client goes away.
 */
import type { IncomingMessage } from 'node:http';

export type BodyResult = Buffer | 'too-large' | 'timeout' | 'aborted';

export function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('aborted', onAbort);
      if (typeof result === 'string') req.pause();
      resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish('too-large');
      chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    const onAbort = () => finish('aborted');
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('aborted', onAbort);
  });
}
