#!/usr/bin/env node
/**
 * Console benchmark: how long the web console takes to lay out and draw a 500-state state
 * machine (Tasks with Retry/Catch, Choices, Parallels, Maps), from the definition being handed
 * to the graph until the graph is painted. The console records that time itself in
 * `window.__stepwiseLayoutMs` (web/src/graph/GraphView.tsx); this script only reads it.
 *
 * It starts `stepwise serve` (built: run `npm run build` first) on a free port with an
 * in-memory database, creates the machine, and opens its Definition tab in headless Chromium
 * (the system's Debian chromium: CHROMIUM_PATH, default /usr/bin/chromium; no browser is ever
 * downloaded). The first drawing is "cold" (fresh page: layout worker starting, JIT cold); the
 * following ones remount the graph in the same page ("warm").
 *
 *   node bench/console-layout.mjs [--states 500] [--runs 5]
 *
 * Target: under 1 s. A benchmark, not a test: it prints figures and exits 0 unless it could
 * not run.
 */
import { fileURLToPath } from 'node:url';
import { BENCH_ROLE, api, assertReady, launchChromium, median, startServer } from './console-harness.mjs';

const TARGET_MS = 1000;

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const STATES = option('states', 500);
const RUNS = option('runs', 5);

/** A definition with exactly `count` states, nested ones included. */
export function generateDefinition(count) {
  const states = {};
  let total = 2; // "Handle errors" and "Done"
  const blocks = [];
  const kinds = ['task', 'task', 'choice', 'task', 'parallel', 'task', 'map', 'task'];
  for (let i = 0; total < count; i++) {
    const kind = kinds[i % kinds.length];
    const size = { task: 1, choice: 2, parallel: 7, map: 4 }[kind];
    if (total + size > count) {
      blocks.push({ kind: 'pass', i });
      total += 1;
    } else {
      blocks.push({ kind, i });
      total += size;
    }
  }
  const firstName = (b) => ({ task: `Task ${b.i}`, choice: `Choose ${b.i}`, parallel: `Parallel ${b.i}`, map: `Map ${b.i}`, pass: `Pass ${b.i}` })[b.kind];
  const lambda = (name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
  blocks.forEach((b, index) => {
    const next = index + 1 < blocks.length ? firstName(blocks[index + 1]) : 'Done';
    const catcher = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handle errors' }];
    switch (b.kind) {
      case 'task':
        states[`Task ${b.i}`] = {
          Type: 'Task',
          Resource: lambda(`step-${b.i}`),
          Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 2 }],
          Catch: catcher,
          Next: next,
        };
        break;
      case 'pass':
        states[`Pass ${b.i}`] = { Type: 'Pass', Next: next };
        break;
      case 'choice':
        states[`Choose ${b.i}`] = {
          Type: 'Choice',
          Choices: [
            { Variable: '$.amount', NumericGreaterThan: 100, Next: `Review ${b.i}` },
            { And: [{ Variable: '$.vip', BooleanEquals: true }, { Variable: '$.country', StringEquals: 'NL' }], Next: next },
          ],
          Default: `Review ${b.i}`,
        };
        states[`Review ${b.i}`] = { Type: 'Pass', Next: next };
        break;
      case 'parallel':
        states[`Parallel ${b.i}`] = {
          Type: 'Parallel',
          Branches: [0, 1].map((k) => ({
            StartAt: `Branch ${b.i}.${k} step 1`,
            States: {
              [`Branch ${b.i}.${k} step 1`]: { Type: 'Pass', Next: `Branch ${b.i}.${k} step 2` },
              [`Branch ${b.i}.${k} step 2`]: { Type: 'Task', Resource: lambda(`branch-${k}`), Next: `Branch ${b.i}.${k} step 3` },
              [`Branch ${b.i}.${k} step 3`]: { Type: 'Pass', End: true },
            },
          })),
          Catch: catcher,
          Next: next,
        };
        break;
      case 'map':
        states[`Map ${b.i}`] = {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 10,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: `Item ${b.i} check`,
            States: {
              [`Item ${b.i} check`]: { Type: 'Choice', Choices: [{ Variable: '$.skip', BooleanEquals: true, Next: `Item ${b.i} skip` }], Default: `Item ${b.i} work` },
              [`Item ${b.i} work`]: { Type: 'Task', Resource: lambda('item'), End: true },
              [`Item ${b.i} skip`]: { Type: 'Pass', End: true },
            },
          },
          Catch: catcher,
          Next: next,
        };
        break;
    }
  });
  states['Handle errors'] = { Type: 'Fail', Error: 'Pipeline.Failed', Cause: 'A step failed' };
  states.Done = { Type: 'Succeed' };
  return { Comment: `Generated: ${count} states`, StartAt: firstName(blocks[0]), States: states };
}

async function main() {
  assertReady();
  const server = await startServer();
  const { url } = server;
  let browser;
  try {
    const definition = generateDefinition(STATES);
    const { stateMachineArn } = await api(url, 'CreateStateMachine', {
      name: `layout-bench-${STATES}`,
      definition: JSON.stringify(definition),
      roleArn: BENCH_ROLE,
    });

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const definitionTab = `${url}/#/state-machines/${encodeURIComponent(stateMachineArn)}?tab=definition`;
    const executionsTab = `${url}/#/state-machines/${encodeURIComponent(stateMachineArn)}?tab=executions`;

    const drawn = async (count) => {
      await page.waitForFunction((n) => (window.__stepwiseLayoutCount ?? 0) >= n, count, { timeout: 60_000 });
      return page.evaluate(() => ({ total: window.__stepwiseLayoutMs, ...window.__stepwiseLayoutPhases }));
    };

    await page.goto(definitionTab);
    const cold = await drawn(1);
    const nodes = await page.$$eval('[data-state]', (els) => els.length);
    const warm = [];
    for (let run = 0; run < RUNS; run++) {
      await page.goto(executionsTab);
      await page.waitForSelector('[data-testid=graph]', { state: 'detached' }).catch(() => undefined);
      await page.goto(definitionTab);
      warm.push(await drawn(run + 2));
    }
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);

    const fmt = (ms) => `${Math.round(ms)} ms`;
    const warmTotal = median(warm.map((w) => w.total));
    console.log(`Console layout benchmark: ${cold.states} states (${nodes} state nodes drawn, ${cold.engine} layout engine), headless Chromium`);
    console.log(`  cold (first drawing in a fresh page): ${fmt(cold.total)}  [build ${fmt(cold.buildMs)}, layout ${fmt(cold.layoutMs)}, draw+paint ${fmt(cold.drawMs)}]`);
    console.log(
      `  warm (median of ${RUNS}):               ${fmt(warmTotal)}  [build ${fmt(median(warm.map((w) => w.buildMs)))}, layout ${fmt(median(warm.map((w) => w.layoutMs)))}, draw+paint ${fmt(median(warm.map((w) => w.drawMs)))}]`,
    );
    console.log(`  warm runs: ${warm.map((w) => fmt(w.total)).join(', ')}`);
    console.log(`  target < ${TARGET_MS} ms: cold ${cold.total < TARGET_MS ? 'met' : 'MISSED'}, warm ${warmTotal < TARGET_MS ? 'met' : 'MISSED'}`);
  } finally {
    await browser?.close();
    server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`console-layout benchmark could not run: ${error.message}`);
    process.exit(1);
  });
}
