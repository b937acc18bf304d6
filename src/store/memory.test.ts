import { describe, expect, it } from 'vitest';
import { storeContract, execution, startWrite } from './contract.js';
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
