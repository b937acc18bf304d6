// `--base-path /stepwise` on the built server, as a reverse proxy that keeps the path reaches it:
// everything is under the prefix (API, Scheduler routes, console, console-config.json, /health),
// nothing outside it; SigV4 signatures cover the prefix (the SDK with `endpoint: <url>/stepwise`
// signs it, a signature over `/` alone is refused); the console loads under the prefix in
// Chromium, signs in and lists the state machines. The flag's validation too.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateScheduleGroupCommand, ListScheduleGroupsCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateStateMachineCommand, ListStateMachinesCommand, SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseServeArgs } from '../../src/server/config.js';
import { ensureConsoleBuilt, hasChromium, launchBrowser } from '../console/browser.js';
import { REGION, ROLE, assertBuilt, startServe, stopAll, tempDir, type ServeProcess } from './serve-process.js';

const allow = (Action: unknown) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource: '*' }] });
const ADMIN = { accessKeyId: 'AKIABASEPATHADMIN001', secretAccessKey: 'base-path-secret-0123456789', name: 'proxy-admin', policies: [allow(['states:*', 'scheduler:*', 'stepwise:*'])] };
const credentials = { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey };

describe('parseServeArgs --base-path', () => {
  it('takes a path that starts with / and does not end with one, from the flag or STEPWISE_BASE_PATH', () => {
    expect(parseServeArgs(['--base-path', '/stepwise'], {}).basePath).toBe('/stepwise');
    expect(parseServeArgs([], { STEPWISE_BASE_PATH: '/tools/stepwise' }).basePath).toBe('/tools/stepwise');
    expect(parseServeArgs([], {}).basePath).toBeUndefined();
    for (const bad of ['stepwise', '/stepwise/', '/', '/a/../b', '/a b', '/a%2Fb', '/a//b', '/.']) {
      expect(() => parseServeArgs(['--base-path', bad], {}), bad).toThrow(ConfigError);
    }
  });
});

describe('a server under /stepwise', () => {
  let server: ServeProcess;
  let temp: { dir: string; remove(): void };
  let base: string;

  beforeAll(async () => {
    assertBuilt();
    temp = tempDir('base-path');
    const keysFile = join(temp.dir, 'keys.json');
    writeFileSync(keysFile, JSON.stringify({ keys: [ADMIN] }));
    server = await startServe({ db: join(temp.dir, 'db.sqlite'), args: ['--auth-file', keysFile, '--base-path', '/stepwise'] });
    base = `${server.url}/stepwise`;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await stopAll();
    temp?.remove();
  });

  it('serves the SDKs at <url>/stepwise, signed over the prefixed path', async () => {
    const sfn = new SFNClient({ endpoint: base, region: REGION, credentials, maxAttempts: 1, disableHostPrefix: true });
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'behind-proxy', type: 'EXPRESS', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }));
    expect((await sfn.send(new ListStateMachinesCommand({}))).stateMachines?.map((m) => m.name)).toContain('behind-proxy');
    expect((await sfn.send(new StartSyncExecutionCommand({ stateMachineArn, input: '{"a":1}' }))).output).toBe('{"a":1}');
    const scheduler = new SchedulerClient({ endpoint: base, region: REGION, credentials, maxAttempts: 1 });
    await scheduler.send(new CreateScheduleGroupCommand({ Name: 'proxied' }));
    expect((await scheduler.send(new ListScheduleGroupsCommand({}))).ScheduleGroups?.map((g) => g.Name)).toContain('proxied');
  });

  it('refuses a signature that does not cover the prefix', async () => {
    const url = new URL(base);
    const body = '{}';
    const sign = async (path: string) => {
      const signer = new SignatureV4({ credentials, region: REGION, service: 'states', sha256: Hash.bind(null, 'sha256') });
      const request = new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, body, headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListStateMachines' } });
      return (await signer.sign(request)).headers as Record<string, string>;
    };
    const good = await fetch(`${base}/`, { method: 'POST', headers: await sign('/stepwise/'), body });
    expect(good.status).toBe(200);
    const stripped = await fetch(`${base}/`, { method: 'POST', headers: await sign('/'), body });
    expect(stripped.status).toBe(400);
    expect(((await stripped.json()) as { __type: string }).__type).toBe('com.amazon.coral.service#InvalidSignatureException');
  });

  it('answers nothing outside the prefix, and the rest under it', async () => {
    for (const path of ['/', '/health', '/console-config.json', '/stepwiser/health', '/schedules']) {
      const response = await fetch(`${server.url}${path}`, { headers: { Accept: 'text/html' } });
      expect(response.status, path).toBe(404);
      await response.arrayBuffer();
    }
    const unsigned = await fetch(`${base}/`, { method: 'POST', headers: { 'x-amz-target': 'AWSStepFunctions.ListStateMachines', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });
    expect(((await unsigned.json()) as { __type: string }).__type).toBe('com.amazon.coral.service#MissingAuthenticationTokenException');
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/console-config.json`)).json()).toEqual({ region: REGION, accountId: '111111111111', authRequired: true });
    const bare = await fetch(base, { redirect: 'manual', headers: { Accept: 'text/html' } });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/stepwise/');
  });

  it.skipIf(!hasChromium())('serves the console under the prefix: it signs in and lists the state machines', async () => {
    ensureConsoleBuilt();
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      const paths: string[] = [];
      page.on('request', (request) => paths.push(new URL(request.url()).pathname));
      await page.goto(base); // redirected to /stepwise/
      await page.getByLabel('Access key ID').fill(ADMIN.accessKeyId);
      await page.getByLabel('Secret access key').fill(ADMIN.secretAccessKey);
      await page.getByRole('form', { name: 'Sign in' }).getByRole('button', { name: 'Sign in' }).click();
      await page.locator('tr[data-machine="behind-proxy"]').waitFor({ timeout: 45_000 });
      // Every request the console made stayed under the prefix.
      expect(paths.filter((path) => !path.startsWith('/stepwise'))).toEqual([]);
      expect(paths).toContain('/stepwise/console-config.json');
    } finally {
      await browser.close();
    }
  }, 180_000);
});
