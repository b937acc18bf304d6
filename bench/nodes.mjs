#!/usr/bin/env node
// `stepwise serve` on PostgreSQL with 1 and with 2 server nodes on one database (issue 12),
// measured from outside through raw keep-alive HTTP (AWS JSON 1.0, no SDK: the client shares
// the machine's cores with PostgreSQL and the nodes, and the SDK costs several times more CPU
// per call):
//
//   1. state transitions per second: --executions concurrent Standard executions of a 100-state
//      Pass chain, started alternately on each node; total Pass states ÷ wall time from just
//      before the first StartExecution to the first poll (every --poll-ms, ListExecutions
//      RUNNING, on the nodes in turn) that finds none still running
//   2. StartExecution calls per second: --starts calls of a one-state machine, --in-flight calls
//      in flight split evenly between the nodes (each node its own keep-alive agent)
//
//   node bench/nodes.mjs [--nodes 1,2] [--runs 3] [--executions 100] [--starts 3000] [--in-flight 64]
//                        [--pg postgres://postgres@127.0.0.1:5432] [--poll-ms 10] [--timeout 120]
//
// Every run creates a fresh database (stepwise_bench_<random>) on --pg, starts the nodes on it
// one after the other (each waits for /health), waits until they are idle (their decision
// workers load after /health answers), measures, stops them and drops the database.
// The node counts alternate from run to run (1,2 then 2,1 ...), so neither always runs first on
// a noisy machine. A run counts only if every execution it started SUCCEEDED, with the expected
// output (and, for the chain, a history of exactly 2 + 2 × 100 events: an execution run twice by
// two nodes would show more); otherwise it is reported as a failure and gets no figure.
//
// The CPU each part used during the timed region is read from /proc (Linux): the machine's busy
// share, the nodes' processes (decision worker threads included), PostgreSQL's processes and
// this client, each as a percentage of one core, to tell whether the cores were saturated.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { args, CLI, freePort, median, passChain, rawCall, require, sleep } from './common.mjs';

const pg = require('pg');

const NODE_COUNTS = String(args.nodes ?? '1,2')
  .split(',')
  .map(Number);
const RUNS = Number(args.runs ?? 3);
const EXECUTIONS = Number(args.executions ?? 100);
const STATES = 100;
const STARTS = Number(args.starts ?? 3000);
const IN_FLIGHT = Number(args['in-flight'] ?? 64);
/** The server to create databases on; its path is replaced by each database's name (a `?host=/var/run/postgresql` query, a Unix socket, stays). */
const PG_SERVER = String(args.pg ?? 'postgres://postgres@127.0.0.1:5432');
const POLL_MS = Number(args['poll-ms'] ?? 10);
const TIMEOUT_MS = Number(args.timeout ?? 120) * 1000;
/** A node that has not answered /health by then is killed and counts as not started. */
const START_TIMEOUT_MS = 60_000;
const ROLE = 'arn:aws:iam::111111111111:role/bench';
const CHAIN_EVENTS = 2 + 2 * STATES; // ExecutionStarted, Entered/Exited per state, ExecutionSucceeded
if (NODE_COUNTS.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--nodes takes node counts such as 1,2 (got ${args.nodes})`);

// ---- databases ----------------------------------------------------------------------------

/** Databases created and not yet dropped, so that Ctrl-C still drops them. */
const liveDatabases = new Set();
/** Every node process running, so that Ctrl-C still stops them. */
const liveNodes = new Set();

function databaseUrl(name) {
  const url = new URL(PG_SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createDatabase() {
  const name = `stepwise_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  liveDatabases.add(name);
  return name;
}

async function dropDatabase(name) {
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  liveDatabases.delete(name);
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.once(signal, async () => {
    for (const child of liveNodes) child.kill('SIGKILL');
    for (const name of liveDatabases) await dropDatabase(name).catch((e) => console.error(`could not drop ${name}: ${e.message}`));
    process.exit(code);
  });
}

// ---- nodes --------------------------------------------------------------------------------

/** What the nodes wrote at warn level or above, or on stderr, over the whole bench. */
const serverOutput = [];

class NodeStartError extends Error {}

/**
 * Starts `stepwise serve` on the database and waits for /health. Its output (stdout carries the
 * pino log at warn level, stderr the rest) is passed through with a `[node k]` prefix and kept.
 */
async function startNode(database, index) {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--db', databaseUrl(database), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  liveNodes.add(child);
  child.once('exit', () => liveNodes.delete(child));
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (text) => {
      output += text;
      for (const line of text.split('\n').filter(Boolean)) {
        serverOutput.push(`[node ${index}] ${line}`);
        process.stderr.write(`[node ${index}] ${line}\n`);
      }
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not yet listening */
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      await new Promise((resolve) => setImmediate(resolve)); // the last chunks of its output
      throw new NodeStartError(`node ${index} exited with ${child.exitCode ?? child.signalCode} before serving:\n${output.trim() || '(no output)'}`);
    }
    // A server whose start failed can stay alive without listening (an open connection holds it).
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new NodeStartError(`node ${index} did not serve /health within ${START_TIMEOUT_MS / 1000} s (killed):\n${output.trim() || '(no output)'}`);
    }
    await sleep(5);
  }
  return {
    index,
    port,
    pid: child.pid,
    agent: new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT }),
    stop() {
      this.agent.destroy();
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        // A node that does not stop within 10 s is killed, and that is worth knowing.
        const kill = setTimeout(() => {
          serverOutput.push(`[node ${index}] did not exit within 10 s of SIGTERM; killed`);
          child.kill('SIGKILL');
        }, 10_000);
        child.once('exit', () => (clearTimeout(kill), resolve()));
        child.kill('SIGTERM');
      });
    },
  };
}

/** A fresh database with `count` nodes on it; `use` gets the nodes, and everything is undone after. */
async function withNodes(count, use) {
  const database = await createDatabase();
  const nodes = [];
  try {
    for (let i = 1; i <= count; i++) nodes.push(await startNode(database, i));
    await untilIdle(nodes);
    return await use(nodes);
  } finally {
    for (const node of nodes) await node.stop();
    await dropDatabase(database);
  }
}

/**
 * A node answers /health before its decision workers have loaded (~0.2 s of CPU each node);
 * measured at once, that start-up would count in the first node's run and, when the nodes start
 * one after the other, weigh more on the last one. So the clock starts once the nodes are idle:
 * under a tenth of a core over 200 ms (a fixed 2 s where /proc is not there), or after 10 s.
 */
async function untilIdle(nodes) {
  const cpuNow = () => nodes.reduce((sum, n) => sum + (processCpuSeconds(n.pid) ?? 0), 0);
  if (processCpuSeconds(process.pid) === undefined) return sleep(2000);
  const deadline = performance.now() + 10_000;
  let last = cpuNow();
  while (performance.now() < deadline) {
    await sleep(200);
    const now = cpuNow();
    if (now - last < 0.02) return;
    last = now;
  }
  console.log(`(the nodes were still busy 10 s after starting; measuring anyway)`);
}

const call = (node, target, body) => rawCall(node.port, node.agent, target, body);

/** Every execution of the machine, through ListExecutions pages on the given node. */
async function listAll(node, stateMachineArn, statusFilter) {
  const all = [];
  let nextToken;
  do {
    const page = await call(node, 'ListExecutions', { stateMachineArn, maxResults: 1000, ...(statusFilter ? { statusFilter } : {}), ...(nextToken ? { nextToken } : {}) });
    all.push(...page.executions);
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

/** Waits until no execution of the machine is RUNNING, asking the nodes in turn; false at the deadline. */
async function untilNoneRunning(nodes, stateMachineArn, deadline) {
  for (let poll = 0; ; poll++) {
    const { executions } = await call(nodes[poll % nodes.length], 'ListExecutions', { stateMachineArn, statusFilter: 'RUNNING', maxResults: 1 });
    if (executions.length === 0) return true;
    if (performance.now() > deadline) return false;
    await sleep(POLL_MS);
  }
}

/** Throws, naming what went wrong, unless exactly `expected` executions exist and all SUCCEEDED. */
async function checkAllSucceeded(nodes, stateMachineArn, expected) {
  const executions = await listAll(nodes[nodes.length - 1], stateMachineArn);
  const byStatus = {};
  for (const e of executions) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
  if (executions.length !== expected || byStatus.SUCCEEDED !== expected) {
    const failed = executions.find((e) => e.status !== 'SUCCEEDED');
    let cause = '';
    if (failed) {
      const d = await call(nodes[0], 'DescribeExecution', { executionArn: failed.executionArn });
      cause = `; e.g. ${failed.name}: ${d.status} ${d.error ?? ''} ${d.cause ?? ''}`.trimEnd();
    }
    throw new Error(`expected ${expected} SUCCEEDED executions, found ${JSON.stringify(byStatus)} (${executions.length} in all)${cause}`);
  }
  return executions;
}

/** Runs `worker` over items with at most `limit` at once. */
async function eachLimited(items, limit, worker) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await worker(items[next++]);
  }));
}

// ---- CPU accounting (Linux /proc; absent elsewhere) ---------------------------------------

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, all its threads, in seconds; undefined if it is gone. */
function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds of every process named `postgres`, by pid (its backends come and go). */
function postgresCpu() {
  const byPid = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const seconds = processCpuSeconds(entry);
    if (seconds !== undefined) byPid.set(entry, seconds);
  }
  return byPid;
}

function machineCpu() {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = ticks[3] + ticks[4]; // idle + iowait
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0); // guest time is already in user
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/** Starts counting; the returned function gives each part's CPU as % of one core over the interval. */
function cpuMeter(nodes) {
  try {
    const machine = machineCpu();
    const nodeCpu = nodes.map((n) => processCpuSeconds(n.pid));
    const postgres = postgresCpu();
    const client = process.cpuUsage();
    const t0 = performance.now();
    return () => {
      const seconds = (performance.now() - t0) / 1000;
      const m = machineCpu();
      let postgresSeconds = 0;
      // Backends that ended during the interval are missed; the nodes' pools keep theirs open.
      for (const [pid, now] of postgresCpu()) postgresSeconds += now - (postgres.get(pid) ?? 0);
      const pct = (s) => Math.round((100 * s) / seconds);
      const nodesSeconds = nodes.map((n, i) => (processCpuSeconds(n.pid) ?? nodeCpu[i]) - nodeCpu[i]);
      const clientSeconds = Object.values(process.cpuUsage(client)).reduce((a, b) => a + b, 0) / 1e6;
      const busySeconds = m.busy - machine.busy;
      return {
        machineBusyPct: Math.round((100 * busySeconds) / (m.total - machine.total)),
        nodesPct: nodesSeconds.map(pct),
        postgresPct: pct(postgresSeconds),
        clientPct: pct(clientSeconds),
        // Whatever else ran meanwhile (another build, tests): a run that shared the machine shows it here.
        otherPct: Math.max(0, pct(busySeconds - postgresSeconds - clientSeconds - nodesSeconds.reduce((a, b) => a + b, 0))),
      };
    };
  } catch {
    return () => undefined;
  }
}

// ---- the two workloads --------------------------------------------------------------------

async function transitionsRun(count) {
  return withNodes(count, async (nodes) => {
    const { stateMachineArn } = await call(nodes[0], 'CreateStateMachine', { name: 'chain', roleArn: ROLE, definition: JSON.stringify(passChain(STATES)) });
    const cpu = cpuMeter(nodes);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: EXECUTIONS }, (_, i) => call(nodes[i % count], 'StartExecution', { stateMachineArn, name: `e${i}`, input: '{}' })));
    const ended = await untilNoneRunning(nodes, stateMachineArn, t0 + TIMEOUT_MS);
    const seconds = (performance.now() - t0) / 1000;
    const usage = cpu();
    if (!ended) {
      const running = await listAll(nodes[0], stateMachineArn, 'RUNNING');
      throw new Error(`${running.length} of ${EXECUTIONS} executions still RUNNING after ${TIMEOUT_MS / 1000} s`);
    }
    const executions = await checkAllSucceeded(nodes, stateMachineArn, EXECUTIONS);
    // Each execution read back on the nodes in turn: its output, and a history with no event twice.
    const expectedOutput = JSON.stringify({ last: STATES - 1 });
    await eachLimited(
      executions.map((e, i) => [e.executionArn, nodes[i % count]]),
      8,
      async ([executionArn, node]) => {
        const d = await call(node, 'DescribeExecution', { executionArn });
        if (JSON.stringify(JSON.parse(d.output)) !== expectedOutput) throw new Error(`${executionArn} output ${d.output}, expected ${expectedOutput}`);
        const history = await call(node, 'GetExecutionHistory', { executionArn, maxResults: 1000 });
        if (history.events.length !== CHAIN_EVENTS || history.nextToken) throw new Error(`${executionArn} has ${history.events.length}${history.nextToken ? '+' : ''} history events, expected ${CHAIN_EVENTS}`);
      },
    );
    return { value: (EXECUTIONS * STATES) / seconds, seconds, usage, perNode: await Promise.all(nodes.map(chainTransitionsRunBy)) };
  });
}

/** The chain's transitions this node ran, from its /metrics: how the work was shared. */
async function chainTransitionsRunBy(node) {
  const text = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('stepwise_state_transitions_total{') && l.includes('state_machine="chain"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

async function startsRun(count) {
  return withNodes(count, async (nodes) => {
    const { stateMachineArn } = await call(nodes[0], 'CreateStateMachine', { name: 'one', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) });
    let next = 0;
    const cpu = cpuMeter(nodes);
    const t0 = performance.now();
    // In-flight slot k always calls node k mod count: each node has half the calls in flight.
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, slot) => {
        const node = nodes[slot % count];
        while (next < STARTS) {
          const i = next++;
          await call(node, 'StartExecution', { stateMachineArn, name: `s${i}`, input: `{"i":${i}}` });
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const usage = cpu();
    // Outside the timed region: the started executions must all end, and succeed.
    if (!(await untilNoneRunning(nodes, stateMachineArn, performance.now() + TIMEOUT_MS))) throw new Error(`executions still RUNNING ${TIMEOUT_MS / 1000} s after the last StartExecution`);
    const executions = await checkAllSucceeded(nodes, stateMachineArn, STARTS);
    const sample = executions[Math.floor(executions.length / 2)];
    const d = await call(nodes[0], 'DescribeExecution', { executionArn: sample.executionArn });
    if (d.output !== d.input) throw new Error(`${sample.executionArn}: output ${d.output}, expected its input ${d.input}`);
    return { value: STARTS / seconds, seconds, usage };
  });
}

// ---- runs, interleaved --------------------------------------------------------------------

const workloads = [
  { key: 'transitions', title: `state transitions/s (${EXECUTIONS} concurrent executions × ${STATES} Pass states)`, run: transitionsRun },
  { key: 'starts', title: `StartExecution/s (raw keep-alive HTTP, ${IN_FLIGHT} in flight, ${STARTS} calls)`, run: startsRun },
];
/** results[key][count] = [{ value, seconds, usage } | { error }] */
const results = Object.fromEntries(workloads.map((w) => [w.key, Object.fromEntries(NODE_COUNTS.map((n) => [n, []]))]));
/** Node counts whose nodes could not all start: count → the reason. */
const unavailable = new Map();

const fmt = (x) => Math.round(x).toLocaleString('en');
const describeUsage = (u) => (u ? `CPU: machine ${u.machineBusyPct}% busy; nodes ${u.nodesPct.map((p) => `${p}%`).join(' + ')}, PostgreSQL ${u.postgresPct}%, client ${u.clientPct}%, other processes ${u.otherPct}% of a core` : '');

console.log(`${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, PostgreSQL at ${decodeURI(databaseUrl('…')).replace(/\/\/[^@]*@/, '//')}`);
for (let r = 0; r < RUNS; r++) {
  const order = r % 2 === 0 ? NODE_COUNTS : [...NODE_COUNTS].reverse();
  for (const workload of workloads) {
    for (const count of order) {
      if (unavailable.has(count)) continue;
      let result;
      try {
        result = await workload.run(count);
        const shares = result.perNode && count > 1 ? ` Transitions run by each node: ${result.perNode.map(fmt).join(' + ')}.` : '';
        console.log(`run ${r + 1}, ${count} node${count > 1 ? 's' : ''}, ${workload.key}: ${fmt(result.value)}/s in ${result.seconds.toFixed(2)} s.${shares} ${describeUsage(result.usage)}`);
      } catch (e) {
        if (e instanceof NodeStartError) {
          unavailable.set(count, e.message);
          console.log(`\n${count} nodes on one database: ${e.message}\n→ no ${count}-node figures; going on without them.\n`);
          continue;
        }
        result = { error: e.message };
        console.log(`run ${r + 1}, ${count} node${count > 1 ? 's' : ''}, ${workload.key}: FAILED (no figure): ${e.message}`);
      }
      results[workload.key][count].push(result);
    }
  }
}

// ---- summary ------------------------------------------------------------------------------

function summary(runs) {
  const values = runs.filter((x) => x.error === undefined).map((x) => x.value);
  const all = runs.map((x) => (x.error === undefined ? fmt(x.value) : 'FAIL'));
  return { median: values.length ? median(values) : undefined, cell: values.length ? `${fmt(median(values))} [${all.join(', ')}]` : runs.length ? `no figure [${all.join(', ')}]` : '–' };
}

/** The CPU shares of the run whose figure is the median. */
function medianUsage(runs) {
  const ok = runs.filter((x) => x.error === undefined);
  if (!ok.length || !ok[0].usage) return '–';
  const m = median(ok.map((x) => x.value));
  const u = ok.find((x) => x.value === m).usage;
  return `${u.machineBusyPct}% (nodes ${u.nodesPct.join('+')}, PG ${u.postgresPct}, client ${u.clientPct}, other ${u.otherPct})`;
}

console.log('\n| nodes | state transitions/s, median [runs] | StartExecution/s, median [runs] | machine CPU busy, transitions (% of a core: nodes, PG, client, other) | the same, StartExecution |');
console.log('|---|---:|---:|---|---|');
for (const count of NODE_COUNTS) {
  if (unavailable.has(count)) {
    console.log(`| ${count} | did not start | did not start | – | – |`);
    continue;
  }
  const t = summary(results.transitions[count]);
  const s = summary(results.starts[count]);
  console.log(`| ${count} | ${t.cell} | ${s.cell} | ${medianUsage(results.transitions[count])} | ${medianUsage(results.starts[count])} |`);
}
if (NODE_COUNTS.includes(1)) {
  for (const count of NODE_COUNTS.filter((n) => n > 1 && !unavailable.has(n))) {
    const ratio = (key) => {
      const one = summary(results[key][1]).median;
      const many = summary(results[key][count]).median;
      return one && many ? `${(many / one).toFixed(2)}×` : '–';
    };
    console.log(`| ${count} ÷ 1 | ${ratio('transitions')} | ${ratio('starts')} | | |`);
  }
}
for (const [count, reason] of unavailable) console.log(`\n${count} nodes: ${reason.replace(/\s*\n\s*/g, ' ')}`);
if (serverOutput.length) {
  console.log(`\nThe nodes wrote ${serverOutput.length} line(s) at warn level or above (or on stderr); the first ones:`);
  for (const line of serverOutput.slice(0, 10)) console.log(`  ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
}
