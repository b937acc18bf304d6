/**
 * DescribeMapRun, ListMapRuns, UpdateMapRun (and ListExecutions by Map Run) through the real
 * @aws-sdk/client-sfn, against the HTTP server over a MemoryStore and the real DurableRunner.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  GetActivityTaskCommand,
  InvalidArn,
  ListExecutionsCommand,
  ListMapRunsCommand,
  ResourceNotFound,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  UpdateMapRunCommand,
  ValidationException,
  type DescribeMapRunCommandOutput,
} from '@aws-sdk/client-sfn';
import { createContext } from '../../src/api/context.js';
import { createApiServer } from '../../src/api/server.js';
import { DurableRunner } from '../../src/runtime/durable-runner.js';
import { MemoryStore } from '../../src/store/memory.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/stepwise`;

let server: http.Server | undefined;
let runner: DurableRunner | undefined;

afterEach(async () => {
  if (server) {
    const closing = new Promise((r) => server!.close(r));
    server.closeAllConnections();
    await closing;
  }
  await runner?.close();
  server = undefined;
  runner = undefined;
});

async function client(): Promise<SFNClient> {
  const store = new MemoryStore();
  runner = new DurableRunner({ store, region: REGION, accountId: ACCOUNT });
  await runner.resume();
  server = createApiServer(createContext({ store, runner, region: REGION, accountId: ACCOUNT }));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return new SFNClient({ endpoint, region: REGION, maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function counts(partial: Record<string, number>) {
  return { pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: 0, resultsWritten: 0, failuresNotRedrivable: 0, pendingRedrive: 0, ...partial };
}

function distributedMap(label: string, processor: object, extra: Record<string, unknown> = {}) {
  return { Type: 'Map', Label: label, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...processor }, ...extra };
}

describe('Map Runs over the SDK', () => {
  it('describes a Map Run as it runs and after, lists it, and updates it while it runs', async () => {
    const sfn = await client();
    const { activityArn } = await sfn.send(new CreateActivityCommand({ name: 'item' }));
    const definition = {
      StartAt: 'Fan',
      States: {
        Fan: distributedMap('Items', { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } }, {
          MaxConcurrency: 1,
          ToleratedFailurePercentage: 50,
          End: true,
        }),
      },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'fan', definition: JSON.stringify(definition), roleArn: ROLE }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'run-1', input: '[1, 2, 3, 4]' }));

    const listed = await sfn.send(new ListMapRunsCommand({ executionArn }));
    expect(listed.mapRuns).toHaveLength(1);
    const item = listed.mapRuns![0]!;
    expect(item).toEqual({
      executionArn,
      mapRunArn: expect.stringMatching(new RegExp(`^arn:aws:states:${REGION}:${ACCOUNT}:mapRun:fan/Items:[0-9a-f-]{36}$`)),
      stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:fan/Items`,
      startDate: expect.any(Date),
    });
    const mapRunArn = item.mapRunArn!;

    const running = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    expect(strip(running)).toEqual({
      mapRunArn,
      executionArn,
      status: 'RUNNING',
      startDate: item.startDate,
      maxConcurrency: 1,
      toleratedFailurePercentage: 50,
      toleratedFailureCount: 0,
      itemCounts: counts({ pending: 3, running: 1, total: 4 }),
      executionCounts: counts({ pending: 3, running: 1, total: 4 }),
      redriveCount: 0,
    });

    await sfn.send(new UpdateMapRunCommand({ mapRunArn, maxConcurrency: 4, toleratedFailureCount: 1 }));
    const updated = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    expect(updated).toMatchObject({ status: 'RUNNING', maxConcurrency: 4, toleratedFailureCount: 1, toleratedFailurePercentage: 50, itemCounts: counts({ running: 4, total: 4 }) });

    // All four children now wait for a worker.
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) {
      const task = await sfn.send(new GetActivityTaskCommand({ activityArn, workerName: `w${i}` }));
      expect(task.taskToken).toBeTruthy();
      tokens.push(task.taskToken!);
    }
    await sfn.send(new SendTaskFailureCommand({ taskToken: tokens[0], error: 'Item.Bad', cause: 'tolerated' }));
    for (const taskToken of tokens.slice(1)) await sfn.send(new SendTaskSuccessCommand({ taskToken, output: '"ok"' }));
    const execution = await until(() => sfn.send(new DescribeExecutionCommand({ executionArn })), (e) => e.status !== 'RUNNING');
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toEqual([{ Error: 'Item.Bad', Cause: 'tolerated' }, 'ok', 'ok', 'ok']);

    const finished = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    expect(strip(finished)).toEqual({
      mapRunArn,
      executionArn,
      status: 'SUCCEEDED',
      startDate: item.startDate,
      stopDate: execution.stopDate,
      maxConcurrency: 4,
      toleratedFailurePercentage: 50,
      toleratedFailureCount: 1,
      itemCounts: counts({ succeeded: 3, failed: 1, total: 4, resultsWritten: 4 }),
      executionCounts: counts({ succeeded: 3, failed: 1, total: 4, resultsWritten: 4 }),
      redriveCount: 0,
    });
    expect((await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns).toEqual([{ ...item, stopDate: execution.stopDate }]);

    // Each iteration is a child execution of its own, listed by the Map Run, and knows its Map Run.
    const children = (await sfn.send(new ListExecutionsCommand({ mapRunArn }))).executions!;
    expect(children).toHaveLength(4);
    expect(children.map((c) => c.status).sort()).toEqual(['FAILED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    for (const child of children) {
      expect(child).toMatchObject({ mapRunArn, stateMachineArn: expect.stringMatching(/:stateMachine:[^:]+\/[^:]+$/) });
      expect(child.executionArn).toMatch(/:execution:[^:]+\/[^:]+:[0-9a-f-]{36}$/);
      expect((await sfn.send(new DescribeExecutionCommand({ executionArn: child.executionArn }))).mapRunArn).toBe(mapRunArn);
    }
    const failedOnly = (await sfn.send(new ListExecutionsCommand({ mapRunArn, statusFilter: 'FAILED' }))).executions!;
    expect(failedOnly).toHaveLength(1);

    // An ended Map Run takes updates without changing.
    await sfn.send(new UpdateMapRunCommand({ mapRunArn, maxConcurrency: 7 }));
    expect((await sfn.send(new DescribeMapRunCommand({ mapRunArn }))).maxConcurrency).toBe(4);
  });

  it('records a Map Run that fails past its tolerance', async () => {
    const sfn = await client();
    const definition = {
      StartAt: 'Fan',
      States: {
        Fan: distributedMap('Checks', {
          StartAt: 'Check',
          States: {
            Check: { Type: 'Choice', Choices: [{ Variable: '$', NumericGreaterThan: 2, Next: 'Bad' }], Default: 'Good' },
            Bad: { Type: 'Fail', Error: 'TooBig' },
            Good: { Type: 'Pass', End: true },
          },
        }, { ToleratedFailureCount: 0, End: true }),
      },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'checks', definition: JSON.stringify(definition), roleArn: ROLE }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '[1, 2, 3]' }));
    const execution = await until(() => sfn.send(new DescribeExecutionCommand({ executionArn })), (e) => e.status !== 'RUNNING');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    const [run] = (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns!;
    const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn: run!.mapRunArn }));
    expect(described).toMatchObject({ status: 'FAILED', stopDate: execution.stopDate, toleratedFailureCount: 0, itemCounts: { failed: 1, succeeded: 2, total: 3, resultsWritten: 2 } });
  });

  it('pages through the Map Runs of an execution in the order they started', async () => {
    const sfn = await client();
    // State names are unique across the whole definition, processors included.
    const pass = (name: string) => ({ StartAt: name, States: { [name]: { Type: 'Pass', End: true } } });
    const definition = {
      StartAt: 'First',
      States: {
        First: distributedMap('First', pass('P1'), { ResultPath: null, Next: 'Second' }),
        Second: distributedMap('Second', pass('P2'), { ResultPath: null, Next: 'Third' }),
        Third: distributedMap('Third', pass('P3'), { End: true }),
      },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'three', definition: JSON.stringify(definition), roleArn: ROLE }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '[1]' }));
    const labels: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await sfn.send(new ListMapRunsCommand({ executionArn, maxResults: 2, nextToken }));
      labels.push(...page.mapRuns!.map((r) => r.stateMachineArn!.split('/')[1]!));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(labels).toEqual(['First', 'Second', 'Third']);
    expect(pages).toBe(2);
  });

  it('answers unknown Map Runs and malformed requests as AWS does', async () => {
    const sfn = await client();
    const unknown = `arn:aws:states:${REGION}:${ACCOUNT}:mapRun:fan/Items:00000000-0000-0000-0000-000000000000`;
    await expect(sfn.send(new DescribeMapRunCommand({ mapRunArn: unknown }))).rejects.toMatchObject({
      name: 'ResourceNotFound',
      message: `Resource not found: '${unknown}'`,
    });
    await expect(sfn.send(new DescribeMapRunCommand({ mapRunArn: unknown }))).rejects.toBeInstanceOf(ResourceNotFound);
    await expect(sfn.send(new UpdateMapRunCommand({ mapRunArn: unknown, maxConcurrency: 2 }))).rejects.toBeInstanceOf(ResourceNotFound);
    await expect(sfn.send(new ListExecutionsCommand({ mapRunArn: unknown }))).rejects.toBeInstanceOf(ResourceNotFound);
    await expect(sfn.send(new DescribeMapRunCommand({ mapRunArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:fan` }))).rejects.toBeInstanceOf(InvalidArn);
    await expect(sfn.send(new UpdateMapRunCommand({ mapRunArn: unknown, toleratedFailurePercentage: 101 }))).rejects.toBeInstanceOf(ValidationException);
    await expect(sfn.send(new ListMapRunsCommand({ executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:fan:none` }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });
});

/** The output without the SDK's $metadata. */
function strip(output: DescribeMapRunCommandOutput): Omit<DescribeMapRunCommandOutput, '$metadata'> {
  const { $metadata: _metadata, ...rest } = output;
  return rest;
}
