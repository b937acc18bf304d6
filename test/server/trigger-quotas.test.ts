// The quotas of schedules, schedule groups and rules per bus: AWS's defaults, lowered with
// serve's options, refused with AWS's errors once reached.
import { CreateScheduleCommand, CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

let server: RunningServer;
let scheduler: SchedulerClient;
let events: EventBridgeClient;

beforeAll(async () => {
  server = await startServer(parseServeArgs(['--port', '0', '--db', ':memory:', '--max-schedules', '2', '--max-schedule-groups', '2', '--max-rules-per-bus', '1'], {}), pino({ level: 'silent' }));
  const options = { endpoint: server.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  scheduler = new SchedulerClient(options);
  events = new EventBridgeClient(options);
});

afterAll(async () => {
  scheduler?.destroy();
  events?.destroy();
  await server?.close();
});

describe('trigger quotas', () => {
  it('have AWS’s defaults', () => {
    const { quotas } = parseServeArgs([], {});
    expect(quotas).toMatchObject({ maxSchedules: 1_000_000, maxScheduleGroups: 500, maxRulesPerBus: 300 });
    expect(parseServeArgs([], { STEPWISE_MAX_RULES_PER_BUS: '7' }).quotas!.maxRulesPerBus).toBe(7);
  });

  it('refuse the schedule, group and rule beyond them', async () => {
    const schedule = (name: string) =>
      new CreateScheduleCommand({
        Name: name,
        ScheduleExpression: 'rate(1 hour)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: 'arn:aws:states:us-east-1:111111111111:stateMachine:m', RoleArn: 'arn:aws:iam::111111111111:role/r' },
      });
    await scheduler.send(schedule('a'));
    await scheduler.send(schedule('b'));
    await expect(scheduler.send(schedule('c'))).rejects.toMatchObject({ name: 'ServiceQuotaExceededException', message: expect.stringMatching(/limit of 2/) });
    await scheduler.send(new CreateScheduleGroupCommand({ Name: 'second' })); // default + second
    await expect(scheduler.send(new CreateScheduleGroupCommand({ Name: 'third' }))).rejects.toMatchObject({ name: 'ServiceQuotaExceededException' });
    await events.send(new PutRuleCommand({ Name: 'one', EventPattern: '{"source":["a"]}' }));
    await events.send(new PutRuleCommand({ Name: 'one', EventPattern: '{"source":["b"]}' })); // an update is not a new rule
    await expect(events.send(new PutRuleCommand({ Name: 'two', EventPattern: '{"source":["a"]}' }))).rejects.toMatchObject({ name: 'LimitExceededException' });
  });
});
