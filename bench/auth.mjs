#!/usr/bin/env node
// What verifying signatures costs: StartExecution calls/s through raw keep-alive HTTP, 64 in
// flight, on `stepwise serve` without a keys file and with one (every call SigV4-verified and
// authorised by an IAM policy), side by side: the runs alternate, off then on, each on a fresh
// server and database.
//
// The requests are signed before the clock starts (with @smithy/signature-v4, as the SDK signs
// them): signing is the client's work, and on this 2-core machine the client shares the cores
// with the server, so signing inside the timed loop would measure the client.
//
//   node bench/auth.mjs [--runs 3] [--starts 3000]
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { args, CLI, freePort, median, require, ROOT, sleep } from './common.mjs';

const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');
const { HttpRequest } = require('@smithy/protocol-http');

const RUNS = Number(args.runs ?? 3);
const STARTS = Number(args.starts ?? 3000);
const ROLE = 'arn:aws:iam::111111111111:role/bench';
const KEY = { accessKeyId: 'AKIABENCHBENCHBENCH1', secretAccessKey: 'bench-secret-bench-secret-bench-secret-00' };

async function startServer(dir, auth) {
  const port = await freePort();
  const extra = [];
  if (auth) {
    const file = join(dir, 'keys.json');
    // A policy of the usual shape: what an application may do, on its state machines.
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['states:StartExecution', 'states:Describe*', 'states:CreateStateMachine'], Resource: 'arn:aws:states:us-east-1:111111111111:*' }] };
    writeFileSync(file, JSON.stringify({ keys: [{ ...KEY, name: 'bench', policies: [policy] }] }));
    extra.push('--auth-file', file);
  }
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--db', join(dir, 'db.sqlite'), '--log-level', 'warn', ...extra], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
    } catch {
      /* not yet listening */
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await sleep(5);
  }
  return { port, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

/** The request's headers, signed when `sign` (Host included, as a client sends it). */
async function prepared(port, target, body, sign) {
  const data = JSON.stringify(body);
  const headers = { host: `127.0.0.1:${port}`, 'x-amz-target': `AWSStepFunctions.${target}`, 'content-type': 'application/x-amz-json-1.0', 'content-length': String(Buffer.byteLength(data)) };
  if (!sign) return { headers, data };
  const signer = new SignatureV4({ credentials: KEY, region: 'us-east-1', service: 'states', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign(new HttpRequest({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: '/', headers, body: data }));
  return { headers: signed.headers, data };
}

function send(port, agent, { headers, data }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function run(auth) {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-auth-'));
  const server = await startServer(dir, auth);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    const create = await prepared(server.port, 'CreateStateMachine', { name: 'one', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }, auth);
    const { stateMachineArn } = await send(server.port, agent, create);
    const requests = [];
    for (let i = 0; i < STARTS; i++) requests.push(await prepared(server.port, 'StartExecution', { stateMachineArn, name: `e-${i}`, input: '{}' }, auth));
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < requests.length) await send(server.port, agent, requests[next++]);
      }),
    );
    return (STARTS / (performance.now() - t0)) * 1000;
  } finally {
    agent.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const off = [];
const on = [];
for (let i = 0; i < RUNS; i++) {
  off.push(await run(false));
  on.push(await run(true));
}
const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`StartExecution calls/s, raw keep-alive HTTP, 64 in flight, ${STARTS} calls, runs alternating (median of ${RUNS}):`);
console.log(`  without a keys file:         ${fmt(median(off))}   [runs: ${off.map(fmt).join(', ')}]`);
console.log(`  signed, verified, authorised: ${fmt(median(on))}   [runs: ${on.map(fmt).join(', ')}]`);
console.log(`  cost of verifying: ${((1 - median(on) / median(off)) * 100).toFixed(1)}% of the throughput (target: at most 15%)`);
