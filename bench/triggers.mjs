#!/usr/bin/env node
// Triggers through the durable server (`stepwise serve` on an SQLite file), measured from
// outside with the AWS SDK clients:
//
//   1. PutEvents/s with --rules rules on the default bus, each with an API destination target
//      (one of --destinations, each limited to AWS's 300 requests/s) posting to an HTTP sink in
//      its own process: --clients concurrent requests put batches of 10 events (PutEvents'
//      maximum) through raw keep-alive HTTP, each event matching exactly one rule. Two figures:
//      events matched and accepted per second (their deliveries written to the durable outbox
//      before PutEvents answers), and events delivered per second (the run ends when the sink has
//      every event). 32 requests in flight: with synchronous=FULL each PutEvents waits for its
//      group commit's fsync, so fewer producers measure the disk's latency, not the server.
//   2. The delay between a schedule's due time and its execution's start: --schedules one-time
//      `at()` schedules due over the next --spread seconds (several per second), each starting
//      a Pass state machine; the delay is the execution's startDate minus its due time. p50, p99
//      and the maximum.
//
//   node bench/triggers.mjs [--runs 3] [--rules 100] [--events 20000] [--clients 32] [--destinations 20] [--schedules 200] [--spread 20]
//
// Each PutEvents figure is the median of --runs runs, each on a fresh server and database.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { args, CLI, freePort, median, percentile, require, ROOT, sleep } from './common.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const sfn = require('@aws-sdk/client-sfn');
const events = require('@aws-sdk/client-eventbridge');
const scheduler = require('@aws-sdk/client-scheduler');

const RUNS = Number(args.runs ?? 3);
const RULES = Number(args.rules ?? 100);
const EVENTS = Number(args.events ?? 20_000);
const CLIENTS = Number(args.clients ?? 32);
const SCHEDULES = Number(args.schedules ?? 200);
const SPREAD_S = Number(args.spread ?? 20);
const DESTINATIONS = Number(args.destinations ?? 20);
const ROLE = 'arn:aws:iam::111111111111:role/bench';
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

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

/**
 * Counts the events POSTed to it, in its own process (the SDK client of this one is busy
 * enough); `GET /count` answers how many so far.
 */
async function startSink() {
  const port = await freePort();
  const code = `let n = 0; require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { if (q.method === 'POST') n++; s.writeHead(200, { 'Content-Type': 'application/json' }); s.end(q.method === 'GET' ? String(n) : '{}'); }); }).listen(${port}, '127.0.0.1', () => process.stdout.write('ready\\n'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.once('exit', () => child.kill());
  await new Promise((resolve) => child.stdout.once('data', resolve));
  const url = `http://127.0.0.1:${port}`;
  return { url: `${url}/events`, received: async () => Number(await (await fetch(`${url}/count`)).text()), close: () => child.kill() };
}

async function putEventsRun() {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-triggers-'));
  const server = await startServer(dir);
  const sink = await startSink();
  try {
    // An API destination sends at most InvocationRateLimitPerSecond (AWS's default and maximum:
    // 300) requests a second: DESTINATIONS of them, so the limit is not all that is measured.
    const destinations = [];
    const connection = await server.events.send(
      new events.CreateConnectionCommand({ Name: 'sink', AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'bench' } } }),
    );
    for (let d = 0; d < DESTINATIONS; d++) {
      const created = await server.events.send(
        new events.CreateApiDestinationCommand({ Name: `sink-${d}`, ConnectionArn: connection.ConnectionArn, InvocationEndpoint: sink.url, HttpMethod: 'POST', InvocationRateLimitPerSecond: 300 }),
      );
      destinations.push(created.ApiDestinationArn);
    }
    for (let i = 0; i < RULES; i++) {
      // Patterns of the usual shape: a source, a detail-type and a condition on the detail.
      const pattern = { source: [`bench.app${i}`], 'detail-type': ['order placed', 'order paid'], detail: { amount: [{ numeric: ['>=', 0] }], region: [{ prefix: 'eu-' }] } };
      await server.events.send(new events.PutRuleCommand({ Name: `rule-${i}`, EventPattern: JSON.stringify(pattern) }));
      await server.events.send(new events.PutTargetsCommand({ Rule: `rule-${i}`, Targets: [{ Id: 'sink', Arn: destinations[i % DESTINATIONS], RoleArn: ROLE }] }));
    }
    let next = 0;
    const entry = (n) => ({ Source: `bench.app${n % RULES}`, DetailType: 'order paid', Detail: JSON.stringify({ amount: n, region: 'eu-west-1', order: `o-${n}` }) });
    // PutEvents through raw keep-alive HTTP: one SDK client process issues at most ~900 calls a
    // second on this machine (bench/README.md, "The server"), which would measure the client.
    const client = async () => {
      while (next < EVENTS) {
        const batch = [];
        while (batch.length < 10 && next < EVENTS) batch.push(entry(next++));
        const response = await fetch(server.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSEvents.PutEvents' },
          body: JSON.stringify({ Entries: batch }),
        });
        const answer = await response.json();
        if (!response.ok || answer.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(answer)}`);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const accepted = performance.now() - started;
    while ((await sink.received()) < EVENTS) await sleep(20);
    const delivered = performance.now() - started;
    return { acceptedPerSecond: (EVENTS / accepted) * 1000, deliveredPerSecond: (EVENTS / delivered) * 1000 };
  } finally {
    await server.stop();
    sink.close();
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
const runs = [];
for (let run = 0; run < RUNS; run++) runs.push(await putEventsRun());
const accepted = runs.map((r) => r.acceptedPerSecond);
const delivered = runs.map((r) => r.deliveredPerSecond);
console.log(`PutEvents, ${RULES} rules with an API destination target each, ${EVENTS} events (each matching one rule) in batches of 10 from ${CLIENTS} concurrent requests, median of ${RUNS} runs:`);
console.log(`  matched and accepted (deliveries durable):  ${fmt(median(accepted))} events/s   [runs: ${accepted.map(fmt).join(', ')}]`);
console.log(`  delivered to the HTTP sink:                 ${fmt(median(delivered))} events/s   [runs: ${delivered.map(fmt).join(', ')}]`);
const delays = await scheduleDelayRun();
console.log(`Schedule delay, ${SCHEDULES} at() schedules due over ${SPREAD_S} s: p50 ${fmt(percentile(delays, 50))} ms, p99 ${fmt(percentile(delays, 99))} ms, max ${fmt(Math.max(...delays))} ms, min ${fmt(Math.min(...delays))} ms`);
