// The task-latency metric remembers when each task was scheduled until its result arrives. A
// task that never ends normally (its execution stopped, timed out or failed around it) has no
// result: the server in process, over a real SQLite file, driven by @aws-sdk/client-sfn.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetActivityTaskCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../src/server/config.js';
import { MAX_TASKS_IN_FLIGHT, ServerMetrics } from '../../src/server/metrics.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

const ROLE = 'arn:aws:iam::111111111111:role/metrics-tests';
const dir = mkdtempSync(join(tmpdir(), 'stepwise-metrics-'));
let server: RunningServer;
let client: SFNClient;
let activityArn: string;

beforeAll(async () => {
  server = await startServer(parseServeArgs(['--port', '0', '--db', join(dir, 'stepwise.db')], {}), pino({ level: 'silent' }));
  client = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  activityArn = (await client.send(new CreateActivityCommand({ name: 'nobody-works-here' }))).activityArn!;
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function machine(name: string, definition: object): Promise<string> {
  return (await client.send(new CreateStateMachineCommand({ name, roleArn: ROLE, definition: JSON.stringify(definition) }))).stateMachineArn!;
}

async function ended(executionArn: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const { status } = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (status !== 'RUNNING') return status!;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${executionArn} still RUNNING`);
}

async function latencyCount(): Promise<number> {
  const { body } = await server.metrics.render();
  return Number(/^stepwise_task_duration_seconds_count (\d+)/m.exec(body)?.[1] ?? NaN);
}

describe('task latency bookkeeping', () => {
  it('forgets the task of an execution that is stopped while the task waits', async () => {
    const arn = await machine('stopped', { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } });
    const before = server.metrics.tasksInFlight;
    const runs = await Promise.all([1, 2, 3].map(() => client.send(new StartExecutionCommand({ stateMachineArn: arn }))));
    await expect.poll(() => server.metrics.tasksInFlight).toBe(before + 3);
    for (const run of runs) await client.send(new StopExecutionCommand({ executionArn: run.executionArn!, error: 'Enough' }));
    for (const run of runs) expect(await ended(run.executionArn!)).toBe('ABORTED');
    expect(server.metrics.tasksInFlight).toBe(before);
  });

  it('forgets the task of an execution that times out, and of one a failed Parallel branch ends', async () => {
    const slow = await machine('times-out', { TimeoutSeconds: 1, StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } });
    const branchy = await machine('fails-beside', {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          End: true,
          Branches: [
            { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } },
            { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Boom' } } },
          ],
        },
      },
    });
    const before = server.metrics.tasksInFlight;
    const a = await client.send(new StartExecutionCommand({ stateMachineArn: slow }));
    const b = await client.send(new StartExecutionCommand({ stateMachineArn: branchy }));
    expect(await ended(a.executionArn!)).toBe('TIMED_OUT');
    expect(await ended(b.executionArn!)).toBe('FAILED');
    expect(server.metrics.tasksInFlight).toBe(before);
  });

  it('still measures a task that ends with its result', async () => {
    const arn = await machine('answered', { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } });
    const count = await latencyCount();
    const run = await client.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const task = await client.send(new GetActivityTaskCommand({ activityArn, workerName: 'w' }));
    await client.send(new SendTaskSuccessCommand({ taskToken: task.taskToken!, output: '{}' }));
    expect(await ended(run.executionArn!)).toBe('SUCCEEDED');
    expect(await latencyCount()).toBe(count + 1);
    expect(server.metrics.tasksInFlight).toBe(0);
  });
});

describe('ServerMetrics', () => {
  it('keeps at most MAX_TASKS_IN_FLIGHT tasks however many never end', () => {
    const metrics = new ServerMetrics();
    for (let i = 0; i < MAX_TASKS_IN_FLIGHT + 1000; i++) {
      metrics.decision(`arn:e${i}`, [{ id: 5, previousEventId: 4, timestamp: i, type: 'TaskScheduled', frame: '' }], 'RUNNING');
    }
    expect(metrics.tasksInFlight).toBe(MAX_TASKS_IN_FLIGHT);
    // One execution alone is bounded too (a Map's iterations are frames of their own).
    const one = new ServerMetrics();
    for (let i = 0; i < MAX_TASKS_IN_FLIGHT + 1000; i++) {
      one.decision('arn:big', [{ id: i + 2, previousEventId: i + 1, timestamp: i, type: 'ActivityScheduled', frame: `/Map#${i}` }], 'RUNNING');
    }
    expect(one.tasksInFlight).toBeLessThanOrEqual(MAX_TASKS_IN_FLIGHT);
  });
});
