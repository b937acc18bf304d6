// The EventBridge event bus on `stepwise serve` (in process, over a real SQLite file), driven by
// the real @aws-sdk/client-eventbridge and @aws-sdk/client-sfn: rules and targets, PutEvents
// delivered to state machines and to API destinations (a real local HTTP server), execution
// status change events, retries and dead letters, putEvents tasks, and the AWS CLI.
import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteRuleCommand,
  DescribeConnectionCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EventBridgeClient,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

const ROLE = 'arn:aws:iam::111111111111:role/events-tests';
const dir = mkdtempSync(join(tmpdir(), 'stepwise-event-bus-'));
/** The server's clock: Date.now() plus what a test moves it by (retry back-offs without sleeping). */
let offset = 0;
let server: RunningServer;
let events: EventBridgeClient;
let sfn: SFNClient;

beforeAll(async () => {
  server = await startServer(parseServeArgs(['--port', '0', '--db', join(dir, 'stepwise.db')], {}), pino({ level: 'silent' }), { clock: { now: () => Date.now() + offset } });
  const options = { endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
  events = new EventBridgeClient(options);
  sfn = new SFNClient(options);
});

afterAll(async () => {
  events?.destroy();
  sfn?.destroy();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const PASS = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };

async function machine(name: string, definition: object = PASS): Promise<string> {
  return (await sfn.send(new CreateStateMachineCommand({ name, roleArn: ROLE, definition: JSON.stringify(definition) }))).stateMachineArn!;
}

async function executionsOf(stateMachineArn: string) {
  return (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? [];
}

/** Drains the bus until `check` holds (deliveries and status events are asynchronous). */
async function eventually<T>(check: () => Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    await server.events.drain();
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('never happened');
}

async function ended(executionArn: string) {
  return eventually(async () => {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return d.status !== 'RUNNING' && d;
  });
}

/** A local HTTP server that records requests and answers them with `status`. */
async function receiver(status = 200): Promise<{ url: string; requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[]; close(): Promise<void> }> {
  const requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const httpServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => httpServer.close(() => r())),
  };
}

async function apiDestination(name: string, endpoint: string, apiKey = 'k-123'): Promise<string> {
  const connection = await events.send(
    new CreateConnectionCommand({ Name: `${name}-conn`, AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: apiKey } } }),
  );
  return (await events.send(new CreateApiDestinationCommand({ Name: name, ConnectionArn: connection.ConnectionArn, InvocationEndpoint: endpoint, HttpMethod: 'POST' }))).ApiDestinationArn!;
}

describe('rules and targets', { timeout: 60_000 }, () => {
  it('creates, lists, describes, disables and deletes rules, with AWS’s errors', async () => {
    const sm = await machine('crud-target');
    const created = await events.send(new PutRuleCommand({ Name: 'crud-a', EventPattern: '{"source":["crud"]}', Description: 'first' }));
    expect(created.RuleArn).toBe('arn:aws:events:us-east-1:111111111111:rule/crud-a');
    await events.send(new PutRuleCommand({ Name: 'crud-b', EventPattern: '{"source":["crud"]}' }));
    const first = await events.send(new ListRulesCommand({ NamePrefix: 'crud-', Limit: 1 }));
    expect(first.Rules!.map((r) => r.Name)).toEqual(['crud-a']);
    const second = await events.send(new ListRulesCommand({ NamePrefix: 'crud-', Limit: 1, NextToken: first.NextToken }));
    expect(second.Rules!.map((r) => r.Name)).toEqual(['crud-b']);
    expect(await events.send(new DescribeRuleCommand({ Name: 'crud-a' }))).toMatchObject({ Name: 'crud-a', State: 'ENABLED', Description: 'first', EventBusName: 'default', EventPattern: '{"source":["crud"]}' });
    await events.send(new DisableRuleCommand({ Name: 'crud-a' }));
    expect((await events.send(new DescribeRuleCommand({ Name: 'crud-a' }))).State).toBe('DISABLED');

    const targets = Array.from({ length: 5 }, (_, i) => ({ Id: `t${i}`, Arn: sm }));
    expect(await events.send(new PutTargetsCommand({ Rule: 'crud-a', Targets: targets }))).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    await expect(events.send(new PutTargetsCommand({ Rule: 'crud-a', Targets: [{ Id: 't5', Arn: sm }] }))).rejects.toMatchObject({ name: 'LimitExceededException' });
    const unsupported = await events.send(new PutTargetsCommand({ Rule: 'crud-b', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:111111111111:queue' }] }));
    expect(unsupported.FailedEntryCount).toBe(1);
    expect(unsupported.FailedEntries![0]).toMatchObject({ TargetId: 'q', ErrorCode: 'ValidationException' });
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: 'crud-a' }))).Targets!.map((t) => t.Id)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect((await events.send(new ListRuleNamesByTargetCommand({ TargetArn: sm }))).RuleNames).toEqual(['crud-a']);
    await expect(events.send(new DeleteRuleCommand({ Name: 'crud-a' }))).rejects.toMatchObject({ name: 'ValidationException', message: "Rule can't be deleted since it has targets." });
    await events.send(new RemoveTargetsCommand({ Rule: 'crud-a', Ids: targets.map((t) => t.Id) }));
    await events.send(new DeleteRuleCommand({ Name: 'crud-a' }));
    await events.send(new DeleteRuleCommand({ Name: 'crud-a' })); // deleting again succeeds, as on AWS
    await expect(events.send(new DescribeRuleCommand({ Name: 'crud-a' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Rule crud-a does not exist on EventBus default.' });
    await expect(events.send(new PutTargetsCommand({ Rule: 'crud-a', Targets: targets }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(events.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"x"}' }))).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
    await expect(events.send(new PutRuleCommand({ Name: 'sched', ScheduleExpression: 'rate(1 minute)' }))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('EventBridge Scheduler') });
    await expect(events.send(new PutRuleCommand({ Name: 'nothing' }))).rejects.toMatchObject({ name: 'ValidationException', message: 'Parameter(s) EventPattern or ScheduleExpression must be specified.' });
    await expect(events.send(new PutRuleCommand({ Name: 'x', EventPattern: '{"a":[1]}', EventBusName: 'custom' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Event bus custom does not exist.' });
    await expect(events.send(new PutRuleCommand({ Name: 'no spaces', EventPattern: '{"a":[1]}' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('says which actions are not built', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSEvents.CreateArchive' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException', message: expect.stringMatching(/^Stepwise does not implement AWSEvents\.CreateArchive/) });
  });
});

describe('PutEvents', { timeout: 60_000 }, () => {
  it('starts a state machine target with the event as input, and another with an InputTransformer', async () => {
    const whole = await machine('orders-whole');
    const shaped = await machine('orders-shaped');
    await events.send(new PutRuleCommand({ Name: 'orders', EventPattern: JSON.stringify({ source: ['shop'], 'detail-type': ['OrderPlaced'], detail: { total: [{ numeric: ['>', 100] }] } }) }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'orders',
        Targets: [
          { Id: 'whole', Arn: whole },
          { Id: 'shaped', Arn: shaped, InputTransformer: { InputPathsMap: { id: '$.detail.id', src: '$.source' }, InputTemplate: '{"order": <id>, "from": "<src>", "rule": "<aws.events.rule-name>"}' } },
        ],
      }),
    );
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'shop', DetailType: 'OrderPlaced', Detail: JSON.stringify({ id: 'o-1', total: 250 }), Resources: ['arn:aws:shop:order/o-1'] },
          { Source: 'shop', DetailType: 'OrderPlaced', Detail: JSON.stringify({ id: 'o-2', total: 5 }) },
          { Source: 'shop', DetailType: 'OrderPlaced' },
          { Source: 'shop', DetailType: 'OrderPlaced', Detail: '[1]' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(2);
    expect(put.Entries![0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(put.Entries![2]).toEqual({ ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' });
    expect(put.Entries![3]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });

    const [started] = await eventually(async () => {
      const list = await executionsOf(whole);
      return list.length > 0 && list;
    });
    const input = JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: started!.executionArn }))).input!);
    expect(input).toMatchObject({
      version: '0', id: put.Entries![0]!.EventId, 'detail-type': 'OrderPlaced', source: 'shop', account: '111111111111', region: 'us-east-1',
      resources: ['arn:aws:shop:order/o-1'], detail: { id: 'o-1', total: 250 },
    });
    expect(input.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const [transformed] = await eventually(async () => {
      const list = await executionsOf(shaped);
      return list.length > 0 && list;
    });
    expect(JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: transformed!.executionArn }))).input!)).toEqual({ order: 'o-1', from: 'shop', rule: 'orders' });
    // Only the matching event started executions.
    expect(await executionsOf(whole)).toHaveLength(1);
  });

  it('accepts events that match no rule and counts them', async () => {
    const before = server.events.unmatchedEvents;
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: 'nobody.listens', DetailType: 'x', Detail: '{}' }] }));
    expect(put.FailedEntryCount).toBe(0);
    expect(server.events.unmatchedEvents).toBe(before + 1);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`stepwise_events_unmatched_total ${before + 1}\\b`));
  });

  it('refuses more than 10 entries and more than 256 KB', async () => {
    const entry = { Source: 's', DetailType: 'd', Detail: '{}' };
    await expect(events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) }))).rejects.toMatchObject({ name: 'ValidationException' });
    const big = { Source: 's', DetailType: 'd', Detail: JSON.stringify({ a: 'x'.repeat(140_000) }) };
    await expect(events.send(new PutEventsCommand({ Entries: [big, big] }))).rejects.toMatchObject({ name: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' });
  });

  it('POSTs to an API destination with the connection’s API key', async () => {
    const hook = await receiver();
    try {
      const destination = await apiDestination('hook', `${hook.url}/events/*`);
      const described = await events.send(new DescribeConnectionCommand({ Name: 'hook-conn' }));
      expect(described.AuthParameters).toEqual({ ApiKeyAuthParameters: { ApiKeyName: 'x-api-key' } }); // no secret shown
      await events.send(new PutRuleCommand({ Name: 'to-hook', EventPattern: '{"source":["hooked"]}' }));
      await events.send(new PutTargetsCommand({ Rule: 'to-hook', Targets: [{ Id: 'h', Arn: destination, HttpParameters: { PathParameterValues: ['p1'], HeaderParameters: { 'x-extra': 'yes' } } }] }));
      const put = await events.send(new PutEventsCommand({ Entries: [{ Source: 'hooked', DetailType: 'Ping', Detail: '{"n":1}' }] }));
      await eventually(async () => hook.requests.length > 0);
      const [request] = hook.requests;
      expect(request).toMatchObject({ method: 'POST', url: '/events/p1', headers: { 'x-api-key': 'k-123', 'x-extra': 'yes' } });
      expect(JSON.parse(request!.body)).toMatchObject({ id: put.Entries![0]!.EventId, source: 'hooked', detail: { n: 1 } });
    } finally {
      await hook.close();
    }
  });

  it('retries a failing API destination per its RetryPolicy, then dead-letters the event; a 404 is not retried', async () => {
    const failing = await receiver(500);
    const missing = await receiver(404);
    try {
      const failingArn = await apiDestination('failing', `${failing.url}/x`);
      const missingArn = await apiDestination('missing', `${missing.url}/x`);
      await events.send(new PutRuleCommand({ Name: 'to-failing', EventPattern: '{"source":["flaky"]}' }));
      await events.send(
        new PutTargetsCommand({
          Rule: 'to-failing',
          Targets: [
            { Id: 'f', Arn: failingArn, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } },
            { Id: 'm', Arn: missingArn },
          ],
        }),
      );
      await events.send(new PutEventsCommand({ Entries: [{ Source: 'flaky', DetailType: 'x', Detail: '{}' }] }));
      await server.events.drain();
      expect(failing.requests).toHaveLength(1);
      expect(missing.requests).toHaveLength(1);
      // The retries wait (exponential back-off): move the clock past each.
      offset += 10 * 60_000;
      await server.events.drain();
      expect(failing.requests).toHaveLength(2);
      offset += 10 * 60_000;
      await server.events.drain();
      expect(failing.requests).toHaveLength(3);
      offset += 10 * 60_000;
      await server.events.drain();
      expect(failing.requests).toHaveLength(3); // 1 attempt + MaximumRetryAttempts 2
      expect(missing.requests).toHaveLength(1);
      const ruleArn = 'arn:aws:events:us-east-1:111111111111:rule/to-failing';
      const letters = (await server.store.deadLetters.list({ source: 'rule', sourceArn: ruleArn }, { limit: 10 })).items;
      expect(letters.map((l) => [l.targetId, l.error, l.attempts]).sort()).toEqual([
        ['f', 'HTTP 500', 3],
        ['m', 'HTTP 404', 1],
      ]);
      expect(letters.find((l) => l.targetId === 'f')!.cause).toContain('MaximumRetryAttempts 2');
      expect(JSON.parse(letters[0]!.payload)).toMatchObject({ source: 'flaky' });
      expect(await server.store.eventBus.countDeliveries()).toBe(0);
    } finally {
      await failing.close();
      await missing.close();
    }
  });
});

describe('Step Functions Execution Status Change', { timeout: 60_000 }, () => {
  it('a rule on FAILED starts a second workflow and posts to an HTTP server when a first workflow fails', async () => {
    const hook = await receiver();
    try {
      const failing = await machine('will-fail', { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Boom', Cause: 'it broke' } } });
      const succeeding = await machine('will-succeed');
      const cleanup = await machine('cleanup');
      const destination = await apiDestination('alerts', `${hook.url}/alerts`);
      await events.send(
        new PutRuleCommand({ Name: 'on-failure', EventPattern: JSON.stringify({ source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'], detail: { status: ['FAILED'] } }) }),
      );
      await events.send(new PutTargetsCommand({ Rule: 'on-failure', Targets: [{ Id: 'cleanup', Arn: cleanup }, { Id: 'alert', Arn: destination }] }));
      const ok = await sfn.send(new StartExecutionCommand({ stateMachineArn: succeeding, name: 'fine', input: '{"a":1}' }));
      await ended(ok.executionArn!);
      const bad = await sfn.send(new StartExecutionCommand({ stateMachineArn: failing, name: 'broken', input: '{"order":7}' }));
      await ended(bad.executionArn!);
      const [started] = await eventually(async () => {
        const list = await executionsOf(cleanup);
        return list.length > 0 && list;
      });
      const event = JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: started!.executionArn }))).input!);
      expect(event).toMatchObject({
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        resources: [bad.executionArn],
        detail: {
          executionArn: bad.executionArn, stateMachineArn: failing, name: 'broken', status: 'FAILED', input: '{"order":7}', inputDetails: { included: true },
          output: null, outputDetails: null, error: 'Boom', cause: 'it broke', redriveCount: 0, redriveStatus: 'REDRIVABLE',
        },
      });
      expect(typeof event.detail.startDate).toBe('number');
      expect(event.detail.stopDate).toBeGreaterThanOrEqual(event.detail.startDate);
      await eventually(async () => hook.requests.length > 0);
      expect(JSON.parse(hook.requests[0]!.body)).toMatchObject({ detail: { executionArn: bad.executionArn, status: 'FAILED' } });
      // Only the failure matched: one cleanup execution, one alert.
      expect(await executionsOf(cleanup)).toHaveLength(1);
      expect(hook.requests).toHaveLength(1);
    } finally {
      await hook.close();
    }
  });
});

describe('arn:aws:states:::events:putEvents tasks', { timeout: 60_000 }, () => {
  it('reach this server’s bus when no EventBridge endpoint is configured', async () => {
    const consumer = await machine('consumer');
    const producer = await machine('producer', {
      StartAt: 'Emit',
      States: { Emit: { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', Parameters: { Entries: [{ Source: 'producer', DetailType: 'Made', Detail: { 'n.$': '$.n' } }] }, End: true } },
    });
    await events.send(new PutRuleCommand({ Name: 'from-producer', EventPattern: '{"source":["producer"]}' }));
    await events.send(new PutTargetsCommand({ Rule: 'from-producer', Targets: [{ Id: 'c', Arn: consumer, InputPath: '$.detail' }] }));
    const run = await sfn.send(new StartExecutionCommand({ stateMachineArn: producer, input: '{"n":42}' }));
    const done = await ended(run.executionArn!);
    expect(done.status, JSON.stringify(done)).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!);
    expect(output).toEqual({ Entries: [{ EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) }], FailedEntryCount: 0 });
    const [started] = await eventually(async () => {
      const list = await executionsOf(consumer);
      return list.length > 0 && list;
    });
    expect(JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: started!.executionArn }))).input!)).toEqual({ n: 42 });
  });
});

describe('the AWS CLI', { timeout: 90_000 }, () => {
  function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        'aws',
        ['events', ...args, '--endpoint-url', server.url, '--output', 'json'],
        { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
      );
    });
  }

  it('puts a rule, a target and an event with `aws events`, and the target runs', async () => {
    const target = await machine('cli-target');
    const rule = await aws('put-rule', '--name', 'cli-rule', '--event-pattern', '{"source":["cli"]}');
    expect(rule.code, rule.stderr).toBe(0);
    expect(JSON.parse(rule.stdout)).toEqual({ RuleArn: 'arn:aws:events:us-east-1:111111111111:rule/cli-rule' });
    const targets = await aws('put-targets', '--rule', 'cli-rule', '--targets', JSON.stringify([{ Id: 'sm', Arn: target }]));
    expect(targets.code, targets.stderr).toBe(0);
    expect(JSON.parse(targets.stdout)).toMatchObject({ FailedEntryCount: 0 });
    const put = await aws('put-events', '--entries', JSON.stringify([{ Source: 'cli', DetailType: 'FromCli', Detail: '{"via":"cli"}' }]));
    expect(put.code, put.stderr).toBe(0);
    expect(JSON.parse(put.stdout)).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    const [started] = await eventually(async () => {
      const list = await executionsOf(target);
      return list.length > 0 && list;
    });
    expect(JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: started!.executionArn }))).input!)).toMatchObject({ source: 'cli', detail: { via: 'cli' } });
  });
});
