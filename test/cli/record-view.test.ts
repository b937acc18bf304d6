// `stepwise run --record` and `stepwise view` (the built CLI, in child processes): a run, failed
// or not, leaves a recording whose history is the run's GetExecutionHistory; view serves it with
// the console over real HTTP; recordings that are not what they claim are refused, saying why.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRecordingError, parseRecording, type Recording } from '../../src/runtime/recording.js';
import { serveRecording } from '../../src/cli/view-command.js';
import { CLI, ROOT, assertBuilt, cleanEnv, hasStackTrace, runCli, tempDir } from '../server/serve-process.js';

const temp = tempDir('record-view');
const HELLO = join(ROOT, 'examples', 'hello-world.asl.json');

/** A Task that fails (its route throws), caught by nothing: the execution FAILS after a retry. */
const FAILING = {
  StartAt: 'Charge card',
  States: {
    'Charge card': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'charge', 'Payload.$': '$' },
      Retry: [{ ErrorEquals: ['Card.Declined'], MaxAttempts: 1, IntervalSeconds: 1 }],
      End: true,
    },
  },
};

function file(name: string, content: unknown): string {
  const path = join(temp.dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The history `--history-format jsonl` printed, with its ISO timestamps as the epoch seconds recordings hold. */
function jsonlEvents(stdout: string): unknown[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const event = JSON.parse(line) as { timestamp: string };
      return { ...event, timestamp: Date.parse(event.timestamp) / 1000 };
    });
}

interface ViewProcess {
  readonly url: string;
  readonly base: string;
  readonly child: ChildProcess;
  readonly stdout: () => string;
  /** Ctrl-C, and the exit status. */
  interrupt(): Promise<number | null>;
}

const views = new Set<ChildProcess>();

/** `stepwise view FILE` in a child process, once it prints its URL. */
function startView(recording: string, args: readonly string[] = []): Promise<ViewProcess> {
  const child = spawn(process.execPath, [CLI, 'view', recording, ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  views.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b));
  child.stderr!.on('data', (b: Buffer) => (stderr += b));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (views.delete(child), resolve(code))));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const url = /http:\/\/127\.0\.0\.1:\d+\/#\/recording\?src=recording\.json/.exec(stdout)?.[0];
      if (!url || !stdout.includes('Press Ctrl-C to stop.\n')) return;
      child.stdout!.off('data', onData);
      resolve({
        url,
        base: url.slice(0, url.indexOf('#')),
        child,
        stdout: () => stdout,
        interrupt: () => (child.kill('SIGINT'), exited),
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`stepwise view exited (${code}) before serving.\nstdout: ${stdout}\nstderr: ${stderr}`)));
  });
}

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A real HTTP request (node:http, so that the Host header can be anything). */
function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

beforeAll(() => assertBuilt());
afterAll(() => {
  for (const child of views) child.kill('SIGKILL');
  temp.remove();
});

describe('stepwise run --record', () => {
  it('records a succeeded run: the definition, the execution as DescribeExecution tells it, and its GetExecutionHistory', async () => {
    const out = join(temp.dir, 'hello.json');
    const run = await runCli(['run', HELLO, '--input', '{"IsHelloWorldExample":true}', '--wait-time-scale', '0', '--execution-name', 'hello-1', '--history-format', 'jsonl', '--record', out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`Recorded the execution in ${out} (see it with: stepwise view ${out})\n`);

    const recording = parseRecording(readFileSync(out, 'utf8'));
    expect(recording.definition).toEqual(JSON.parse(readFileSync(HELLO, 'utf8')));
    expect(recording.execution).toMatchObject({
      name: 'hello-1',
      executionArn: 'arn:aws:states:us-east-1:111111111111:execution:hello-world:hello-1',
      stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:hello-world',
      stateMachineName: 'hello-world',
      status: 'SUCCEEDED',
      input: '{"IsHelloWorldExample":true}',
    });
    expect(recording.execution.error).toBeUndefined();
    // The events are exactly the run's history as GetExecutionHistory gives it (printed as JSON lines).
    const history = jsonlEvents(run.stdout);
    expect(recording.events).toEqual(history);
    const last = recording.events.at(-1)!;
    expect(last.type).toBe('ExecutionSucceeded');
    expect(JSON.parse(recording.execution.output!)).toEqual(JSON.parse((last.executionSucceededEventDetails as { output: string }).output));
    expect(recording.execution.startDate).toBe(recording.events[0]!.timestamp);
    expect(recording.execution.stopDate).toBe(last.timestamp);
    // The file is the recording as parseRecording reads it (nothing dropped).
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(recording);
  });

  it('records a failed run too: status, error and cause, the retried task in the history; the exit status stays 1', async () => {
    const out = join(temp.dir, 'failed.json');
    const run = await runCli(['run', file('charge.asl.json', FAILING), '--input', '{"amount":12}', '--route', 'Charge card=throw:Card.Declined:insufficient funds', '--wait-time-scale', '0', '--record', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Execution FAILED\n  error: Card.Declined\n  cause: insufficient funds\n');
    expect(run.stderr).toContain(`Recorded the execution in ${out}`);

    const recording = parseRecording(readFileSync(out, 'utf8'));
    expect(recording.execution).toMatchObject({ stateMachineName: 'charge', status: 'FAILED', error: 'Card.Declined', cause: 'insufficient funds', input: '{"amount":12}' });
    expect(recording.execution.output).toBeUndefined();
    const types = recording.events.map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.filter((t) => t === 'TaskFailed')).toHaveLength(2); // the attempt and its retry
    expect(types.at(-1)).toBe('ExecutionFailed');
    expect(recording.events.at(-1)!.executionFailedEventDetails).toEqual({ error: 'Card.Declined', cause: 'insufficient funds' });
  });

  it('refuses a --record file it could not write before running anything', async () => {
    const run = await runCli(['run', HELLO, '--record', join(temp.dir, 'no-such-folder', 'out.json')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`stepwise: --record ${join(temp.dir, 'no-such-folder', 'out.json')}: the folder ${join(temp.dir, 'no-such-folder')} does not exist\n`);
    const folder = await runCli(['run', HELLO, '--record', temp.dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe(`stepwise: --record ${temp.dir} is a folder; name the file to write\n`);
  });
});

describe('stepwise view', () => {
  let recordingFile: string;
  let recording: Recording;

  beforeAll(async () => {
    recordingFile = join(temp.dir, 'view-me.json');
    const run = await runCli(['run', HELLO, '--input', '{"IsHelloWorldExample":false}', '--execution-name', 'viewed', '--record', recordingFile]);
    expect(run.code).toBe(1);
    recording = parseRecording(readFileSync(recordingFile, 'utf8'));
  });

  it('serves the console and the recording on 127.0.0.1 until Ctrl-C, with no database', async () => {
    const view = await startView(recordingFile);
    expect(view.stdout()).toBe(`Serving the recording of execution viewed (FAILED) from ${recordingFile}:\n  ${view.url}\nPress Ctrl-C to stop.\n`);

    const served = await request(`${view.base}recording.json`);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(served.body)).toEqual(recording);

    // The console: its page, the scripts it names, its settings.
    const page = await request(view.base, { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<div id="root">');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const asset = await request(`${view.base}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(JSON.parse((await request(`${view.base}console-config.json`)).body)).toEqual({ region: 'us-east-1', accountId: '111111111111', authRequired: false });

    // No API: the console's other pages are told so in the API's words.
    const api = await request(view.base, { method: 'POST', headers: { 'X-Amz-Target': 'AWSStepFunctions.ListStateMachines', 'Content-Type': 'application/x-amz-json-1.0' }, body: '{}' });
    expect(api.status).toBe(400);
    expect(JSON.parse(api.body)).toMatchObject({ __type: 'UnknownOperationException' });

    // DNS rebinding: a page on another name that resolves to 127.0.0.1 cannot read the recording.
    const rebound = await request(`${view.base}recording.json`, { headers: { Host: 'attacker.example' } });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('answers only requests addressed to 127.0.0.1 or localhost');
    expect((await request(`${view.base.replace('127.0.0.1', 'localhost')}recording.json`)).status).toBe(200);

    expect(await view.interrupt()).toBe(0);
  });

  it('listens on --port N, and says so in one line when N is taken', async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const busy = await runCli(['view', recordingFile, '--port', String(taken)]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toBe(`stepwise: port ${taken} on 127.0.0.1 is in use (pass another with --port, or --port 0 for any free one)\n`);
    await new Promise<void>((resolve) => blocker.close(() => resolve()));

    // The port just freed is free again.
    const view = await startView(recordingFile, ['--port', String(taken)]);
    expect(view.url).toBe(`http://127.0.0.1:${taken}/#/recording?src=recording.json`);
    expect((await request(`${view.base}recording.json`)).status).toBe(200);
    expect(await view.interrupt()).toBe(0);

    const bad = await runCli(['view', recordingFile, '--port', 'eighty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("stepwise: --port must be a port number from 0 to 65535, not 'eighty'\n");
  });

  it('has its own help, and wants exactly one FILE', async () => {
    const help = await runCli(['view', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: stepwise view FILE [--port N]');
    const none = await runCli(['view']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('stepwise: view needs exactly one recording FILE (got 0); see stepwise view --help\n');
    const general = await runCli(['--help']);
    expect(general.stdout).toContain('view FILE [--port N]');
    expect(general.stdout).toContain('--record OUT.json');
  });

  it('says the console is not built when its files are missing', async () => {
    const empty = tempDir('no-console');
    try {
      await expect(serveRecording(recording, { port: 0, consoleRoot: empty.dir })).rejects.toThrow(
        `the web console is not built (${join(empty.dir, 'index.html')} is missing): run npm run build in the Stepwise package, then stepwise view again`,
      );
    } finally {
      empty.remove();
    }
  });
});

describe('hostile or broken recordings', () => {
  const valid = (): Record<string, any> => ({
    stepwiseRecording: 1,
    definition: { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
    execution: {
      name: 'x',
      executionArn: 'arn:aws:states:us-east-1:111111111111:execution:m:x',
      stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:m',
      stateMachineName: 'm',
      status: 'SUCCEEDED',
      input: '{}',
      output: '{}',
      startDate: 1767225600,
      stopDate: 1767225600.5,
    },
    events: [
      { id: 1, previousEventId: 0, type: 'ExecutionStarted', timestamp: 1767225600, executionStartedEventDetails: { input: '{}', roleArn: 'arn:aws:iam::111111111111:role/r' } },
      { id: 2, previousEventId: 1, type: 'PassStateEntered', timestamp: 1767225600.1, stateEnteredEventDetails: { name: 'A', input: '{}' } },
      { id: 3, previousEventId: 2, type: 'PassStateExited', timestamp: 1767225600.2, stateExitedEventDetails: { name: 'A', output: '{}' } },
      { id: 4, previousEventId: 3, type: 'ExecutionSucceeded', timestamp: 1767225600.5, executionSucceededEventDetails: { output: '{}' } },
    ],
  });
  const changed = (change: (r: Record<string, any>) => void) => {
    const r = valid();
    change(r);
    return JSON.stringify(r);
  };

  const CASES: [string, string, string][] = [
    ['not JSON', '{"stepwiseRecording": 1,', 'the recording is not JSON: '],
    ['a definition, not a recording', JSON.stringify(valid().definition), 'this JSON is not a Stepwise recording (it has no "stepwiseRecording" field)'],
    ['a newer format', changed((r) => (r.stepwiseRecording = 2)), 'stepwiseRecording is 2: this Stepwise reads version 1 only'],
    ['no States', changed((r) => delete r.definition.States), 'definition.States must be a JSON object, not missing'],
    ['a state without Type', changed((r) => (r.definition.States.A = { End: true })), 'definition.States["A"].Type must be a state type (text)'],
    ['an unknown status', changed((r) => (r.execution.status = 'DONE')), 'execution.status must be one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE, not "DONE"'],
    ['a script for an ARN', changed((r) => (r.execution.executionArn = 'javascript:alert(1)')), 'execution.executionArn must be an ARN (arn:…), not "javascript:alert(1)"'],
    ['a number for the input', changed((r) => (r.execution.input = 42)), 'execution.input must be text, not 42'],
    ['a stop before the start', changed((r) => (r.execution.stopDate = 1)), 'execution.stopDate (1) is before execution.startDate (1767225600)'],
    ['events out of order', changed((r) => ([r.events[1], r.events[2]] = [r.events[2], r.events[1]])), 'events[1].id must be 2 (events are numbered 1, 2, 3, … in order), not 3'],
    ['no events', changed((r) => (r.events = [])), 'events is empty: a history begins with ExecutionStarted'],
    ['a history that does not start', changed((r) => (r.events = [{ ...r.events[1], id: 1, previousEventId: 0 }])), 'events[0] must be ExecutionStarted, not PassStateEntered'],
    ['markup for an event type', changed((r) => (r.events[1].type = '<img src=x onerror=alert(1)>')), 'events[1].type must be an event type such as "TaskStateEntered", not "<img src=x onerror=alert(1)>"'],
    ['a field that is not details', changed((r) => (r.events[2].onclick = 'alert(1)')), 'events[2] has a field "onclick": events have id, previousEventId, type, timestamp and <type>EventDetails'],
    ['details that are text', changed((r) => (r.events[2].stateExitedEventDetails = 'A')), 'events[2].stateExitedEventDetails must be a JSON object, not "A"'],
    ['a previous event that comes later', changed((r) => (r.events[1].previousEventId = 7)), 'events[1].previousEventId must be the id of an earlier event or 0, not 7'],
    ['a timestamp that is no date', changed((r) => (r.events[3].timestamp = 'yesterday')), 'events[3].timestamp must be a date: epoch seconds or ISO 8601 text, not "yesterday"'],
    ['a definition nested too deep', changed((r) => (r.definition.Comment = JSON.parse('['.repeat(1200) + ']'.repeat(1200)))), 'the recording nests JSON more than 1000 levels deep, which is not read'],
    ['a payload nested too deep', changed((r) => (r.events[1].stateEnteredEventDetails.input = '['.repeat(5000) + ']'.repeat(5000))), 'events[1].stateEnteredEventDetails.input nests JSON more than 1000 levels deep, which is not read'],
  ];

  it.each(CASES)('parseRecording refuses %s, naming what is wrong', (_what, text, message) => {
    let error: unknown;
    try {
      parseRecording(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidRecordingError);
    expect((error as Error).message.startsWith(message)).toBe(true);
  });

  it('keeps only what the console reads, and takes ISO 8601 dates as epoch seconds', () => {
    const recording = parseRecording(
      changed((r) => {
        r.extra = 'dropped';
        r.execution.startDate = '2026-01-01T00:00:00.000Z';
        r.events[0].timestamp = '2026-01-01T00:00:00Z';
      }),
    );
    expect(recording).not.toHaveProperty('extra');
    expect(recording.execution.startDate).toBe(1767225600);
    expect(recording.events[0]!.timestamp).toBe(1767225600);
    expect(recording.events).toEqual(valid().events);
  });

  it('stepwise view refuses them in one line, exit status 2, and serves nothing', async () => {
    for (const [, text, message] of CASES.slice(0, 8)) {
      const bad = file('bad.json', text);
      const run = await runCli(['view', bad]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.startsWith(`stepwise: ${bad} is not a recording Stepwise can show: ${message}`)).toBe(true);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(hasStackTrace(run.stderr)).toBe(false);
    }
    const missing = await runCli(['view', join(temp.dir, 'nowhere.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`stepwise: cannot read recording ${join(temp.dir, 'nowhere.json')}: no such file\n`);
    expect(existsSync(join(temp.dir, 'nowhere.json'))).toBe(false);
  });
});
