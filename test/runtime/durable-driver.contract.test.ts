// The driver contract (driver-contract.ts) against the durable runner, driven through the API as
// a client drives it (CreateStateMachine, StartExecution, DescribeExecution, GetExecutionHistory),
// on a MemoryStore, on a real SQLite file, and on the real PostgreSQL server as a node of a
// cluster (owner, fenced writes, routed answers: src/store/cluster.ts). Each scenario gets its own
// store and runner: task handlers and mocks are the runner's options.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { createContext, type ApiContext } from '../../src/api/context.js';
import { prepareNestedExecution } from '../../src/api/operations/start-execution.js';
import { handleRequest } from '../../src/api/protocol.js';
import { callSfnAction } from '../../src/api/sdk-integration.js';
import type { MockConfigFile } from '../../src/integrations/mock-config.js';
import { DurableRunner } from '../../src/runtime/durable-runner.js';
import { MemoryStore } from '../../src/store/memory.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/types.js';
import { ACCOUNT, REGION, driverContract, type ContractOutcome, type ContractRun } from './driver-contract.js';

const MACHINE = 'contract';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/contract`;
const root = mkdtempSync(join(tmpdir(), 'stepwise-contract-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let files = 0;

// The PostgreSQL server of the machine (CI: a fresh database per run); a schema per scenario.
const POSTGRES = process.env.STEPWISE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];
afterAll(async () => {
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

async function runDurable(store: Store, run: ContractRun, cluster = false): Promise<ContractOutcome> {
  const mockConfig: MockConfigFile | undefined = run.mock && {
    StateMachines: { [MACHINE]: { TestCases: { Contract: run.mock.testCase } } },
    MockedResponses: run.mock.responses,
  };
  let ctx: ApiContext | undefined;
  const runner = new DurableRunner({
    store,
    region: REGION,
    accountId: ACCOUNT,
    waitTimeScale: 0,
    prepareChild: (request, parentArn) => prepareNestedExecution(ctx!, request, parentArn),
    localSdk: { services: ['sfn'], call: (_service, action, parameters, requestId, caller) => callSfnAction(ctx!, action, parameters, requestId, caller) },
    ...(run.taskHandlers ? { taskHandlers: run.taskHandlers } : {}),
    ...(mockConfig ? { mockConfig } : {}),
    ...(cluster ? { cluster: { leaseMs: 30_000, name: () => 'contract' } } : {}),
  });
  await runner.resume();
  ctx = createContext({ store, runner, region: REGION, accountId: ACCOUNT });
  const ok = async (action: string, body: unknown): Promise<any> => {
    const response = await handleRequest(ctx!, { target: `AWSStepFunctions.${action}`, body: JSON.stringify(body) });
    if (response.status !== 200) throw new Error(`${action} failed: ${response.body}`);
    return JSON.parse(response.body);
  };
  try {
    for (const [name, definition] of Object.entries(run.stateMachines ?? {})) {
      await ok('CreateStateMachine', { name, definition: JSON.stringify(definition), roleArn: ROLE });
    }
    const { stateMachineArn } = await ok('CreateStateMachine', { name: MACHINE, definition: JSON.stringify(run.definition), roleArn: ROLE });
    const target = mockConfig ? `${stateMachineArn}#Contract` : stateMachineArn;
    const { executionArn } = await ok('StartExecution', { stateMachineArn: target, input: JSON.stringify(run.input ?? {}) });
    let described: any;
    for (let delay = 2, deadline = Date.now() + 15_000; ; delay = Math.min(delay * 2, 50)) {
      described = await ok('DescribeExecution', { executionArn });
      if (described.status !== 'RUNNING') break;
      if (Date.now() > deadline) throw new Error(`${executionArn} is still RUNNING`);
      await new Promise((r) => setTimeout(r, delay));
    }
    const history: any[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ok('GetExecutionHistory', { executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
      history.push(...page.events);
      nextToken = page.nextToken;
    } while (nextToken);
    return {
      status: described.status,
      ...(described.output !== undefined ? { output: JSON.parse(described.output) } : {}),
      ...(described.error !== undefined ? { error: described.error } : {}),
      ...(described.cause !== undefined ? { cause: described.cause } : {}),
      history,
    };
  } finally {
    await runner.close();
    await store.close();
  }
}

driverContract('durable runner on a MemoryStore', () => ({ run: (run) => runDurable(new MemoryStore(), run) }));
driverContract('durable runner on a SQLite file', () => ({
  run: async (run) => runDurable(await openSqliteStore(join(root, `contract-${++files}.db`)), run),
}));
driverContract('durable runner on PostgreSQL, as a node of a cluster', () => ({
  run: async (run) => {
    const schema = `stepwise_contract_${randomBytes(5).toString('hex')}`;
    schemas.push(schema);
    return runDurable(await openPostgresStore(POSTGRES, { schema }), run, true);
  },
}));
