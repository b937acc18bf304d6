// examples/triggers as its README runs it: `stepwise serve` with the example's configuration,
// the example's webhook, setup.sh (the AWS CLI) — then an HTTP route, an event and a failed
// order, each doing what the README says.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ACCOUNT, ROOT, assertBuilt, cleanEnv, pollUntil, runCli, sdk, startServe, stopAll, tempDir, type ServeProcess } from './server/serve-process.js';

const EXAMPLE = join(ROOT, 'examples/triggers');
const ORDERS = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:process-order`;
const run = promisify(execFile);
let tmp: ReturnType<typeof tempDir>;
let server: ServeProcess;
let client: SFNClient;
let webhook: ChildProcess;
const received: Array<{ method: string; path: string; apiKey: string | null; body: string }> = [];

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('example-triggers');
  server = await startServe({ db: join(tmp.dir, 'db.sqlite'), args: ['--config', join(EXAMPLE, 'stepwise.config.json')] });
  client = sdk(server.url);
  webhook = spawn(process.execPath, [join(EXAMPLE, 'webhook.mjs')], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    webhook.stderr!.on('data', (b: Buffer) => {
      const m = /listening on (http:\S+)/.exec(String(b));
      if (m) resolve(m[1]!);
    });
    webhook.once('exit', (code) => reject(new Error(`webhook.mjs exited with ${code}`)));
  });
  let lines = '';
  webhook.stdout!.on('data', (b: Buffer) => {
    lines += String(b);
    for (let i = lines.indexOf('\n'); i >= 0; i = lines.indexOf('\n')) {
      received.push(JSON.parse(lines.slice(0, i)));
      lines = lines.slice(i + 1);
    }
  });
  await run(join(EXAMPLE, 'setup.sh'), [], { env: cleanEnv({ STEPWISE_ENDPOINT: server.url, WEBHOOK_URL: `${url}/alerts` }) });
}, 120_000);

afterAll(async () => {
  webhook?.kill();
  await stopAll();
  tmp?.remove();
});

const ended = (executionArn: string) =>
  pollUntil(async () => {
    const d = await client.send(new DescribeExecutionCommand({ executionArn }));
    return d.status === 'RUNNING' ? undefined : d;
  }, 'the execution to end');

describe('examples/triggers', { timeout: 120_000 }, () => {
  it('POST /orders starts process-order; a failed order posts the transformed message to the webhook', async () => {
    const good = (await (await fetch(`${server.url}/orders`, { method: 'POST', body: '{"order": "A-1", "total": 42}' })).json()) as { executionArn: string };
    expect(await ended(good.executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '{"order":"A-1","status":"ACCEPTED"}' });
    const bad = (await (await fetch(`${server.url}/orders`, { method: 'POST', body: '{"order": "A-2", "total": 0}' })).json()) as { executionArn: string };
    expect(await ended(bad.executionArn)).toMatchObject({ status: 'FAILED', error: 'InvalidOrder' });
    const name = bad.executionArn.split(':').at(-1);
    const post = await pollUntil(async () => received.find((r) => r.body.includes(name!)), 'the webhook to be called');
    expect(post).toEqual({ method: 'POST', path: '/alerts', apiKey: 'example-key', body: `{"text": "Order ${name} failed: InvalidOrder"}` });
    expect(received.filter((r) => r.body.includes(good.executionArn.split(':').at(-1)!))).toEqual([]);
  });

  it('an "order placed" event of more than 100 starts process-order with its detail; a smaller one does not', async () => {
    const env = cleanEnv({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' });
    const entries = (order: string, total: number) => JSON.stringify([{ Source: 'shop', DetailType: 'order placed', Detail: JSON.stringify({ order, total }) }]);
    await run('aws', ['events', 'put-events', '--endpoint-url', server.url, '--entries', entries('A-3', 250)], { env });
    await run('aws', ['events', 'put-events', '--endpoint-url', server.url, '--entries', entries('A-4', 50)], { env });
    const started = await pollUntil(async () => {
      const { executions } = await client.send(new ListExecutionsCommand({ stateMachineArn: ORDERS }));
      const fromEvents = (executions ?? []).filter((e) => e.name!.includes('_'));
      return fromEvents.length > 0 ? fromEvents : undefined;
    }, 'the rule to start process-order');
    expect(started).toHaveLength(1);
    expect(await ended(started[0]!.executionArn!)).toMatchObject({ status: 'SUCCEEDED', input: '{"order":"A-3","total":250}' });
  });

  it('stepwise schedules|rules|routes list show what setup.sh made', async () => {
    const schedules = await runCli(['schedules', 'list', '--endpoint', server.url]);
    expect(schedules.stdout).toMatch(/^daily-report\s+default\s+cron\(0 6 \* \* \? \*\) Europe\/Paris\s+ENABLED\s+arn:aws:states:us-east-1:111111111111:stateMachine:daily-report$/m);
    const rules = await runCli(['rules', 'list', '--endpoint', server.url]);
    expect(rules.stdout.trimEnd().split('\n').map((line) => line.split(/\s+/)[0])).toEqual(['NAME', 'big-order', 'order-failed']);
    const routes = await runCli(['routes', 'list', '--endpoint', server.url]);
    expect(routes.stdout).toMatch(/^POST \/orders\s+arn:aws:states:us-east-1:111111111111:stateMachine:process-order\s+body\s+false\s+NONE$/m);
  });
});
