// HTTPS: `stepwise serve --tls-cert --tls-key` (the built CLI in a child process) with
// certificates `openssl` makes in the test, trusted by the AWS SDK through an https.Agent with
// `ca`; SIGHUP swaps the certificate for new connections, and a bad file on reload keeps the old
// one. Mistakes in the options or the files are one-line errors at start.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { CreateStateMachineCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseServeArgs } from '../../src/server/config.js';
import { readTls } from '../../src/server/tls.js';
import { REGION, ROLE, assertBuilt, hasStackTrace, pollUntil, runCli, startServe, stopAll, tempDir, type ServeProcess } from './serve-process.js';

const temp = tempDir('tls');
/** The files the server is started with; the tests overwrite them and send SIGHUP. */
const certFile = join(temp.dir, 'server.crt');
const keyFile = join(temp.dir, 'server.key');

/** A self-signed certificate for localhost and 127.0.0.1, made as an operator would. */
function makeCertificate(name: string): { cert: string; key: string; fingerprint: string } {
  const cert = join(temp.dir, `${name}.crt`);
  const key = join(temp.dir, `${name}.key`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=localhost/O=${name}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  return { cert, key, fingerprint: new X509Certificate(readFileSync(cert)).fingerprint256 };
}

function clientTrusting(url: string, caFiles: readonly string[]): SFNClient {
  return new SFNClient({
    endpoint: url,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca: caFiles.map((file) => readFileSync(file)), keepAlive: false }) }),
  });
}

/** The fingerprint of the certificate a new TLS connection is shown. */
function presentedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

let first: ReturnType<typeof makeCertificate>;
let second: ReturnType<typeof makeCertificate>;

beforeAll(() => {
  assertBuilt();
  first = makeCertificate('first');
  second = makeCertificate('second');
});

afterAll(async () => {
  await stopAll();
  temp.remove();
});

describe('stepwise serve over HTTPS', () => {
  let serve: ServeProcess;
  let port: number;

  beforeAll(async () => {
    copyFileSync(first.cert, certFile);
    copyFileSync(first.key, keyFile);
    serve = await startServe({ db: join(temp.dir, 'stepwise.db'), args: ['--tls-cert', certFile, '--tls-key', keyFile] });
    port = Number(new URL(serve.url).port);
  });
  afterAll(async () => {
    await serve?.stop();
  });

  it('says it serves an https URL and answers the SDK that trusts its certificate', async () => {
    expect(serve.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const client = clientTrusting(serve.url, [first.cert]);
    const created = await client.send(new CreateStateMachineCommand({ name: 'over-tls', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }));
    expect(created.stateMachineArn).toMatch(/:stateMachine:over-tls$/);
    expect((await client.send(new ListStateMachinesCommand({}))).stateMachines?.map((m) => m.name)).toEqual(['over-tls']);
    client.destroy();
  });

  it('is refused by a client that does not trust the certificate, and does not answer plain HTTP', async () => {
    const stranger = clientTrusting(serve.url, [second.cert]);
    await expect(stranger.send(new ListStateMachinesCommand({}))).rejects.toThrow(/self[- ]signed|certificate/i);
    stranger.destroy();
    const plain = await fetch(`http://127.0.0.1:${port}/health`).then(
      (res) => res.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
  });

  it('swaps the certificate on SIGHUP, and keeps it when the new files cannot be used', async () => {
    expect(await presentedFingerprint(port)).toBe(first.fingerprint);
    copyFileSync(second.cert, certFile);
    copyFileSync(second.key, keyFile);
    serve.child.kill('SIGHUP');
    await pollUntil(async () => ((await presentedFingerprint(port)) === second.fingerprint ? true : undefined), 'the second certificate');
    // The log line crosses a pipe: it can arrive just after the new certificate is in use.
    await pollUntil(async () => (serve.output().stdout.includes('TLS certificate reloaded') ? true : undefined), 'the reload to be logged');
    const client = clientTrusting(serve.url, [second.cert]);
    expect((await client.send(new ListStateMachinesCommand({}))).stateMachines).toHaveLength(1);

    // A half-written certificate (a renewal in progress): the server keeps the one it has.
    writeFileSync(certFile, '-----BEGIN CERTIFICATE-----\nnot a certificate\n');
    serve.child.kill('SIGHUP');
    await pollUntil(async () => (serve.output().stdout.includes('TLS certificate not reloaded') ? true : undefined), 'the refused reload');
    expect(serve.output().stdout).toContain(`The TLS certificate ${certFile} is not a PEM certificate`);
    expect(await presentedFingerprint(port)).toBe(second.fingerprint);
    expect((await client.send(new ListStateMachinesCommand({}))).stateMachines).toHaveLength(1);
    client.destroy();
    expect(serve.child.exitCode).toBeNull();
  });
});

describe('TLS mistakes at start', () => {
  it('needs both --tls-cert and --tls-key', () => {
    expect(() => parseServeArgs(['--tls-cert', 'a.crt'], {})).toThrow(ConfigError);
    expect(() => parseServeArgs([], { STEPWISE_TLS_KEY: 'a.key' })).toThrow(/both --tls-cert and --tls-key/);
    expect(parseServeArgs([], { STEPWISE_TLS_CERT: 'a.crt', STEPWISE_TLS_KEY: 'a.key' }).tls).toEqual({ certFile: 'a.crt', keyFile: 'a.key' });
  });

  it('names the file that is missing, is not a certificate, or is not the key of the certificate', () => {
    expect(() => readTls({ certFile: join(temp.dir, 'missing.crt'), keyFile: first.key })).toThrow(`Cannot read the TLS certificate ${join(temp.dir, 'missing.crt')}: no such file.`);
    expect(() => readTls({ certFile: first.key, keyFile: first.key })).toThrow(/is not a PEM certificate/);
    expect(() => readTls({ certFile: first.cert, keyFile: first.cert })).toThrow(`The TLS private key ${first.cert} cannot be used`);
    expect(() => readTls({ certFile: first.cert, keyFile: second.key })).toThrow(`The TLS private key ${second.key} is not the key of the certificate ${first.cert}.`);
    expect(readTls({ certFile: first.cert, keyFile: first.key }).description.fingerprint256).toBe(first.fingerprint);
  });

  it('stops `serve` with a one-line message and exit status 2', async () => {
    const run = await runCli(['serve', '--port', '0', '--db', ':memory:', '--tls-cert', first.cert, '--tls-key', second.key]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`stepwise: The TLS private key ${second.key} is not the key of the certificate ${first.cert}.\n`);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });
});
