/**
 * Writes of one process that concern the same thing (an execution, a state machine, an activity's
 * queue) run one after the other, in the order they were submitted — as the SQLite store's group
 * commit applies them. A pool runs statements in parallel otherwise, and a caller that submits
 * a decision and then the next one (expecting the first's last event id) would see the second
 * overtake the first and fail. Other processes are kept in order by the database's locks, not
 * by this.
 */
export class Lanes {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    // The last one out removes the lane, so the map holds only busy keys.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

/** The state machine an alias or version ARN (`<machine ARN>:<name or number>`) belongs to. */
export function machineOf(qualifiedArn: string): string {
  const i = qualifiedArn.lastIndexOf(':');
  return i < 0 ? qualifiedArn : qualifiedArn.slice(0, i);
}
