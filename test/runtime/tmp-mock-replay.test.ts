import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DurableRunner } from '../../src/runtime/durable-runner.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { ENGINE_VERSION } from '../../src/engine/version.js';
import { newExecutionSeed } from '../../src/runtime/execution-secrets.js';

for (const resource of ['arn:aws:lambda:us-east-1:111111111111:function:f', 'arn:aws:states:us-east-1:111111111111:activity:a', 'arn:aws:states:::sqs:sendMessage.waitForTaskToken']) it('mock replay ' + resource, async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'mr-')), 'db');
  const mockConfig = { StateMachines: { demo: { TestCases: { T: { Work: 'R' } } } }, MockedResponses: { R: { '0': { Return: 'first' }, '1': { Return: 'second' } } } };
  const def = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: resource, End: true } } };
  const exec = { arn: 'arn:aws:states:us-east-1:111111111111:execution:demo:x', stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:demo', name: 'x', type: 'STANDARD' as const, input: '{}', startDate: Date.now(), definition: JSON.stringify(def), roleArn: 'arn:aws:iam::111111111111:role/r', redriveCount: 0, seed: newExecutionSeed(), engineVersion: ENGINE_VERSION, testCase: 'T' };
  let store = await openSqliteStore(file);
  const r1 = new DurableRunner({ store, region: 'us-east-1', accountId: '111111111111', mockConfig });
  await r1.start(exec);
  await store.close(); // the process dies before the mocked answer is committed
  await r1.close();
  await new Promise((r) => setTimeout(r, 50));
  store = await openSqliteStore(file);
  const r2 = new DurableRunner({ store, region: 'us-east-1', accountId: '111111111111', mockConfig });
  await r2.resume();
  for (let i = 0; i < 100; i++) { const rec = await store.getExecution(exec.arn); if (rec!.status !== 'RUNNING') break; await new Promise((r) => setTimeout(r, 20)); }
  expect((await store.getExecution(exec.arn))!.output).toBe('"first"');
  await r2.close(); await store.close();
});

