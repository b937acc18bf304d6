#!/usr/bin/env node
// Tasks through the durable server (`stepwise serve` on an SQLite file), measured from outside
// with @aws-sdk/client-sfn:
//
//   1. local Lambda tasks per second: --executions Standard executions at once, each an inline
//      Map of --items `arn:aws:states:::lambda:invoke` tasks of a trivial Node function (the
//      configuration's `functions`, run in worker processes)
//   2. HTTP tasks per second: the same with `arn:aws:states:::http:invoke` against a local HTTP
//      server (in its own process)
//   3. the latency a task adds, p50 and p99: one-task executions run one after another, each
//      task's time from TaskScheduled to TaskSucceeded in the history (the function and the HTTP
//      server answer at once, so this is Stepwise's own cost per task)
//
//   node bench/tasks.mjs [--runs 3] [--executions 20] [--items 100] [--latency-samples 200]
//
// Each throughput figure is the median of --runs runs, each on a fresh server and database.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { args, CLI, freePort, median, percentile, require, ROOT, sleep } from './common.mjs';

const sdk = require('@aws-sdk/client-sfn');

const RUNS = Number(args.runs ?? 3);
const EXECUTIONS = Number(args.executions ?? 20);
const ITEMS = Number(args.items ?? 100);
const SAMPLES = Number(args['latency-samples'] ?? 200);
const ROLE = 'arn:aws:iam::111111111111:role/bench';

/** A JSON echo server in its own process, so it does not share the bench client's thread. */
async function startTarget() {
  const port = await freePort();
  const code = `require('node:http').createServer((q, s) => { let b = ''; q.on('data', (c) => (b += c)); q.on('end', () => { s.writeHead(200, { 'Content-Type': 'application/json' }); s.end(b || '{}'); }); }).listen(${port}, '127.0.0.1', () => process.stdout.write('ready\\n'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.once('exit', () => child.kill());
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return { url: `http://127.0.0.1:${port}/echo`, stop: () => child.kill() };
}

async function startServer(dir) {
  const functions = join(dir, 'functions');
  mkdirSync(functions);
  writeFileSync(join(functions, 'echo.mjs'), 'export const handler = async (event) => event;\n');
  const config = join(dir, 'stepwise.config.json');
  writeFileSync(config, JSON.stringify({ functions: { Echo: { CodeUri: 'functions/', Handler: 'echo.handler', Runtime: 'nodejs20.x', Timeout: 30 } } }));
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--db', join(dir, 'db.sqlite'), '--config', config, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not yet listening */
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await sleep(5);
  }
  const client = new sdk.SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  return { client, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

const lambdaTask = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'Echo', 'Payload.$': '$' }, ResultSelector: { 'v.$': '$.Payload' }, End: true };
const httpTask = (url) => ({ Type: 'Task', Resource: 'arn:aws:states:::http:invoke', Parameters: { ApiEndpoint: url, Method: 'POST', 'RequestBody.$': '$' }, ResultSelector: { 'v.$': '$.ResponseBody' }, End: true });
const mapOf = (task) => ({ StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 0, ItemProcessor: { StartAt: 'T', States: { T: task } }, End: true } } });

/**
 * Waits until every execution has ended, asking little of the server (the harness must not be
 * what it measures): one DescribeExecution of the oldest pending execution every 25 ms.
 */
async function waitAll(client, arns) {
  const pending = [...arns];
  while (pending.length) {
    const d = await client.send(new sdk.DescribeExecutionCommand({ executionArn: pending[0] }));
    if (d.status === 'RUNNING') {
      await sleep(25);
      continue;
    }
    if (d.status !== 'SUCCEEDED') throw new Error(`${pending[0]} ${d.status}: ${d.error} ${d.cause}`);
    pending.shift();
  }
}

/** Tasks per second: EXECUTIONS Map executions of ITEMS tasks each, all at once. */
async function throughputRun(task, name) {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-tasks-'));
  const server = await startServer(dir);
  try {
    const { client } = server;
    const { stateMachineArn } = await client.send(new sdk.CreateStateMachineCommand({ name, roleArn: ROLE, definition: JSON.stringify(mapOf(task)) }));
    // One warm-up execution: the function's worker processes start.
    const warm = await client.send(new sdk.StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ items: Array.from({ length: 8 }, (_, i) => ({ i })) }) }));
    await waitAll(client, [warm.executionArn]);
    const input = JSON.stringify({ items: Array.from({ length: ITEMS }, (_, i) => ({ i })) });
    const t0 = performance.now();
    const arns = await Promise.all(Array.from({ length: EXECUTIONS }, () => client.send(new sdk.StartExecutionCommand({ stateMachineArn, input })).then((r) => r.executionArn)));
    await waitAll(client, arns);
    return (EXECUTIONS * ITEMS) / ((performance.now() - t0) / 1000);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** TaskScheduled → TaskSucceeded of one-task executions run one at a time (ms). */
async function latencyRun(task, name) {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-tasks-'));
  const server = await startServer(dir);
  try {
    const { client } = server;
    const { stateMachineArn } = await client.send(new sdk.CreateStateMachineCommand({ name, roleArn: ROLE, definition: JSON.stringify({ StartAt: 'T', States: { T: task } }) }));
    const samples = [];
    for (let i = 0; i < SAMPLES + 10; i++) {
      const { executionArn } = await client.send(new sdk.StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ i }) }));
      await waitAll(client, [executionArn]);
      if (i < 10) continue; // warm-up
      const { events } = await client.send(new sdk.GetExecutionHistoryCommand({ executionArn }));
      const scheduled = events.find((e) => e.type === 'TaskScheduled');
      const succeeded = events.find((e) => e.type === 'TaskSucceeded');
      samples.push(succeeded.timestamp.getTime() - scheduled.timestamp.getTime());
    }
    return samples;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const target = await startTarget();
try {
  const lambdaRates = [];
  const httpRates = [];
  for (let r = 0; r < RUNS; r++) {
    lambdaRates.push(await throughputRun(lambdaTask, 'lambda'));
    httpRates.push(await throughputRun(httpTask(target.url), 'http'));
  }
  const lambdaLatency = await latencyRun(lambdaTask, 'lambda1');
  const httpLatency = await latencyRun(httpTask(target.url), 'http1');
  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  console.log(`local Lambda tasks/s (${EXECUTIONS}×${ITEMS}, median of ${RUNS}): ${fmt(median(lambdaRates))}  [runs: ${lambdaRates.map(fmt).join(', ')}]`);
  console.log(`HTTP tasks/s (${EXECUTIONS}×${ITEMS}, median of ${RUNS}): ${fmt(median(httpRates))}  [runs: ${httpRates.map(fmt).join(', ')}]`);
  console.log(`added latency per local Lambda task: p50 ${percentile(lambdaLatency, 50)} ms, p99 ${percentile(lambdaLatency, 99)} ms (${lambdaLatency.length} tasks)`);
  console.log(`added latency per HTTP task: p50 ${percentile(httpLatency, 50)} ms, p99 ${percentile(httpLatency, 99)} ms (${httpLatency.length} tasks)`);
} finally {
  target.stop();
}
