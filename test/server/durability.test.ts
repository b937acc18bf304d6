// Crash safety of `stepwise serve`: executions waiting on an activity and on Wait states survive
// a SIGKILL of the server and finish after a restart on the same SQLite file, with their
// histories intact. And the ways `serve` refuses to start: a one-line message, exit status 2.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DescribeActivityCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListActivitiesCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { ROLE, assertBuilt, hasStackTrace, pollUntil, runCli, sdk, startServe, stopAll, tempDir, type CliRun, type ServeProcess } from './serve-process.js';

const EXECUTIONS = 20;
/** Wait states run 20 times faster than written: a 40 s nap lasts 2 s. */
const WAIT_TIME_SCALE = '0.05';

let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  assertBuilt();
  tmp = tempDir('durability');
});

afterAll(async () => {
  await stopAll();
  tmp?.remove();
}, 30_000);

async function history(client: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** GetActivityTask with a short client-side limit, so a worker loop can check its deadline. */
async function takeTask(client: SFNClient, activityArn: string, workerName: string): Promise<{ taskToken: string; input: string } | undefined> {
  try {
    const task = await client.send(new GetActivityTaskCommand({ activityArn, workerName }), { abortSignal: AbortSignal.timeout(10_000) });
    return task.taskToken ? { taskToken: task.taskToken, input: task.input! } : undefined;
  } catch (e) {
    if ((e as Error).name === 'AbortError' || (e as Error).name === 'TimeoutError') return undefined;
    throw e;
  }
}

describe('serve survives SIGKILL', { timeout: 180_000 }, () => {
  it('finishes every execution after a restart on the same SQLite file, each activity answered once', async () => {
    const db = join(tmp.dir, 'crash', 'stepwise.db');
    let server: ServeProcess = await startServe({ db, args: ['--wait-time-scale', WAIT_TIME_SCALE] });
    let client = sdk(server.url);

    const { activityArn } = await client.send(new CreateActivityCommand({ name: 'durable-work' }));
    const definition = JSON.stringify({
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'nap.$': '$.nap' }, Next: 'Nap' },
        Nap: { Type: 'Wait', SecondsPath: '$.nap', Next: 'Work' },
        Work: { Type: 'Task', Resource: activityArn!, ResultPath: '$.work', Next: 'Rest' },
        Rest: { Type: 'Wait', Seconds: 2, Next: 'Both' },
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Pause', States: { Pause: { Type: 'Wait', Seconds: 1, Next: 'Left' }, Left: { Type: 'Pass', Result: 'left', End: true } } },
            { StartAt: 'Right', States: { Right: { Type: 'Pass', InputPath: '$.work.by', End: true } } },
          ],
          ResultPath: '$.both',
          Next: 'Finish',
        },
        Finish: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'result.$': '$.work.result', 'both.$': '$.both' }, End: true },
      },
    });
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name: 'durable', definition, roleArn: ROLE }));

    // Even ids nap 1 s (50 ms): they reach the activity at once. Odd ids nap 100 s (5 s): they
    // are inside their Wait state, a durable timer, when the server dies.
    const arns: string[] = [];
    for (let id = 0; id < EXECUTIONS; id++) {
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: `job-${id}`, input: JSON.stringify({ id, nap: id % 2 === 0 ? 1 : 100 }) }));
      arns.push(executionArn!);
    }

    // Before the crash: answer three tasks, and take two more without answering them.
    const answered = new Map<number, number>();
    const answer = async (task: { taskToken: string; input: string }, by: string) => {
      const { id } = JSON.parse(task.input) as { id: number };
      await client.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: JSON.stringify({ result: id * 10, by }) }));
      answered.set(id, (answered.get(id) ?? 0) + 1);
    };
    for (let done = 0; done < 3; ) {
      const task = await takeTask(client, activityArn!, 'before');
      if (!task) continue;
      await answer(task, 'before');
      done += 1;
    }
    const held: Array<{ taskToken: string; input: string }> = [];
    while (held.length < 2) {
      const task = await takeTask(client, activityArn!, 'holder');
      if (task) held.push(task);
    }
    const runningBefore = (await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }))).executions!.length;
    expect(runningBefore).toBeGreaterThan(EXECUTIONS / 2);
    let napping = 0;
    for (const arn of arns) if ((await history(client, arn)).at(-1)!.type === 'WaitStateEntered') napping += 1;
    expect(napping, 'executions inside a Wait state when the server is killed').toBeGreaterThan(0);

    const killed = await server.kill();
    expect(killed.signal).toBe('SIGKILL');
    client.destroy();

    server = await startServe({ db, args: ['--wait-time-scale', WAIT_TIME_SCALE] });
    client = sdk(server.url);

    // The definitions outlived the crash.
    expect((await client.send(new DescribeStateMachineCommand({ stateMachineArn }))).definition).toBe(definition);
    expect(await client.send(new DescribeActivityCommand({ activityArn }))).toMatchObject({ name: 'durable-work' });
    expect((await client.send(new ListStateMachinesCommand({}))).stateMachines!.map((m) => m.name)).toContain('durable');
    expect((await client.send(new ListActivitiesCommand({}))).activities!.map((a) => a.name)).toContain('durable-work');

    // Tasks taken before the crash are still open: their tokens still work.
    for (const task of held) await answer(task, 'holder');
    const deadline = Date.now() + 120_000;
    while (answered.size < EXECUTIONS) {
      if (Date.now() > deadline) throw new Error(`only ${answered.size} of ${EXECUTIONS} activity tasks arrived after the restart`);
      const task = await takeTask(client, activityArn!, 'after');
      if (task) await answer(task, 'after');
    }
    expect([...answered.values()].every((n) => n === 1)).toBe(true);

    for (const [id, executionArn] of arns.entries()) {
      const done = await pollUntil(async () => {
        const described = await client.send(new DescribeExecutionCommand({ executionArn }));
        return described.status === 'RUNNING' ? undefined : described;
      }, `${executionArn} to finish`, 60_000);
      expect(done.status, `${executionArn}: ${done.error} ${done.cause}`).toBe('SUCCEEDED');
      const output = JSON.parse(done.output!) as { id: number; result: number; both: [string, string] };
      expect(output.id).toBe(id);
      expect(output.result).toBe(id * 10);
      expect(output.both[0]).toBe('left');
      expect(['before', 'holder', 'after']).toContain(output.both[1]);

      const events = await history(client, executionArn);
      events.forEach((e, i) => expect([e.id, e.previousEventId], `${executionArn} event ${i}`).toEqual([i + 1, i]));
      const count = (type: string) => events.filter((e) => e.type === type).length;
      expect(count('ExecutionStarted')).toBe(1);
      expect(count('ActivityScheduled')).toBe(1);
      expect(count('ActivityStarted')).toBe(1);
      expect(count('ActivitySucceeded')).toBe(1);
      expect(count('WaitStateEntered')).toBe(3);
      expect(count('WaitStateExited')).toBe(3);
      expect(count('ExecutionSucceeded')).toBe(1);
      expect(events.at(-1)!.type).toBe('ExecutionSucceeded');
      const workerName = events.find((e) => e.type === 'ActivityStarted')!.activityStartedEventDetails!.workerName;
      expect(workerName).toBe(output.both[1]);
    }

    // A graceful restart changes nothing.
    const stopped = await server.stop();
    expect(stopped.code).toBe(0);
    client.destroy();
    server = await startServe({ db, args: ['--wait-time-scale', WAIT_TIME_SCALE] });
    client = sdk(server.url);
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 100 }));
    expect(listed.executions).toHaveLength(EXECUTIONS);
    expect(listed.executions!.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    expect((await history(client, arns[0]!)).at(-1)!.type).toBe('ExecutionSucceeded');
    const logs = server.output().stdout;
    expect(logs.split('\n').filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
    client.destroy();
    expect((await server.stop()).code).toBe(0);
  });
});

describe('serve survives SIGKILL with nested executions', { timeout: 120_000 }, () => {
  it('a parent waiting on a .sync child gets the child’s result after a restart, with no child started twice', async () => {
    const db = join(tmp.dir, 'nested', 'stepwise.db');
    let server: ServeProcess = await startServe({ db, args: ['--wait-time-scale', WAIT_TIME_SCALE] });
    let client = sdk(server.url);
    const child = JSON.stringify({
      StartAt: 'Nap',
      States: { Nap: { Type: 'Wait', SecondsPath: '$.nap', Next: 'Answer' }, Answer: { Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($.id, $.id)' }, End: true } },
    });
    const { stateMachineArn: childArn } = await client.send(new CreateStateMachineCommand({ name: 'nested-child', definition: child, roleArn: ROLE }));
    const run = (parameters: Record<string, unknown>) => ({
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: {
        StateMachineArn: childArn,
        Input: { 'id.$': '$.id', 'nap.$': '$.nap', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
        ...parameters,
      },
      OutputPath: '$.Output',
    });
    const parent = JSON.stringify({
      StartAt: 'Pick',
      States: {
        // Half the parents name their child, half let Stepwise name it (a name that must not
        // change when the task is performed again after the restart).
        Pick: { Type: 'Choice', Choices: [{ Variable: '$.named', BooleanEquals: true, Next: 'Named' }], Default: 'Unnamed' },
        Named: { ...run({ 'Name.$': "States.Format('child-{}', $.id)" }), Next: 'Finish' },
        Unnamed: { ...run({}), Next: 'Finish' },
        Finish: { Type: 'Pass', Parameters: { 'result.$': '$.doubled' }, End: true },
      },
    });
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name: 'nested-parent', definition: parent, roleArn: ROLE }));
    const parents: string[] = [];
    // Children nap 60 s (3 s at this scale): they are running when the server dies.
    for (let id = 0; id < 10; id++) {
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: `parent-${id}`, input: JSON.stringify({ id, nap: 60, named: id % 2 === 0 }) }));
      parents.push(executionArn!);
    }
    const runningChildren = await pollUntil(async () => {
      const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: childArn, statusFilter: 'RUNNING' }));
      return listed.executions!.length === 10 ? listed.executions! : undefined;
    }, 'ten running children', 10_000);
    expect(runningChildren).toHaveLength(10);

    expect((await server.kill()).signal).toBe('SIGKILL');
    client.destroy();
    server = await startServe({ db, args: ['--wait-time-scale', WAIT_TIME_SCALE] });
    client = sdk(server.url);

    for (const [id, executionArn] of parents.entries()) {
      const done = await pollUntil(async () => {
        const described = await client.send(new DescribeExecutionCommand({ executionArn }));
        return described.status === 'RUNNING' ? undefined : described;
      }, `${executionArn} to finish`, 60_000);
      expect(done.status, `${executionArn}: ${done.error} ${done.cause}`).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toEqual({ result: id * 2 });
      const events = await history(client, executionArn);
      events.forEach((e, i) => expect([e.id, e.previousEventId], `${executionArn} event ${i}`).toEqual([i + 1, i]));
      expect(events.filter((e) => e.type === 'TaskSubmitted')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'TaskSucceeded')).toHaveLength(1);
    }
    const children = (await client.send(new ListExecutionsCommand({ stateMachineArn: childArn, maxResults: 100 }))).executions!;
    expect(children).toHaveLength(10);
    expect(children.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    const startedBy = new Set<string>();
    for (const c of children) {
      const described = await client.send(new DescribeExecutionCommand({ executionArn: c.executionArn }));
      startedBy.add((JSON.parse(described.input!) as { AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: string }).AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID);
    }
    expect([...startedBy].sort()).toEqual([...parents].sort());
    client.destroy();
    expect((await server.stop()).code).toBe(0);
  });
});

describe('serve refuses to start, in one line and with exit status 2', { timeout: 60_000 }, () => {
  function expectOneLine(run: CliRun, pattern: RegExp): void {
    expect(run.code, run.stderr).toBe(2);
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.stderr.endsWith('\n')).toBe(true);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(pattern);
  }

  it('for --port abc', async () => {
    const run = await runCli(['serve', '--port', 'abc', '--db', ':memory:']);
    expect(run.stderr).toBe("stepwise: --port must be a number from 0 to 65535, not 'abc'.\n");
    expectOneLine(run, /--port/);
  });

  it('for a --db that is not an SQLite file', async () => {
    const file = join(tmp.dir, 'garbage.db');
    writeFileSync(file, 'this is not a database, just some text that SQLite will not recognise\n'.repeat(200));
    const run = await runCli(['serve', '--port', '0', '--db', file, '--log-level', 'warn']);
    expectOneLine(run, new RegExp(`^stepwise: .*${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*not an SQLite database`));
  });

  it('for a --db inside a path that is not a folder', async () => {
    const file = join(tmp.dir, 'plain-file');
    writeFileSync(file, 'x');
    const run = await runCli(['serve', '--port', '0', '--db', join(file, 'sub', 'stepwise.db'), '--log-level', 'warn']);
    expectOneLine(run, /^stepwise: Cannot create the folder for the database .*plain-file\/sub\/stepwise\.db: /);
  });

  it('for a --db in a read-only location', async () => {
    // root writes anywhere chmod allows nothing: /proc refuses new files even to root.
    let location: string;
    if (process.getuid?.() === 0) {
      location = '/proc/stepwise-test.db';
    } else {
      const dir = join(tmp.dir, 'read-only');
      mkdirSync(dir);
      chmodSync(dir, 0o555);
      location = join(dir, 'stepwise.db');
    }
    const run = await runCli(['serve', '--port', '0', '--db', location, '--log-level', 'warn']);
    expectOneLine(run, /^stepwise: Cannot (open|create the folder for) the database /);
  });

  it('for a port already in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = await runCli(['serve', '--port', String(port), '--host', '127.0.0.1', '--db', ':memory:', '--log-level', 'warn']);
      expect(run.stderr).toBe(`stepwise: Port ${port} on 127.0.0.1 is in use.\n`);
      expectOneLine(run, /in use/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
