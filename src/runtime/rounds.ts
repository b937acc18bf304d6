/**
 * Work done in rounds, woken by notifications that can come by the hundred (one per execution
 * released, one per routed item): a wake-up while a round runs asks for one more round after
 * it, not one each, and the callers all wait for the round that covers them.
 */
export class Rounds {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly stopped: () => boolean,
  ) {}

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.round();
      } while (this.again && !this.stopped());
    })().finally(() => (this.running = undefined));
    return this.running;
  }
}
