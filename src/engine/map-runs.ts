/**
 * Map Runs: the counters and settings of each Distributed Map run, kept by the interpreter as its
 * iterations start and end, and handed to the driver as records (Decision.mapRuns) for the runs
 * a decision changed. Inline Maps and Parallel states never create one, so they pay nothing.
 *
 * Everything here is driven by the interpreter's decisions: times are the decision's `now`.
 */
import type { FanOut } from './frames.js';
import type { MapRunCounts, MapRunRecord, MapRunStatus, MapRunUpdate } from './model.js';

/** Mutable counts, one set for items and one for child executions. */
class Counts implements MapRunCounts {
  pending = 0;
  running = 0;
  succeeded = 0;
  failed = 0;
  timedOut = 0;
  aborted = 0;
  total = 0;
  resultsWritten = 0;

  snapshot(): MapRunCounts {
    return {
      pending: this.pending,
      running: this.running,
      succeeded: this.succeeded,
      failed: this.failed,
      timedOut: this.timedOut,
      aborted: this.aborted,
      total: this.total,
      resultsWritten: this.resultsWritten,
    };
  }
}

export interface MapRunSettings {
  readonly maxConcurrency: number;
  /** -1 when the Map gave none. */
  readonly toleratedFailureCount: number;
  readonly toleratedFailurePercentage: number;
}

export class MapRun {
  status: MapRunStatus = 'RUNNING';
  stopDate: number | undefined;
  maxConcurrency: number;
  /** -1 when not set: the fan-out's tolerance check reads them this way. */
  toleratedFailureCount: number;
  toleratedFailurePercentage: number;
  /** The fan-out running the iterations, once the items are known. */
  fan: FanOut | undefined;
  private readonly items = new Counts();
  private readonly executions = new Counts();
  /** Items in each child when an ItemBatcher made batches; otherwise each child is one item. */
  private weights: readonly number[] | undefined;

  constructor(
    private readonly tracker: MapRunTracker,
    readonly arn: string,
    readonly executionArn: string,
    readonly stateMachineArn: string,
    readonly startDate: number,
    settings: MapRunSettings,
  ) {
    this.maxConcurrency = settings.maxConcurrency;
    this.toleratedFailureCount = settings.toleratedFailureCount;
    this.toleratedFailurePercentage = settings.toleratedFailurePercentage;
  }

  /** Whether a failure tolerance is set (then exceeding it is States.ExceedToleratedFailureThreshold). */
  get hasTolerance(): boolean {
    return this.toleratedFailureCount >= 0 || this.toleratedFailurePercentage >= 0;
  }

  /** The iterations are about to start: `children` child executions over `items` items. */
  begin(fan: FanOut, items: number, weights: readonly number[] | undefined): void {
    this.fan = fan;
    this.weights = weights;
    this.items.total = this.items.pending = items;
    this.executions.total = this.executions.pending = fan.total;
    this.tracker.touch(this);
  }

  childStarted(index: number): void {
    const w = this.weight(index);
    this.items.pending -= w;
    this.items.running += w;
    this.executions.pending--;
    this.executions.running++;
    this.tracker.touch(this);
  }

  /** A child ended; `written` when its result (or tolerated error) became part of the output. */
  childFinished(index: number, succeeded: boolean, written: boolean): void {
    const w = this.weight(index);
    this.items.running -= w;
    this.executions.running--;
    if (succeeded) {
      this.items.succeeded += w;
      this.executions.succeeded++;
    } else {
      this.items.failed += w;
      this.executions.failed++;
    }
    if (written) {
      this.items.resultsWritten += w;
      this.executions.resultsWritten++;
    }
    this.tracker.touch(this);
  }

  /** Applies UpdateMapRun's settings; the caller makes the fan-out follow them. */
  update(update: MapRunUpdate): void {
    if (update.maxConcurrency !== undefined) this.maxConcurrency = update.maxConcurrency;
    if (update.toleratedFailureCount !== undefined) this.toleratedFailureCount = update.toleratedFailureCount;
    if (update.toleratedFailurePercentage !== undefined) this.toleratedFailurePercentage = update.toleratedFailurePercentage;
    this.tracker.touch(this);
  }

  /** Ends the run. Children still running when it fails or is aborted count as aborted. */
  close(status: Exclude<MapRunStatus, 'RUNNING'>, now: number): void {
    if (this.status !== 'RUNNING') return;
    this.status = status;
    this.stopDate = now;
    if (status !== 'SUCCEEDED') {
      this.items.aborted += this.items.running;
      this.items.running = 0;
      this.executions.aborted += this.executions.running;
      this.executions.running = 0;
    }
    this.fan = undefined;
    this.tracker.touch(this);
  }

  record(): MapRunRecord {
    return {
      arn: this.arn,
      executionArn: this.executionArn,
      stateMachineArn: this.stateMachineArn,
      status: this.status,
      startDate: this.startDate,
      ...(this.stopDate !== undefined ? { stopDate: this.stopDate } : {}),
      maxConcurrency: this.maxConcurrency,
      toleratedFailurePercentage: Math.max(0, this.toleratedFailurePercentage),
      toleratedFailureCount: Math.max(0, this.toleratedFailureCount),
      itemCounts: this.items.snapshot(),
      executionCounts: this.executions.snapshot(),
      redriveCount: 0,
    };
  }

  private weight(index: number): number {
    return this.weights ? this.weights[index]! : 1;
  }
}

/** The Map Runs of one execution, and which of them changed since the last decision. */
export class MapRunTracker {
  private readonly runs = new Map<string, MapRun>();
  private changed = new Set<MapRun>();

  open(arn: string, executionArn: string, stateMachineArn: string, startDate: number, settings: MapRunSettings): MapRun {
    const run = new MapRun(this, arn, executionArn, stateMachineArn, startDate, settings);
    this.runs.set(arn, run);
    this.touch(run);
    return run;
  }

  get(arn: string): MapRun | undefined {
    return this.runs.get(arn);
  }

  touch(run: MapRun): void {
    this.changed.add(run);
  }

  /** Records of the runs changed since the last call, in the order they were first changed. */
  takeChanged(): MapRunRecord[] | undefined {
    if (this.changed.size === 0) return undefined;
    const records = [...this.changed].map((run) => run.record());
    this.changed = new Set();
    return records;
  }

  /** Every run of the execution, in start order. */
  all(): MapRunRecord[] {
    return [...this.runs.values()].map((run) => run.record());
  }
}
