// The console's view of what starts executions, in Chromium against the built `stepwise serve`:
// a state machine's Triggers tab lists its schedules, event rules and HTTP routes; an execution
// says what started it (a route, a schedule); the Triggers page lists the dead letters and
// dismisses one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CreateStateMachineCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { ACCOUNT, ROLE, assertBuilt, sdk, startServe, stopAll, tempDir, type ServeProcess } from '../server/serve-process.js';
import { ensureConsoleBuilt, hasChromium, launchBrowser, screenshotDir, watchPageErrors, type Browser } from './browser.js';

const UI_WAIT = 45_000;
const SLOW = { timeout: 180_000 };
const MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:nightly`;
const OTHER = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:other`;
const SKIP_REASON = hasChromium() ? undefined : 'skipped: /usr/bin/chromium is not installed (apt-get install -y --no-install-recommends chromium)';

function eventually<T>(probe: () => Promise<T> | T) {
  return expect.poll(probe, { timeout: UI_WAIT, interval: 100 });
}

describe.skipIf(SKIP_REASON !== undefined)(`the console's triggers in Chromium${SKIP_REASON ? ` (${SKIP_REASON})` : ''}`, () => {
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;
  let pageErrors: { errors: string[] };
  let sfn: SFNClient;
  let temp: { dir: string; remove(): void } | undefined;

  beforeAll(async () => {
    assertBuilt();
    ensureConsoleBuilt();
    temp = tempDir('console-triggers');
    const config = join(temp.dir, 'stepwise.config.json');
    writeFileSync(config, JSON.stringify({ httpTriggers: [{ path: '/reports', stateMachine: 'nightly' }, { path: '/other', stateMachine: 'other' }] }));
    server = await startServe({ db: join(temp.dir, 'db.sqlite'), args: ['--config', config] });
    sfn = sdk(server.url);
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
    browser = await launchBrowser();
    page = await browser.context.newPage();
    pageErrors = watchPageErrors(page);
  }, 360_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await stopAll();
    temp?.remove();
  }, 60_000);

  it('lists the schedules, rules and routes that start a state machine on its Triggers tab, and no others', SLOW, async () => {
    await page.goto(`${server.url}/#/state-machines/${encodeURIComponent(MACHINE)}?tab=triggers`);
    const tab = page.getByTestId('machine-triggers');
    await tab.locator('[data-schedule="hourly"]').waitFor({ timeout: UI_WAIT });
    expect(await tab.locator('[data-schedule]').count()).toBe(1);
    expect(await tab.locator('[data-schedule="hourly"]').textContent()).toBe('hourlydefaultrate(1 hour)ENABLED');
    await tab.locator('[data-rule="on-order"]').waitFor({ timeout: UI_WAIT });
    expect(await tab.locator('[data-rule="on-order"]').textContent()).toBe('on-orderdefault{"source":["shop"]}ENABLED');
    await tab.locator('[data-route="POST /reports"]').waitFor({ timeout: UI_WAIT });
    expect(await tab.locator('[data-route]').count()).toBe(1);
    await page.screenshot({ path: join(screenshotDir(), '20-machine-triggers.png') });
  });

  it('says what started an execution: an HTTP route, a schedule', SLOW, async () => {
    const res = await fetch(`${server.url}/reports`, { method: 'POST', body: '{"day":"monday"}' });
    const { executionArn } = (await res.json()) as { executionArn: string };
    await page.goto(`${server.url}/#/executions/${encodeURIComponent(executionArn)}`);
    const origin = page.getByTestId('origin');
    await origin.waitFor({ timeout: UI_WAIT });
    expect(await origin.getAttribute('data-origin')).toBe('route');
    expect(await origin.textContent()).toBe('HTTP route POST /reports');

    let scheduled: string | undefined;
    await eventually(async () => {
      const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: MACHINE }));
      scheduled = executions?.find((e) => e.name!.startsWith('hourly-'))?.executionArn;
      return scheduled !== undefined;
    }).toBe(true);
    await page.goto(`${server.url}/#/executions/${encodeURIComponent(scheduled!)}`);
    await eventually(() => page.getByTestId('origin').getAttribute('data-origin')).toBe('schedule');
    expect(await page.getByTestId('origin').textContent()).toMatch(/^schedule hourly, due /);
  });

  it('lists everything on the Triggers page, with the dead letters, and dismisses one', SLOW, async () => {
    await page.goto(`${server.url}/#/triggers`);
    await page.getByRole('heading', { name: 'Triggers', level: 1 }).waitFor({ timeout: UI_WAIT });
    await page.locator('[data-testid="schedules"] [data-schedule="elsewhere"]').waitFor({ timeout: UI_WAIT });
    expect(await page.locator('[data-testid="schedules"] [data-schedule]').count()).toBe(3);
    expect(await page.locator('[data-testid="routes"] [data-route]').count()).toBe(2);
    const letter = page.locator('[data-testid="dead-letters"] tbody tr');
    await eventually(() => letter.count()).toBe(1);
    expect(await letter.textContent()).toContain('Stepwise.UnsupportedTarget');
    expect(await letter.textContent()).toContain(`arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`);
    await page.screenshot({ path: join(screenshotDir(), '21-triggers-page.png'), fullPage: true });
    await letter.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByText('No dead letters.').waitFor({ timeout: UI_WAIT });
  });

  it('left no uncaught error in the page', () => {
    expect(pageErrors.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  });
});
