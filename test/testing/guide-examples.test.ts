// The examples of docs/testing.md, run as the guide shows them: the state machine is read from
// the guide's JSON block, so the guide cannot drift from what works.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runStateMachine, startStateMachine } from '../../src/testing/index.js';

const guide = readFileSync(new URL('../../docs/testing.md', import.meta.url), 'utf8');
const definition = JSON.parse(/## 2\. A state machine[\s\S]*?```json\n([\s\S]*?)```/.exec(guide)![1]!) as object;

describe('docs/testing.md', () => {
  it('an order in stock is charged', async () => {
    const run = await runStateMachine(definition, {
      input: { orderId: '42' },
      mocks: { 'Check stock': { Return: { Payload: { inStock: true } } }, Charge: { Return: { Payload: { charged: true } } } },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path()).toEqual(['Check stock', 'In stock?', 'Charge']);
    expect(run.state('Charge').input).toEqual({ orderId: '42', stock: { inStock: true } });
  });

  it('a declined card ends in Charge failed; throttling is retried', async () => {
    const declined = await runStateMachine(definition, {
      mocks: { 'Check stock': { Return: { Payload: { inStock: true } } }, Charge: { Throw: { Error: 'Declined', Cause: 'card expired' } } },
    });
    expect(declined.status).toBe('FAILED');
    expect(declined.error).toBe('ChargeFailed');
    expect(declined.caught('Charge')).toMatchObject({ next: 'Charge failed', error: 'Declined' });
    expect(String(declined)).toBe('FAILED (ChargeFailed) after Check stock → In stock? → Charge → Charge failed');
    const retried = await runStateMachine(definition, {
      mocks: { 'Check stock': [{ Throw: { Error: 'Lambda.TooManyRequestsException' } }, { Return: { Payload: { inStock: true } } }], Charge: { Return: {} } },
    });
    expect(retried.retries('Check stock')).toBe(1);
  });

  it('waits a day on virtual time; times out a slow charge', async () => {
    const run = await runStateMachine(definition, {
      startTime: '2026-01-01T00:00:00Z',
      mocks: { 'Check stock': [{ Return: { Payload: { inStock: false } } }, { Return: { Payload: { inStock: true } } }], Charge: { Return: {} } },
    });
    expect(run.path()).toEqual(['Check stock', 'In stock?', 'Wait for stock', 'Check stock', 'In stock?', 'Charge']);
    expect(run.state('Charge').visits[0]!.enteredAt.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    const slow = await runStateMachine(definition, {
      mocks: { 'Check stock': { Return: { Payload: { inStock: true } } } },
      handlers: { Charge: (_input, context) => context.sleep('10m') },
    });
    expect(slow.caught('Charge')).toMatchObject({ error: 'States.Timeout' });
  });

  it('drives an approval step by step', async () => {
    const approvalDefinition = {
      StartAt: 'Wait for approval',
      States: { 'Wait for approval': { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', HeartbeatSeconds: 900, Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } }, End: true } },
    };
    const run = startStateMachine(approvalDefinition, { input: { orderId: '42' } });
    const task = await run.waitForTask('Wait for approval');
    await run.advance('10m');
    run.sendTaskHeartbeat(task.taskToken);
    await run.advance('10m');
    run.sendTaskSuccess(task.taskToken, { approved: true });
    const result = await run.finish();
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ approved: true });
  });
});

describe('README.md', () => {
  it("runs the testing example on examples/testing/order.asl.json as it says", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const snippet = /## Testing your state machines\n\n```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const definition = JSON.parse(readFileSync(new URL('../../examples/testing/order.asl.json', import.meta.url), 'utf8')) as object;
    const run = await runStateMachine(definition, {
      input: { orderId: 'o-4', amount: 99 },
      mocks: { 'Charge card': { Throw: { Error: 'CardDeclined', Cause: 'Card ending 0002 was declined' } } },
      handlers: { Ship: async () => ({ trackingId: 'T1' }) },
    });
    // The snippet's comments state these results.
    expect(snippet).toContain(`run.status;                  // '${run.status}'`);
    expect(snippet).toContain(`run.path();                  // ${JSON.stringify(run.path()).replaceAll('"', "'").replaceAll(',', ', ')}`);
    expect(snippet).toContain(`run.state('Ship').entered;   // ${run.state('Ship').entered}`);
    expect(run.caught('Charge card')).toMatchObject({ index: 0, errorEquals: ['CardDeclined'], next: 'Report declined', error: 'CardDeclined' });
  });
});
