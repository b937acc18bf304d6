/**
 * At most `limit` holders at once; others wait in arrival order (a function's
 * ReservedConcurrentExecutions). Waiting costs no timer and no polling: `leave` hands the slot
 * straight to the next waiter.
 */
export class ConcurrencyGate {
  private active = 0;
  private closed = false;
  private readonly waiting: Array<(entered: boolean) => void> = [];

  constructor(private readonly limit: number) {}

  /** Resolves true once the caller holds a slot (it must `leave`), false if aborted or closed first. */
  enter(signal?: AbortSignal): Promise<boolean> {
    if (this.closed || signal?.aborted) return Promise.resolve(false);
    if (this.active < this.limit && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const onAbort = (): void => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        resolve(false);
      };
      const grant = (entered: boolean): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(entered);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  leave(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(true);
    else this.active--;
  }

  /** Turns every waiter away, and every later caller. */
  close(): void {
    this.closed = true;
    for (const grant of this.waiting.splice(0)) grant(false);
  }
}
