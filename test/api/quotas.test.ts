/**
 * Quotas with AWS's names (issue 8, finding 6): open executions, state machines and activities,
 * API rate limits, and the executions one execution may start and how deep they nest; the
 * `serve` flags that set them; names that are not well-formed UTF-16 (finding 11); and
 * ExecutionStarted of an execution started through an alias or a version.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CreateStateMachineCommand, DescribeStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { pino } from 'pino';
import { ConfigError, parseRateLimits, parseServeArgs } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { PASS, ROLE, SM_PREFIX, WAIT, errorOf, harness, sleep, type Harness } from './helpers.js';

let h: Harness | undefined;
let server: RunningServer | undefined;
const root = mkdtempSync(join(tmpdir(), 'stepwise-quotas-'));

afterEach(async () => {
  await h?.close();
  await server?.close();
  h = undefined;
  server = undefined;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A clock the test moves. */
function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('StateMachineLimitExceeded and ActivityLimitExceeded', () => {
  it('refuses a state machine past the quota, answers an existing name as before, and makes room on delete', async () => {
    h = await harness({ limits: { maxStateMachines: 2 } });
    const a = await h.createMachine('a');
    await h.createMachine('b');
    const refused = await h.call('CreateStateMachine', { name: 'c', definition: PASS, roleArn: ROLE, tags: [{ key: 'k', value: 'v' }] });
    expect(refused.status).toBe(400);
    expect(errorOf(refused.body)).toEqual({
      type: 'StateMachineLimitExceeded',
      message: 'The maximum number of state machines has been reached. Existing state machines must be deleted before a new state machine can be created.',
    });
    expect(refused.body.__type).toBe('com.amazonaws.swf.service.v2.model#StateMachineLimitExceeded');
    expect(errorOf((await h.call('DescribeStateMachine', { stateMachineArn: `${SM_PREFIX}c` })).body).type).toBe('StateMachineDoesNotExist');
    // An idempotent repeat of an existing machine is no new machine.
    expect((await h.ok('CreateStateMachine', { name: 'a', definition: PASS, roleArn: ROLE })).stateMachineArn).toBe(a);
    await h.ok('DeleteStateMachine', { stateMachineArn: a });
    expect((await h.ok('CreateStateMachine', { name: 'c', definition: PASS, roleArn: ROLE })).stateMachineArn).toBe(`${SM_PREFIX}c`);
  });

  it('refuses an activity past the quota', async () => {
    h = await harness({ limits: { maxActivities: 1 } });
    const { activityArn } = await h.ok('CreateActivity', { name: 'one', tags: [{ key: 'team', value: 'x' }] });
    expect(await h.ok('ListTagsForResource', { resourceArn: activityArn })).toEqual({ tags: [{ key: 'team', value: 'x' }] });
    expect(errorOf((await h.call('CreateActivity', { name: 'two' })).body)).toEqual({
      type: 'ActivityLimitExceeded',
      message: 'The maximum number of activities has been reached. Existing activities must be deleted before a new activity can be created.',
    });
    expect((await h.ok('CreateActivity', { name: 'one' })).activityArn).toBe(activityArn);
  });
});

describe('ExecutionLimitExceeded (open executions)', () => {
  it('refuses a Standard start while the quota of RUNNING executions is reached, and again accepts one once an execution ends', async () => {
    h = await harness({ limits: { maxOpenExecutions: 2 } });
    const waiting = await h.createMachine('waiting', WAIT);
    const first = await h.ok('StartExecution', { stateMachineArn: waiting, name: 'one' });
    await h.ok('StartExecution', { stateMachineArn: waiting, name: 'two' });
    const refused = await h.call('StartExecution', { stateMachineArn: waiting, name: 'three' });
    expect(refused.status).toBe(400);
    expect(errorOf(refused.body)).toEqual({
      type: 'ExecutionLimitExceeded',
      message: 'The maximum number of running executions has been reached. Running executions must end or be stopped before a new execution can be started.',
    });
    expect(errorOf((await h.call('DescribeExecution', { executionArn: first.executionArn.replace(':one', ':three') })).body).type).toBe('ExecutionDoesNotExist');
    // Repeating a running start is no new execution; Express executions do not count (as on AWS).
    expect(await h.ok('StartExecution', { stateMachineArn: waiting, name: 'one' })).toEqual(first);
    const express = await h.createMachine('express', PASS, { type: 'EXPRESS' });
    expect((await h.ok('StartSyncExecution', { stateMachineArn: express })).status).toBe('SUCCEEDED');
    expect((await h.ok('StartExecution', { stateMachineArn: express })).executionArn).toContain(':express:');
    await h.ok('StopExecution', { executionArn: first.executionArn });
    await h.ok('StartExecution', { stateMachineArn: waiting, name: 'three' });
  });

  it('refuses a redrive while the quota is reached (a redriven execution is open again)', async () => {
    h = await harness({ limits: { maxOpenExecutions: 1 } });
    const failing = await h.createMachine('failing', JSON.stringify({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E' } } }));
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: failing });
    expect((await h.settled(executionArn)).status).toBe('FAILED');
    await h.ok('StartExecution', { stateMachineArn: await h.createMachine('waiting', WAIT) });
    expect(errorOf((await h.call('RedriveExecution', { executionArn })).body).type).toBe('ExecutionLimitExceeded');
  });
});

describe('ThrottlingException (API rate limits)', () => {
  it('answers AWS’s body once an action’s bucket is empty, and refills it with time, per action', async () => {
    const clock = manualClock();
    h = await harness({ clock, limits: { apiRateLimits: { ListStateMachines: { bucket: 2, refillPerSecond: 1 } } } });
    expect((await h.call('ListStateMachines')).status).toBe(200);
    expect((await h.call('ListStateMachines')).status).toBe(200);
    const throttled = await h.call('ListStateMachines');
    expect(throttled.status).toBe(400);
    expect(throttled.body).toEqual({ __type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate exceeded' });
    // Other actions have their own buckets (here: none).
    for (let i = 0; i < 5; i++) expect((await h.call('ListActivities')).status).toBe(200);
    clock.advance(999);
    expect((await h.call('ListStateMachines')).status).toBe(400);
    clock.advance(1);
    expect((await h.call('ListStateMachines')).status).toBe(200);
    expect((await h.call('ListStateMachines')).status).toBe(400);
    // The bucket holds no more than its size, however long it waited.
    clock.advance(60_000);
    for (let i = 0; i < 2; i++) expect((await h.call('ListStateMachines')).status).toBe(200);
    expect((await h.call('ListStateMachines')).status).toBe(400);
  });

  it('throttles StartExecution made by a workflow through the SDK integration, as Sfn.ThrottlingException', async () => {
    const clock = manualClock();
    h = await harness({ clock, limits: { apiRateLimits: { StartExecution: { bucket: 1, refillPerSecond: 0 } } } });
    const child = await h.createMachine('child');
    const parent = await h.createMachine(
      'parent',
      JSON.stringify({
        StartAt: 'Start',
        States: { Start: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:startExecution', Parameters: { StateMachineArn: child }, End: true } },
      }),
    );
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: parent }); // takes the only token
    const ended = await h.settled(executionArn);
    expect(ended).toMatchObject({ status: 'FAILED', error: 'Sfn.ThrottlingException' });
    expect(ended.cause).toMatch(/^Rate exceeded \(Service: Sfn, Status Code: 400/);
  });

  it('reaches a client of the real server as the SDK’s ThrottlingException (HTTP 400)', async () => {
    const args = ['--port', '0', '--db', join(root, 'throttled.sqlite'), '--synchronous', 'NORMAL', '--api-rate-limits', 'aws,DescribeStateMachine=1/0.001'];
    server = await startServer(parseServeArgs(args, {}), pino({ level: 'silent' }));
    const sfn = new SFNClient({ endpoint: server.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'm', definition: PASS, roleArn: 'arn:aws:iam::111111111111:role/r' }));
    await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
    const error = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn })).then(
      () => undefined,
      (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode: number } },
    );
    expect(error).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    // AWS's StartExecution bucket (1,300) lets a burst through.
    const burst = await Promise.all(Array.from({ length: 50 }, () => sfn.send(new StartExecutionCommand({ stateMachineArn }))));
    expect(burst).toHaveLength(50);
  });
});

/**
 * A workflow that starts two copies of itself (until `$.n` reaches `$.stop`), each through a
 * Task of `resource` whose failure it catches: how many executions it makes shows where the
 * quotas stop it.
 */
function selfStarting(resource: 'states' | 'sdk'): string {
  const start =
    resource === 'states'
      ? { Resource: 'arn:aws:states:::states:startExecution', Parameters: { 'StateMachineArn.$': '$$.StateMachine.Id', Input: { 'n.$': '$.n', 'stop.$': '$.stop', pair: [1, 2] } } }
      : {
          Resource: 'arn:aws:states:::aws-sdk:sfn:startExecution',
          Parameters: { 'StateMachineArn.$': '$$.StateMachine.Id', 'Input.$': "States.Format('\\{\"n\":{},\"stop\":{},\"pair\":[1,2]\\}', $.n, $.stop)" },
        };
  return JSON.stringify({
    StartAt: 'Deeper?',
    States: {
      'Deeper?': { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThanPath: '$.stop', Next: 'Spawn' }], Default: 'Done' },
      Spawn: {
        Type: 'Map',
        ItemsPath: '$.pair',
        ItemSelector: { 'n.$': 'States.MathAdd($.n, 1)', 'stop.$': '$.stop' },
        ItemProcessor: {
          StartAt: 'Start',
          States: {
            Start: { Type: 'Task', ...start, ResultSelector: { started: true }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Refused' }], End: true },
            Refused: { Type: 'Pass', End: true },
          },
        },
        End: true,
      },
      Done: { Type: 'Pass', Result: 'leaf', End: true },
    },
  });
}

/** Every execution of a machine once none is RUNNING and their number has settled. */
async function allEnded(machineArn: string): Promise<any[]> {
  let previous = -1;
  for (let attempt = 0; attempt < 400; attempt++) {
    const executions: any[] = [];
    let nextToken: string | undefined;
    do {
      const page = await h!.ok('ListExecutions', { stateMachineArn: machineArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
      executions.push(...page.executions);
      nextToken = page.nextToken;
    } while (nextToken);
    if (executions.length === previous && executions.every((e) => e.status !== 'RUNNING')) return executions;
    previous = executions.length;
    await sleep(25);
  }
  throw new Error('executions did not settle');
}

describe('executions started by executions', () => {
  for (const [resource, error] of [['states', 'StepFunctions.ExecutionLimitExceededException'], ['sdk', 'Sfn.ExecutionLimitExceededException']] as const) {
    it(`stops a workflow that starts copies of itself at the nesting depth (${resource})`, async () => {
      h = await harness({ limits: { maxExecutionDepth: 3 } });
      const machine = await h.createMachine('spawner', selfStarting(resource));
      // Left alone, the workflow would stop at depth 6: 127 executions.
      const { executionArn } = await h.ok('StartExecution', { stateMachineArn: machine, name: 'root', input: JSON.stringify({ n: 0, stop: 6, pair: [1, 2] }) });
      const executions = await allEnded(machine);
      // Depths 0 to 3 with two children each: 1 + 2 + 4 + 8.
      expect(executions).toHaveLength(15);
      expect(executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
      const outputs = await Promise.all(executions.map(async (e) => JSON.parse((await h!.ok('DescribeExecution', { executionArn: e.executionArn })).output)));
      const refused = outputs.flat().filter((o: any) => o.Error !== undefined);
      expect(refused).toHaveLength(16); // two refused starts in each of the 8 deepest executions
      for (const r of refused) {
        expect(r.Error).toBe(error);
        expect(r.Cause).toContain('executions may nest at most 3 deep');
      }
      // The root's children know their parent (so the console can link them, and quotas count them).
      const children = (await Promise.all(executions.map((e) => h!.store.getExecution(e.executionArn)))).filter((r) => r?.parentExecutionArn === executionArn);
      expect(children).toHaveLength(2);
    });
  }

  it('lets one execution start at most maxChildExecutions executions', async () => {
    h = await harness({ limits: { maxChildExecutions: 3 } });
    const child = await h.createMachine('child');
    const parent = await h.createMachine(
      'parent',
      JSON.stringify({
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            MaxConcurrency: 1,
            ItemProcessor: {
              StartAt: 'Start',
              States: {
                Start: {
                  Type: 'Task',
                  Resource: 'arn:aws:states:::states:startExecution.sync:2',
                  Parameters: { StateMachineArn: child },
                  ResultSelector: { 'status.$': '$.Status' },
                  Catch: [{ ErrorEquals: ['StepFunctions.ExecutionLimitExceededException'], Next: 'Refused' }],
                  End: true,
                },
                Refused: { Type: 'Pass', Parameters: { 'refused.$': '$.Error' }, End: true },
              },
            },
            End: true,
          },
        },
      }),
    );
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: parent, input: '[1,2,3,4,5]' });
    const ended = await h.settled(executionArn);
    expect(JSON.parse(ended.output)).toEqual([
      { status: 'SUCCEEDED' },
      { status: 'SUCCEEDED' },
      { status: 'SUCCEEDED' },
      { refused: 'StepFunctions.ExecutionLimitExceededException' },
      { refused: 'StepFunctions.ExecutionLimitExceededException' },
    ]);
    expect((await h.ok('ListExecutions', { stateMachineArn: child })).executions).toHaveLength(3);
  });
});

describe('names that are not well-formed UTF-16', () => {
  const lone = 'bad\ud800name';

  it('refuses a lone surrogate in state machine, execution, activity and alias names and in tags; accepts a pair', async () => {
    h = await harness();
    const created = await h.call('CreateStateMachine', { name: lone, definition: PASS, roleArn: ROLE });
    expect(errorOf(created.body)).toEqual({ type: 'InvalidName', message: `Invalid Name: '${lone}'` });
    expect(errorOf((await h.call('CreateStateMachine', { name: 'trail\udc00', definition: PASS, roleArn: ROLE })).body).type).toBe('InvalidName');
    expect(errorOf((await h.call('CreateActivity', { name: lone })).body).type).toBe('InvalidName');
    const machine = await h.createMachine('ok😀', PASS, { publish: true });
    expect(machine).toBe(`${SM_PREFIX}ok😀`);
    expect(errorOf((await h.call('StartExecution', { stateMachineArn: machine, name: lone })).body).type).toBe('InvalidName');
    expect((await h.call('StartExecution', { stateMachineArn: machine, name: 'e😀' })).status).toBe(200);
    const alias = await h.call('CreateStateMachineAlias', { name: lone, routingConfiguration: [{ stateMachineVersionArn: `${machine}:1`, weight: 100 }] });
    expect(errorOf(alias.body).type).toBe('ValidationException');
    for (const tags of [[{ key: lone, value: 'v' }], [{ key: 'k', value: lone }]]) {
      const tagged = await h.call('TagResource', { resourceArn: machine, tags });
      expect(errorOf(tagged.body).type).toBe('ValidationException');
      expect(errorOf((await h.call('CreateStateMachine', { name: 'tagged', definition: PASS, roleArn: ROLE, tags })).body).type).toBe('ValidationException');
    }
    expect(await h.ok('ListTagsForResource', { resourceArn: machine })).toEqual({ tags: [] });
    await h.ok('TagResource', { resourceArn: machine, tags: [{ key: '😀', value: '😀' }] });
    await h.ok('UntagResource', { resourceArn: machine, tagKeys: ['😀'] });
    expect(await h.ok('ListTagsForResource', { resourceArn: machine })).toEqual({ tags: [] });
  });

  it('refuses a Map Run label with a lone surrogate as an invalid definition', async () => {
    h = await harness();
    const definition = JSON.stringify({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          Label: 'L\ud800',
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    });
    const created = await h.call('CreateStateMachine', { name: 'labelled', definition, roleArn: ROLE });
    expect(errorOf(created.body).type).toBe('InvalidDefinition');
    expect(errorOf(created.body).message).toContain('INVALID_LABEL_NAME');
  });
});

describe('ExecutionStarted', () => {
  it('names the alias and the version an execution was started through, as DescribeExecution does', async () => {
    h = await harness();
    const machine = await h.createMachine('m', PASS, { publish: true });
    const { stateMachineAliasArn } = await h.ok('CreateStateMachineAlias', { name: 'live', routingConfiguration: [{ stateMachineVersionArn: `${machine}:1`, weight: 100 }] });
    const started = async (stateMachineArn: string) => {
      const { executionArn } = await h!.ok('StartExecution', { stateMachineArn, input: '{"x":1}' });
      await h!.settled(executionArn);
      return (await h!.history(executionArn))[0].executionStartedEventDetails;
    };
    expect(await started(stateMachineAliasArn)).toEqual({
      input: '{"x":1}',
      inputDetails: { truncated: false },
      roleArn: ROLE,
      stateMachineAliasArn,
      stateMachineVersionArn: `${machine}:1`,
    });
    expect(await started(`${machine}:1`)).toEqual({ input: '{"x":1}', inputDetails: { truncated: false }, roleArn: ROLE, stateMachineVersionArn: `${machine}:1` });
    expect(await started(machine)).toEqual({ input: '{"x":1}', inputDetails: { truncated: false }, roleArn: ROLE });
  });
});

describe('serve flags', () => {
  it('defaults to AWS’s quotas and no rate limits', () => {
    expect(parseServeArgs([], {}).quotas).toEqual({
      maxOpenExecutions: 1_000_000,
      maxStateMachines: 10_000,
      maxActivities: 10_000,
      maxSchedules: 1_000_000,
      maxScheduleGroups: 500,
      maxRulesPerBus: 300,
      maxChildExecutions: 1_000,
      maxExecutionDepth: 10,
      apiRateLimits: {},
    });
  });

  it('reads each quota from its option or environment variable, and refuses nonsense with a sentence', () => {
    const quotas = parseServeArgs(['--max-open-executions', '5', '--max-state-machines', '6', '--max-activities', '7', '--max-child-executions', '0', '--max-schedules', '8'], {
      STEPWISE_MAX_EXECUTION_DEPTH: '2',
      STEPWISE_MAX_SCHEDULE_GROUPS: '9',
      STEPWISE_MAX_RULES_PER_BUS: '10',
      STEPWISE_API_RATE_LIMITS: 'StartExecution=10/2.5',
    }).quotas;
    expect(quotas).toEqual({
      maxOpenExecutions: 5,
      maxStateMachines: 6,
      maxActivities: 7,
      maxSchedules: 8,
      maxScheduleGroups: 9,
      maxRulesPerBus: 10,
      maxChildExecutions: 0,
      maxExecutionDepth: 2,
      apiRateLimits: { StartExecution: { bucket: 10, refillPerSecond: 2.5 } },
    });
    expect(() => parseServeArgs(['--max-open-executions', '0'], {})).toThrow(new ConfigError("--max-open-executions must be a whole number from 1 to 9007199254740991, not '0'."));
    expect(() => parseServeArgs(['--max-execution-depth', 'deep'], {})).toThrow(ConfigError);
    expect(() => parseServeArgs(['--api-rate-limits', 'fast'], {})).toThrow(
      new ConfigError("--api-rate-limits must be none, aws, or comma-separated Action=BUCKET/REFILL_PER_SECOND items (e.g. StartExecution=1300/300), not 'fast'."),
    );
    expect(() => parseServeArgs(['--api-rate-limits', 'StartExecutions=1/1'], {})).toThrow(new ConfigError("--api-rate-limits names 'StartExecutions', which is not a Step Functions action."));
    expect(() => parseServeArgs(['--api-rate-limits', 'StartExecution=0/1'], {})).toThrow(ConfigError);
  });

  it('gives AWS’s buckets with aws, for the large regions and the others, with overrides after it', () => {
    const large = parseRateLimits('aws', 'us-east-1');
    expect(large.StartExecution).toEqual({ bucket: 1_300, refillPerSecond: 300 });
    expect(large.DescribeExecution).toEqual({ bucket: 300, refillPerSecond: 15 });
    expect(large.GetActivityTask).toEqual({ bucket: 3_000, refillPerSecond: 500 });
    expect(large.StartSyncExecution).toBeUndefined();
    const other = parseRateLimits('aws', 'eu-central-1');
    expect(other.StartExecution).toEqual({ bucket: 800, refillPerSecond: 150 });
    expect(other.StopExecution).toEqual({ bucket: 500, refillPerSecond: 25 });
    expect(parseRateLimits('aws,StartExecution=5/1', 'us-east-1').StartExecution).toEqual({ bucket: 5, refillPerSecond: 1 });
    expect(parseRateLimits('none', 'us-east-1')).toEqual({});
  });
});
