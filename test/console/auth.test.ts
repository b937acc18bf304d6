// The web console against a server with a keys file (--auth-file), in Chromium: the sign-in page
// refuses a wrong secret with the server's message; an admin key signs in, sees the state
// machines and starts an execution (every call SigV4-signed in the browser); Sign out returns to
// sign-in and forgets the key; a read-only key finds Create, Start execution, Edit and Delete
// disabled with the reason, and a call its policies refuse shows "Not allowed".
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ACCOUNT, REGION, ROLE } from '../server/serve-process.js';
import { consoleSession, describeInChromium, screenshotDir } from './browser.js';

declare const sessionStorage: { readonly length: number; getItem(key: string): string | null; setItem(key: string, value: string): void };
declare const location: { readonly hash: string };

const UI_WAIT = 45_000;
const allow = (Action: unknown, Resource: unknown = '*') => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] });
const ADMIN = { accessKeyId: 'AKIACONSOLEADMIN0001', secretAccessKey: 'admin-secret-0123456789abcdef', name: 'console-admin', policies: [allow(['states:*', 'events:*', 'scheduler:*', 'stepwise:*'])] };
const READER = {
  accessKeyId: 'AKIACONSOLEREADER001',
  secretAccessKey: 'reader-secret-0123456789abcdef',
  name: 'console-reader',
  policies: [allow(['states:List*', 'states:Describe*', 'states:GetExecutionHistory', 'stepwise:*'])],
};
const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { ok: true }, End: true } } });
const MACHINE = `Signed-${Date.now().toString(36)}`;

function eventually<T>(probe: () => Promise<T> | T) {
  return expect.poll(probe, { timeout: UI_WAIT, interval: 100 });
}

describeInChromium('the console with a keys file, in Chromium', () => {
  let machineArn: string;
  const session = consoleSession(
    'console-auth',
    (dir) => {
      const keysFile = join(dir, 'keys.json');
      writeFileSync(keysFile, JSON.stringify({ keys: [ADMIN, READER] }));
      return { args: ['--auth-file', keysFile] };
    },
    async ({ server }) => {
      const sfn = new SFNClient({ endpoint: server.url, region: REGION, credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey }, maxAttempts: 1 });
      machineArn = (await sfn.send(new CreateStateMachineCommand({ name: MACHINE, definition: PASS, roleArn: ROLE }))).stateMachineArn!;
      expect(machineArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${MACHINE}`);
    },
  );

  const signInForm = () => session.page.getByRole('form', { name: 'Sign in' });
  const signInWith = async (key: { accessKeyId: string; secretAccessKey: string }) => {
    await signInForm().waitFor();
    await session.page.getByLabel('Access key ID').fill(key.accessKeyId);
    await session.page.getByLabel('Secret access key').fill(key.secretAccessKey);
    await signInForm().getByRole('button', { name: 'Sign in' }).click();
  };

  it('asks for a key, and refuses a wrong secret with the reason', async () => {
    await session.page.goto(`${session.server.url}/`);
    await signInWith({ accessKeyId: ADMIN.accessKeyId, secretAccessKey: 'wrong-secret-0123456789abcdef' });
    const alert = signInForm().getByRole('alert');
    await eventually(() => alert.textContent()).toContain('Sign-in failed: InvalidSignatureException');
    await expect(alert.textContent()).resolves.toContain('Check your AWS Secret Access Key');
    // Nothing was kept, and no page behind the form was shown.
    expect(await session.page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await session.page.getByTestId('signed-in-as').count()).toBe(0);
    await signInWith({ accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: ADMIN.secretAccessKey });
    await eventually(() => alert.textContent()).toContain('UnrecognizedClientException');
  }, 120_000);

  it('signs in with an admin key, lists the state machines and starts an execution', async () => {
    await signInWith(ADMIN);
    await eventually(() => session.page.getByTestId('signed-in-as').textContent()).toBe('Signed in as console-admin');
    const row = session.page.locator(`[data-testid="state-machines"] tr[data-machine="${MACHINE}"]`);
    await row.waitFor({ timeout: UI_WAIT });
    await expect(session.page.getByTestId('create-state-machine').evaluate((el) => el.tagName)).resolves.toBe('A');
    await row.getByRole('link', { name: MACHINE }).click();
    const start = session.page.getByTestId('start-execution');
    await eventually(() => start.isEnabled()).toBe(true);
    await start.click();
    const dialog = session.page.getByRole('dialog', { name: 'Start execution' });
    await dialog.getByTestId('confirm-start-execution').click();
    await eventually(() => session.page.getByTestId('execution-status').getAttribute('data-value')).toBe('SUCCEEDED');
    await session.page.screenshot({ path: join(screenshotDir(), 'auth-admin-execution.png') });
    // A reload keeps the key (sessionStorage) and re-reads nothing from the user.
    await session.page.reload();
    await eventually(() => session.page.getByTestId('signed-in-as').textContent()).toBe('Signed in as console-admin');
  }, 180_000);

  it('Sign out returns to sign-in and forgets the key', async () => {
    await session.page.getByRole('button', { name: 'Sign out' }).click();
    await signInForm().waitFor();
    expect(await session.page.evaluate(() => sessionStorage.length)).toBe(0);
    await session.page.reload();
    await signInForm().waitFor();
  }, 60_000);

  it('with a read-only key, what it may not do is disabled with the reason, and a refusal reads "Not allowed"', async () => {
    await signInWith(READER);
    await eventually(() => session.page.getByTestId('signed-in-as').textContent()).toBe('Signed in as console-reader');
    // Signed out on the execution's page, back on it: New execution (StartExecution) is disabled.
    expect(await session.page.evaluate(() => location.hash)).toMatch(/^#\/executions\//);
    const again = session.page.getByTestId('new-execution');
    await eventually(() => again.getAttribute('title')).toContain('Not allowed');
    expect(await again.isDisabled()).toBe(true);

    await session.page.goto(`${session.server.url}/#/state-machines`);
    await session.page.locator(`tr[data-machine="${MACHINE}"]`).waitFor({ timeout: UI_WAIT });
    const create = session.page.getByTestId('create-state-machine');
    await eventually(() => create.getAttribute('title')).toContain('Not allowed');
    expect(await create.isDisabled()).toBe(true);

    await session.page.goto(`${session.server.url}/#/state-machines/${encodeURIComponent(machineArn)}`);
    for (const id of ['start-execution', 'delete-state-machine', 'edit-state-machine']) {
      const control = session.page.getByTestId(id);
      await eventually(() => control.getAttribute('title')).toContain('Not allowed: your access key (console-reader) may not');
      expect(await control.isDisabled(), id).toBe(true);
    }
    expect(await session.page.getByTestId('start-execution').getAttribute('title')).toContain(`states:StartExecution on ${machineArn}`);
    // What it may read, it sees: the execution the admin started.
    await session.page.locator('table').getByRole('link').first().waitFor({ timeout: UI_WAIT });
    await session.page.screenshot({ path: join(screenshotDir(), 'auth-reader-machine.png') });

    // The Triggers page lists schedules (a signed REST GET) and EventBridge rules: neither is in its policies.
    await session.page.goto(`${session.server.url}/#/triggers`);
    for (const action of ['scheduler:ListSchedules', 'events:ListRules']) {
      await eventually(() => session.page.getByRole('alert').filter({ hasText: `Not allowed: User: arn:aws:iam::${ACCOUNT}:user/console-reader is not authorized to perform: ${action}` }).count()).toBe(1);
    }
    await session.page.screenshot({ path: join(screenshotDir(), 'auth-reader-triggers.png') });
    // Refused by policy is not a bad key: still signed in.
    expect(await session.page.getByTestId('signed-in-as').textContent()).toBe('Signed in as console-reader');
  }, 180_000);

  it('a key the server no longer accepts sends the user back to sign-in, saying why', async () => {
    // As if the key's secret were rotated in the keys file while the tab kept the old one.
    await session.page.evaluate(() => {
      const stored = JSON.parse(sessionStorage.getItem('stepwise.console.key') ?? '{}') as Record<string, string>;
      sessionStorage.setItem('stepwise.console.key', JSON.stringify({ ...stored, secretAccessKey: 'rotated-away-0123456789abcdef' }));
    });
    await session.page.goto(`${session.server.url}/#/state-machines`);
    await session.page.reload();
    await signInForm().waitFor({ timeout: UI_WAIT });
    await eventually(() => session.page.getByTestId('signed-out-because').textContent()).toContain('You were signed out: InvalidSignatureException');
    expect(await session.page.evaluate(() => sessionStorage.length)).toBe(0);
  }, 60_000);
});
