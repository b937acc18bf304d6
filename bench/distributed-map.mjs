#!/usr/bin/env node
// A Distributed Map over 100,000 items on `stepwise serve` with PostgreSQL (issue 12): the items
// are read from a local bucket (ItemReader, s3:getObject of one JSON array), batched 100 to a
// child execution (ItemBatcher: 1,000 child executions), each child passes its batch's ids on,
// and a ResultWriter writes every child's output to the bucket. The bench then reads the result
// files and checks that every item's id arrived exactly once (none missing, none twice).
//
//   node bench/distributed-map.mjs [--items 100000] [--batch 100] [--concurrency 1000] [--runs 3]
//                                  [--pg postgres://postgres@127.0.0.1:5432] [--db sqlite] [--nodes 1]
//
// Each run: a fresh database (dropped afterwards) and a fresh folder as the server's working
// directory (its unmapped buckets live under ./.stepwise/buckets there, beside the SQLite file
// with --db sqlite); the time is from
// StartExecution to the first DescribeExecution (polled every 20 ms) that is not RUNNING.
// `--db sqlite` runs the same on a SQLite file, for comparison; `--nodes 2` starts two nodes on
// the PostgreSQL database (the children, created unowned, are run by whichever node claims them).
// The children are executions of their own (engine version 5): the bench also checks that the
// result files name exactly the child executions ListExecutions lists for the Map Run.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { args, CLI, freePort, median, rawCall, require, sleep } from './common.mjs';

const pg = require('pg');

const ITEMS = Number(args.items ?? 100_000);
const BATCH = Number(args.batch ?? 100);
const CONCURRENCY = Number(args.concurrency ?? 1_000);
const RUNS = Number(args.runs ?? 3);
const PG_SERVER = String(args.pg ?? 'postgres://postgres@127.0.0.1:5432');
const ON_SQLITE = args.db === 'sqlite';
const NODES = ON_SQLITE ? 1 : Number(args.nodes ?? 1);
const ROLE = 'arn:aws:iam::111111111111:role/bench';
const BUCKET = 'bench-items';

const definition = {
  StartAt: 'Fan',
  States: {
    Fan: {
      Type: 'Map',
      Label: 'Fan',
      MaxConcurrency: CONCURRENCY,
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: BUCKET, Key: 'items.json' } },
      ItemBatcher: { MaxItemsPerBatch: BATCH },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'Ids',
        States: { Ids: { Type: 'Pass', Parameters: { 'ids.$': '$.Items[*].id' }, End: true } },
      },
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: BUCKET, Prefix: 'results' } },
      End: true,
    },
  },
};

async function admin(sql) {
  const client = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function startNode(cwd, db) {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--db', db, '--log-level', 'warn'], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
    } catch {
      /* not yet listening */
    }
    if (child.exitCode !== null || i > 6000) throw new Error(`the server did not start (exit ${child.exitCode})`);
    await sleep(10);
  }
  return { port, stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))) };
}

/** Every id the result files hold, counted, and the child executions they name. */
function idsWritten(resultsRoot) {
  const counts = new Map();
  const arns = new Set();
  let children = 0;
  const runs = readdirSync(resultsRoot);
  for (const run of runs) {
    for (const file of readdirSync(join(resultsRoot, run))) {
      if (!/^(SUCCEEDED|FAILED|PENDING)_\d+\.json$/.test(file)) continue;
      if (!file.startsWith('SUCCEEDED')) throw new Error(`a child did not succeed: ${file}`);
      for (const entry of JSON.parse(readFileSync(join(resultsRoot, run, file), 'utf8'))) {
        children++;
        arns.add(entry.ExecutionArn);
        for (const id of JSON.parse(entry.Output).ids) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
  }
  return { counts, children, arns };
}

/** Every child execution ListExecutions lists for the Map Run. */
async function listedChildren(port, agent, mapRunArn) {
  const arns = new Set();
  let nextToken;
  do {
    const page = await rawCall(port, agent, 'ListExecutions', { mapRunArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
    for (const e of page.executions) {
      if (e.status !== 'SUCCEEDED') throw new Error(`child ${e.executionArn} is ${e.status}`);
      arns.add(e.executionArn);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

async function oneRun() {
  const cwd = mkdtempSync(join(tmpdir(), 'stepwise-dmap-'));
  const database = `stepwise_bench_${randomBytes(4).toString('hex')}`;
  const db = ON_SQLITE ? join(cwd, '.stepwise', 'stepwise.db') : `${PG_SERVER}/${database}`;
  if (!ON_SQLITE) await admin(`CREATE DATABASE ${database}`);
  const bucket = join(cwd, '.stepwise', 'buckets', BUCKET);
  mkdirSync(bucket, { recursive: true });
  writeFileSync(join(bucket, 'items.json'), JSON.stringify(Array.from({ length: ITEMS }, (_, id) => ({ id }))));
  const node = await startNode(cwd, db);
  const others = [];
  for (let i = 1; i < NODES; i++) others.push(await startNode(cwd, db));
  const agent = new http.Agent({ keepAlive: true });
  try {
    const { stateMachineArn } = await rawCall(node.port, agent, 'CreateStateMachine', { name: 'fan', roleArn: ROLE, definition: JSON.stringify(definition) });
    const t0 = performance.now();
    const { executionArn } = await rawCall(node.port, agent, 'StartExecution', { stateMachineArn, input: '{}' });
    let described;
    for (;;) {
      described = await rawCall(node.port, agent, 'DescribeExecution', { executionArn });
      if (described.status !== 'RUNNING') break;
      await sleep(20);
    }
    const ms = performance.now() - t0;
    if (described.status !== 'SUCCEEDED') throw new Error(`the execution ended ${described.status}: ${described.error} ${described.cause}`);
    const { counts, children, arns } = idsWritten(join(bucket, 'results'));
    const missing = ITEMS - counts.size;
    const twice = [...counts.values()].filter((n) => n !== 1).length;
    const expectedChildren = Math.ceil(ITEMS / BATCH);
    if (missing !== 0 || twice !== 0 || children !== expectedChildren) {
      throw new Error(`results: ${counts.size} ids of ${ITEMS} (${missing} missing, ${twice} not exactly once), ${children} children of ${expectedChildren}`);
    }
    const run = await rawCall(node.port, agent, 'ListMapRuns', { executionArn });
    const mapRun = await rawCall(node.port, agent, 'DescribeMapRun', { mapRunArn: run.mapRuns[0].mapRunArn });
    const listed = await listedChildren(node.port, agent, run.mapRuns[0].mapRunArn);
    if (listed.size !== arns.size || [...arns].some((arn) => !listed.has(arn))) {
      throw new Error(`the result files name ${arns.size} child executions, ListExecutions lists ${listed.size}, and they differ`);
    }
    return { ms, children, ids: counts.size, itemCounts: mapRun.itemCounts, executionCounts: mapRun.executionCounts };
  } finally {
    agent.destroy();
    await Promise.all([node, ...others].map((n) => n.stop()));
    if (!ON_SQLITE) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    rmSync(cwd, { recursive: true, force: true });
  }
}

const results = [];
for (let i = 0; i < RUNS; i++) {
  const r = await oneRun();
  results.push(r);
  console.log(`run ${i + 1}: ${(r.ms / 1000).toFixed(2)} s, ${r.children} child executions, ${r.ids} ids each exactly once; Map Run items ${JSON.stringify(r.itemCounts)}`);
}
const times = results.map((r) => r.ms);
console.log(`\n| database | items | child executions | median time [all runs] | items/s | every id exactly once |`);
console.log(`|---|---:|---:|---:|---:|---|`);
console.log(`| ${ON_SQLITE ? 'SQLite' : `PostgreSQL, ${NODES} node${NODES > 1 ? 's' : ''}`} | ${ITEMS.toLocaleString('en-US')} | ${Math.ceil(ITEMS / BATCH).toLocaleString('en-US')} | ${(median(times) / 1000).toFixed(2)} s [${times.map((t) => (t / 1000).toFixed(2)).join(', ')}] | ${Math.round(ITEMS / (median(times) / 1000)).toLocaleString('en-US')} | yes (${RUNS} of ${RUNS} runs) |`);
