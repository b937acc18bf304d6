// What the benches of the built server share: where it is, `--name value` options, medians and
// percentiles, a free port, raw API calls, a Pass chain.
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');
/** The project's own packages (the AWS SDK clients are dev dependencies). */
export const require = createRequire(join(ROOT, 'package.json'));

/** `--runs 3 --only x` → `{ runs: '3', only: 'x' }`. */
export const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * One AWS JSON 1.0 call through a keep-alive agent, without the SDK: one SDK client process
 * issues at most ~800–950 calls/s on this machine, less than the server sustains.
 */
export function rawCall(port, agent, target, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'X-Amz-Target': `AWSStepFunctions.${target}`, 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(data) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(text))));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A chain of n Pass states; each writes its index to `$.last`, so the output is `{"last": n-1}`. */
export function passChain(n) {
  const States = {};
  for (let i = 0; i < n; i++) States[`S${i}`] = { Type: 'Pass', Result: i, ResultPath: '$.last', ...(i === n - 1 ? { End: true } : { Next: `S${i + 1}` }) };
  return { StartAt: 'S0', States };
}
