#!/usr/bin/env node
// Waiting executions cost rows, not memory (issue 8): starts N executions that each wait an hour
// (a Wait state) with a 10 KB input on `stepwise serve` (SQLite), through raw keep-alive HTTP;
// reports the server's RSS once they all wait, then restarts it (SIGKILL) and reports the time
// from starting the process to answering /health, and the RSS while and after it rebuilds them.
//
//   node bench/waiting.mjs [--executions 100000] [--node-args "--max-old-space-size=1024"]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { apiClient, freePort } from './local-api.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const EXECUTIONS = Number(args.executions ?? 100_000);
const NODE_ARGS = (args['node-args'] ?? '').split(' ').filter(Boolean);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


function rssMb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return NaN;
  }
}

async function serve(db, port) {
  const started = performance.now();
  const child = spawn(process.execPath, [...NODE_ARGS, CLI, 'serve', '--port', String(port), '--db', db, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return { child, readyMs: performance.now() - started };
    } catch {}
    await sleep(10);
  }
}


const dir = mkdtempSync(join(tmpdir(), 'stepwise-waiting-'));
const db = join(dir, 'stepwise.db');
let api;
try {
  const port = await freePort();
  api = apiClient(port);
  const { call } = api;
  let { child } = await serve(db, port);
  const definition = { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 3600, Next: 'Done' }, Done: { Type: 'Succeed' } } };
  const { stateMachineArn } = await call('CreateStateMachine', { name: 'waits', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::111111111111:role/bench' });
  const input = JSON.stringify({ blob: 'x'.repeat(10_000) });
  let next = 0;
  const t0 = performance.now();
  let peak = 0;
  const watch = setInterval(() => (peak = Math.max(peak, rssMb(child.pid))), 250);
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < EXECUTIONS) {
        next++;
        await call('StartExecution', { stateMachineArn, input });
      }
    }),
  );
  const startSeconds = (performance.now() - t0) / 1000;
  await sleep(2000);
  const waitingRss = rssMb(child.pid);
  clearInterval(watch);
  console.log(`${EXECUTIONS} executions started in ${startSeconds.toFixed(1)} s (${Math.round(EXECUTIONS / startSeconds)}/s), each waiting with a 10 KB input`);
  console.log(`server RSS with them all waiting: ${waitingRss.toFixed(0)} MB (peak while starting: ${peak.toFixed(0)} MB)`);

  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const restarted = await serve(db, port);
  child = restarted.child;
  console.log(`restart (after SIGKILL) to serving /health: ${restarted.readyMs.toFixed(0)} ms`);
  let rebuildPeak = 0;
  for (let i = 0; i < 20; i++) {
    rebuildPeak = Math.max(rebuildPeak, rssMb(child.pid));
    await sleep(500);
  }
  const probe = performance.now();
  await call('ListExecutions', { stateMachineArn, maxResults: 10 });
  console.log(`RSS during the first 10 s of recovery: peak ${rebuildPeak.toFixed(0)} MB; a ListExecutions call meanwhile: ${(performance.now() - probe).toFixed(0)} ms`);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
} finally {
  api?.close();
  rmSync(dir, { recursive: true, force: true });
}
