// Several `stepwise serve` processes on one PostgreSQL database (issue 12, src/store/cluster.ts),
// through the AWS SDK as a user drives them: work for an execution another node owns reaches
// its owner (task answers, heartbeats, ActivityStarted, StopExecution), a task answer is accepted
// once across the nodes, and a node killed with SIGKILL has its executions finished by another
// once its lease runs out. CI creates a fresh database per run; STEPWISE_TEST_POSTGRES names the
// server, and this file creates (and drops) a database of its own on it.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  DescribeMapRunCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  UpdateMapRunCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { ROLE, assertBuilt, pollUntil, sdk, sleep, startServe, stopAll, type ServeProcess } from './serve-process.js';

const BASE = process.env.STEPWISE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const database = `stepwise_nodes_${randomBytes(4).toString('hex')}`;
/** Short, so a killed node's executions are taken over within the test's time. */
const LEASE_SECONDS = 2;
const NODE_ARGS = ['--node-lease-seconds', String(LEASE_SECONDS)] as const;
let url: string;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BASE, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`Cannot use PostgreSQL at ${BASE} (${(e as Error).message}). Start it with \`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\`, or set STEPWISE_TEST_POSTGRES.`);
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let nodeA: ServeProcess;
let nodeB: ServeProcess;
let clientA: SFNClient;
let clientB: SFNClient;
/** Every state machine the tests created, for ListExecutions on a node that joins last. */
const machines: string[] = [];

beforeAll(async () => {
  assertBuilt();
  await admin((c) => c.query(`CREATE DATABASE ${database}`));
  const parsed = new URL(BASE);
  parsed.pathname = `/${database}`;
  url = parsed.toString();
  // One after the other: the first creates the schema.
  nodeA = await startServe({ db: url, args: NODE_ARGS });
  nodeB = await startServe({ db: url, args: NODE_ARGS });
  clientA = sdk(nodeA.url);
  clientB = sdk(nodeB.url);
}, 60_000);

afterAll(async () => {
  await stopAll();
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
});

async function createMachine(client: SFNClient, name: string, definition: object): Promise<string> {
  const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name, roleArn: ROLE, definition: JSON.stringify(definition) }));
  machines.push(stateMachineArn!);
  return stateMachineArn!;
}

async function untilEnded(client: SFNClient, executionArn: string, timeoutMs = 30_000): Promise<DescribeExecutionCommandOutput> {
  return pollUntil(async () => {
    const d = await client.send(new DescribeExecutionCommand({ executionArn }));
    return d.status === 'RUNNING' ? undefined : d;
  }, `${executionArn} to end`, timeoutMs);
}

async function history(client: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

function expectDenseIds(events: readonly HistoryEvent[]): void {
  expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
}

function typesOf(events: readonly HistoryEvent[]): string[] {
  return events.map((e) => e.type!);
}

/** The node's log lines (pino JSON on stdout) with this message. */
function logLines(node: ServeProcess, msg: string): Array<Record<string, unknown>> {
  return node
    .output()
    .stdout.split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === msg);
}

/** What a failed SDK call threw (its error name), or undefined when it succeeded. */
async function failureOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (e) {
    return (e as Error).name;
  }
}

describe('stepwise serve: two nodes on one PostgreSQL database', { timeout: 60_000 }, () => {
  it('routes activity work across nodes and accepts each task answer once', async () => {
    const { activityArn } = await clientA.send(new CreateActivityCommand({ name: 'crossing' }));
    const stateMachineArn = await createMachine(clientA, 'crossing', {
      StartAt: 'Work',
      States: {
        Work: { Type: 'Task', Resource: activityArn, TimeoutSeconds: 30, Next: 'Pause' },
        Pause: { Type: 'Wait', Seconds: 1, Next: 'Done' },
        Done: { Type: 'Pass', End: true },
      },
    });
    const started = await Promise.all(
      [0, 1, 2, 3].map((n) => clientA.send(new StartExecutionCommand({ stateMachineArn, name: `crossing-${n}`, input: JSON.stringify({ n }) }))),
    );

    // The worker polls node B only; the executions are node A's.
    const tokenOf = new Map<number, string>();
    while (tokenOf.size < 4) {
      const task = await clientB.send(new GetActivityTaskCommand({ activityArn, workerName: 'worker-on-b' }), { abortSignal: AbortSignal.timeout(20_000) });
      expect(task.taskToken, 'GetActivityTask on node B returned no task').toBeTruthy();
      const { n } = JSON.parse(task.input!) as { n: number };
      expect(tokenOf.has(n), `execution ${n}'s task was handed out twice`).toBe(false);
      tokenOf.set(n, task.taskToken!);
    }

    const answerOn = (n: number) => (n < 2 ? clientB : clientA);
    await Promise.all(
      [0, 1, 2, 3].map((n) => answerOn(n).send(new SendTaskSuccessCommand({ taskToken: tokenOf.get(n)!, output: JSON.stringify({ answer: n }) }))),
    );
    // A second answer for the same token, on the node that did not take the first, is refused.
    expect(await failureOf(clientA.send(new SendTaskSuccessCommand({ taskToken: tokenOf.get(0)!, output: '{"answer":"again"}' })))).toBe('TaskTimedOut');
    expect(await failureOf(clientB.send(new SendTaskSuccessCommand({ taskToken: tokenOf.get(2)!, output: '{"answer":"again"}' })))).toBe('TaskTimedOut');

    for (const [n, { executionArn }] of started.entries()) {
      const done = await untilEnded(n % 2 === 0 ? clientA : clientB, executionArn!);
      expect(done.status, `execution ${n}: ${done.error ?? ''} ${done.cause ?? ''}`).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toEqual({ answer: n });

      const events = await history(clientB, executionArn!);
      expectDenseIds(events);
      const types = typesOf(events);
      expect(types.filter((t) => t === 'ActivityStarted'), `execution ${n}: ${types.join(', ')}`).toHaveLength(1);
      expect(types.filter((t) => t === 'ActivitySucceeded'), `execution ${n}: ${types.join(', ')}`).toHaveLength(1);
      expect(types.indexOf('ActivityScheduled')).toBeLessThan(types.indexOf('ActivityStarted'));
      expect(types.indexOf('ActivityStarted'), `execution ${n}: ${types.join(', ')}`).toBeLessThan(types.indexOf('ActivitySucceeded'));
      expect(events.find((e) => e.type === 'ActivityStarted')!.activityStartedEventDetails?.workerName).toBe('worker-on-b');
      expect(types.at(-1)).toBe('ExecutionSucceeded');
      // Either node reads the same history.
      expect(await history(clientA, executionArn!)).toEqual(events);
    }
  });

  it('stops on node B an execution node A owns', async () => {
    const stateMachineArn = await createMachine(clientA, 'stopped', {
      StartAt: 'Long',
      States: { Long: { Type: 'Wait', Seconds: 600, Next: 'Done' }, Done: { Type: 'Pass', End: true } },
    });
    const { executionArn } = await clientA.send(new StartExecutionCommand({ stateMachineArn, name: 'stopped' }));
    await pollUntil(async () => (typesOf(await history(clientA, executionArn!)).includes('WaitStateEntered') ? true : undefined), 'the Wait state to be entered');

    const { stopDate } = await clientB.send(new StopExecutionCommand({ executionArn, error: 'Stopped.OnB', cause: 'stopped on node B' }));
    expect(stopDate).toBeInstanceOf(Date);
    for (const client of [clientA, clientB]) {
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      expect(described).toMatchObject({ status: 'ABORTED', error: 'Stopped.OnB', cause: 'stopped on node B' });
      expect(described.stopDate?.getTime()).toBe(stopDate!.getTime());
    }
    const events = await history(clientB, executionArn!);
    expectDenseIds(events);
    expect(typesOf(events).at(-1)).toBe('ExecutionAborted');
  });

  it("applies on node A an UpdateMapRun sent to node B, and a .sync child's end across the nodes", async () => {
    const { activityArn } = await clientA.send(new CreateActivityCommand({ name: 'mapped' }));
    // One child at a time, each waiting for an activity task: raising MaxConcurrency on node B
    // must reach node A (the owner), which then hands out the other tasks at once.
    const stateMachineArn = await createMachine(clientA, 'mapped', {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Map',
          MaxConcurrency: 1,
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } },
          End: true,
        },
      },
    });
    const { executionArn } = await clientA.send(new StartExecutionCommand({ stateMachineArn, name: 'mapped', input: '[1, 2, 3]' }));
    const first = await clientB.send(new GetActivityTaskCommand({ activityArn, workerName: 'w' }), { abortSignal: AbortSignal.timeout(20_000) });
    expect(first.taskToken).toBeTruthy();
    const { mapRuns } = await clientB.send(new ListMapRunsCommand({ executionArn }));
    await clientB.send(new UpdateMapRunCommand({ mapRunArn: mapRuns![0]!.mapRunArn, maxConcurrency: 3 }));
    expect((await clientA.send(new DescribeMapRunCommand({ mapRunArn: mapRuns![0]!.mapRunArn }))).maxConcurrency).toBe(3);
    // The two other children start without the first having ended.
    const others = await Promise.all([1, 2].map(() => clientB.send(new GetActivityTaskCommand({ activityArn, workerName: 'w' }), { abortSignal: AbortSignal.timeout(10_000) })));
    for (const task of [first, ...others]) {
      expect(task.taskToken).toBeTruthy();
      await clientB.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: task.input! }));
    }
    const done = await untilEnded(clientA, executionArn!);
    expect(done.status, `${done.error ?? ''} ${done.cause ?? ''}`).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual([1, 2, 3]);

    // A parent started on node A waits (.sync) for a child started on node B: the child's end,
    // on node B, is routed to node A.
    const child = await createMachine(clientB, 'child', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'P' }, P: { Type: 'Pass', Result: 'from the child', End: true } } });
    const parentMachine = await createMachine(clientA, 'parent', {
      StartAt: 'Call',
      States: { Call: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: child, 'Input.$': '$' }, OutputPath: '$.Output', End: true } },
    });
    const parent = await clientA.send(new StartExecutionCommand({ stateMachineArn: parentMachine, name: 'parent' }));
    const parentDone = await untilEnded(clientB, parent.executionArn!);
    expect(parentDone.status, `${parentDone.error ?? ''} ${parentDone.cause ?? ''}`).toBe('SUCCEEDED');
    expect(parentDone.output).toBe('"from the child"');
  });

  it('takes a heartbeat on node B for a task of an execution node A owns', async () => {
    const { activityArn } = await clientA.send(new CreateActivityCommand({ name: 'beating' }));
    // A heartbeat timeout shorter than the task lasts: the execution succeeds only if the
    // heartbeats sent to node B reach node A, which owns it.
    const stateMachineArn = await createMachine(clientA, 'beating', {
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: activityArn, TimeoutSeconds: 30, HeartbeatSeconds: 2, End: true } },
    });
    const { executionArn } = await clientA.send(new StartExecutionCommand({ stateMachineArn, name: 'beating', input: '{"beat":true}' }));
    const task = await clientB.send(new GetActivityTaskCommand({ activityArn, workerName: 'beater' }), { abortSignal: AbortSignal.timeout(20_000) });
    expect(task.taskToken).toBeTruthy();

    const until = Date.now() + 4_000;
    let beats = 0;
    while (Date.now() < until) {
      const beat = await clientB.send(new SendTaskHeartbeatCommand({ taskToken: task.taskToken }));
      expect(beat.$metadata.httpStatusCode).toBe(200);
      beats += 1;
      await sleep(500);
    }
    expect(beats).toBeGreaterThanOrEqual(6);
    expect((await clientA.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    await clientB.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"beaten":true}' }));
    const done = await untilEnded(clientA, executionArn!);
    expect(done.status, `${done.error ?? ''} ${done.cause ?? ''}`).toBe('SUCCEEDED');
    expect(done.output).toBe('{"beaten":true}');
    // Once answered, the task takes no more heartbeats, on either node.
    expect(await failureOf(clientB.send(new SendTaskHeartbeatCommand({ taskToken: task.taskToken })))).toBe('TaskTimedOut');
    expect(await failureOf(clientA.send(new SendTaskHeartbeatCommand({ taskToken: task.taskToken })))).toBe('TaskTimedOut');
  });

  it("spreads a Distributed Map's child executions over both nodes", async () => {
    const stateMachineArn = await createMachine(clientA, 'spread', {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Map',
          Label: 'Spread',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Pause',
            States: { Pause: { Type: 'Wait', Seconds: 1, Next: 'Done' }, Done: { Type: 'Pass', End: true } },
          },
          End: true,
        },
      },
    });
    const items = Array.from({ length: 24 }, (_, n) => ({ n }));
    const { executionArn } = await clientA.send(new StartExecutionCommand({ stateMachineArn, name: 'spread', input: JSON.stringify(items) }));
    const done = await untilEnded(clientB, executionArn!);
    expect(done.status, `${done.error ?? ''} ${done.cause ?? ''}`).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual(items);
    const { mapRuns } = await clientB.send(new ListMapRunsCommand({ executionArn }));
    const children = (await clientB.send(new ListExecutionsCommand({ mapRunArn: mapRuns![0]!.mapRunArn }))).executions ?? [];
    expect(children).toHaveLength(24);
    // Created unowned, each child is run by the node that claims it first: both took some.
    const endedOn = (node: ServeProcess) => logLines(node, 'execution ended').filter((l) => String(l.executionArn).includes(':spread/Spread:')).length;
    expect(endedOn(nodeA) + endedOn(nodeB)).toBe(24);
    expect(endedOn(nodeA)).toBeGreaterThan(0);
    expect(endedOn(nodeB)).toBeGreaterThan(0);
  });

  it('takes over from a node cut off past its lease, which then finds its lease gone, forgets, and joins again', async () => {
    // SIGSTOP stands for a partition or a stalled process: node B keeps its connections but
    // renews nothing. Node A takes B's executions over; when B wakes up, the writes it had
    // started are refused (fenced) and it joins again under a new id.
    const stateMachineArn = await createMachine(clientB, 'partitioned', {
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', Seconds: 2, Next: 'Done' }, Done: { Type: 'Pass', Result: 'once', End: true } },
    });
    const started = await Promise.all([0, 1].map((n) => clientB.send(new StartExecutionCommand({ stateMachineArn, name: `partitioned-${n}` }))));
    for (const { executionArn } of started) {
      await pollUntil(async () => (typesOf(await history(clientA, executionArn!)).includes('WaitStateEntered') ? true : undefined), 'the Wait state to be entered');
    }
    nodeB.child.kill('SIGSTOP');
    try {
      for (const { executionArn } of started) {
        const done = await untilEnded(clientA, executionArn!, 30_000);
        expect(done.status, `${done.error ?? ''} ${done.cause ?? ''}`).toBe('SUCCEEDED');
      }
    } finally {
      nodeB.child.kill('SIGCONT');
    }
    await pollUntil(async () => (logLines(nodeB, 'the node lease ran out: rejoining the cluster').length > 0 ? true : undefined), 'node B to notice its lease ran out');
    await pollUntil(async () => (logLines(nodeB, 'joined the cluster').length >= 2 ? true : undefined), 'node B to join again');
    for (const { executionArn } of started) {
      const events = await history(clientB, executionArn!);
      expectDenseIds(events);
      expect(typesOf(events)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    }
    // Node B serves again, as a new node.
    const after = await clientB.send(new StartExecutionCommand({ stateMachineArn, name: 'after-the-partition' }));
    expect((await untilEnded(clientB, after.executionArn!)).output).toBe('"once"');
  });

  it("finishes a killed node's executions on another node once its lease runs out, and lets a third node join", async () => {
    const WAIT_SECONDS = 3;
    const stateMachineArn = await createMachine(clientA, 'orphaned', {
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', Seconds: WAIT_SECONDS, Next: 'Done' }, Done: { Type: 'Pass', End: true } },
    });
    const started = await Promise.all(
      [0, 1, 2].map((n) => clientA.send(new StartExecutionCommand({ stateMachineArn, name: `orphaned-${n}`, input: JSON.stringify({ n }) }))),
    );
    for (const { executionArn } of started) {
      await pollUntil(async () => (typesOf(await history(clientB, executionArn!)).includes('WaitStateEntered') ? true : undefined), 'the Wait state to be entered');
    }

    const killedAt = Date.now();
    expect((await nodeA.kill()).signal).toBe('SIGKILL');
    for (const [n, { executionArn }] of started.entries()) {
      const done = await untilEnded(clientB, executionArn!, 30_000);
      expect(done.status, `execution ${n}: ${done.error ?? ''} ${done.cause ?? ''}`).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toEqual({ n });
      const events = await history(clientB, executionArn!);
      expectDenseIds(events);
      // Rebuilt from its last committed decision: nothing entered twice.
      expect(typesOf(events)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    }
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThan((LEASE_SECONDS + WAIT_SECONDS + 10) * 1_000);

    // Since the kill (before it, node B also claimed Map Run children created unowned).
    const tookOver = logLines(nodeB, 'took over executions').filter((line) => Number(line.time) >= killedAt);
    expect(tookOver.length, nodeB.output().stdout).toBeGreaterThan(0);
    // Only these three were running on node A when it died.
    expect(tookOver.reduce((sum, line) => sum + Number(line.executions), 0)).toBe(3);

    // A third node joins the same database and sees every execution of every node.
    const nodeC = await startServe({ db: url, args: NODE_ARGS });
    const clientC = sdk(nodeC.url);
    await pollUntil(async () => (logLines(nodeC, 'joined the cluster').length === 1 ? true : undefined), "node C's 'joined the cluster' log line", 5_000);
    for (const machine of machines) {
      const onB = (await clientB.send(new ListExecutionsCommand({ stateMachineArn: machine }))).executions ?? [];
      const onC = (await clientC.send(new ListExecutionsCommand({ stateMachineArn: machine }))).executions ?? [];
      expect(onB.length).toBeGreaterThan(0);
      expect(onC.map((e) => [e.executionArn, e.status])).toEqual(onB.map((e) => [e.executionArn, e.status]));
    }
    const orphanedOnC = (await clientC.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? [];
    expect(orphanedOnC.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const all = await Promise.all(machines.map((m) => clientC.send(new ListExecutionsCommand({ stateMachineArn: m }))));
    // 4 routed, 1 stopped, 1 map, 1 child + 1 parent, 1 heartbeat, 1 spread, 2 partitioned + 1 after,
    // 3 taken over (a Map Run's children are listed by their Map Run, not by a state machine).
    expect(all.flatMap((page) => page.executions ?? [])).toHaveLength(4 + 1 + 1 + 2 + 1 + 1 + 3 + 3);

    expect((await nodeC.stop()).code).toBe(0);
    expect((await nodeB.stop()).code).toBe(0);
  });
});
