// The console's Stepwise actions over raw HTTP signed with @smithy/signature-v4 (as the console
// signs them): GetCallerIdentity names the signing key, SimulatePolicy evaluates the caller's own
// policies, both are open to any valid key and closed to an invalid one; GET /console-config.json
// is open and says whether a key is needed. Without a keys file: anonymous, everything allowed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const SM = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:`;
const allow = (Action: unknown, Resource: unknown = '*') => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] });
const key = (id: string, name: string, policies: unknown[]) => ({ accessKeyId: id, secretAccessKey: `${name}-secret-0123456789abcdef`, name, policies });
const ADMIN = key('AKIAADMIN00000000001', 'admin', [allow(['states:*', 'events:*', 'scheduler:*', 'stepwise:*'])]);
const READER = key('AKIAREADER0000000001', 'reader', [allow(['states:List*', 'states:Describe*', 'states:GetExecutionHistory', 'stepwise:*'])]);
/** May do nothing at all: still a valid key, so it may ask who it is and what it may do. */
const NOBODY = key('AKIANOBODY0000000001', 'nobody', []);
const ORDERS = key('AKIAORDERS0000000001', 'orders', [
  allow('states:StartExecution', `${SM}orders-*`),
  { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'states:StartExecution', Resource: `${SM}orders-secret` }] },
]);

type Key = { accessKeyId: string; secretAccessKey: string };

async function call(url: string, target: string, body: unknown, signer?: Key, service = 'states'): Promise<{ status: number; json: any }> {
  const endpoint = new URL(url);
  const text = JSON.stringify(body);
  let headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target, host: endpoint.host };
  if (signer) {
    const sigv4 = new SignatureV4({ credentials: signer, region: REGION, service, sha256: Hash.bind(null, 'sha256') });
    const signed = await sigv4.sign(new HttpRequest({ method: 'POST', protocol: endpoint.protocol, hostname: endpoint.hostname, port: Number(endpoint.port), path: '/', headers, body: text }));
    headers = signed.headers as Record<string, string>;
  }
  const response = await fetch(`${url}/`, { method: 'POST', headers, body: text });
  return { status: response.status, json: await response.json() };
}

describe('with a keys file', () => {
  let dir: string;
  let server: RunningServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepwise-console-actions-'));
    const keysFile = join(dir, 'keys.json');
    writeFileSync(keysFile, JSON.stringify({ keys: [ADMIN, READER, NOBODY, ORDERS] }));
    server = await startServer(
      parseServeArgs(['--port', '0', '--db', ':memory:', '--region', REGION, '--account-id', ACCOUNT, '--auth-file', keysFile, '--decision-workers', '0'], {}),
      pino({ level: 'silent' }),
    );
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves console-config.json unsigned: region, account, a key is required', async () => {
    const response = await fetch(`${server.url}/console-config.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ region: REGION, accountId: ACCOUNT, authRequired: true });
  });

  it('GetCallerIdentity names the signing key, for a key that may do nothing else', async () => {
    expect(await call(server.url, 'Stepwise.GetCallerIdentity', {}, ADMIN)).toEqual({ status: 200, json: { accessKeyId: ADMIN.accessKeyId, name: 'admin', arn: `arn:aws:iam::${ACCOUNT}:user/admin` } });
    expect((await call(server.url, 'Stepwise.GetCallerIdentity', {}, NOBODY)).json).toEqual({ accessKeyId: NOBODY.accessKeyId, name: 'nobody', arn: `arn:aws:iam::${ACCOUNT}:user/nobody` });
  });

  it('refuses them without a valid signature, as every call', async () => {
    const unsigned = await call(server.url, 'Stepwise.GetCallerIdentity', {});
    expect(unsigned.status).toBe(400);
    expect(unsigned.json.__type).toBe('com.amazon.coral.service#MissingAuthenticationTokenException');
    const wrongSecret = await call(server.url, 'Stepwise.SimulatePolicy', { checks: [{ action: 'states:StartExecution', resource: '*' }] }, { ...ADMIN, secretAccessKey: 'not-the-secret-0123456789' });
    expect(wrongSecret.json.__type).toBe('com.amazon.coral.service#InvalidSignatureException');
    const unknown = await call(server.url, 'Stepwise.GetCallerIdentity', {}, { accessKeyId: 'AKIAUNKNOWN000000001', secretAccessKey: 'whatever-0123456789abcdef' });
    expect(unknown.json.__type).toBe('com.amazon.coral.service#UnrecognizedClientException');
  });

  it("SimulatePolicy evaluates the caller's own policies: wildcards, resources, explicit deny", async () => {
    const checks = [
      { action: 'states:StartExecution', resource: `${SM}orders-daily` },
      { action: 'states:StartExecution', resource: `${SM}orders-secret` },
      { action: 'states:StartExecution', resource: `${SM}billing` },
      { action: 'states:DeleteStateMachine', resource: `${SM}orders-daily` },
    ];
    const orders = await call(server.url, 'Stepwise.SimulatePolicy', { checks }, ORDERS);
    expect(orders.status).toBe(200);
    expect(orders.json.results).toEqual([
      { ...checks[0], allowed: true },
      { ...checks[1], allowed: false },
      { ...checks[2], allowed: false },
      { ...checks[3], allowed: false },
    ]);
    const reader = await call(
      server.url,
      'Stepwise.SimulatePolicy',
      { checks: [{ action: 'states:DescribeStateMachine', resource: `${SM}x` }, { action: 'states:StartExecution', resource: `${SM}x` }, { action: 'states:CreateStateMachine', resource: `${SM}*` }] },
      READER,
    );
    expect(reader.json.results.map((r: { allowed: boolean }) => r.allowed)).toEqual([true, false, false]);
    const admin = await call(server.url, 'Stepwise.SimulatePolicy', { checks: [{ action: 'states:CreateStateMachine', resource: `${SM}*` }] }, ADMIN);
    expect(admin.json.results[0].allowed).toBe(true);
    // The key that may do nothing may still ask (and hears no).
    expect((await call(server.url, 'Stepwise.SimulatePolicy', { checks }, NOBODY)).json.results.every((r: { allowed: boolean }) => !r.allowed)).toBe(true);
  });

  it('validates the checks: 1 to 100, each an IAM action and a resource', async () => {
    const bad = [
      {},
      { checks: [] },
      { checks: Array.from({ length: 101 }, () => ({ action: 'states:ListExecutions', resource: '*' })) },
      { checks: [{ action: 'states:*', resource: '*' }] },
      { checks: [{ action: 'StartExecution', resource: '*' }] },
      { checks: [{ action: 'states:StartExecution', resource: '' }] },
      { checks: [{ action: 'states:StartExecution', resource: 'x'.repeat(2049) }] },
      { checks: ['states:StartExecution'] },
    ];
    for (const body of bad) {
      const answer = await call(server.url, 'Stepwise.SimulatePolicy', body, ADMIN);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.json.__type).toMatch(/#ValidationException$/);
    }
    const hundred = await call(server.url, 'Stepwise.SimulatePolicy', { checks: Array.from({ length: 100 }, () => ({ action: 'states:ListExecutions', resource: '*' })) }, READER);
    expect(hundred.json.results).toHaveLength(100);
  });

  it('still authorises the other Stepwise actions by policy', async () => {
    const refused = await call(server.url, 'Stepwise.ListDeadLetters', {}, NOBODY);
    expect(refused.json.__type).toBe('com.amazon.coral.service#AccessDeniedException');
    expect(refused.json.message).toContain('stepwise:ListDeadLetters');
  });
});

describe('without a keys file', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(parseServeArgs(['--port', '0', '--db', ':memory:', '--region', REGION, '--account-id', ACCOUNT, '--decision-workers', '0'], {}), pino({ level: 'silent' }));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('says no key is needed; the caller is anonymous and everything is allowed', async () => {
    expect(await (await fetch(`${server.url}/console-config.json`)).json()).toEqual({ region: REGION, accountId: ACCOUNT, authRequired: false });
    expect(await call(server.url, 'Stepwise.GetCallerIdentity', {})).toEqual({ status: 200, json: { arn: 'anonymous' } });
    const checks = [{ action: 'states:DeleteStateMachine', resource: `${SM}x` }];
    expect((await call(server.url, 'Stepwise.SimulatePolicy', { checks })).json).toEqual({ results: [{ ...checks[0], allowed: true }] });
  });
});
