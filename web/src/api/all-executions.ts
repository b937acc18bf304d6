/**
 * Executions across every state machine, newest first. ListExecutions needs a state machine,
 * so this merges one cursor per machine (k-way merge): each page asks every machine only for as
 * many executions as the page could still take from it.
 */
import { listAllStateMachines, sfn, type ExecutionListItem, type ExecutionStatus } from './sfn.js';

interface MachineCursor {
  readonly stateMachineArn: string;
  buffer: ExecutionListItem[];
  nextToken?: string;
  exhausted: boolean;
}

export class AllExecutionsCursor {
  private cursors: MachineCursor[] | undefined;

  constructor(
    private readonly statusFilter: ExecutionStatus | undefined,
    private readonly pageSize: number,
  ) {}

  get done(): boolean {
    return this.cursors !== undefined && this.cursors.every((c) => c.exhausted && c.buffer.length === 0);
  }

  /** The next `pageSize` executions across all machines, newest first. */
  async nextPage(): Promise<ExecutionListItem[]> {
    this.cursors ??= (await listAllStateMachines()).map((m) => ({ stateMachineArn: m.stateMachineArn, buffer: [], exhausted: false }));
    await Promise.all(this.cursors.map((c) => this.fill(c)));
    const page: ExecutionListItem[] = [];
    while (page.length < this.pageSize) {
      let best: MachineCursor | undefined;
      for (const c of this.cursors) {
        if (c.buffer.length > 0 && (!best || c.buffer[0]!.startDate > best.buffer[0]!.startDate)) best = c;
      }
      if (!best) break;
      page.push(best.buffer.shift()!);
      // A machine whose buffer ran dry may hold newer executions than the others' next ones.
      if (best.buffer.length === 0 && !best.exhausted) await this.fill(best);
    }
    return page;
  }

  private async fill(cursor: MachineCursor): Promise<void> {
    if (cursor.exhausted || cursor.buffer.length >= this.pageSize) return;
    let page: Awaited<ReturnType<typeof sfn.listExecutions>>;
    try {
      page = await sfn.listExecutions({
        stateMachineArn: cursor.stateMachineArn,
        maxResults: this.pageSize,
        ...(this.statusFilter ? { statusFilter: this.statusFilter } : {}),
        ...(cursor.nextToken ? { nextToken: cursor.nextToken } : {}),
      });
    } catch (error) {
      // Deleted since the list was taken: it has no more executions to show.
      if ((error as { name?: string }).name === 'StateMachineDoesNotExist') {
        cursor.exhausted = true;
        return;
      }
      throw error;
    }
    cursor.buffer.push(...page.executions);
    cursor.nextToken = page.nextToken;
    cursor.exhausted = !page.nextToken;
  }
}
