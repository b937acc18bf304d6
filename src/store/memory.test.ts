import { describe, expect, it } from 'vitest';
import { storeContract, execution, sharedPayloadEvents, startWrite } from './contract.js';
import { MemoryStore } from './memory.js';

storeContract('memory', async () => new MemoryStore());

describe('MemoryStore', () => {
  it('does not let callers change stored records through objects they passed or got back', async () => {
    const store = new MemoryStore();
    const record = execution('m', 'e');
    const mutable = { ...record, lastEventId: 1 } as { -readonly [K in keyof typeof record]: (typeof record)[K] };
    await store.createExecution(mutable, startWrite(record, 1));
    mutable.status = 'FAILED';
    const read = (await store.getExecution(record.arn)) as { status: string };
    read.status = 'ABORTED';
    expect((await store.getExecution(record.arn))!.status).toBe('RUNNING');
  });
});

describe('MemoryStore payloads', () => {
  it('keeps a payload that many events carry once: events and reads share it, never copy it', async () => {
    const store = new MemoryStore();
    const record = execution('m', 'shared');
    await store.createExecution({ ...record, lastEventId: 1 }, startWrite(record, 1));
    const [first, ...rest] = sharedPayloadEvents(1, 40);
    await store.appendExecution({ executionArn: record.arn, expectedLastEventId: 1, events: [first!] });
    await store.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: rest });
    const read = await store.getEvents(record.arn, { afterId: 1, limit: 100 });
    expect(read).toHaveLength(40);
    read.forEach((event, i) => expect(event.details).toBe([first!, ...rest][i]!.details));
  });
});
