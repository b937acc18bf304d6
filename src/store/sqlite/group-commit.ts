/**
 * Group commit: writes queue up and commit together in one transaction per tick, so one fsync
 * pays for a whole batch. Each write runs in its own savepoint inside the batch transaction, so
 * one that throws (a StoreConflict, a constraint) is rolled back and rejected alone while the
 * others commit. Callers are answered only after the commit, so a resolved write is durable.
 */
import type Database from 'better-sqlite3';

interface Pending {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private readonly commitBatch: Database.Transaction<(batch: readonly Pending[]) => Outcome[]>;

  constructor(
    db: Database.Database,
    private readonly maxBatch: number,
  ) {
    // Nested better-sqlite3 transactions are savepoints.
    const savepoint = db.transaction((work: () => unknown) => work());
    this.commitBatch = db.transaction((batch: readonly Pending[]) =>
      batch.map((p): Outcome => {
        try {
          return { ok: true, value: savepoint(p.work) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  /** Runs `work` (synchronous SQL) inside the next batch transaction. */
  submit<T>(work: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Commits everything queued now. */
  flush(): void {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      // IMMEDIATE takes the write lock up front, so a batch never fails half-way on a lock
      // upgrade when another process shares the file.
      outcomes = this.commitBatch.immediate(batch);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of the batch is durable.
      for (const p of batch) p.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const o = outcomes[i]!;
      if (o.ok) batch[i]!.resolve(o.value);
      else batch[i]!.reject(o.error);
    }
  }

  /** Commits what is queued and refuses further writes. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
