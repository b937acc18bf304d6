// Recordings in the web console (Chromium via playwright-core): a recording made by the built
// `stepwise run --record` is opened through `stepwise view` (its own little server, no API) and
// by dropping it on, or choosing it in, the console of a running `stepwise serve`. Each time the
// graph colours the states as the run went, the history lists its events, and none of it is
// asked of a Step Functions API.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { parseRecording, type Recording } from '../../src/runtime/recording.js';
import { CLI, ROOT, cleanEnv, runCli, tempDir } from '../server/serve-process.js';
import { consoleSession, describeInChromium, screenshotDir } from './browser.js';

/** Browser globals the callbacks below use in the page (the project's tsconfig has no DOM lib). */
declare class DataTransfer {
  readonly items: { add(file: File): void };
}
declare class File {
  constructor(parts: string[], name: string, options: { type: string });
}
declare const location: { readonly hash: string };

const SLOW = { timeout: 180_000 };
const UI_WAIT = 45_000;
const HELLO = join(ROOT, 'examples', 'hello-world.asl.json');
/** Hello World's states on the IsHelloWorldExample: true path; `No` (a Fail state) is off it. */
const HELLO_PATH = ['Pass', 'Hello World example?', 'Yes', 'Wait 3 sec', 'Parallel State', 'Hello', 'World', 'Hello World'];

function eventually<T>(probe: () => Promise<T> | T, message?: string) {
  return expect.poll(probe, { timeout: UI_WAIT, interval: 100, ...(message ? { message } : {}) });
}

/** The Step Functions actions the page called (X-Amz-Target of its POSTs), from now on. */
function watchApiCalls(page: Page): { readonly calls: string[]; stop(): void } {
  const calls: string[] = [];
  const onRequest = (request: Request) => {
    if (request.method() === 'POST') calls.push(request.headers()['x-amz-target'] ?? request.url());
  };
  page.on('request', onRequest);
  return { calls, stop: () => page.off('request', onRequest) };
}

const views = new Set<ChildProcess>();

/** `stepwise view FILE` in a child process; resolves to the URL it prints. */
function startView(file: string): Promise<{ url: string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'view', file], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  views.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (views.delete(child), resolve(code))));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      stdout += b;
      const url = /http:\/\/127\.0\.0\.1:\d+\/#\/recording\?src=recording\.json/.exec(stdout)?.[0];
      if (url) resolve({ url, stop: () => (child.kill('SIGINT'), exited) });
    });
    void exited.then((code) => reject(new Error(`stepwise view exited (${code}) before serving.\nstdout: ${stdout}\nstderr: ${stderr}`)));
  });
}

describeInChromium('recordings in the web console', () => {
  const session = consoleSession('recording');
  let temp: { dir: string; remove(): void } | undefined;
  let succeededFile: string;
  let failedFile: string;
  let succeeded: Recording;
  let shots: string;

  beforeAll(async () => {
    shots = screenshotDir();
    temp = tempDir('console-recording');
    succeededFile = join(temp.dir, 'hello-succeeded.json');
    failedFile = join(temp.dir, 'hello-failed.json');
    const ok = await runCli(['run', HELLO, '--input', '{"IsHelloWorldExample":true}', '--wait-time-scale', '0', '--execution-name', 'recorded-ok', '--record', succeededFile]);
    expect(ok.code, ok.stderr).toBe(0);
    const failed = await runCli(['run', HELLO, '--input', '{"IsHelloWorldExample":false}', '--execution-name', 'recorded-failed', '--record', failedFile]);
    expect(failed.code, failed.stderr).toBe(1);
    succeeded = parseRecording(readFileSync(succeededFile, 'utf8'));
  }, 60_000);

  afterAll(() => {
    for (const child of views) child.kill('SIGKILL');
    temp?.remove();
  });

  const node = (state: string) => session.page.locator(`[data-testid="graph"] [data-state="${state.replace(/["\\]/g, '\\$&')}"]`);
  const historyTypes = () => session.page.getByRole('table', { name: 'Event history' }).locator('[role="row"][data-event-type]').evaluateAll((els) => els.map((el) => el.getAttribute('data-event-type')));

  /** The recording page shows `name` with `status`, its graph laid out and `events` in the history. */
  const showsRecording = async (name: string, status: string, events: number) => {
    await session.page.getByRole('heading', { name: new RegExp(`^${name}`), level: 1 }).waitFor({ timeout: UI_WAIT });
    await eventually(() => session.page.getByTestId('execution-status').getAttribute('data-value')).toBe(status);
    await session.page.locator('[data-testid="graph"][data-laid-out="true"]').first().waitFor({ timeout: UI_WAIT });
    await eventually(() => session.page.getByTestId('history-count').textContent()).toBe(`${events} events`);
  };

  /** Drops a file on the page's main element, as a user dragging it from their file manager. */
  const dropFile = async (name: string, text: string) => {
    const dataTransfer = await session.page.evaluateHandle(
      ({ name, text }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], name, { type: 'application/json' }));
        return transfer;
      },
      { name, text },
    );
    const target = session.page.locator('main');
    await target.dispatchEvent('dragenter', { dataTransfer });
    await session.page.getByTestId('recording-drop-hint').waitFor();
    await target.dispatchEvent('dragover', { dataTransfer });
    await target.dispatchEvent('drop', { dataTransfer });
    await session.page.getByTestId('recording-drop-hint').waitFor({ state: 'detached' });
  };

  it('stepwise view opens the recording: graph, state panel and history, with no API call', SLOW, async () => {
    const view = await startView(succeededFile);
    const api = watchApiCalls(session.page);
    await session.page.goto(view.url);
    await showsRecording('recorded-ok', 'SUCCEEDED', succeeded.events.length);

    for (const state of HELLO_PATH) expect(await node(state).getAttribute('data-status'), state).toBe('succeeded');
    expect(await node('No').getAttribute('data-status')).toBe('not-reached');
    expect(await historyTypes()).toEqual(succeeded.events.map((e) => e.type));
    expect(JSON.parse((await session.page.getByLabel('Execution output').textContent())!)).toEqual(JSON.parse(succeeded.execution.output!));
    expect(await session.page.getByTestId('recording-file').textContent()).toBe('recording.json');

    // A state's runs, as on the execution page.
    await node('Wait 3 sec').click();
    const panel = session.page.getByRole('complementary', { name: 'State Wait 3 sec' });
    await panel.waitFor();
    expect(await panel.getByTestId('run-status').getAttribute('data-status')).toBe('succeeded');
    expect(JSON.parse((await panel.getByLabel('State input').textContent())!)).toEqual({ IsHelloWorldExample: true });

    expect(api.calls).toEqual([]);
    api.stop();
    await session.page.screenshot({ path: join(shots, 'recording-view.png') });
    expect(await view.stop()).toBe(0);
  });

  it('a recording dropped on any page of a running console opens, without asking the server for it', SLOW, async () => {
    await session.page.goto(`${session.server.url}/#/executions`);
    await session.page.getByRole('heading', { name: 'Executions', level: 1 }).waitFor({ timeout: UI_WAIT });
    const api = watchApiCalls(session.page);
    await dropFile('hello-failed.json', readFileSync(failedFile, 'utf8'));
    await eventually(() => session.page.evaluate(() => location.hash)).toBe('#/recording');
    const failed = parseRecording(readFileSync(failedFile, 'utf8'));
    await showsRecording('recorded-failed', 'FAILED', failed.events.length);

    expect(await node('Pass').getAttribute('data-status')).toBe('succeeded');
    expect(await node('No').getAttribute('data-status')).toBe('failed');
    expect(await node('Yes').getAttribute('data-status')).toBe('not-reached');
    expect(await historyTypes()).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ChoiceStateEntered', 'ChoiceStateExited', 'FailStateEntered', 'ExecutionFailed']);
    expect(await session.page.getByRole('note', { name: 'Execution error' }).textContent()).toContain('Not Hello World');
    expect(await session.page.getByTestId('recording-file').textContent()).toBe('hello-failed.json');
    // Whatever the executions page was still asking, nothing asked for this execution.
    expect(api.calls.filter((call) => /Execution|History/.test(call))).toEqual([]);
    api.stop();
    await session.page.screenshot({ path: join(shots, 'recording-dropped.png') });
  });

  it('"Open recording…" opens a chosen file, and a file that is not a recording says why', SLOW, async () => {
    await session.page.goto(`${session.server.url}/#/state-machines`);
    await session.page.getByRole('heading', { name: 'State machines', level: 1 }).waitFor({ timeout: UI_WAIT });
    const picker = session.page.getByTestId('open-recording-file').first();

    // A definition is not a recording: the page says so, naming what is missing.
    await picker.setInputFiles({ name: 'hello-world.asl.json', mimeType: 'application/json', buffer: readFileSync(HELLO) });
    await eventually(() => session.page.evaluate(() => location.hash)).toBe('#/recording');
    await eventually(() => session.page.getByRole('alert').textContent()).toBe(
      'hello-world.asl.json cannot be shown: this JSON is not a Stepwise recording (it has no "stepwiseRecording" field)',
    );

    await picker.setInputFiles({ name: 'hello-succeeded.json', mimeType: 'application/json', buffer: readFileSync(succeededFile) });
    await showsRecording('recorded-ok', 'SUCCEEDED', succeeded.events.length);
    expect(await session.page.getByRole('alert').count()).toBe(0);
    for (const state of HELLO_PATH) expect(await node(state).getAttribute('data-status'), state).toBe('succeeded');
    expect(await historyTypes()).toEqual(succeeded.events.map((e) => e.type));
  });
});
