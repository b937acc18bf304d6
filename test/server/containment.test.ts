/**
 * Containment, end to end: hostile but valid state machines run on a real `stepwise serve`
 * (a child process with a bounded heap) while a second client keeps calling the API. Each
 * hostile execution must end FAILED with AWS's error, the probe must be answered within a
 * second throughout, memory must stay bounded, and after a SIGKILL the server must serve again
 * at once without running the poison again.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ROLE, assertBuilt, sdk as client, startServe, stopAll, type ServeProcess } from './serve-process.js';

const neverTrue = { Variable: '$.never', IsPresent: true, Next: 'Done' };
const loopStates = { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Choice', Choices: [neverTrue], Default: 'A' }, Done: { Type: 'Succeed' } };

/** Each hostile machine, its input, and the error AWS ends it with. */
const HOSTILE: Record<string, { definition: object; input?: unknown; error: RegExp; cause?: RegExp }> = {
  passLoop: { definition: { StartAt: 'A', States: loopStates }, error: /^States\.Runtime$/, cause: /maximum number of history events \(25000\)/ },
  largePayloadLoop: { definition: { StartAt: 'A', States: loopStates }, input: { blob: 'x'.repeat(200_000) }, error: /^States\.Runtime$/ },
  distributedChildLoop: {
    definition: { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'A', States: loopStates }, End: true } } },
    input: [1, 2],
    error: /^States\.ExceedToleratedFailureThreshold$/,
  },
  // A JSONata evaluation slower than the decision budget (2 s here) but within JSONata's own
  // timeout: only the watchdog can stop it.
  slowJsonata: {
    definition: { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% $count($filter([1..9000000], function($v) { $v % 7 = 0 })) %}', End: true } } },
    error: /^States\.(Runtime|QueryEvaluationError)$/,
  },
  nativeJsonata: {
    definition: { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% $string([1..10000000]) %}', End: true } } },
    error: /^States\.(QueryEvaluationError|Runtime|DataLimitExceeded)$/,
  },
  catastrophicRegex: {
    definition: { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Output: "{% $match('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab', /^(a|a)*$/) %}", End: true } } },
    error: /.*/, // AWS's JSONata answers at once (no match); what matters is that it ends quickly
  },
  selfStarting: {
    definition: {
      StartAt: 'Again',
      States: {
        Again: {
          Type: 'Parallel',
          Branches: [0, 1].map((i) => ({
            StartAt: `Start${i}`,
            States: { [`Start${i}`]: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { 'StateMachineArn.$': '$$.StateMachine.Id', 'Input.$': '$' }, End: true } },
          })),
          End: true,
        },
      },
    },
    error: /.*/, // succeeds at the top; the flood is what must stop (checked below)
  },
};

const ONE_STATE = { StartAt: 'Only', States: { Only: { Type: 'Pass', Result: { ok: true }, End: true } } };

let dir: string;
let server: ServeProcess;
let sfn: SFNClient;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function create(name: string, definition: object): Promise<string> {
  const made = await sfn.send(new CreateStateMachineCommand({ name: `${name}-${Date.now()}`, definition: JSON.stringify(definition), roleArn: ROLE }));
  return made.stateMachineArn!;
}

const serveArgs = ['--decision-timeout', '2', '--worker-memory-mb', '256'];

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'stepwise-containment-'));
  server = await startServe({ db: join(dir, 'stepwise.db'), args: serveArgs, nodeArgs: ['--max-old-space-size=1024'] });
  sfn = client(server.url);
});

afterAll(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile executions on a real server', () => {
  const started: Record<string, string> = {};

  test('each ends with AWS error within seconds while a second client is answered within a second', async () => {
    const machines: Record<string, string> = {};
    for (const [name, { definition }] of Object.entries(HOSTILE)) machines[name] = await create(name, definition);
    const simple = await create('simple', ONE_STATE);

    // The probe: a second client that lists, starts a one-state execution and reads it back.
    let slowest = 0;
    let probes = 0;
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const t0 = performance.now();
        await sfn.send(new ListStateMachinesCommand({}));
        const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: simple }));
        let status = 'RUNNING';
        for (let i = 0; status === 'RUNNING' && i < 40; i++) {
          status = (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status!;
          if (status === 'RUNNING') await new Promise((r) => setTimeout(r, 25));
        }
        expect(status).toBe('SUCCEEDED');
        slowest = Math.max(slowest, performance.now() - t0);
        probes++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const t0 = performance.now();
    for (const [name, { input }] of Object.entries(HOSTILE)) {
      const s = performance.now();
      started[name] = (await sfn.send(new StartExecutionCommand({ stateMachineArn: machines[name], input: JSON.stringify(input ?? {}) }))).executionArn!;
      expect(performance.now() - s, `StartExecution of ${name}`).toBeLessThan(1000);
    }
    let maxRss = 0;
    const ended: Record<string, { status: string; error?: string; cause?: string; seconds: number }> = {};
    while (Object.keys(ended).length < Object.keys(HOSTILE).length && performance.now() - t0 < 60_000) {
      for (const [name, arn] of Object.entries(started)) {
        if (ended[name]) continue;
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
        if (d.status !== 'RUNNING') ended[name] = { status: d.status!, ...(d.error ? { error: d.error } : {}), ...(d.cause ? { cause: d.cause } : {}), seconds: (performance.now() - t0) / 1000 };
      }
      maxRss = Math.max(maxRss, rssMb(server.child.pid!));
      await new Promise((r) => setTimeout(r, 200));
    }
    probing = false;
    await probe;

    for (const [name, spec] of Object.entries(HOSTILE)) {
      const end = ended[name];
      expect(end, `${name} did not end within 60 s`).toBeDefined();
      if (name === 'catastrophicRegex' || name === 'selfStarting') continue;
      expect(end!.status, `${name}: ${JSON.stringify(end)}`).toBe('FAILED');
      expect(end!.error, name).toMatch(spec.error);
      if (spec.cause) expect(end!.cause, name).toMatch(spec.cause);
      expect(end!.seconds, `${name} took too long`).toBeLessThan(45);
    }
    expect(probes).toBeGreaterThan(5);
    expect(slowest, 'the slowest probe round trip (ms)').toBeLessThan(1000);
    expect(maxRss, 'the server RSS (MB)').toBeLessThan(1536);
  }, 120_000);

  test('after SIGKILL the server serves again within 5 s, and what ended stays ended', async () => {
    await server.kill();
    const t0 = performance.now();
    server = await startServe({ db: join(dir, 'stepwise.db'), args: serveArgs, nodeArgs: ['--max-old-space-size=1024'] });
    sfn = client(server.url);
    await sfn.send(new ListStateMachinesCommand({}));
    expect(performance.now() - t0).toBeLessThan(5000);
    for (const [name, arn] of Object.entries(started)) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      if (name !== 'selfStarting') expect(d.status, name).not.toBe('RUNNING');
    }
  }, 60_000);
});

describe('quarantine', () => {
  test('an execution whose decision was in progress at two crashes in a row is failed, not run a third time', async () => {
    const db = join(dir, 'quarantine.db');
    // Slices and caps set far off: the loop's first decision runs until the process is killed.
    const unbounded = ['--decision-slice-ms', '600000', '--decision-max-events', '1000000000', '--max-history-events', '1000000000', '--decision-timeout', '600'];
    let crashing = await startServe({ db, args: unbounded });
    let api = client(crashing.url);
    const machine = (await api.send(new CreateStateMachineCommand({ name: 'crash-loop', definition: JSON.stringify({ StartAt: 'A', States: loopStates }), roleArn: ROLE }))).stateMachineArn!;
    const { executionArn } = await api.send(new StartExecutionCommand({ stateMachineArn: machine }));
    for (let crash = 1; crash <= 2; crash++) {
      await new Promise((r) => setTimeout(r, 800)); // long enough for the decision to be marked
      expect((await api.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
      await crashing.kill();
      // The restart runs it again (once), and the process dies again during it.
      if (crash === 1) {
        crashing = await startServe({ db, args: unbounded });
        api = client(crashing.url);
      }
    }
    const healthy = await startServe({ db });
    api = client(healthy.url);
    const described = await api.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('States.Runtime');
    expect(described.cause).toMatch(/in progress when the server stopped, 2 times in a row/);
    await healthy.stop();
  }, 60_000);
});
