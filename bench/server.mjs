#!/usr/bin/env node
// The durable server, measured from outside through @aws-sdk/client-sfn against `stepwise serve`
// on an SQLite file (synchronous=FULL, the default):
//
//   1. state transitions per second: 100 concurrent Standard executions of a 100-state Pass chain
//   2. StartExecution calls per second (a one-state machine, 64 calls in flight), through the SDK
//      and, to show what the server itself sustains, through a raw keep-alive HTTP client (the
//      SDK's own per-call cost caps one client process at ~800 calls/s on this 2-core machine,
//      even against a server that answers instantly)
//   3. time from starting the process to answering /health with 100,000 executions in the database
//
//   node bench/server.mjs [--runs 3] [--executions 100] [--starts 3000] [--seed-executions 100000]
//
// Each figure is the median of --runs runs, each on a fresh server and database. The database for
// (3) is filled through the store API (the same code the server writes with), which is faster
// than 100,000 API calls and gives the same file.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { args, CLI, freePort, median, passChain, rawCall, require, ROOT, sleep } from './common.mjs';

const sdk = require('@aws-sdk/client-sfn');

const RUNS = Number(args.runs ?? 3);
const EXECUTIONS = Number(args.executions ?? 100);
const STATES = 100;
const STARTS = Number(args.starts ?? 3000);
const SEED = Number(args['seed-executions'] ?? 100_000);
const ROLE = 'arn:aws:iam::111111111111:role/bench';

async function startServer(db) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--db', db, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      /* not yet listening */
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await sleep(5);
  }
  const readyMs = performance.now() - started;
  const client = new sdk.SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  return {
    client,
    url,
    readyMs,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

async function transitionsRun() {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
  const server = await startServer(join(dir, 'db.sqlite'));
  try {
    const { client } = server;
    const { stateMachineArn } = await client.send(new sdk.CreateStateMachineCommand({ name: 'chain', roleArn: ROLE, definition: JSON.stringify(passChain(STATES)) }));
    const t0 = performance.now();
    const arns = await Promise.all(
      Array.from({ length: EXECUTIONS }, (_, i) => client.send(new sdk.StartExecutionCommand({ stateMachineArn, name: `e${i}`, input: '{}' })).then((r) => r.executionArn)),
    );
    // Wait until every execution has ended.
    const pending = new Set(arns);
    while (pending.size) {
      await Promise.all(
        [...pending].map(async (executionArn) => {
          const d = await client.send(new sdk.DescribeExecutionCommand({ executionArn }));
          if (d.status !== 'RUNNING') {
            if (d.status !== 'SUCCEEDED') throw new Error(`${executionArn} ${d.status}`);
            pending.delete(executionArn);
          }
        }),
      );
    }
    const seconds = (performance.now() - t0) / 1000;
    return (EXECUTIONS * STATES) / seconds;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rawStartsRun() {
  const http = await import('node:http');
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
  const server = await startServer(join(dir, 'db.sqlite'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    const port = Number(new URL(server.url).port);
    const { stateMachineArn } = await rawCall(port, agent, 'CreateStateMachine', { name: 'one', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) });
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < STARTS) {
          const i = next++;
          await rawCall(port, agent, 'StartExecution', { stateMachineArn, name: `s${i}`, input: `{"i":${i}}` });
        }
      }),
    );
    return STARTS / ((performance.now() - t0) / 1000);
  } finally {
    agent.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startsRun() {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
  const server = await startServer(join(dir, 'db.sqlite'));
  try {
    const { client } = server;
    const { stateMachineArn } = await client.send(
      new sdk.CreateStateMachineCommand({ name: 'one', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }),
    );
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < STARTS) {
          const i = next++;
          await client.send(new sdk.StartExecutionCommand({ stateMachineArn, name: `s${i}`, input: `{"i":${i}}` }));
        }
      }),
    );
    return STARTS / ((performance.now() - t0) / 1000);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function restartRun() {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
  const db = join(dir, 'db.sqlite');
  try {
    const { openStore } = await import(join(ROOT, 'dist/store/open.js'));
    const store = await openStore(db, { synchronous: 'NORMAL' });
    const smArn = 'arn:aws:states:us-east-1:111111111111:stateMachine:seeded';
    const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const now = Date.now();
    await store.createStateMachine({ arn: smArn, name: 'seeded', type: 'STANDARD', definition, roleArn: ROLE, createdAt: now, revisionId: 'r1', nextVersion: 1 });
    for (let start = 0; start < SEED; start += 1000) {
      await Promise.all(
        Array.from({ length: Math.min(1000, SEED - start) }, (_, k) => {
          const i = start + k;
          const arn = `arn:aws:states:us-east-1:111111111111:execution:seeded:x${i}`;
          const events = [
            { id: 1, previousEventId: 0, timestamp: now, type: 'ExecutionStarted', frame: '', details: { input: {}, roleArn: ROLE } },
            { id: 2, previousEventId: 1, timestamp: now, type: 'PassStateEntered', frame: '', details: { name: 'P', input: {} } },
            { id: 3, previousEventId: 2, timestamp: now, type: 'PassStateExited', frame: '', details: { name: 'P', output: {} } },
            { id: 4, previousEventId: 3, timestamp: now, type: 'ExecutionSucceeded', frame: '', details: { output: {} } },
          ];
          return store.createExecution(
            { arn, stateMachineArn: smArn, name: `x${i}`, type: 'STANDARD', status: 'SUCCEEDED', input: '{}', output: '{}', startDate: now + i, stopDate: now + i, definition, roleArn: ROLE, redriveCount: 0, lastEventId: 4 },
            { executionArn: arn, expectedLastEventId: 0, events, trigger: { time: now, trigger: { type: 'Start' } } },
          );
        }),
      );
    }
    await store.close();
    const times = [];
    for (let r = 0; r < RUNS; r++) {
      const server = await startServer(db);
      times.push(server.readyMs);
      const page = await server.client.send(new sdk.ListExecutionsCommand({ stateMachineArn: smArn, maxResults: 10 }));
      if (page.executions.length !== 10) throw new Error('the seeded executions are not listed');
      await server.stop();
    }
    return median(times);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = {};
const transitions = [];
for (let r = 0; r < RUNS; r++) transitions.push(await transitionsRun());
results.transitions = median(transitions);
console.log(`state transitions/s, ${EXECUTIONS} concurrent executions x ${STATES} Pass states: median ${Math.round(results.transitions).toLocaleString('en')} [${transitions.map((x) => Math.round(x)).join(', ')}] (target >= 2,000)`);
const starts = [];
for (let r = 0; r < RUNS; r++) starts.push(await startsRun());
results.starts = median(starts);
console.log(`StartExecution calls/s through the SDK, 64 in flight, ${STARTS} calls: median ${Math.round(results.starts).toLocaleString('en')} [${starts.map((x) => Math.round(x)).join(', ')}] (target >= 1,000)`);
const rawStarts = [];
for (let r = 0; r < RUNS; r++) rawStarts.push(await rawStartsRun());
results.rawStarts = median(rawStarts);
console.log(`StartExecution calls/s through raw keep-alive HTTP, 64 in flight: median ${Math.round(results.rawStarts).toLocaleString('en')} [${rawStarts.map((x) => Math.round(x)).join(', ')}]`);
results.restartMs = await restartRun();
console.log(`process start to serving with ${SEED.toLocaleString('en')} executions in the database: median ${Math.round(results.restartMs)} ms (target < 2,000 ms)`);
