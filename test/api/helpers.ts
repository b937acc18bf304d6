/**
 * Test helpers: the API over a MemoryStore and the real DurableRunner, a call helper, and ways
 * to wait for executions and reach their tasks the way a client would (DescribeExecution,
 * GetExecutionHistory, GetActivityTask).
 *
 * With STEPWISE_TEST_STORE=postgres (CI runs the API tests so a second time), each harness has a
 * PostgreSQL store in a schema of its own on STEPWISE_TEST_POSTGRES, and its runner joins it as
 * a node of a cluster: the same tests hold with fenced writes and answers accepted by the store.
 */
import { createContext, type ApiContext, type ContextOptions } from '../../src/api/context.js';
import { handleRequest } from '../../src/api/protocol.js';
import { prepareNestedExecution } from '../../src/api/operations/start-execution.js';
import { callSfnAction } from '../../src/api/sdk-integration.js';
import { DurableRunner, type DurableRunnerOptions } from '../../src/runtime/durable-runner.js';
import type { TaskHandler } from '../../src/runtime/memory-driver.js';
import type { MockConfigFile } from '../../src/integrations/mock-config.js';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/types.js';

const ON_POSTGRES = process.env.STEPWISE_TEST_STORE === 'postgres';
const POSTGRES = process.env.STEPWISE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];
if (ON_POSTGRES) {
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: POSTGRES });
    await admin.connect();
    for (const schema of schemas.splice(0)) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });
}

/** The harness's store: memory, or PostgreSQL with STEPWISE_TEST_STORE=postgres. */
async function testStore(): Promise<Store> {
  if (!ON_POSTGRES) return new MemoryStore();
  const schema = `stepwise_api_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  return openPostgresStore(POSTGRES, { schema, maxConnections: 4 });
}

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/stepwise`;
export const SM_PREFIX = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:`;
export const ACTIVITY_PREFIX = `arn:aws:states:${REGION}:${ACCOUNT}:activity:`;

export const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { ok: 1 }, End: true } } });
export const WAIT = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } });
export const FAIL = JSON.stringify({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Boom', Cause: 'it broke' } } });

/** One activity task whose result is the execution's output. */
export function activityDefinition(activityArn: string): string {
  return JSON.stringify({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } });
}

/**
 * A callback task (.waitForTaskToken) with no handler: it waits for SendTask* with the token it
 * was given, which a client reads from the TaskScheduled event's parameters.
 */
export const CALLBACK = JSON.stringify({
  StartAt: 'Callback',
  States: {
    Callback: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', MessageBody: { 'token.$': '$$.Task.Token' } },
      End: true,
    },
  },
});

export interface HarnessOptions extends Omit<Partial<ContextOptions>, 'store' | 'runner'> {
  readonly taskHandlers?: Record<string, TaskHandler>;
  readonly mockConfig?: MockConfigFile;
  readonly waitTimeScale?: number;
  /** Limits of the runner (EXPRESS and TestState durations, the history quota). */
  readonly runnerLimits?: Partial<Pick<DurableRunnerOptions, 'expressMaxDurationMs' | 'testStateMaxDurationMs' | 'maxHistoryEvents'>>;
}

export interface Harness {
  ctx: ApiContext;
  store: Store;
  runner: DurableRunner;
  call(action: string, body?: unknown): Promise<{ status: number; body: any; headers: Record<string, string> }>;
  ok(action: string, body?: unknown): Promise<any>;
  createMachine(name: string, definition?: string, extra?: Record<string, unknown>): Promise<string>;
  /** DescribeExecution once the execution is no longer RUNNING (polls with backoff). */
  settled(executionArn: string, timeoutMs?: number): Promise<any>;
  /** Every event of the execution (GetExecutionHistory, all pages). */
  history(executionArn: string): Promise<any[]>;
  /** The first event of that type, once the execution has recorded it (polls with backoff). */
  waitForEvent(executionArn: string, type: string, timeoutMs?: number): Promise<any>;
  /**
   * The token of the execution's open callback task, read from its TaskScheduled event, once
   * TaskSubmitted is recorded (the point where a real queue consumer could see the message).
   */
  callbackToken(executionArn: string): Promise<string>;
  close(): Promise<void>;
}

export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const { taskHandlers, mockConfig, waitTimeScale, runnerLimits, ...contextOptions } = options;
  const store = await testStore();
  let ctx: ApiContext | undefined;
  const runner = new DurableRunner({
    store,
    prepareChild: (request, parentArn) => prepareNestedExecution(ctx!, request, parentArn),
    localSdk: { services: ['sfn'], call: (_service, action, parameters, requestId, caller) => callSfnAction(ctx!, action, parameters, requestId, caller) },
    region: REGION,
    accountId: ACCOUNT,
    ...(waitTimeScale !== undefined ? { waitTimeScale } : {}),
    ...(taskHandlers ? { taskHandlers } : {}),
    ...(mockConfig ? { mockConfig } : {}),
    ...runnerLimits,
    ...(ON_POSTGRES ? { cluster: { leaseMs: 30_000, name: () => 'api-tests' } } : {}),
  });
  if (ON_POSTGRES) {
    // Tests close the runner; the store's connections go with it.
    const closeRunner = runner.close.bind(runner);
    runner.close = async () => {
      await closeRunner();
      await store.close();
    };
  }
  await runner.resume();
  ctx = createContext({ store, runner, region: REGION, accountId: ACCOUNT, ...contextOptions });
  const call = async (action: string, body: unknown = {}) => {
    const response = await handleRequest(ctx, { target: `AWSStepFunctions.${action}`, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, body: JSON.parse(response.body), headers: response.headers };
  };
  const ok = async (action: string, body: unknown = {}) => {
    const response = await call(action, body);
    if (response.status !== 200) throw new Error(`${action} failed: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const createMachine = async (name: string, definition = PASS, extra: Record<string, unknown> = {}) =>
    (await ok('CreateStateMachine', { name, definition, roleArn: ROLE, ...extra })).stateMachineArn as string;
  const settled = async (executionArn: string, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
      const described = await ok('DescribeExecution', { executionArn });
      if (described.status !== 'RUNNING') return described;
      if (Date.now() > deadline) throw new Error(`${executionArn} is still RUNNING after ${timeoutMs} ms`);
      await sleep(delay);
    }
  };
  const history = async (executionArn: string) => {
    const events: any[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ok('GetExecutionHistory', { executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
      events.push(...page.events);
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  };
  const waitForEvent = async (executionArn: string, type: string, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
      const found = (await history(executionArn)).find((e) => e.type === type);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`${executionArn} recorded no ${type} within ${timeoutMs} ms`);
      await sleep(delay);
    }
  };
  const callbackToken = async (executionArn: string) => {
    await waitForEvent(executionArn, 'TaskSubmitted');
    const scheduled = (await history(executionArn)).find((e) => e.type === 'TaskScheduled');
    return (JSON.parse(scheduled.taskScheduledEventDetails.parameters) as { MessageBody: { token: string } }).MessageBody.token;
  };
  return { ctx: ctx!, store, runner, call, ok, createMachine, settled, history, waitForEvent, callbackToken, close: () => runner.close() };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The error's short name (the SDK's view of `__type`) and message. */
export function errorOf(body: { __type: string; message?: string }): { type: string; message: string | undefined } {
  return { type: body.__type.split('#').pop()!, message: body.message };
}
