// Schedules firing executions on a clock the tests move: once per due time, across a restart on
// the same SQLite file, by two nodes on one PostgreSQL database, within a flexible window, with
// retries and dead letters.
import { CreateScheduleCommand, GetScheduleCommand, ResourceNotFoundException, UpdateScheduleCommand, type CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { DeleteStateMachineCommand, DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { flexOffsetMs } from '../../src/runtime/schedule-timing.js';
import { ACCOUNT, boot, createMachine, executionsOf, MINUTE, REGION, ROLE, T0, tempFolder, type TestServer } from './helpers.js';

const folder = tempFolder('scheduler-firing');
afterAll(() => folder.remove());

// Several nodes share a PostgreSQL database (a SQLite file has one server): a database of the
// test's own on the machine's server (STEPWISE_TEST_POSTGRES), dropped at the end.
const POSTGRES = process.env.STEPWISE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const databases: string[] = [];
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
async function freshPostgresDatabase(): Promise<string> {
  const name = `stepwise_schedules_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  databases.push(name);
  const url = new URL(POSTGRES);
  url.pathname = `/${name}`;
  return url.toString();
}
afterAll(async () => {
  for (const name of databases) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

let now = T0;
const clock = { now: () => now };
const open: TestServer[] = [];
async function start(file: string): Promise<TestServer> {
  const t = await boot(file, clock);
  open.push(t);
  return t;
}
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

function schedule(name: string, machine: string, extra: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput {
  return { Name: name, ScheduleExpression: 'rate(5 minutes)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: machine, RoleArn: ROLE }, ...extra };
}

const names = async (t: TestServer, machine: string) => (await executionsOf(t.sfn, machine)).map((e) => e.name!);
const deadLetters = async (t: TestServer) => (await t.server.store.deadLetters.list({ source: 'schedule' }, { limit: 100 })).items;

describe('schedule firings', () => {
  it('fire a rate schedule once per due time, from its creation on', async () => {
    now = T0;
    const t = await start(folder.file());
    const machine = await createMachine(t.sfn, 'rated');
    await t.scheduler.send(new CreateScheduleCommand(schedule('every5', machine)));
    await t.server.scheduler.runDue();
    expect(await names(t, machine)).toHaveLength(1); // "starts invoking its target immediately"
    now = T0 + 4 * MINUTE;
    expect(await t.server.scheduler.runDue()).toBe(0);
    now = T0 + 5 * MINUTE;
    await t.server.scheduler.runDue();
    await t.server.scheduler.runDue();
    now = T0 + 12 * MINUTE;
    await t.server.scheduler.runDue();
    const fired = await names(t, machine);
    expect(fired).toHaveLength(3);
    expect(new Set(fired).size).toBe(3);
    expect(fired[0]).toMatch(/^every5-20260101T000000Z-[0-9a-f]{8}$/);
    expect(fired[2]).toMatch(/^every5-20260101T001000Z-[0-9a-f]{8}$/);
  });

  it('fire a cron schedule in its time zone, with the context attributes in the input', async () => {
    now = T0 + 31 * MINUTE; // 06:01 in Kolkata
    const t = await start(folder.file());
    const machine = await createMachine(t.sfn, 'cron');
    const { ScheduleArn } = await t.scheduler.send(new CreateScheduleCommand(schedule('hourly', machine, {
      ScheduleExpression: 'cron(0 * * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Kolkata', // UTC+05:30: local minute 0 is UTC minute 30
      Target: { Arn: machine, RoleArn: ROLE, Input: '{"arn":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>","attempt":<aws.scheduler.attempt-number>,"id":"<aws.scheduler.execution-id>"}' },
    })));
    expect(await t.server.scheduler.runDue()).toBe(0);
    now = T0 + 90 * MINUTE;
    await t.server.scheduler.runDue();
    const [execution, ...more] = await executionsOf(t.sfn, machine);
    expect(more).toEqual([]);
    expect(execution!.name).toMatch(/^hourly-20260101T013000Z-/);
    const input = JSON.parse((await t.sfn.send(new DescribeExecutionCommand({ executionArn: execution!.executionArn! }))).input!);
    expect(input).toEqual({ arn: ScheduleArn, at: '2026-01-01T01:30:00Z', attempt: 1, id: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('catch up after downtime: each missed due time within the max event age fires once, older ones are one dead letter', async () => {
    const file = folder.file();
    now = T0 + MINUTE;
    let t = await start(file);
    const machine = await createMachine(t.sfn, 'catchup');
    await t.scheduler.send(new CreateScheduleCommand(schedule('tenmin', machine, {
      ScheduleExpression: 'cron(*/10 * * * ? *)',
      Target: { Arn: machine, RoleArn: ROLE, RetryPolicy: { MaximumEventAgeInSeconds: 1800 } },
    })));
    now = T0 + 10 * MINUTE;
    await t.server.scheduler.runDue();
    expect(await names(t, machine)).toHaveLength(1);
    await t.close();
    open.splice(0);

    // Down from 00:10 to 02:05: due 00:20 … 02:00 were missed; the last 30 minutes' are fired.
    now = T0 + 125 * MINUTE;
    t = await start(file);
    await t.server.scheduler.runDue();
    await t.server.scheduler.runDue();
    const fired = await names(t, machine);
    expect(fired.map((n) => n.split('-')[1])).toEqual(['20260101T001000Z', '20260101T014000Z', '20260101T015000Z', '20260101T020000Z']);
    const letters = await deadLetters(t);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      source: 'schedule',
      sourceArn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/tenmin`,
      targetArn: machine,
      error: 'Scheduler.EventExpired',
      attempts: 0,
      eventTime: T0 + 20 * MINUTE,
      time: T0 + 125 * MINUTE,
    });
    expect(letters[0]!.cause).toContain('8 firings due between 2026-01-01T00:20:00.000Z and 2026-01-01T01:30:00.000Z');

    // A second restart at the same time fires nothing again.
    await t.close();
    open.splice(0);
    t = await start(file);
    await t.server.scheduler.runDue();
    expect(await names(t, machine)).toHaveLength(4);
    expect(await deadLetters(t)).toHaveLength(1);
    now = T0 + 130 * MINUTE;
    await t.server.scheduler.runDue();
    expect(await names(t, machine)).toHaveLength(5);
  });

  it('fire once per due time when two servers (nodes) share a PostgreSQL database and fire together', async () => {
    const url = await freshPostgresDatabase();
    now = T0 + 30_000;
    const a = await start(url);
    const b = await start(url);
    const machine = await createMachine(a.sfn, 'shared');
    await a.scheduler.send(new CreateScheduleCommand(schedule('shared', machine, { ScheduleExpression: 'cron(* * * * ? *)' })));
    for (let minute = 1; minute <= 5; minute++) {
      now = T0 + minute * MINUTE;
      await Promise.all([a.server.scheduler.runDue(), b.server.scheduler.runDue()]);
    }
    const fired = await names(a, machine);
    expect(fired.map((n) => n.split('-')[1])).toEqual(['20260101T000100Z', '20260101T000200Z', '20260101T000300Z', '20260101T000400Z', '20260101T000500Z']);
  });

  it('fire within the flexible window, at the same instant after a restart', async () => {
    const file = folder.file();
    now = T0 + 30 * MINUTE;
    let t = await start(file);
    const machine = await createMachine(t.sfn, 'flex');
    const { ScheduleArn } = await t.scheduler.send(new CreateScheduleCommand(schedule('flexible', machine, {
      ScheduleExpression: 'cron(0 * * * ? *)',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 20 },
    })));
    const due = T0 + 60 * MINUTE;
    const stored = await t.server.store.schedules.getSchedule('default', 'flexible');
    const offset = flexOffsetMs({ arn: ScheduleArn!, flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 20 } }, due);
    expect(stored).toMatchObject({ nextDueAt: due, nextFireAt: due + offset });
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThan(20 * MINUTE);

    await t.close();
    open.splice(0);
    t = await start(file);
    expect((await t.server.store.schedules.getSchedule('default', 'flexible'))!.nextFireAt).toBe(due + offset);
    now = due + offset - 1;
    await t.server.scheduler.runDue();
    expect(await names(t, machine)).toHaveLength(0);
    now = due + offset;
    await t.server.scheduler.runDue();
    expect(await names(t, machine)).toHaveLength(1);
  });

  it('do not fire DISABLED schedules, nor the past they missed once enabled again', async () => {
    now = T0;
    const t = await start(folder.file());
    const machine = await createMachine(t.sfn, 'disabled');
    await t.scheduler.send(new CreateScheduleCommand(schedule('off', machine, { State: 'DISABLED', ScheduleExpression: 'rate(1 minute)' })));
    now = T0 + 10 * MINUTE;
    expect(await t.server.scheduler.runDue()).toBe(0);
    expect(await names(t, machine)).toEqual([]);
    now = T0 + 10 * MINUTE + 30_000;
    await t.scheduler.send(new UpdateScheduleCommand(schedule('off', machine, { State: 'ENABLED', ScheduleExpression: 'rate(1 minute)' })));
    await t.server.scheduler.runDue();
    // Only the firing at the update's time: none of the ten missed.
    expect((await names(t, machine)).map((n) => n.split('-')[1])).toEqual(['20260101T001030Z']);
  });

  it('fire an at() schedule once and delete it after with ActionAfterCompletion DELETE', async () => {
    now = T0;
    const t = await start(folder.file());
    const machine = await createMachine(t.sfn, 'once');
    await t.scheduler.send(new CreateScheduleCommand(schedule('one-time', machine, { ScheduleExpression: 'at(2026-01-01T00:30:00)', ActionAfterCompletion: 'DELETE' })));
    await t.scheduler.send(new CreateScheduleCommand(schedule('one-time-kept', machine, { ScheduleExpression: 'at(2026-01-01T00:30:00)' })));
    now = T0 + 29 * MINUTE;
    expect(await t.server.scheduler.runDue()).toBe(0);
    now = T0 + 31 * MINUTE;
    expect(await t.server.scheduler.runDue()).toBe(2);
    now = T0 + 90 * MINUTE;
    expect(await t.server.scheduler.runDue()).toBe(0);
    expect(await names(t, machine)).toHaveLength(2);
    await expect(t.scheduler.send(new GetScheduleCommand({ Name: 'one-time' }))).rejects.toThrow(ResourceNotFoundException);
    expect((await t.scheduler.send(new GetScheduleCommand({ Name: 'one-time-kept' }))).Name).toBe('one-time-kept');
  });

  it('retry a failing start with back-off, then record it as a dead letter and move on', async () => {
    now = T0 + 30_000;
    const t = await start(folder.file());
    const machine = await createMachine(t.sfn, 'doomed');
    await t.sfn.send(new DeleteStateMachineCommand({ stateMachineArn: machine }));
    await t.scheduler.send(new CreateScheduleCommand(schedule('failing', machine, {
      ScheduleExpression: 'cron(0 * * * ? *)',
      Target: { Arn: machine, RoleArn: ROLE, Input: '{"n":1}', RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } },
    })));
    const due = T0 + 60 * MINUTE;
    now = due;
    await t.server.scheduler.runDue(); // attempt 1
    expect(await t.server.store.schedules.getSchedule('default', 'failing')).toMatchObject({ nextDueAt: due, nextFireAt: due + 1000, attempt: 1 });
    now = due + 1000;
    await t.server.scheduler.runDue(); // attempt 2 (retry 1)
    expect(await t.server.store.schedules.getSchedule('default', 'failing')).toMatchObject({ nextFireAt: due + 3000, attempt: 2 });
    expect(await deadLetters(t)).toEqual([]);
    now = due + 3000;
    await t.server.scheduler.runDue(); // attempt 3 (retry 2): the last
    const letters = await deadLetters(t);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ error: 'StateMachineDoesNotExist', attempts: 3, eventTime: due, payload: '{"n":1}', targetArn: machine });
    expect(letters[0]!.cause).toContain('EXHAUSTED_RETRY_CONDITION MaximumRetryAttempts');
    expect(await t.server.store.schedules.getSchedule('default', 'failing')).toMatchObject({ nextDueAt: due + 60 * MINUTE, attempt: 0 });
  });

  it('stop retrying at the max event age', async () => {
    now = T0 + 30_000;
    const t = await start(folder.file());
    const machine = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:never-made`;
    await t.scheduler.send(new CreateScheduleCommand(schedule('aging', machine, {
      ScheduleExpression: 'cron(0 * * * ? *)',
      Target: { Arn: machine, RoleArn: ROLE, RetryPolicy: { MaximumEventAgeInSeconds: 60 } },
    })));
    const due = T0 + 60 * MINUTE;
    for (now = due; (await deadLetters(t)).length === 0 && now < due + 10 * MINUTE; now += 1000) await t.server.scheduler.runDue();
    const [letter] = await deadLetters(t);
    expect(letter).toMatchObject({ error: 'StateMachineDoesNotExist', eventTime: due });
    expect(letter!.cause).toContain('EXHAUSTED_RETRY_CONDITION MaximumEventAgeInSeconds');
    expect(now).toBeLessThanOrEqual(due + 61_000);
  });

  it('make a target it cannot start a dead letter at once; start through the universal sfn target', async () => {
    now = T0 + 30_000;
    const t = await start(folder.file());
    const machine = await createMachine(t.sfn, 'universal');
    await t.scheduler.send(new CreateScheduleCommand(schedule('to-sqs', `arn:aws:sqs:${REGION}:${ACCOUNT}:queue`, { ScheduleExpression: 'at(2026-01-01T00:01:00)' })));
    await t.scheduler.send(new CreateScheduleCommand(schedule('universal', 'arn:aws:scheduler:::aws-sdk:sfn:startExecution', {
      ScheduleExpression: 'at(2026-01-01T00:01:00)',
      Target: { Arn: 'arn:aws:scheduler:::aws-sdk:sfn:startExecution', RoleArn: ROLE, Input: JSON.stringify({ StateMachineArn: machine, Input: '{"at":"<aws.scheduler.scheduled-time>"}' }) },
    })));
    now = T0 + MINUTE;
    await t.server.scheduler.runDue();
    const [letter, ...others] = await deadLetters(t);
    expect(others).toEqual([]);
    expect(letter).toMatchObject({ error: 'Stepwise.UnsupportedTarget', attempts: 1, targetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:queue` });
    const [execution] = await executionsOf(t.sfn, machine);
    expect(JSON.parse((await t.sfn.send(new DescribeExecutionCommand({ executionArn: execution!.executionArn! }))).input!)).toEqual({ at: '2026-01-01T00:01:00Z' });
  });
});
