#!/usr/bin/env node
/**
 * Console benchmark: a 25,000-event history. It runs a Map of 3,124 iterations (Choice and two
 * Pass states each: 24,998 events, just under AWS's quota) on `stepwise serve` (built: run
 * `npm run build` first; SQLite in a temporary folder, or `--db :memory:`), then opens the
 * execution in headless Chromium and measures, from the moment the page is asked for the
 * execution (an in-app navigation, as when clicking it in a list):
 *
 * - first events: until the first row of the event history is in the page (checked at every
 *   animation frame, so a blocked main thread shows as a later figure);
 * - whole history: until the table counts all 24,998 events;
 * - while loading: the longest animation frame and the total blocking time of frames over 50 ms
 *   (what makes scrolling and typing stutter meanwhile);
 * - scroll frame rate over 3 s of mouse-wheel scrolling (one 120 px notch per 16 ms) and over
 *   3 s of large jumps (a random scrollTop before every frame, as when dragging the scrollbar),
 *   with the share of frames whose rows, at animation-frame time, did not cover the table's
 *   viewport ("blank": the user sees empty space or stale rows).
 *
 * Every figure is the median of `--runs` runs (default 5) after one warm-up run in the fresh
 * page, which is reported apart ("first"). A benchmark, not a test: it prints figures and exits
 * 0 unless it could not run.
 *
 *   node bench/console-history.mjs [--runs 5] [--db :memory:] [--items 3124] [--dist DIR]
 *
 * `--dist` measures another build (a copy of an older dist/, with node_modules beside it), to
 * compare two versions on the same machine at the same time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_ROLE, DEFAULT_DIST, api, assertReady, launchChromium, median, startServer } from './console-harness.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const RUNS = Number(option('runs', 5));
const ITEMS = Number(option('items', 3124));
const DB = option('db', undefined);
const DIST = option('dist', DEFAULT_DIST);
const SCROLL_MS = 3000;

/** 8 events per item, 6 around them: 3,124 items make 24,998 events. */
export const HISTORY_DEFINITION = {
  Comment: 'A long history for the console benchmark',
  StartAt: 'Fan out',
  States: {
    'Fan out': {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 10,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Check',
        States: {
          Check: { Type: 'Choice', Choices: [{ Variable: '$.skip', BooleanEquals: true, Next: 'Work' }], Default: 'Prepare' },
          Prepare: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'label.$': "States.Format('item {}', $.id)", 'tags.$': '$.tags' }, Next: 'Work' },
          Work: { Type: 'Pass', End: true },
        },
      },
      End: true,
    },
  },
};

async function longExecution(url) {
  const { stateMachineArn } = await api(url, 'CreateStateMachine', { name: 'history-bench', definition: JSON.stringify(HISTORY_DEFINITION), roleArn: BENCH_ROLE });
  const items = Array.from({ length: ITEMS }, (_, id) => ({ id, tags: ['bench', `group-${id % 7}`], skip: false }));
  const { executionArn } = await api(url, 'StartExecution', { stateMachineArn, name: 'long-history', input: JSON.stringify({ items }) });
  for (;;) {
    const { status, error } = await api(url, 'DescribeExecution', { executionArn });
    if (status === 'SUCCEEDED') break;
    if (status !== 'RUNNING') throw new Error(`the execution ended ${status} (${error})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  let events = 0;
  let nextToken;
  do {
    const page = await api(url, 'GetExecutionHistory', { executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
    events += page.events.length;
    nextToken = page.nextToken;
  } while (nextToken);
  return { executionArn, events };
}

/**
 * In the page: navigate to the execution and watch every animation frame for the first row and
 * for the full count; long tasks are collected meanwhile.
 */
async function measureLoad({ hash, total }) {
  // Long animation frames: a frame that took over 50 ms (its blocking part is what a user feels).
  const longFrames = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longFrames.push(entry);
  });
  observer.observe({ type: 'long-animation-frame' });
  const start = performance.now();
  location.hash = hash;
  let first;
  const all = await new Promise((resolve, reject) => {
    const frame = () => {
      const now = performance.now();
      if (first === undefined && document.querySelector('[data-testid=history-table] [data-event-id]')) first = now - start;
      if (first !== undefined && document.querySelector('[data-testid=history-count]')?.textContent === `${total} events`) return resolve(now - start);
      if (now - start > 120_000) return reject(new Error(`the history did not load in 120 s (${document.querySelector('[data-testid=history-count]')?.textContent})`));
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  // Long frames are reported after they end: give the last one a moment to arrive.
  await new Promise((r) => setTimeout(r, 100));
  observer.disconnect();
  const during = longFrames.filter((f) => f.startTime >= start && f.startTime <= start + all);
  return { first, all, longestFrame: Math.max(0, ...during.map((f) => f.duration)), blocking: during.reduce((sum, f) => sum + f.blockingDuration, 0) };
}

/** In the page: records every animation frame's time and whether the rows covered the table's viewport. */
function startFrameRecorder() {
  const body = document.querySelector('[data-testid=history-table] .history-body');
  const frames = [];
  let recording = true;
  const frame = (time) => {
    if (!recording) return;
    const view = body.getBoundingClientRect();
    const rows = body.firstElementChild;
    const firstRow = rows.firstElementChild?.getBoundingClientRect();
    const lastRow = rows.lastElementChild?.getBoundingClientRect();
    const covered = firstRow !== undefined && firstRow.top <= view.top + 1 && lastRow.bottom >= Math.min(view.bottom, rows.getBoundingClientRect().bottom) - 1;
    frames.push({ time, covered, scrollTop: body.scrollTop });
    // A jump comes from input (a scrollbar drag, a key), which the browser handles in a task
    // before the next frame, not in an animation frame callback.
    if (window.__benchJump) setTimeout(() => window.__benchJump?.(body), 0);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  window.__benchStop = () => {
    recording = false;
    window.__benchJump = undefined;
    return frames;
  };
}

function frameFigures(frames) {
  const intervals = frames.slice(1).map((f, i) => f.time - frames[i].time);
  const span = frames[frames.length - 1].time - frames[0].time;
  const sorted = [...intervals].sort((a, b) => a - b);
  return {
    fps: (intervals.length * 1000) / span,
    p95: sorted[Math.floor(sorted.length * 0.95)],
    blank: frames.filter((f) => !f.covered).length / frames.length,
    travelled: Math.abs(frames[frames.length - 1].scrollTop - frames[0].scrollTop),
  };
}

async function measureWheel(page) {
  const box = await page.locator('[data-testid=history-table] .history-body').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate(startFrameRecorder);
  const end = performance.now() + SCROLL_MS;
  for (let next = performance.now(); next < end; next += 16) {
    await page.mouse.wheel(0, 120);
    const wait = next + 16 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return frameFigures(await page.evaluate(() => window.__benchStop()));
}

async function measureJumps(page) {
  await page.evaluate(() => {
    window.__benchJump = (body) => {
      body.scrollTop = Math.random() * (body.scrollHeight - body.clientHeight);
    };
  });
  await page.evaluate(startFrameRecorder);
  await new Promise((r) => setTimeout(r, SCROLL_MS));
  return frameFigures(await page.evaluate(() => window.__benchStop()));
}

async function main() {
  assertReady(DIST);
  const temp = DB === undefined ? mkdtempSync(join(tmpdir(), 'stepwise-history-bench-')) : undefined;
  const server = await startServer(DB ?? join(temp, 'bench.sqlite'), DIST);
  let browser;
  try {
    const { executionArn, events } = await longExecution(server.url);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/#/state-machines`);
    await page.getByRole('heading', { name: 'State machines', level: 1 }).waitFor();

    const runs = [];
    for (let run = 0; run <= RUNS; run++) {
      await page.evaluate(() => (location.hash = '#/state-machines'));
      await page.locator('[data-testid=history-table]').waitFor({ state: 'detached' });
      await page.getByRole('heading', { name: 'State machines', level: 1 }).waitFor();
      const load = await page.evaluate(measureLoad, { hash: `#/executions/${encodeURIComponent(executionArn)}`, total: events });
      await page.locator('[data-testid=history-table]').scrollIntoViewIfNeeded();
      await page.evaluate(() => document.querySelector('[data-testid=history-table]').scrollIntoView({ block: 'end' }));
      const wheel = await measureWheel(page);
      const jumps = await measureJumps(page);
      runs.push({ load, wheel, jumps });
      if (wheel.travelled < 1000) throw new Error(`the wheel did not scroll the history (${wheel.travelled} px)`);
    }
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);

    const [first, ...timed] = runs;
    const ms = (v) => `${Math.round(v).toLocaleString('en-US')} ms`;
    const pct = (v) => `${(v * 100).toFixed(0)} %`;
    const med = (pick) => median(timed.map(pick));
    console.log(`Console history benchmark (${DIST}): ${events.toLocaleString('en-US')} events (${ITEMS} Map iterations), ${DB ?? 'SQLite'} store, headless Chromium; medians of ${timed.length} runs`);
    console.log(`  first events shown:     ${ms(med((r) => r.load.first))}   [runs ${timed.map((r) => ms(r.load.first)).join(', ')}; first run ${ms(first.load.first)}]`);
    console.log(`  whole history loaded:   ${ms(med((r) => r.load.all))}   [runs ${timed.map((r) => ms(r.load.all)).join(', ')}; first run ${ms(first.load.all)}]`);
    const longest = med((r) => r.load.longestFrame);
    // Long animation frames are only reported over 50 ms.
    console.log(`  while loading:          ${longest === 0 ? 'no frame over 50 ms' : `longest frame ${ms(longest)}`}, blocking ${ms(med((r) => r.load.blocking))} in all`);
    console.log(`  wheel scroll:           ${med((r) => r.wheel.fps).toFixed(1)} fps   p95 frame ${ms(med((r) => r.wheel.p95))}, blank frames ${pct(med((r) => r.wheel.blank))}`);
    console.log(`  large jumps:            ${med((r) => r.jumps.fps).toFixed(1)} fps   p95 frame ${ms(med((r) => r.jumps.p95))}, blank frames ${pct(med((r) => r.jumps.blank))}`);
  } finally {
    await browser?.close();
    server.stop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`console-history benchmark could not run: ${error.stack ?? error.message}`);
    process.exit(1);
  });
}
