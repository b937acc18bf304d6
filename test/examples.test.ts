// Every example under examples/ runs through the library API with its sample input and gives
// the output documented in examples/README.md; a change of behaviour shows up here first.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { execute, validateDefinition, type MockConfigFile } from '../src/index.js';
import handlers from '../examples/handlers.mjs';

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const read = (file: string): unknown => JSON.parse(readFileSync(EXAMPLES + file, 'utf8'));
const definitions = readdirSync(EXAMPLES).filter((f) => f.endsWith('.asl.json')).sort();
const run = (name: string, input: unknown = read(`${name}.input.json`), options = {}) =>
  execute(read(`${name}.asl.json`), input, { waitTimeScale: 0, taskHandlers: handlers, stateMachineName: name, ...options });

describe('examples', () => {
  it.each(definitions)('%s is valid and has a sample input', (file) => {
    expect(validateDefinition(read(file)).filter((d) => d.severity === 'ERROR')).toEqual([]);
    expect(() => read(file.replace(/\.asl\.json$/, '.input.json'))).not.toThrow();
  });

  describe('hello-world', () => {
    it('goes through Wait and Parallel and outputs one copy of the input per branch', async () => {
      const result = await run('hello-world');
      expect(result).toMatchObject({ status: 'SUCCEEDED', output: [{ IsHelloWorldExample: true }, { IsHelloWorldExample: true }] });
      const types = result.history.map((e) => e.type);
      expect(types[0]).toBe('ExecutionStarted');
      expect(types.at(-1)).toBe('ExecutionSucceeded');
      expect(types).toContain('WaitStateExited');
      expect(types.filter((t) => t === 'PassStateEntered')).toHaveLength(5); // Pass, Yes, Hello, World, Hello World
      expect(result.history.filter((e) => e.type === 'ParallelStateEntered')).toHaveLength(1);
    });

    it('fails in the Fail state when IsHelloWorldExample is false', async () => {
      const result = await run('hello-world', { IsHelloWorldExample: false });
      expect(result.status).toBe('FAILED');
      expect(result.error).toBeUndefined();
      expect(result.cause).toBe('Not Hello World');
      expect(result.output).toBeUndefined();
    });

    it('waits 3 seconds at the default scale (scaled here to 30 ms)', async () => {
      const started = Date.now();
      const result = await run('hello-world', undefined, { waitTimeScale: 0.01 });
      expect(result.status).toBe('SUCCEEDED');
      expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    });
  });

  describe('map-retry-catch', () => {
    it('retries the flaky gateway, catches the declined card and summarises the batch', async () => {
      const result = await run('map-retry-catch');
      expect(result.status).toBe('SUCCEEDED');
      expect(result.output).toEqual({
        batch: '2024-06-01',
        orderCount: 3,
        charged: ['A-1', 'A-3'],
        declined: ['A-2'],
        results: [
          { orderId: 'A-1', position: 0, status: 'CHARGED', chargeId: 'ch_A-1', attempts: 1 },
          { orderId: 'A-2', position: 1, status: 'DECLINED', reason: 'Card ending 0002 was declined' },
          { orderId: 'A-3', position: 2, status: 'CHARGED', chargeId: 'ch_A-3', attempts: 3 },
        ],
      });
      const failures = result.events.filter((e) => e.type === 'LambdaFunctionFailed' || e.type === 'TaskFailed');
      expect(failures.map((e) => e.details?.error).sort()).toEqual(['Card.Declined', 'PaymentGateway.Timeout', 'PaymentGateway.Timeout']);
    });

    it('uses the mocked responses of a Step Functions Local test case', async () => {
      const mockConfig = read('map-retry-catch.mock-config.json') as MockConfigFile;
      const approved = await run('map-retry-catch', undefined, { mockConfig, testCase: 'AllApproved', taskHandlers: {} });
      expect(approved.status).toBe('SUCCEEDED');
      expect(approved.output).toMatchObject({ orderCount: 3, charged: ['A-1', 'A-2', 'A-3'], declined: [] });
    });

    it('fails with the task error once the retries are exhausted', async () => {
      const mockConfig = read('map-retry-catch.mock-config.json') as MockConfigFile;
      const down = await run('map-retry-catch', undefined, { mockConfig, testCase: 'GatewayDown', taskHandlers: {} });
      expect(down).toMatchObject({ status: 'FAILED', error: 'PaymentGateway.Timeout', cause: 'The payment gateway did not answer (mocked).' });
    });
  });

  describe('jsonata-orders', () => {
    it('prices the lines, applies the discount and flags the order for approval', async () => {
      const result = await run('jsonata-orders');
      expect(result.status).toBe('SUCCEEDED');
      expect(result.output).toEqual({
        customer: 'Ada Lovelace',
        lines: [
          { sku: 'KB-01', total: 90 },
          { sku: 'MS-02', total: 25.5 },
          { sku: 'CB-03', total: 13.5 },
        ],
        subtotal: 129,
        discount: 12.9,
        tax: 23.22,
        total: 139.32,
        status: 'NEEDS_APPROVAL',
      });
    });

    it('confirms a small order without approval', async () => {
      const result = await run('jsonata-orders', { customer: { name: 'Bo', tier: 'none' }, lines: [{ sku: 'X', qty: 4, unitPrice: 2.5 }] });
      expect(result.output).toEqual({ customer: 'Bo', lines: [{ sku: 'X', total: 10 }], subtotal: 10, discount: 0, tax: 2, total: 12, status: 'CONFIRMED' });
    });

    it('passes the Arguments to the task', async () => {
      const seen: unknown[] = [];
      const result = await run('jsonata-orders', undefined, {
        taskHandlers: { 'Apply discount': (input: unknown) => (seen.push(input), { discount: 0 }) },
      });
      expect(seen).toEqual([{ tier: 'gold', amount: 129 }]);
      expect(result.output).toMatchObject({ discount: 0, total: 154.8, status: 'NEEDS_APPROVAL' });
    });
  });

  describe('ship-orders and ship-order', () => {
    it('ships each order in a child execution it waits for, linked to the parent', async () => {
      const result = await run('ship-orders', undefined, { stateMachines: { 'ship-order': read('ship-order.asl.json') } });
      expect(result.status).toBe('SUCCEEDED');
      expect(result.output).toEqual({ labels: ['PO-A-1', 'FR-A-2', 'PO-A-3'], count: 3 });
      const submitted = result.events.filter((e) => e.type === 'TaskSubmitted').map((e) => (e.details as { output: { ExecutionArn: string } }).output.ExecutionArn);
      expect(submitted.sort()).toEqual(['A-1', 'A-2', 'A-3'].map((id) => `arn:aws:states:us-east-1:111111111111:execution:ship-order:ship-${id}`));
    });

    it('ship-order alone picks the carrier by weight', async () => {
      expect((await run('ship-order')).output).toEqual({ orderId: 'A-1', carrier: 'post', label: 'PO-A-1' });
      expect((await run('ship-order', { orderId: 'B', weightKg: 21 })).output).toEqual({ orderId: 'B', carrier: 'freight', label: 'FR-B' });
    });
  });
});
