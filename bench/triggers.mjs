#!/usr/bin/env node
// Triggers through the durable server (`stepwise serve` on an SQLite file), measured from
// outside with the AWS SDK clients:
//
//   1. PutEvents/s with --rules rules on the default bus: --clients concurrent clients put
//      batches of 10 events (PutEvents' maximum), each event matching exactly one rule. Two
//      figures: rules without targets (matching and accepting only), and rules whose target is an
//      API destination (one of --destinations, each limited to AWS's 300 requests/s) posting to
//      an HTTP sink in this process (matching, the durable delivery outbox, and the deliveries:
//      the run ends when the sink has every event).
//   2. The delay between a schedule's due time and its execution's start: --schedules one-time
//      `at()` schedules due over the next --spread seconds (several per second), each starting
//      a Pass state machine; the delay is the execution's startDate minus its due time. p50, p99
//      and the maximum.
//
//   node bench/triggers.mjs [--runs 3] [--rules 100] [--events 20000] [--clients 8] [--destinations 20] [--schedules 200] [--spread 20]
//
// Each PutEvents figure is the median of --runs runs, each on a fresh server and database.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const require = createRequire(join(ROOT, 'package.json'));
const sfn = require('@aws-sdk/client-sfn');
const events = require('@aws-sdk/client-eventbridge');
const scheduler = require('@aws-sdk/client-scheduler');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const RUNS = Number(args.runs ?? 3);
const RULES = Number(args.rules ?? 100);
const EVENTS = Number(args.events ?? 20_000);
const CLIENTS = Number(args.clients ?? 8);
const SCHEDULES = Number(args.schedules ?? 200);
const SPREAD_S = Number(args.spread ?? 20);
const DESTINATIONS = Number(args.destinations ?? 20);
const ROLE = 'arn:aws:iam::111111111111:role/bench';
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function startServer(dir) {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--db', join(dir, 'db.sqlite'), '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
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
  const options = { endpoint: url, region: REGION, credentials, maxAttempts: 1 };
  return {
    url,
    sfn: new sfn.SFNClient(options),
    events: new events.EventBridgeClient(options),
    scheduler: new scheduler.SchedulerClient(options),
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))),
  };
}

/** Counts the events POSTed to it; in this process, but it only counts. */
function startSink() {
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/events`, received: () => received, close: () => server.close() })));
}

async function putEventsRun(withTargets) {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-triggers-'));
  const server = await startServer(dir);
  const sink = withTargets ? await startSink() : undefined;
  try {
    // An API destination sends at most InvocationRateLimitPerSecond (AWS's default and maximum:
    // 300) requests a second: DESTINATIONS of them, so the limit is not all that is measured.
    const destinations = [];
    if (sink) {
      const connection = await server.events.send(
        new events.CreateConnectionCommand({ Name: 'sink', AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'bench' } } }),
      );
      for (let d = 0; d < DESTINATIONS; d++) {
        const created = await server.events.send(
          new events.CreateApiDestinationCommand({ Name: `sink-${d}`, ConnectionArn: connection.ConnectionArn, InvocationEndpoint: sink.url, HttpMethod: 'POST', InvocationRateLimitPerSecond: 300 }),
        );
        destinations.push(created.ApiDestinationArn);
      }
    }
    for (let i = 0; i < RULES; i++) {
      // Patterns of the usual shape: a source, a detail-type and a condition on the detail.
      const pattern = { source: [`bench.app${i}`], 'detail-type': ['order placed', 'order paid'], detail: { amount: [{ numeric: ['>=', 0] }], region: [{ prefix: 'eu-' }] } };
      await server.events.send(new events.PutRuleCommand({ Name: `rule-${i}`, EventPattern: JSON.stringify(pattern) }));
      if (sink) await server.events.send(new events.PutTargetsCommand({ Rule: `rule-${i}`, Targets: [{ Id: 'sink', Arn: destinations[i % DESTINATIONS], RoleArn: ROLE }] }));
    }
    let next = 0;
    const entry = (n) => ({ Source: `bench.app${n % RULES}`, DetailType: 'order paid', Detail: JSON.stringify({ amount: n, region: 'eu-west-1', order: `o-${n}` }) });
    const client = async () => {
      while (next < EVENTS) {
        const batch = [];
        while (batch.length < 10 && next < EVENTS) batch.push(entry(next++));
        const answer = await server.events.send(new events.PutEventsCommand({ Entries: batch }));
        if (answer.FailedEntryCount) throw new Error(`PutEvents failed entries: ${JSON.stringify(answer.Entries)}`);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const accepted = performance.now() - started;
    if (sink) {
      while (sink.received() < EVENTS) await sleep(10);
    }
    const delivered = performance.now() - started;
    return { acceptedPerSecond: (EVENTS / accepted) * 1000, deliveredPerSecond: sink ? (EVENTS / delivered) * 1000 : undefined };
  } finally {
    await server.stop();
    sink?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC. */
const atExpression = (ms) => `at(${new Date(ms).toISOString().slice(0, 19)})`;

async function scheduleDelayRun() {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-schedules-'));
  const server = await startServer(dir);
  try {
    const { stateMachineArn } = await server.sfn.send(
      new sfn.CreateStateMachineCommand({ name: 'tick', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }),
    );
    const first = Math.ceil(Date.now() / 1000) * 1000 + 5_000; // whole seconds, after the creates are done
    const due = [];
    for (let i = 0; i < SCHEDULES; i++) {
      const at = first + Math.floor((i * SPREAD_S) / SCHEDULES) * 1000;
      due.push(at);
      await server.scheduler.send(
        new scheduler.CreateScheduleCommand({
          Name: `at-${i}`,
          ScheduleExpression: atExpression(at),
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: stateMachineArn, RoleArn: ROLE, Input: JSON.stringify({ i }) },
        }),
      );
    }
    if (Date.now() > first) throw new Error('creating the schedules took longer than the 5 s lead: lower --schedules');
    await sleep(Math.max(...due) - Date.now() + 2_000);
    const executions = [];
    let token;
    do {
      const page = await server.sfn.send(new sfn.ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken: token }));
      executions.push(...page.executions);
      token = page.nextToken;
    } while (token);
    if (executions.length !== SCHEDULES) throw new Error(`${executions.length} executions for ${SCHEDULES} schedules`);
    // Which execution is which schedule's: its input says.
    const delays = [];
    for (const e of executions) {
      const { input } = await server.sfn.send(new sfn.DescribeExecutionCommand({ executionArn: e.executionArn }));
      delays.push(e.startDate.getTime() - due[JSON.parse(input).i]);
    }
    return delays;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const bare = [];
const targeted = [];
for (let run = 0; run < RUNS; run++) {
  bare.push((await putEventsRun(false)).acceptedPerSecond);
  targeted.push(await putEventsRun(true));
}
console.log(`PutEvents, ${RULES} rules, ${EVENTS} events in batches of 10 from ${CLIENTS} clients (median of ${RUNS} runs):`);
console.log(`  rules without targets:        ${fmt(median(bare))} events/s matched and accepted   [runs: ${bare.map(fmt).join(', ')}]`);
console.log(`  API destination targets:      ${fmt(median(targeted.map((t) => t.acceptedPerSecond)))} events/s accepted, ${fmt(median(targeted.map((t) => t.deliveredPerSecond)))} events/s delivered to the HTTP sink`);
const delays = await scheduleDelayRun();
console.log(`Schedule delay, ${SCHEDULES} at() schedules due over ${SPREAD_S} s: p50 ${fmt(percentile(delays, 50))} ms, p99 ${fmt(percentile(delays, 99))} ms, max ${fmt(Math.max(...delays))} ms, min ${fmt(Math.min(...delays))} ms`);
