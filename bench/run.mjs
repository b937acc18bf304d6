#!/usr/bin/env node
// Stepwise vs aws-local-stepfunctions on the workloads of ./workloads.mjs (see README.md).
//
//   node bench/run.mjs [--runs 5] [--warmup 1] [--only a,b] [--engines stepwise,aws-local-stepfunctions]
//                      [--timeout 300] [--json FILE] [--markdown] [--reuse-definition]
//
// Each (engine, workload) pair gets its own child process (own heap), both children live at
// once, and runs alternate A,B,B,A,… so neither engine always runs first on a noisy machine.
// A timed run is: build the engine's machine from a fresh copy of the definition (validation
// included, as a user pays it) + the execution(s). Copying the input and the definition and
// checking the output happen outside the timed region; a GC is forced before each run.
// --reuse-definition passes the same definition object to every run instead, which lets an
// engine that caches per definition object (Stepwise validates and compiles once) amortise it.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { difference, workloads } from './workloads.mjs';

const SELF = fileURLToPath(import.meta.url);
const STEPWISE = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const ENGINES = ['stepwise', 'aws-local-stepfunctions'];

function parseArgs(argv) {
  const a = { runs: 5, warmup: 1, timeout: 300, engines: ENGINES, markdown: false, reuseDefinition: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    if (k === '--runs') a.runs = Number(v());
    else if (k === '--warmup') a.warmup = Number(v());
    else if (k === '--only') a.only = v().split(',');
    else if (k === '--engines') a.engines = v().split(',');
    else if (k === '--timeout') a.timeout = Number(v());
    else if (k === '--json') a.json = v();
    else if (k === '--markdown') a.markdown = true;
    else if (k === '--reuse-definition') a.reuseDefinition = true;
    else if (k === '--child') a.child = true;
    else throw new Error(`unknown option ${k} (options: --runs --warmup --only --engines --timeout --json --markdown --reuse-definition)`);
  }
  for (const e of a.engines) if (!ENGINES.includes(e)) throw new Error(`unknown engine ${e} (engines: ${ENGINES.join(', ')})`);
  return a;
}

// ---------------------------------------------------------------- engines (child side)
// prepare(definition) → { run(input) → { status, output, error, cause } }
async function loadEngine(name) {
  if (name === 'stepwise') {
    if (!existsSync(STEPWISE)) throw new Error(`${STEPWISE} is missing: run npm run build first (npm run bench does)`);
    const { execute } = await import(pathToFileURL(STEPWISE).href);
    return {
      prepare: (definition) => ({ run: (input) => execute(definition, input) }),
    };
  }
  // aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks.
  Promise.withResolvers ??= function withResolvers() {
    let resolve, reject;
    const promise = new this((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };
  process.on('unhandledRejection', () => {}); // it can leave a rejected promise behind after a failed run
  const { StateMachine } = await import('aws-local-stepfunctions');
  return {
    prepare(definition) {
      const machine = new StateMachine(definition); // validates, as users get it by default
      return {
        async run(input) {
          try {
            return { status: 'SUCCEEDED', output: await machine.run(input).result };
          } catch (e) {
            return { status: 'FAILED', error: e?.cause?.name ?? e?.name, cause: e?.cause?.message ?? e?.message };
          }
        },
      };
    },
  };
}

async function child() {
  let engine;
  let workload;
  process.on('message', async (msg) => {
    try {
      if (msg.cmd === 'init') {
        workload = workloads({ sha256 }).find((w) => w.name === msg.workload);
        engine = await loadEngine(msg.engine);
        process.send({ ok: true });
      } else if (msg.cmd === 'run') {
        process.send(await timedRun(engine, workload, msg.reuseDefinition));
      }
    } catch (e) {
      process.send({ ok: false, reason: `${e?.name}: ${oneLine(e?.message)}` });
    }
  });
}

async function timedRun(engine, w, reuseDefinition) {
  const count = w.executions ?? 1;
  const batch = w.batch ?? 1;
  const definition = reuseDefinition ? w.definition : structuredClone(w.definition);
  const inputs = Array.from({ length: count }, () => w.input());
  globalThis.gc?.();
  let results;
  const t0 = performance.now();
  try {
    const machine = engine.prepare(definition);
    results = [];
    for (let i = 0; i < count; i += batch) {
      results.push(...(await Promise.all(inputs.slice(i, i + batch).map((input) => machine.run(input)))));
    }
  } catch (e) {
    return { ok: false, reason: `threw ${e?.name}: ${oneLine(e?.message)}` };
  }
  const ms = performance.now() - t0;
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    const which = count > 1 ? ` (execution ${i})` : '';
    if (r.status !== 'SUCCEEDED') return { ok: false, ms, reason: `status ${r.status}${which}: ${r.error} ${oneLine(r.cause)}` };
    const d = difference(r.output, w.expected);
    if (d) return { ok: false, ms, reason: `wrong output${which}: ${d}` };
  }
  return { ok: true, ms, rssMiB: process.memoryUsage().rss / 1048576 };
}

// ---------------------------------------------------------------- parent
class Child {
  constructor(engine, workload, timeoutMs) {
    this.proc = fork(SELF, ['--child'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.timeoutMs = timeoutMs;
    this.dead = null;
    this.proc.on('exit', (code, signal) => {
      this.dead = `child exited (${signal ?? code})`;
      this.pending?.({ ok: false, reason: this.dead });
    });
    this.init = { cmd: 'init', engine, workload };
  }
  request(msg) {
    if (this.dead) return Promise.resolve({ ok: false, reason: this.dead });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.kill();
        resolve({ ok: false, reason: `timeout (> ${this.timeoutMs / 1000} s)` });
      }, this.timeoutMs);
      this.pending = (m) => {
        clearTimeout(timer);
        this.pending = null;
        resolve(m);
      };
      this.proc.once('message', (m) => this.pending?.(m));
      this.proc.send(msg);
    });
  }
  kill() {
    if (!this.dead) {
      this.dead = 'killed';
      this.proc.kill('SIGKILL');
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const geomean = (xs) => {
  const v = xs.filter((x) => x > 0 && Number.isFinite(x));
  return v.length ? Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length) : NaN;
};
const fmt = (x, digits = 0) =>
  x == null || !Number.isFinite(x) ? '-' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (x) => fmt(x, x < 10 ? 2 : 1);
function oneLine(s) {
  s = String(s ?? '').replace(/\s+/g, ' ').trim();
  return s.length > 240 ? `${s.slice(0, 237)}...` : s;
}

async function parent(args) {
  const all = workloads({ sha256 });
  const selected = args.only ? all.filter((w) => args.only.includes(w.name)) : all;
  if (selected.length === 0) throw new Error(`no workload selected (workloads: ${all.map((w) => w.name).join(', ')})`);
  console.log(
    `# node ${process.version}, ${args.engines.join(' vs ')}, ${args.warmup} warm-up + ${args.runs} timed runs per workload, ` +
      `one child process per engine and workload, runs alternating A,B,B,A, ${args.reuseDefinition ? 'same definition object every run' : 'fresh definition copy every run'}`,
  );
  const rows = [];
  for (const w of selected) {
    const slots = args.engines.map((engine) => ({ engine, child: new Child(engine, w.name, args.timeout * 1000), times: [], error: null, rss: 0 }));
    for (const s of slots) {
      const r = await s.child.request(s.child.init);
      if (!r.ok) s.error = r.reason;
    }
    for (let i = 0; i < args.warmup + args.runs; i++) {
      for (const s of i % 2 ? [...slots].reverse() : slots) {
        if (s.error) continue;
        const r = await s.child.request({ cmd: 'run', reuseDefinition: args.reuseDefinition });
        if (!r.ok) {
          s.error = r.reason;
          continue;
        }
        if (i >= args.warmup) s.times.push(r.ms);
        s.rss = Math.max(s.rss, r.rssMiB);
      }
    }
    const row = { workload: w.name, transitions: w.transitions, engines: {} };
    for (const s of slots) {
      s.child.kill();
      const med = s.times.length && !s.error ? median(s.times) : null;
      const result = {
        medianMs: med,
        minMs: med === null ? null : Math.min(...s.times),
        maxMs: med === null ? null : Math.max(...s.times),
        runs: s.times.length,
        transitionsPerSec: med ? w.transitions / (med / 1000) : null,
        rssMiB: s.rss || null,
        error: s.error,
      };
      row.engines[s.engine] = result;
      console.log(
        `${w.name.padEnd(22)} ${s.engine.padEnd(24)} ` +
          (s.error
            ? `FAIL ${s.error}`
            : `median ${ms(med).padStart(9)} ms  [${ms(result.minMs)}..${ms(result.maxMs)}]  ${fmt(result.transitionsPerSec).padStart(11)} transitions/s  rss ${fmt(result.rssMiB)} MiB`),
      );
    }
    const [a, b] = args.engines.map((e) => row.engines[e]);
    if (b) {
      row.ratio = a.medianMs && b.medianMs ? b.medianMs / a.medianMs : null;
      console.log(`${w.name.padEnd(22)} ratio ${args.engines[1]}/${args.engines[0]} (median ms) = ${row.ratio ? fmt(row.ratio, 2) : '-'}`);
    }
    rows.push(row);
  }

  const summary = args.engines.map((e) => {
    const ok = rows.filter((r) => !r.engines[e].error);
    const failed = rows.filter((r) => r.engines[e].error).map((r) => r.workload);
    return `${e} ok ${ok.length}/${rows.length}, geomean ${fmt(geomean(ok.map((r) => r.engines[e].transitionsPerSec)))} transitions/s${failed.length ? ` (failed: ${failed.join(', ')})` : ''}`;
  });
  const ratios = rows.map((r) => r.ratio).filter((x) => x);
  if (args.engines.length === 2) summary.push(`geomean ratio ${args.engines[1]}/${args.engines[0]} = ${fmt(geomean(ratios), 2)} over ${ratios.length} workloads both engines pass`);
  if (args.markdown) printMarkdown(rows, args.engines);
  if (args.json) writeFileSync(args.json, JSON.stringify({ node: process.version, engines: args.engines, runs: args.runs, warmup: args.warmup, rows }, null, 1) + '\n');
  console.log(`SUMMARY ${summary.join(' | ')}`);
}

function printMarkdown(rows, engines) {
  const [a, b] = engines;
  const head = ['workload', 'transitions', ...engines.flatMap((e) => [`${e} median ms [min..max]`, `${e} transitions/s`]), ...(b ? [`${b} / ${a}`] : [])];
  console.log(`\n| ${head.join(' | ')} |\n|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const r of rows) {
    const cells = engines.flatMap((e) => {
      const x = r.engines[e];
      return x.error ? ['FAIL', '–'] : [`${ms(x.medianMs)} [${ms(x.minMs)}..${ms(x.maxMs)}]`, fmt(x.transitionsPerSec)];
    });
    console.log(`| ${[r.workload, fmt(r.transitions), ...cells, ...(b ? [r.ratio ? `${fmt(r.ratio, 1)}×` : '–'] : [])].join(' | ')} |`);
  }
  console.log('');
}

const args = parseArgs(process.argv.slice(2));
if (args.child) child();
else
  parent(args).catch((e) => {
    console.error(e?.stack ?? e);
    process.exitCode = 1;
  });
