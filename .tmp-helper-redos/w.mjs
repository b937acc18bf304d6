import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
const w = new Worker(`const t = performance.now(); /^(a+)+$/.test('a'.repeat(30) + 'b'); require('worker_threads').parentPort.postMessage(performance.now() - t);`, { eval: true });
w.on('message', (m) => { console.log('worker ms', m); process.exit(0); });
