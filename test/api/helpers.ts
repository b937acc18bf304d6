/** Test helpers: a context over a MemoryStore and the test-only FakeRunner, and a call helper. */
import { createContext, type ApiContext, type ContextOptions } from '../../src/api/context.js';
import { handleRequest } from '../../src/api/protocol.js';
import { MemoryStore } from '../../src/store/memory.js';
import { FakeRunner } from './fake-runner.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/stepwise`;
export const SM_PREFIX = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:`;

export const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { ok: 1 }, End: true } } });
export const WAIT = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } });
export const FAIL = JSON.stringify({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Boom', Cause: 'it broke' } } });

export interface Harness {
  ctx: ApiContext;
  store: MemoryStore;
  runner: FakeRunner;
  call(action: string, body?: unknown): Promise<{ status: number; body: any; headers: Record<string, string> }>;
  ok(action: string, body?: unknown): Promise<any>;
  createMachine(name: string, definition?: string, extra?: Record<string, unknown>): Promise<string>;
}

export function harness(options: Partial<ContextOptions> = {}): Harness {
  const store = new MemoryStore();
  const runner = new FakeRunner(store);
  const ctx = createContext({ store, runner, region: REGION, accountId: ACCOUNT, ...options });
  const call = async (action: string, body: unknown = {}) => {
    const response = await handleRequest(ctx, { target: `AWSStepFunctions.${action}`, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, body: JSON.parse(response.body), headers: response.headers };
  };
  const ok = async (action: string, body: unknown = {}) => {
    const response = await call(action, body);
    if (response.status !== 200) throw new Error(`${action} failed: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const createMachine = async (name: string, definition = PASS, extra: Record<string, unknown> = {}) =>
    (await ok('CreateStateMachine', { name, definition, roleArn: ROLE, ...extra })).stateMachineArn as string;
  return { ctx, store, runner, call, ok, createMachine };
}

/** The error's short name (the SDK's view of `__type`) and message. */
export function errorOf(body: { __type: string; message?: string }): { type: string; message: string | undefined } {
  return { type: body.__type.split('#').pop()!, message: body.message };
}
