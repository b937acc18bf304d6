#!/usr/bin/env node
// Fairness (issue 8): 100 executions loop through Pass and Choice states without ever waiting
// (each until the 25,000-event quota fails it) on `stepwise serve` (SQLite), while a second
// client keeps (a) calling ListStateMachines and (b) starting a one-state execution and polling
// it until it has SUCCEEDED. Reports the API call's latency and the one-state execution's
// start-to-end time (p50, p99, max) during the loops, and the same on an idle server.
//
//   node bench/fairness.mjs [--loops 100] [--seconds 20] [--project DIR]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { apiClient, freePort } from './local-api.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const ROOT = args.project ? resolve(args.project) : fileURLToPath(new URL('..', import.meta.url));
const LOOPS = Number(args.loops ?? 100);
const SECONDS = Number(args.seconds ?? 20);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};



async function probe(oneState, seconds) {
  const api = [];
  const run = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    let t = performance.now();
    await call('ListStateMachines', {});
    api.push(performance.now() - t);
    t = performance.now();
    const { executionArn } = await call('StartExecution', { stateMachineArn: oneState });
    for (;;) {
      const { status } = await call('DescribeExecution', { executionArn });
      if (status !== 'RUNNING') break;
      await sleep(2);
    }
    run.push(performance.now() - t);
    await sleep(50);
  }
  const line = (xs) => `p50 ${pct(xs, 50).toFixed(0)} ms, p99 ${pct(xs, 99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (${xs.length} samples)`;
  return { api: line(api), run: line(run) };
}

const dir = mkdtempSync(join(tmpdir(), 'stepwise-fairness-'));
const port = await freePort();
const client = apiClient(port, 16);
const { call } = client;
const child = spawn(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'serve', '--port', String(port), '--db', join(dir, 'db'), '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
try {
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
    } catch {}
    await sleep(20);
  }
  const role = 'arn:aws:iam::111111111111:role/bench';
  const loop = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Choice', Choices: [{ Variable: '$.never', IsPresent: true, Next: 'Done' }], Default: 'A' }, Done: { Type: 'Succeed' } } };
  const one = { StartAt: 'Only', States: { Only: { Type: 'Pass', End: true } } };
  const loops = (await call('CreateStateMachine', { name: 'loops', definition: JSON.stringify(loop), roleArn: role })).stateMachineArn;
  const oneState = (await call('CreateStateMachine', { name: 'one', definition: JSON.stringify(one), roleArn: role })).stateMachineArn;
  const idle = await probe(oneState, 3);
  console.log(`idle server:    ListStateMachines ${idle.api}`);
  console.log(`                one-state execution start to end ${idle.run}`);
  await Promise.all(Array.from({ length: LOOPS }, () => call('StartExecution', { stateMachineArn: loops })));
  const busy = await probe(oneState, SECONDS);
  const { executions } = await call('ListExecutions', { stateMachineArn: loops, statusFilter: 'RUNNING', maxResults: 1000 });
  console.log(`${LOOPS} loops:       ListStateMachines ${busy.api}`);
  console.log(`                one-state execution start to end ${busy.run}`);
  console.log(`                loops still running at the end: ${executions.length}`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  client.close();
  rmSync(dir, { recursive: true, force: true });
}
