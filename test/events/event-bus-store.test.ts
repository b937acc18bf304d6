// The EventBusStore contract on memory and on a real SQLite file, and the outbox claimed by two
// connections to one file (two processes sharing a database).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { delivery, eventBusContract } from '../../src/store/event-bus-contract.js';
import { MemoryStore } from '../../src/store/memory.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const root = mkdtempSync(join(tmpdir(), 'stepwise-event-bus-'));
let files = 0;
const tempFile = (): string => join(root, `db-${++files}`, 'stepwise.db');
afterAll(() => rmSync(root, { recursive: true, force: true }));

eventBusContract('memory', async () => new MemoryStore());
eventBusContract('sqlite', () => openSqliteStore(tempFile()));

describe('the SQLite outbox shared by two processes', () => {
  it('hands each delivery to one of two stores on the same file, and each sees the other’s rule changes', async () => {
    const file = tempFile();
    const first = await openSqliteStore(file);
    const second = await openSqliteStore(file);
    try {
      await first.eventBus.enqueueDeliveries(Array.from({ length: 200 }, (_, i) => delivery(`d${i}`, i)));
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second).eventBus.claimDeliveries(1_000, 15, 60_000)));
      const ids = claims.flat().map((d) => d.id);
      expect(ids).toHaveLength(200);
      expect(new Set(ids).size).toBe(200);
      const before = await second.eventBus.rulesVersion();
      await first.eventBus.putRule({ arn: 'arn:aws:events:us-east-1:123456789012:rule/r', name: 'r', eventBusName: 'default', state: 'ENABLED', eventPattern: '{}', createdAt: 1 }, { maxRules: 10 });
      expect(await second.eventBus.rulesVersion()).not.toBe(before);
      expect((await second.eventBus.getRule('default', 'r'))?.name).toBe('r');
    } finally {
      await first.close();
      await second.close();
    }
  });
});
