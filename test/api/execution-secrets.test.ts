// Issue 8, finding 10 ("Guessable secrets"): task tokens and an execution's random draws come
// from a secret seed drawn when the execution is created, not from its ARN. Two executions with
// the same ARN (another server, a wiped database) share nothing; a token computed from the ARN
// is refused; the seed never leaves the server; a restart on the same SQLite file hands out the
// same tokens, so tokens given out before it still work; executions stored before seeds were
// keep their ARN-derived generator and tokens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createContext, type ApiContext } from '../../src/api/context.js';
import { handleRequest } from '../../src/api/protocol.js';
import { prepareNestedExecution } from '../../src/api/operations/start-execution.js';
import type { NewExecution } from '../../src/api/runner.js';
import { keyedRandom, seededRandom } from '../../src/engine/random.js';
import { ENGINE_VERSION } from '../../src/engine/version.js';
import { DurableRunner } from '../../src/runtime/durable-runner.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/types.js';
import { ACCOUNT, ACTIVITY_PREFIX, REGION, ROLE, errorOf, harness, sleep, type Harness } from './helpers.js';

const ACTIVITY_ARN = `${ACTIVITY_PREFIX}work`;
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/q';

/**
 * A UUID drawn before the tasks, a callback task and an activity task open at the same time,
 * and a UUID drawn after them.
 */
const DEFINITION = JSON.stringify({
  StartAt: 'Before',
  States: {
    Before: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()' }, ResultPath: '$.before', Next: 'Both' },
    Both: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Callback',
          States: {
            Callback: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
              Parameters: { QueueUrl: QUEUE, MessageBody: { 'token.$': '$$.Task.Token' } },
              End: true,
            },
          },
        },
        { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: ACTIVITY_ARN, End: true } } },
      ],
      ResultPath: '$.both',
      Next: 'After',
    },
    After: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()' }, ResultPath: '$.after', End: true },
  },
});

interface Server {
  readonly ctx: ApiContext;
  readonly store: Store;
  readonly runner: DurableRunner;
  call(action: string, body?: unknown): Promise<{ status: number; body: any }>;
  ok(action: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

/** The API over the real DurableRunner and an SQLite file: what `stepwise serve --db file` assembles. */
async function sqliteServer(file: string): Promise<Server> {
  const store = await openSqliteStore(file);
  let ctx: ApiContext | undefined;
  const runner = new DurableRunner({ store, prepareChild: (request) => prepareNestedExecution(ctx!, request), region: REGION, accountId: ACCOUNT });
  await runner.resume();
  ctx = createContext({ store, runner, region: REGION, accountId: ACCOUNT, limits: { activityPollMs: 2_000 } });
  const call = async (action: string, body: unknown = {}) => {
    const response = await handleRequest(ctx!, { target: `AWSStepFunctions.${action}`, body: JSON.stringify(body) });
    return { status: response.status, body: JSON.parse(response.body) };
  };
  const ok = async (action: string, body: unknown = {}) => {
    const response = await call(action, body);
    if (response.status !== 200) throw new Error(`${action} failed: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  return { ctx, store, runner, call, ok, close: async () => { await runner.close(); await store.close(); } };
}

type Api = Pick<Server, 'ok'>;

/** Every event of an execution, once it has recorded `type`. */
async function eventsOnceRecorded(api: Api, executionArn: string, type: string): Promise<any[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { events } = await api.ok('GetExecutionHistory', { executionArn, maxResults: 1000 });
    if (events.some((e: any) => e.type === type)) return events;
    if (Date.now() > deadline) throw new Error(`${executionArn} recorded no ${type}`);
    await sleep(10);
  }
}

/** The callback task's token, as the queue consumer would read it from the message. */
async function callbackTokenOf(api: Api, executionArn: string): Promise<string> {
  const events = await eventsOnceRecorded(api, executionArn, 'TaskSubmitted');
  const scheduled = events.find((e) => e.type === 'TaskScheduled');
  return JSON.parse(scheduled.taskScheduledEventDetails.parameters).MessageBody.token;
}

/** The activity task's token, as a worker gets it. */
async function activityTokenOf(api: Api): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const task = await api.ok('GetActivityTask', { activityArn: ACTIVITY_ARN, workerName: 'worker' });
    if (task.taskToken) return task.taskToken;
  }
  throw new Error('no activity task was handed out');
}

async function settled(api: Api, executionArn: string): Promise<any> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const described = await api.ok('DescribeExecution', { executionArn });
    if (described.status !== 'RUNNING') return described;
    if (Date.now() > deadline) throw new Error(`${executionArn} is still RUNNING`);
    await sleep(10);
  }
}

/** What a client can see of one execution's secrets: its tokens and the UUIDs it drew. */
interface Drawn {
  readonly executionArn: string;
  readonly callbackToken: string;
  readonly activityToken: string;
  readonly before: string;
  readonly after: string;
}

/** Runs DEFINITION as `machine`/`name` to its end, answering both tasks. */
async function runOnce(api: Harness, machine: string, name: string): Promise<Drawn> {
  const stateMachineArn = await api.createMachine(machine, DEFINITION);
  const { executionArn } = await api.ok('StartExecution', { stateMachineArn, name });
  const callbackToken = await callbackTokenOf(api, executionArn);
  const activityToken = await activityTokenOf(api);
  await api.ok('SendTaskSuccess', { taskToken: callbackToken, output: '"called back"' });
  await api.ok('SendTaskSuccess', { taskToken: activityToken, output: '"worked"' });
  const described = await settled(api, executionArn);
  expect(described.status).toBe('SUCCEEDED');
  const output = JSON.parse(described.output);
  return { executionArn, callbackToken, activityToken, before: output.before.id, after: output.after.id };
}

/** The values the ARN-seeded generator of the old scheme gives, in draw order. */
function fromArn(executionArn: string, draws: number): string[] {
  const random = seededRandom(executionArn);
  return Array.from({ length: draws }, () => random.uuid());
}

let h: Harness | undefined;
let other: Harness | undefined;
afterEach(async () => {
  await h?.close();
  await other?.close();
  h = other = undefined;
});

const tmp = mkdtempSync(join(tmpdir(), 'stepwise-secrets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('execution secrets through the API', () => {
  it('gives two executions with the same ARN (another server, or a wiped database) unrelated tokens and UUIDs', async () => {
    h = await harness({ limits: { activityPollMs: 2_000 } });
    other = await harness({ limits: { activityPollMs: 2_000 } });
    for (const api of [h, other]) await api.ok('CreateActivity', { name: 'work' });
    const a = await runOnce(h, 'orders', 'run-1');
    const b = await runOnce(other, 'orders', 'run-1');
    expect(b.executionArn).toBe(a.executionArn);
    for (const key of ['callbackToken', 'activityToken', 'before', 'after'] as const) expect(b[key]).not.toBe(a[key]);
    // Nothing the ARN alone gives.
    const guesses = fromArn(a.executionArn, 5);
    for (const drawn of [a, b]) {
      for (const value of [drawn.callbackToken, drawn.before, drawn.after]) expect(guesses).not.toContain(value);
      expect(Buffer.from(drawn.activityToken, 'base64url').toString('latin1')).not.toContain(a.executionArn);
    }
  });

  it('gives executions of the same name in two state machines unrelated tokens and UUIDs', async () => {
    h = await harness({ limits: { activityPollMs: 2_000 } });
    await h.ok('CreateActivity', { name: 'work' });
    const a = await runOnce(h, 'first', 'same-name');
    const b = await runOnce(h, 'second', 'same-name');
    for (const key of ['callbackToken', 'activityToken', 'before', 'after'] as const) expect(b[key]).not.toBe(a[key]);
  });

  it('refuses tokens computed from the ARN, with the errors AWS gives for unknown and malformed tokens', async () => {
    h = await harness({ limits: { activityPollMs: 2_000 } });
    await h.ok('CreateActivity', { name: 'work' });
    const stateMachineArn = await h.createMachine('guess', DEFINITION);
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn, name: 'target' });
    await callbackTokenOf(h, executionArn);
    const tasks = await h.store.tasksOf(executionArn);
    const activityTask = tasks.find((t) => t.activityArn !== undefined)!;
    // The old scheme: the activity token was base64url(executionArn|taskId), callback tokens
    // the ARN-seeded generator's draws.
    const guesses = [Buffer.from(`${executionArn}|${activityTask.taskId}`).toString('base64url'), ...fromArn(executionArn, 4)];
    for (const taskToken of guesses) {
      const answer = await h.call('SendTaskSuccess', { taskToken, output: '{}' });
      expect(errorOf(answer.body)).toEqual({ type: 'TaskDoesNotExist', message: 'Task does not exist anymore' });
    }
    // A token of the new shape that was never handed out, and a malformed one.
    const unknown = Buffer.alloc(32, 7).toString('base64url');
    expect(errorOf((await h.call('SendTaskHeartbeat', { taskToken: unknown })).body).type).toBe('TaskDoesNotExist');
    expect(errorOf((await h.call('SendTaskHeartbeat', { taskToken: `${unknown}x` })).body)).toEqual({ type: 'InvalidToken', message: "Invalid Token: 'Invalid token'" });
    expect((await h.ok('DescribeExecution', { executionArn })).status).toBe('RUNNING');
  });

  it('stores a seed and the engine version with each execution, and no API answer shows the seed', async () => {
    h = await harness({ limits: { activityPollMs: 2_000 } });
    await h.ok('CreateActivity', { name: 'work' });
    const { executionArn } = await runOnce(h, 'quiet', 'e');
    const record = (await h.store.getExecution(executionArn))!;
    expect(record.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(record.engineVersion).toBe(ENGINE_VERSION);
    const answers = [
      await h.ok('DescribeExecution', { executionArn }),
      await h.ok('ListExecutions', { stateMachineArn: record.stateMachineArn }),
      await h.ok('GetExecutionHistory', { executionArn, maxResults: 1000 }),
      await h.ok('DescribeStateMachineForExecution', { executionArn }),
    ];
    for (const answer of answers) expect(JSON.stringify(answer)).not.toContain(record.seed);
  });

  it('gives a child execution started by a Task state a seed of its own', async () => {
    h = await harness();
    const childMachine = await h.createMachine('child');
    const parentMachine = await h.createMachine(
      'parent',
      JSON.stringify({
        StartAt: 'Start',
        States: { Start: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { StateMachineArn: childMachine, Input: {} }, End: true } },
      }),
    );
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: parentMachine });
    expect((await h.settled(executionArn)).status).toBe('SUCCEEDED');
    const [child] = (await h.ok('ListExecutions', { stateMachineArn: childMachine })).executions;
    const parentRecord = (await h.store.getExecution(executionArn))!;
    const childRecord = (await h.store.getExecution(child.executionArn))!;
    expect(childRecord.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(childRecord.seed).not.toBe(parentRecord.seed);
    expect(childRecord.engineVersion).toBe(ENGINE_VERSION);
  });
});

describe('execution secrets across a restart on the same SQLite file', () => {
  it('hands out the same tokens after a restart: tokens given out before it still work, and the draws go on', async () => {
    const file = join(tmp, 'restart.db');
    let server = await sqliteServer(file);
    await server.ok('CreateActivity', { name: 'work' });
    const { stateMachineArn } = await server.ok('CreateStateMachine', { name: 'durable', definition: DEFINITION, roleArn: ROLE });
    const { executionArn } = await server.ok('StartExecution', { stateMachineArn, name: 'e' });
    const callbackToken = await callbackTokenOf(server, executionArn);
    const activityToken = await activityTokenOf(server);
    await server.close();

    server = await sqliteServer(file);
    try {
      await server.ok('SendTaskSuccess', { taskToken: callbackToken, output: '"called back"' });
      await server.ok('SendTaskSuccess', { taskToken: activityToken, output: '"worked"' });
      const described = await settled(server, executionArn);
      expect(described.status).toBe('SUCCEEDED');
      const output = JSON.parse(described.output);
      // One stream from the stored seed: the UUID before, the callback token, the UUID after the restart.
      const seed = (await server.store.getExecution(executionArn))!.seed!;
      const stream = keyedRandom(seed);
      expect([output.before.id, callbackToken, output.after.id]).toEqual([stream.uuid(), stream.uuid(), stream.uuid()]);
      expect(output.both).toEqual(['called back', 'worked']);
    } finally {
      await server.close();
    }
  });

  it('ran executions stored before seeds were on their ARN-derived generator and tokens; after a restart they fail as another engine version', async () => {
    const file = join(tmp, 'old-rows.db');
    let server = await sqliteServer(file);
    await server.ok('CreateActivity', { name: 'work' });
    const { stateMachineArn } = await server.ok('CreateStateMachine', { name: 'legacy', definition: DEFINITION, roleArn: ROLE });
    // An execution as the previous release stored it: no seed, no engine version (the columns
    // migration 4 adds are NULL).
    const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:legacy:old`;
    const old = {
      arn: executionArn, stateMachineArn, name: 'old', type: 'STANDARD', input: '{}', startDate: Date.now(), definition: DEFINITION, roleArn: ROLE, redriveCount: 0,
    } as unknown as NewExecution;
    expect(await server.runner.start(old)).toBe(true);
    const callbackToken = await callbackTokenOf(server, executionArn);
    const activityToken = await activityTokenOf(server);
    const stored = (await server.store.getExecution(executionArn))!;
    expect(Object.keys(stored)).not.toContain('seed');
    expect(Object.keys(stored)).not.toContain('engineVersion');
    const [taskId] = (await server.store.tasksOf(executionArn)).filter((t) => t.activityArn !== undefined).map((t) => t.taskId);
    expect(activityToken).toBe(Buffer.from(`${executionArn}|${taskId}`).toString('base64url'));
    await server.close();

    expect(callbackToken).toBe(fromArn(executionArn, 2)[1]);
    server = await sqliteServer(file);
    try {
      // The previous release's engine (version 1) started it; this one cannot replay it faithfully.
      await expect(server.ok('SendTaskSuccess', { taskToken: callbackToken, output: '"called back"' })).rejects.toThrow(/TaskTimedOut/);
      const described = await settled(server, executionArn);
      expect(described.status).toBe('FAILED');
      expect(described.error).toBe('States.Runtime');
      expect(described.cause).toMatch(/started by engine version 1 and this server runs engine version \d+/);
    } finally {
      await server.close();
    }
  });
});
