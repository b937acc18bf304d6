// The console's view of what starts executions, in Chromium against the built `stepwise serve`:
// a state machine's Triggers tab lists its schedules, event rules and HTTP routes; an execution
// says what started it (a route, a schedule); the Triggers page lists the dead letters and
// dismisses one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CreateStateMachineCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { ACCOUNT, ROLE } from '../server/serve-process.js';
import { consoleSession, describeInChromium, screenshotDir } from './browser.js';

const UI_WAIT = 45_000;
const SLOW = { timeout: 180_000 };
const MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:nightly`;
const OTHER = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:other`;

function eventually<T>(probe: () => Promise<T> | T) {
  return expect.poll(probe, { timeout: UI_WAIT, interval: 100 });
}

describeInChromium("the console's triggers in Chromium", () => {
  const session = consoleSession(
    'console-triggers',
    (dir) => {
      const config = join(dir, 'stepwise.config.json');
      writeFileSync(config, JSON.stringify({ httpTriggers: [{ path: '/reports', stateMachine: 'nightly' }, { path: '/other', stateMachine: 'other' }] }));
      return { args: ['--config', config] };
    },
    async ({ server, sdk: sfn }) => {
      const pass = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
      await sfn.send(new CreateStateMachineCommand({ name: 'nightly', roleArn: ROLE, definition: pass }));
      await sfn.send(new CreateStateMachineCommand({ name: 'other', roleArn: ROLE, definition: pass }));
      const options = { endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
      const scheduler = new SchedulerClient(options);
      const target = { Arn: MACHINE, RoleArn: ROLE };
      // A rate schedule without a StartDate fires at once ("starts invoking its target immediately").
      await scheduler.send(new CreateScheduleCommand({ Name: 'hourly', ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: target }));
      await scheduler.send(new CreateScheduleCommand({ Name: 'elsewhere', ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: OTHER, RoleArn: ROLE }, State: 'DISABLED' }));
      // A target the scheduler cannot start: its firing is a dead letter at once.
      await scheduler.send(
        new CreateScheduleCommand({ Name: 'to-a-queue', ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`, RoleArn: ROLE } }),
      );
      const events = new EventBridgeClient(options);
      await events.send(new PutRuleCommand({ Name: 'on-order', EventPattern: JSON.stringify({ source: ['shop'] }) }));
      await events.send(new PutTargetsCommand({ Rule: 'on-order', Targets: [{ Id: 'start', Arn: MACHINE, RoleArn: ROLE }] }));
      scheduler.destroy();
      events.destroy();
    },
  );

  it('lists the schedules, rules and routes that start a state machine on its Triggers tab, and no others', SLOW, async () => {
    await session.page.goto(`${session.server.url}/#/state-machines/${encodeURIComponent(MACHINE)}?tab=triggers`);
    const tab = session.page.getByTestId('machine-triggers');
    await tab.locator('[data-schedule="hourly"]').waitFor({ timeout: UI_WAIT });
    expect(await tab.locator('[data-schedule]').count()).toBe(1);
    expect(await tab.locator('[data-schedule="hourly"]').textContent()).toBe('hourlydefaultrate(1 hour)ENABLED');
    await tab.locator('[data-rule="on-order"]').waitFor({ timeout: UI_WAIT });
    expect(await tab.locator('[data-rule="on-order"]').textContent()).toBe('on-orderdefault{"source":["shop"]}ENABLED');
    await tab.locator('[data-route="POST /reports"]').waitFor({ timeout: UI_WAIT });
    expect(await tab.locator('[data-route]').count()).toBe(1);
    await session.page.screenshot({ path: join(screenshotDir(), '20-machine-triggers.png') });
  });

  it('says what started an execution: an HTTP route, a schedule', SLOW, async () => {
    const res = await fetch(`${session.server.url}/reports`, { method: 'POST', body: '{"day":"monday"}' });
    const { executionArn } = (await res.json()) as { executionArn: string };
    await session.page.goto(`${session.server.url}/#/executions/${encodeURIComponent(executionArn)}`);
    const origin = session.page.getByTestId('origin');
    await origin.waitFor({ timeout: UI_WAIT });
    expect(await origin.getAttribute('data-origin')).toBe('route');
    expect(await origin.textContent()).toBe('HTTP route POST /reports');

    let scheduled: string | undefined;
    await eventually(async () => {
      const { executions } = await session.sdk.send(new ListExecutionsCommand({ stateMachineArn: MACHINE }));
      scheduled = executions?.find((e) => e.name!.startsWith('hourly-'))?.executionArn;
      return scheduled !== undefined;
    }).toBe(true);
    await session.page.goto(`${session.server.url}/#/executions/${encodeURIComponent(scheduled!)}`);
    await eventually(() => session.page.getByTestId('origin').getAttribute('data-origin')).toBe('schedule');
    expect(await session.page.getByTestId('origin').textContent()).toMatch(/^schedule hourly, due /);
  });

  it('lists everything on the Triggers page, with the dead letters, and dismisses one', SLOW, async () => {
    await session.page.goto(`${session.server.url}/#/triggers`);
    await session.page.getByRole('heading', { name: 'Triggers', level: 1 }).waitFor({ timeout: UI_WAIT });
    await session.page.locator('[data-testid="schedules"] [data-schedule="elsewhere"]').waitFor({ timeout: UI_WAIT });
    expect(await session.page.locator('[data-testid="schedules"] [data-schedule]').count()).toBe(3);
    expect(await session.page.locator('[data-testid="routes"] [data-route]').count()).toBe(2);
    const letter = session.page.locator('[data-testid="dead-letters"] tbody tr');
    await eventually(() => letter.count()).toBe(1);
    expect(await letter.textContent()).toContain('Stepwise.UnsupportedTarget');
    expect(await letter.textContent()).toContain(`arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`);
    await session.page.screenshot({ path: join(screenshotDir(), '21-triggers-page.png'), fullPage: true });
    await letter.getByRole('button', { name: 'Dismiss' }).click();
    await session.page.getByText('No dead letters.').waitFor({ timeout: UI_WAIT });
  });

  it('left no uncaught error in the page', () => {
    expect(session.pageErrors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  });
});
