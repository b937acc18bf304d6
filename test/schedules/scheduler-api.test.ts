// EventBridge Scheduler's API on the server's port, driven by @aws-sdk/client-scheduler and by
// the AWS CLI (`aws scheduler … --endpoint-url`), on a real SQLite file.
import { execFile } from 'node:child_process';
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateScheduleCommand,
  ValidationException,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, boot, REGION, ROLE, T0, tempFolder, type TestServer } from './helpers.js';

const folder = tempFolder('scheduler-api');
afterAll(() => folder.remove());

const MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:m`;
const schedule = (name: string, extra: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: name,
  ScheduleExpression: 'rate(5 minutes)',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { Arn: MACHINE, RoleArn: ROLE, Input: '{"a":1}' },
  ...extra,
});

let t: TestServer;
let now = T0;
beforeEach(async () => {
  now = T0;
  t = await boot(folder.file(), { now: () => now });
});
afterEach(async () => {
  await t.close();
});

describe('Scheduler API', () => {
  it('creates, reads, updates, lists and deletes a schedule', async () => {
    const created = await t.scheduler.send(new CreateScheduleCommand(schedule('nightly', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Description: 'every night',
      StartDate: new Date(T0 + 60_000),
      EndDate: new Date(T0 + 86_400_000 * 30),
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      Target: { Arn: MACHINE, RoleArn: ROLE, Input: '{"a":1}', RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 }, DeadLetterConfig: { Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:dlq` } },
    })));
    expect(created.ScheduleArn).toBe(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/nightly`);

    const got = await t.scheduler.send(new GetScheduleCommand({ Name: 'nightly' }));
    expect(got).toMatchObject({
      Arn: created.ScheduleArn,
      GroupName: 'default',
      Name: 'nightly',
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Description: 'every night',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      Target: { Arn: MACHINE, RoleArn: ROLE, Input: '{"a":1}', RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 }, DeadLetterConfig: { Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:dlq` } },
      ActionAfterCompletion: 'NONE',
    });
    expect(got.StartDate).toEqual(new Date(T0 + 60_000));
    expect(got.CreationDate).toEqual(new Date(T0));

    // An update replaces everything: what it leaves out takes its default.
    now = T0 + 1000;
    await t.scheduler.send(new UpdateScheduleCommand(schedule('nightly', { State: 'DISABLED' })));
    const updated = await t.scheduler.send(new GetScheduleCommand({ Name: 'nightly', GroupName: 'default' }));
    expect(updated).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'DISABLED', Target: { RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 } } });
    expect(updated.Description).toBeUndefined();
    expect(updated.ScheduleExpressionTimezone).toBeUndefined();
    expect(updated.CreationDate).toEqual(new Date(T0));
    expect(updated.LastModificationDate).toEqual(new Date(T0 + 1000));

    await t.scheduler.send(new CreateScheduleCommand(schedule('other')));
    const listed = await t.scheduler.send(new ListSchedulesCommand({}));
    expect(listed.Schedules!.map((s) => [s.Name, s.State, s.Target?.Arn])).toEqual([['nightly', 'DISABLED', MACHINE], ['other', 'ENABLED', MACHINE]]);
    expect((await t.scheduler.send(new ListSchedulesCommand({ State: 'ENABLED' }))).Schedules!.map((s) => s.Name)).toEqual(['other']);
    expect((await t.scheduler.send(new ListSchedulesCommand({ NamePrefix: 'nig' }))).Schedules!.map((s) => s.Name)).toEqual(['nightly']);
    const page = await t.scheduler.send(new ListSchedulesCommand({ MaxResults: 1 }));
    expect(page.Schedules!.map((s) => s.Name)).toEqual(['nightly']);
    const next = await t.scheduler.send(new ListSchedulesCommand({ MaxResults: 1, NextToken: page.NextToken! }));
    expect(next.Schedules!.map((s) => s.Name)).toEqual(['other']);
    expect(next.NextToken).toBeUndefined();

    await t.scheduler.send(new DeleteScheduleCommand({ Name: 'nightly' }));
    await expect(t.scheduler.send(new GetScheduleCommand({ Name: 'nightly' }))).rejects.toThrow(ResourceNotFoundException);
    await expect(t.scheduler.send(new DeleteScheduleCommand({ Name: 'nightly' }))).rejects.toThrow('Schedule nightly does not exist.');
  });

  it('answers errors with AWS names, statuses and messages', async () => {
    await t.scheduler.send(new CreateScheduleCommand(schedule('s')));
    const conflict = await t.scheduler.send(new CreateScheduleCommand(schedule('s'))).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictException);
    expect((conflict as ConflictException).$metadata.httpStatusCode).toBe(409);
    expect((conflict as ConflictException).message).toBe('Schedule s already exists.');

    const invalid = async (input: CreateScheduleCommandInput): Promise<string> => {
      const error = await t.scheduler.send(new CreateScheduleCommand(input)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).$metadata.httpStatusCode).toBe(400);
      return (error as Error).message;
    };
    expect(await invalid(schedule('bad name'))).toMatch(/Member must satisfy regular expression pattern/);
    expect(await invalid(schedule('x'.repeat(65)))).toMatch(/length greater than or equal to 1 and less than or equal to 64/);
    expect(await invalid(schedule('e', { ScheduleExpression: 'rate(1 minutes)' }))).toBe('Invalid Schedule Expression rate(1 minutes).');
    expect(await invalid(schedule('e', { ScheduleExpression: 'cron(0 0 * * * *)' }))).toBe('Invalid Schedule Expression cron(0 0 * * * *).');
    expect(await invalid(schedule('e', { ScheduleExpressionTimezone: 'Mars/Olympus' }))).toMatch(/ScheduleExpressionTimezone/);
    expect(await invalid(schedule('e', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }))).toMatch(/MaximumWindowInMinutes/);
    expect(await invalid(schedule('e', { FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 1441 } }))).toMatch(/less than or equal to 1440/);
    expect(await invalid(schedule('e', { FlexibleTimeWindow: undefined }))).toMatch(/flexibleTimeWindow' failed to satisfy constraint: Member must not be null/);
    expect(await invalid(schedule('e', { Target: { Arn: MACHINE, RoleArn: 'not-a-role' } }))).toMatch(/target.roleArn/);
    expect(await invalid(schedule('e', { Target: { Arn: MACHINE, RoleArn: ROLE, Input: 'x'.repeat(8193) } }))).toMatch(/target.input/);
    expect(await invalid(schedule('e', { Target: { Arn: MACHINE, RoleArn: ROLE, RetryPolicy: { MaximumEventAgeInSeconds: 59 } } }))).toMatch(/greater than or equal to 60/);
    expect(await invalid(schedule('e', { Target: { Arn: MACHINE, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 186 } } }))).toMatch(/less than or equal to 185/);
    expect(await invalid(schedule('e', { State: 'PAUSED' as never }))).toMatch(/enum value set: \[ENABLED, DISABLED\]/);
    expect(await invalid(schedule('e', { ActionAfterCompletion: 'KEEP' as never }))).toMatch(/enum value set: \[NONE, DELETE\]/);
    expect(await invalid(schedule('e', { StartDate: new Date(T0 + 1000), EndDate: new Date(T0) }))).toMatch(/EndDate/);

    await expect(t.scheduler.send(new CreateScheduleCommand(schedule('g', { GroupName: 'nope' })))).rejects.toThrow('Schedule group nope does not exist.');
    await expect(t.scheduler.send(new UpdateScheduleCommand(schedule('missing')))).rejects.toThrow(ResourceNotFoundException);
    await expect(t.scheduler.send(new ListSchedulesCommand({ NextToken: 'garbage' }))).rejects.toThrow(ValidationException);

    // Raw: the REST-JSON error shape (x-amzn-ErrorType header, Message member).
    const response = await fetch(`${t.server.url}/schedules/missing`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await response.json()).toEqual({ Message: 'Schedule missing does not exist.' });
    const broken = await fetch(`${t.server.url}/schedules/x`, { method: 'POST', body: '{not json' });
    expect(broken.status).toBe(400);
    const huge = await fetch(`${t.server.url}/schedules/x`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    expect(huge.status).toBe(413);
  });

  it('answers a repeated create of the same ClientToken with the schedule it made', async () => {
    const first = await t.scheduler.send(new CreateScheduleCommand(schedule('once', { ClientToken: 'token-1' })));
    const again = await t.scheduler.send(new CreateScheduleCommand(schedule('once', { ClientToken: 'token-1' })));
    expect(again.ScheduleArn).toBe(first.ScheduleArn);
    await expect(t.scheduler.send(new CreateScheduleCommand(schedule('once', { ClientToken: 'token-2' })))).rejects.toThrow(ConflictException);
  });

  it('keeps schedule groups with their tags; deleting one deletes its schedules; default stays', async () => {
    const group = await t.scheduler.send(new CreateScheduleGroupCommand({ Name: 'team', Tags: [{ Key: 'owner', Value: 'ops' }] }));
    expect(group.ScheduleGroupArn).toBe(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/team`);
    await expect(t.scheduler.send(new CreateScheduleGroupCommand({ Name: 'team' }))).rejects.toThrow(ConflictException);
    expect(await t.scheduler.send(new GetScheduleGroupCommand({ Name: 'team' }))).toMatchObject({ Arn: group.ScheduleGroupArn, Name: 'team', State: 'ACTIVE', CreationDate: new Date(T0) });
    const groups = await t.scheduler.send(new ListScheduleGroupsCommand({}));
    expect(groups.ScheduleGroups!.map((g) => g.Name)).toEqual(['default', 'team']);
    expect((await t.scheduler.send(new ListScheduleGroupsCommand({ NamePrefix: 'te' }))).ScheduleGroups!.map((g) => g.Name)).toEqual(['team']);

    await t.scheduler.send(new TagResourceCommand({ ResourceArn: group.ScheduleGroupArn!, Tags: [{ Key: 'env', Value: 'dev' }] }));
    await t.scheduler.send(new UntagResourceCommand({ ResourceArn: group.ScheduleGroupArn!, TagKeys: ['owner'] }));
    expect((await t.scheduler.send(new ListTagsForResourceCommand({ ResourceArn: group.ScheduleGroupArn! }))).Tags).toEqual([{ Key: 'env', Value: 'dev' }]);
    await expect(t.scheduler.send(new ListTagsForResourceCommand({ ResourceArn: `${group.ScheduleGroupArn!}x` }))).rejects.toThrow(ResourceNotFoundException);

    await t.scheduler.send(new CreateScheduleCommand(schedule('in-team', { GroupName: 'team' })));
    await t.scheduler.send(new CreateScheduleCommand(schedule('in-default')));
    expect((await t.scheduler.send(new ListSchedulesCommand({ GroupName: 'team' }))).Schedules!.map((s) => s.Name)).toEqual(['in-team']);
    await t.scheduler.send(new DeleteScheduleGroupCommand({ Name: 'team' }));
    await expect(t.scheduler.send(new GetScheduleGroupCommand({ Name: 'team' }))).rejects.toThrow('Schedule group team does not exist.');
    await expect(t.scheduler.send(new GetScheduleCommand({ Name: 'in-team', GroupName: 'team' }))).rejects.toThrow(ResourceNotFoundException);
    await expect(t.scheduler.send(new DeleteScheduleGroupCommand({ Name: 'default' }))).rejects.toThrow(ValidationException);
    expect((await t.scheduler.send(new ListSchedulesCommand({}))).Schedules!.map((s) => s.Name)).toEqual(['in-default']);
  });
});

describe('the AWS CLI', () => {
  it('creates and reads a schedule with aws scheduler --endpoint-url', async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_DEFAULT_REGION: REGION, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const aws = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile('aws', ['scheduler', ...args, '--endpoint-url', t.server.url, '--output', 'json'], { env, timeout: 60_000 }, (error, stdout, stderr) => {
          resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr });
        });
      });
    const created = await aws([
      'create-schedule', '--name', 'from-cli', '--schedule-expression', 'rate(1 hour)',
      '--flexible-time-window', '{"Mode":"OFF"}',
      '--target', JSON.stringify({ Arn: MACHINE, RoleArn: ROLE, Input: '{"cli":true}' }),
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toEqual({ ScheduleArn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/from-cli` });
    const got = await aws(['get-schedule', '--name', 'from-cli']);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ Name: 'from-cli', ScheduleExpression: 'rate(1 hour)', Target: { Arn: MACHINE, Input: '{"cli":true}' } });
    const missing = await aws(['get-schedule', '--name', 'nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('An error occurred (ResourceNotFoundException) when calling the GetSchedule operation: Schedule nope does not exist.');
  });
});
