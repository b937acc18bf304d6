// /metrics on a listener of its own (--metrics-port): unsigned there, gone from the API's port;
// with a keys file and no metrics port, the API's port refuses it (Prometheus cannot sign).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseServeArgs } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-metrics-port-'));
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(args: string[]): Promise<RunningServer> {
  const server = await startServer(parseServeArgs(['--port', '0', '--db', ':memory:', ...args], {}), pino({ level: 'silent' }));
  servers.push(server);
  return server;
}

const keysFile = () => {
  const file = join(dir, 'keys.json');
  writeFileSync(file, JSON.stringify({ keys: [{ accessKeyId: 'AKIAMETRICS000000001', secretAccessKey: 'metrics-secret-metrics-secret', name: 'ops', policies: [] }] }));
  return file;
};

describe('--metrics-port', () => {
  it('serves /metrics and /health there, unsigned, and /metrics no longer on the API port', async () => {
    const server = await start(['--metrics-port', '0']);
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const scrape = await fetch(`${server.metricsUrl}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('stepwise_executions_running');
    expect((await fetch(`${server.metricsUrl}/health`)).status).toBe(200);
    expect((await fetch(`${server.metricsUrl}/`)).status).toBe(404);
    const api = await fetch(`${server.url}/metrics`, { headers: { Accept: 'text/plain' } });
    expect(await api.text()).not.toContain('stepwise_executions_running');
  });

  it('with a keys file: the API port refuses /metrics and says where it is; the metrics port serves it', async () => {
    const locked = await start(['--auth-file', keysFile()]);
    const refused = await fetch(`${locked.url}/metrics`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/--metrics-port/);
    const split = await start(['--auth-file', keysFile(), '--metrics-port', '0']);
    expect((await fetch(`${split.metricsUrl}/metrics`)).status).toBe(200);
  });

  it('refuses a port that is not one', () => {
    expect(() => parseServeArgs(['--metrics-port', 'nine'], {})).toThrow(new ConfigError("--metrics-port must be a number from 0 to 65535, not 'nine'."));
    expect(parseServeArgs([], { STEPWISE_METRICS_PORT: '9464', STEPWISE_METRICS_HOST: '0.0.0.0' }).metrics).toEqual({ host: '0.0.0.0', port: 9464 });
  });
});
