// `stepwise serve` end to end: the built server in a child process, over a real SQLite file,
// driven by the real @aws-sdk/client-sfn as an application would drive AWS Step Functions.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateActivityCommand,
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachineAliasesCommand,
  ListStateMachineVersionsCommand,
  ListTagsForResourceCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  TagResourceCommand,
  TaskTimedOut,
  UntagResourceCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionStatus,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { ACCOUNT, REGION, ROLE, assertBuilt, pollUntil, sdk, startServe, stopAll, tempDir, type ServeProcess } from './serve-process.js';

const SM_PREFIX = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:`;
/** Wait states run 50 times faster than written. */
const WAIT_TIME_SCALE = '0.02';
const SLOW = { timeout: 90_000 };

/** Hello World-like: Pass, Choice, Wait, Parallel, Succeed and Fail. */
const HELLO = JSON.stringify({
  Comment: 'Hello World-like',
  StartAt: 'Greet',
  States: {
    Greet: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('Hello, {}!', $.name)", 'mood.$': '$.mood' }, Next: 'Mood' },
    Mood: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.mood', StringEquals: 'happy', Next: 'Pause' },
        { Variable: '$.mood', StringEquals: 'grumpy', Next: 'Grumble' },
      ],
      Default: 'Done',
    },
    Pause: { Type: 'Wait', Seconds: 2, Next: 'Both' },
    Both: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Pass', Result: 'left', End: true } } },
        { StartAt: 'Right', States: { Right: { Type: 'Pass', InputPath: '$.greeting', End: true } } },
      ],
      ResultPath: '$.both',
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
    Grumble: { Type: 'Fail', Error: 'Grumpy', Cause: 'not in the mood' },
  },
});

/** Waits as long as its input says (a long wait keeps an execution RUNNING). */
const SLEEPER = JSON.stringify({ StartAt: 'Sleep', States: { Sleep: { Type: 'Wait', SecondsPath: '$.seconds', End: true } } });

const CALLBACK = JSON.stringify({
  StartAt: 'Ask',
  States: {
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: { QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/approvals`, MessageBody: { 'token.$': '$$.Task.Token', 'order.$': '$.order' } },
      End: true,
    },
  },
});

const CHARGE = JSON.stringify({
  StartAt: 'Charge',
  States: {
    Charge: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'charge', 'Payload.$': '$' },
      ResultSelector: { 'charged.$': '$.Payload.charged' },
      End: true,
    },
  },
});

/** Step Functions Local's MockConfigFile for the `charge` machine. */
const MOCK_CONFIG = {
  StateMachines: {
    charge: {
      TestCases: {
        HappyPath: { Charge: 'ChargeOk' },
        FailOnce: { Charge: 'ChargeFailsThenOk' },
      },
    },
  },
  MockedResponses: {
    ChargeOk: { '0': { Return: { StatusCode: 200, Payload: { charged: 42 } } } },
    ChargeFailsThenOk: {
      '0': { Throw: { Error: 'Lambda.ServiceException', Cause: 'the card service is down' } },
      '1': { Return: { StatusCode: 200, Payload: { charged: 7 } } },
    },
  },
};

let tmp: ReturnType<typeof tempDir>;
let server: ServeProcess;
let client: SFNClient;

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('serve');
  const mockFile = join(tmp.dir, 'mocks.json');
  writeFileSync(mockFile, JSON.stringify(MOCK_CONFIG));
  server = await startServe({ db: join(tmp.dir, 'data', 'stepwise.db'), args: ['--wait-time-scale', WAIT_TIME_SCALE], env: { SFN_MOCK_CONFIG: mockFile } });
  client = sdk(server.url);
}, 60_000);

afterAll(async () => {
  client?.destroy();
  const logs = server?.output();
  const ended = await server?.stop();
  await stopAll();
  tmp?.remove();
  // A graceful stop on SIGTERM: exit status 0.
  if (ended) expect(ended.code).toBe(0);
  // Nothing went wrong inside the server (pino level 50 is error, 60 fatal).
  if (logs) expect(logs.stdout.split('\n').filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
}, 30_000);

async function createMachine(name: string, definition: string, extra: Partial<ConstructorParameters<typeof CreateStateMachineCommand>[0]> = {}) {
  return client.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE, ...extra }));
}

/** DescribeExecution once the execution has left `status` (RUNNING by default). */
async function finished(executionArn: string, status: ExecutionStatus = 'RUNNING'): Promise<DescribeExecutionCommandOutput> {
  return pollUntil(async () => {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    return described.status === status ? undefined : described;
  }, `${executionArn} to leave ${status}`);
}

async function history(executionArn: string, extra: { maxResults?: number; reverseOrder?: boolean; includeExecutionData?: boolean } = {}): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, nextToken, ...extra }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

async function waitForEvent(executionArn: string, type: string): Promise<HistoryEvent> {
  return pollUntil(async () => (await history(executionArn)).find((e) => e.type === type), `${type} in ${executionArn}`);
}

describe('serve: state machines and executions', SLOW, () => {
  it('answers GET /health', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('runs a Hello World-like machine (Pass, Choice, Wait, Parallel, Succeed, Fail)', async () => {
    const machine = await createMachine('hello', HELLO);
    expect(machine.stateMachineArn).toBe(`${SM_PREFIX}hello`);
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: machine.stateMachineArn }));
    expect(described).toMatchObject({ name: 'hello', status: 'ACTIVE', type: 'STANDARD', definition: HELLO, roleArn: ROLE });

    const happy = await client.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: 'happy', input: '{"name":"Ada","mood":"happy"}' }));
    const grumpy = await client.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: 'grumpy', input: '{"name":"Bob","mood":"grumpy"}' }));
    expect(happy.executionArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:hello:happy`);
    expect(happy.startDate).toBeInstanceOf(Date);

    const done = await finished(happy.executionArn!);
    expect(done).toMatchObject({ status: 'SUCCEEDED', name: 'happy', stateMachineArn: machine.stateMachineArn, input: '{"name":"Ada","mood":"happy"}' });
    expect(JSON.parse(done.output!)).toEqual({ greeting: 'Hello, Ada!', mood: 'happy', both: ['left', 'Hello, Ada!'] });
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate!.getTime());

    const failed = await finished(grumpy.executionArn!);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Grumpy', cause: 'not in the mood' });
    expect(failed.output).toBeUndefined();
  });

  it('pages the history forwards and backwards, with and without execution data', async () => {
    const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:hello:happy`;
    await finished(executionArn);
    const all = (await client.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
    const types = all.map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect([...types].sort()).toEqual(
      [
        'ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ChoiceStateEntered', 'ChoiceStateExited', 'WaitStateEntered', 'WaitStateExited',
        'ParallelStateEntered', 'ParallelStateStarted', 'PassStateEntered', 'PassStateExited', 'PassStateEntered', 'PassStateExited', 'ParallelStateExited',
        'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded',
      ].sort(),
    );
    all.forEach((e, i) => expect([e.id, e.previousEventId]).toEqual([i + 1, i]));
    expect(all[0]!.executionStartedEventDetails).toEqual({ input: '{"name":"Ada","mood":"happy"}', inputDetails: { truncated: false }, roleArn: ROLE });
    expect(all[0]!.timestamp).toBeInstanceOf(Date);

    const first = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 5 }));
    expect(first.events!.map((e) => e.id)).toEqual([1, 2, 3, 4, 5]);
    expect(first.nextToken).toEqual(expect.any(String));
    const paged = await history(executionArn, { maxResults: 5 });
    expect(paged.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(paged).toEqual(all);

    const reversed = await history(executionArn, { maxResults: 4, reverseOrder: true });
    expect(reversed.map((e) => e.id)).toEqual(all.map((e) => e.id).reverse());

    const bare = await history(executionArn, { includeExecutionData: false });
    expect(bare[0]!.executionStartedEventDetails).toEqual({ roleArn: ROLE });
    expect(bare.at(-1)!.executionSucceededEventDetails).toEqual({});
    expect(bare.find((e) => e.type === 'PassStateEntered')!.stateEnteredEventDetails).toEqual({ name: 'Greet' });
  });

  it('lists executions with filters and pages, and stops a running one', async () => {
    const { stateMachineArn } = await createMachine('lister', SLEEPER);
    const starts: Array<[string, number]> = [['quick-1', 0], ['slow-1', 3600], ['quick-2', 0], ['slow-2', 3600], ['quick-3', 0]];
    for (const [name, seconds] of starts) await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ seconds }) }));
    for (const name of ['quick-1', 'quick-2', 'quick-3']) await finished(`arn:aws:states:${REGION}:${ACCOUNT}:execution:lister:${name}`);

    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken }));
      expect(page.executions!.length).toBeLessThanOrEqual(2);
      names.push(...page.executions!.map((e) => e.name!));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);
    expect(pages).toBe(3);
    expect([...names].sort()).toEqual(['quick-1', 'quick-2', 'quick-3', 'slow-1', 'slow-2']);

    const running = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
    expect(running.executions!.map((e) => e.name).sort()).toEqual(['slow-1', 'slow-2']);
    const succeeded = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED' }));
    expect(succeeded.executions!.map((e) => e.name).sort()).toEqual(['quick-1', 'quick-2', 'quick-3']);

    const slow = `arn:aws:states:${REGION}:${ACCOUNT}:execution:lister:slow-1`;
    const stopped = await client.send(new StopExecutionCommand({ executionArn: slow, error: 'Operator', cause: 'stopped by the test' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(await client.send(new DescribeExecutionCommand({ executionArn: slow }))).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'stopped by the test', stopDate: stopped.stopDate });
    expect((await history(slow)).map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);
    const aborted = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'ABORTED' }));
    expect(aborted.executions!.map((e) => e.name)).toEqual(['slow-1']);
    await client.send(new StopExecutionCommand({ executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:lister:slow-2` }));
  });

  it('starts executions idempotently: same name and input, same execution; other input, ExecutionAlreadyExists', async () => {
    const { stateMachineArn } = await createMachine('idempotent', SLEEPER);
    const input = '{"seconds":3600}';
    const first = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input }));
    const again = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    const refused = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input: '{"seconds":1}' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ExecutionAlreadyExists);
    expect((refused as Error).message).toBe(`Execution Already Exists: '${first.executionArn}'`);
    expect((await client.send(new ListExecutionsCommand({ stateMachineArn }))).executions).toHaveLength(1);
    await client.send(new StopExecutionCommand({ executionArn: first.executionArn }));
  });
});

describe('serve: activities and task tokens', SLOW, () => {
  it('serves an activity worker: GetActivityTask, SendTaskHeartbeat, SendTaskSuccess (once)', async () => {
    const { activityArn } = await client.send(new CreateActivityCommand({ name: 'doubler' }));
    const definition = JSON.stringify({
      StartAt: 'Double',
      States: { Double: { Type: 'Task', Resource: activityArn, HeartbeatSeconds: 60, TimeoutSeconds: 300, End: true } },
    });
    const { stateMachineArn } = await createMachine('doubling', definition);
    const executions = [];
    for (const n of [1, 2, 3]) executions.push((await client.send(new StartExecutionCommand({ stateMachineArn, name: `n-${n}`, input: JSON.stringify({ n }) }))).executionArn!);

    const tokens: string[] = [];
    while (tokens.length < executions.length) {
      const task = await client.send(new GetActivityTaskCommand({ activityArn, workerName: 'worker-1' }));
      if (!task.taskToken) continue; // a long poll that ended empty
      tokens.push(task.taskToken);
      const { n } = JSON.parse(task.input!) as { n: number };
      await client.send(new SendTaskHeartbeatCommand({ taskToken: task.taskToken }));
      await client.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: JSON.stringify({ doubled: n * 2 }) }));
    }
    expect(new Set(tokens).size).toBe(3);

    for (const [i, executionArn] of executions.entries()) {
      const done = await finished(executionArn);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toEqual({ doubled: (i + 1) * 2 });
      const events = await history(executionArn);
      expect(events.map((e) => e.type)).toEqual([
        'ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded',
      ]);
      expect(events[2]!.activityScheduledEventDetails).toMatchObject({ resource: activityArn, timeoutInSeconds: 300, heartbeatInSeconds: 60 });
      expect(events[3]!.activityStartedEventDetails).toEqual({ workerName: 'worker-1' });
    }

    const late = await client.send(new SendTaskSuccessCommand({ taskToken: tokens[0], output: '{}' })).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(TaskTimedOut);
    expect((late as TaskTimedOut).message).toBe('Task Timed Out');
  });

  it('fails a waitForTaskToken task with SendTaskFailure', async () => {
    const { stateMachineArn } = await createMachine('approval', CALLBACK);
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{"order":17}' }));
    await waitForEvent(executionArn!, 'TaskSubmitted');
    const scheduled = (await history(executionArn!)).find((e) => e.type === 'TaskScheduled')!;
    expect(scheduled.taskScheduledEventDetails).toMatchObject({ resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken', region: REGION });
    const { MessageBody } = JSON.parse(scheduled.taskScheduledEventDetails!.parameters!) as { MessageBody: { token: string; order: number } };
    expect(MessageBody.order).toBe(17);
    await client.send(new SendTaskFailureCommand({ taskToken: MessageBody.token, error: 'Rejected', cause: 'the approver said no' }));
    const done = await finished(executionArn!);
    expect(done).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'the approver said no' });
    const types = (await history(executionArn!)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['TaskFailed', 'ExecutionFailed']);
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: MessageBody.token, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });
});

describe('serve: versions, aliases, tags, validation', SLOW, () => {
  it('publishes versions on create and update, and routes aliases to them', async () => {
    const definition = (v: number) => JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { v }, End: true } } });
    const created = await createMachine('versioned', definition(1), { publish: true, versionDescription: 'first' });
    const arn = created.stateMachineArn!;
    expect(created.stateMachineVersionArn).toBe(`${arn}:1`);
    const updated = await client.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: definition(2), publish: true, versionDescription: 'second' }));
    expect(updated.stateMachineVersionArn).toBe(`${arn}:2`);
    const versions = await client.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }));
    expect(versions.stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([`${arn}:2`, `${arn}:1`]);

    const alias = await client.send(new CreateStateMachineAliasCommand({ name: 'live', routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 100 }] }));
    expect(alias.stateMachineAliasArn).toBe(`${arn}:live`);
    expect(await client.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }))).toMatchObject({
      name: 'live',
      routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 100 }],
    });
    expect((await client.send(new ListStateMachineAliasesCommand({ stateMachineArn: arn }))).stateMachineAliases!.map((a) => a.stateMachineAliasArn)).toEqual([`${arn}:live`]);

    const run = async (target: string) => {
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: target }));
      const done = await finished(executionArn!);
      expect(done.status).toBe('SUCCEEDED');
      return done;
    };
    const viaAlias = await run(`${arn}:live`);
    expect(viaAlias).toMatchObject({ stateMachineArn: arn, stateMachineAliasArn: `${arn}:live`, stateMachineVersionArn: `${arn}:1`, output: '{"v":1}' });
    expect(await run(`${arn}:1`)).toMatchObject({ stateMachineVersionArn: `${arn}:1`, output: '{"v":1}' });
    expect((await run(arn)).output).toBe('{"v":2}');

    await client.send(new UpdateStateMachineAliasCommand({
      stateMachineAliasArn: `${arn}:live`,
      routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 50 }, { stateMachineVersionArn: `${arn}:2`, weight: 50 }],
    }));
    for (let i = 0; i < 6; i++) {
      const done = await run(`${arn}:live`);
      // Whichever version the draw picked, the execution ran that version's definition.
      expect(done.output).toBe(done.stateMachineVersionArn === `${arn}:1` ? '{"v":1}' : '{"v":2}');
      expect([`${arn}:1`, `${arn}:2`]).toContain(done.stateMachineVersionArn);
    }
  });

  it('tags and untags state machines and activities', async () => {
    const { stateMachineArn } = await createMachine('tagged', SLEEPER, { tags: [{ key: 'team', value: 'core' }] });
    await client.send(new TagResourceCommand({ resourceArn: stateMachineArn, tags: [{ key: 'env', value: 'test' }] }));
    const tags = await client.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }));
    expect(tags.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'core' }, { key: 'env', value: 'test' }]));
    expect(tags.tags).toHaveLength(2);
    await client.send(new UntagResourceCommand({ resourceArn: stateMachineArn, tagKeys: ['team'] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }))).tags).toEqual([{ key: 'env', value: 'test' }]);

    const { activityArn } = await client.send(new CreateActivityCommand({ name: 'tagged-activity', tags: [{ key: 'owner', value: 'me' }] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: activityArn }))).tags).toEqual([{ key: 'owner', value: 'me' }]);
  });

  it('validates definitions', async () => {
    const ok = await client.send(new ValidateStateMachineDefinitionCommand({ definition: HELLO }));
    expect(ok.result).toBe('OK');
    expect(ok.diagnostics).toEqual([]);
    const bad = await client.send(new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify({ StartAt: 'Missing', States: { A: { Type: 'Pass', End: true } } }) }));
    expect(bad.result).toBe('FAIL');
    expect(bad.diagnostics!.length).toBeGreaterThan(0);
    expect(bad.diagnostics![0]).toMatchObject({ severity: 'ERROR', code: expect.any(String), message: expect.stringContaining('Missing') });
  });
});

describe('serve: EXPRESS, mocks, redrive, metrics', SLOW, () => {
  it('runs an EXPRESS machine with StartSyncExecution', async () => {
    const { stateMachineArn } = await createMachine('express-hello', HELLO, { type: 'EXPRESS' });
    const ok = await client.send(new StartSyncExecutionCommand({ stateMachineArn, name: 'sync', input: '{"name":"Cy","mood":"happy"}' }));
    expect(ok).toMatchObject({ status: 'SUCCEEDED', name: 'sync', stateMachineArn });
    expect(ok.executionArn).toMatch(new RegExp(`^arn:aws:states:${REGION}:${ACCOUNT}:express:express-hello:sync:`));
    expect(JSON.parse(ok.output!)).toEqual({ greeting: 'Hello, Cy!', mood: 'happy', both: ['left', 'Hello, Cy!'] });
    const failed = await client.send(new StartSyncExecutionCommand({ stateMachineArn, input: '{"name":"Di","mood":"grumpy"}' }));
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Grumpy', cause: 'not in the mood' });
  });

  it('answers mocked tasks for <stateMachineArn>#TestCase (SFN_MOCK_CONFIG), and fails unmocked ones', async () => {
    const { stateMachineArn } = await createMachine('charge', CHARGE);
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}#HappyPath`, name: 'mocked', input: '{"amount":42}' }));
    expect(executionArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:charge:mocked`);
    const done = await finished(executionArn!);
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"charged":42}' });
    const types = (await history(executionArn!)).map((e) => e.type);
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);

    const unmocked = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'unmocked' }));
    // Without a mock, the task goes to Lambda: the configuration declares no such function.
    expect(await finished(unmocked.executionArn!)).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
  });

  it('redrives a failed execution from the failed state', async () => {
    const stateMachineArn = `${SM_PREFIX}charge`;
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}#FailOnce`, name: 'flaky', input: '{"amount":7}' }));
    const failed = await finished(executionArn!);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException', cause: 'the card service is down', redriveCount: 0, redriveStatus: 'REDRIVABLE' });

    const redriven = await client.send(new RedriveExecutionCommand({ executionArn }));
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    // RedriveExecution answers once the redrive is committed: the execution is RUNNING again (or done).
    const done = await finished(executionArn!);
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"charged":7}', redriveCount: 1, redriveDate: redriven.redriveDate });
    const types = (await history(executionArn!)).map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionRedriven')).toHaveLength(1);
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types.indexOf('ExecutionFailed')).toBeLessThan(types.indexOf('ExecutionRedriven'));
  });

  it('serves GET /metrics, counting executions and transitions by state machine and type, EXPRESS too', async () => {
    const metrics = async () => {
      const res = await fetch(`${server.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      return res.text();
    };
    const count = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    const { stateMachineArn } = await createMachine('counted', HELLO);
    for (const name of ['m1', 'm2']) {
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name, input: '{"name":"M","mood":"meh"}' }));
      await finished(executionArn!);
    }
    const quick = await client.send(new CreateStateMachineCommand({ name: 'counted-express', type: 'EXPRESS', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }));
    await client.send(new StartSyncExecutionCommand({ stateMachineArn: quick.stateMachineArn! }));
    const text = await metrics();
    expect(count(text, 'stepwise_executions_started_total{state_machine="counted",type="STANDARD"}')).toBe(2);
    expect(count(text, 'stepwise_executions_ended_total{state_machine="counted",type="STANDARD",status="SUCCEEDED"}')).toBe(2);
    expect(count(text, 'stepwise_state_transitions_total{state_machine="counted",type="STANDARD"}')).toBeGreaterThan(2);
    expect(count(text, 'stepwise_executions_started_total{state_machine="counted-express",type="EXPRESS"}')).toBe(1);
    expect(count(text, 'stepwise_executions_ended_total{state_machine="counted-express",type="EXPRESS",status="SUCCEEDED"}')).toBe(1);
    expect(count(text, 'stepwise_state_transitions_total{state_machine="counted-express",type="EXPRESS"}')).toBe(1);
    // …and each end is a log line at info, without the execution's data.
    const ends = server
      .output()
      .stdout.split('\n')
      .filter((line) => line.includes('"execution ended"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(ends.filter((e) => e.stateMachine === 'counted')).toEqual(
      ['m1', 'm2'].map((name) => expect.objectContaining({ level: 30, executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:counted:${name}`, type: 'STANDARD', status: 'SUCCEEDED' })),
    );
    expect(ends.filter((e) => e.stateMachine === 'counted-express')).toEqual([expect.objectContaining({ type: 'EXPRESS', status: 'SUCCEEDED' })]);
    expect(ends.some((e) => JSON.stringify(e).includes('"mood"'))).toBe(false);
  });

});
