/**
 * The durable driver: the same decider as `execute()`, with every decision committed to the
 * Store before its commands are performed.
 *
 * - Each execution's triggers are applied one at a time (a promise chain per execution); a
 *   decision's events, its trigger, and the timers and tasks it adds or settles go into one
 *   `ExecutionWrite`, checked against the last event id the runner saw.
 * - Nothing a decision asks for happens before its commit: a crash between the two loses the
 *   command, and the restart redoes it (timers are rows; tasks are re-invoked).
 * - A running execution lives in memory while hot. After a restart it is rebuilt by replaying
 *   its logged triggers through a fresh Interpreter; the replay must regenerate exactly the
 *   events already stored, which is checked.
 */
import { AwsError } from '../api/errors.js';
import { executionAlreadyExists } from '../api/aws-errors.js';
import type { ExecutionRunner, NewExecution, TaskOutcome } from '../api/runner.js';
import type { SdkOutcome } from '../api/sdk-integration.js';
import { MockSession, type MockConfigFile } from '../integrations/mock-config.js';
import type { ClusterStore, ExecutionRecord, ExecutionWrite, LoggedTrigger, Routed, RoutedWork, Store, TaskRecord, TimerRecord } from '../store/types.js';
import { StoreConflict } from '../store/types.js';
import type { HistoryEvent } from '../engine/events.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../engine/payload-size.js';
import { DEFAULT_MAX_HISTORY_EVENTS, runInMemory, type Clock, type ExecuteOptions, type RunnableDefinition } from './memory-driver.js';
import { activityTaskToken, childExecutionSeed, isActivityTaskTokenShape } from './execution-secrets.js';
import { detailsDigest, LocalDecider, type Decider, type DeciderInit, type RestoreResult, type SliceBudget } from './decider.js';
import { DecisionAborted, runtimeFailure, type DeciderPool } from './decider-pool.js';
import { RemoteDecider, remoteDeciders } from './remote-decider.js';
import { ENGINE_VERSION, engineVersionMismatch, runsMapChildExecutions } from '../engine/version.js';
import type { TaskHandler } from '../integrations/local-tasks.js';
import { childEndTrigger, mapChildEndTrigger, waitsForChild } from '../integrations/nested-executions.js';
import { answeredByMocks, dispatchTask, type ChildExecutions, type LocalSdk, type TaskOutcomes } from './task-dispatcher.js';
import type { TaskIntegrations } from './task-integrations.js';
import { unansweredResources } from './unanswered-resources.js';
import { Rounds } from './rounds.js';
import type { Command, Decision, ExecutionIdentity, MapRunUpdate, Trigger } from '../engine/model.js';
import type { IntegrationPattern } from '../engine/resources.js';

export interface DurableRunnerOptions {
  readonly store: Store;
  readonly clock?: Clock;
  readonly region: string;
  readonly accountId: string;
  /** Step Functions Local mocks (SFN_MOCK_CONFIG), used by executions started with `#TestCase`. */
  readonly mockConfig?: MockConfigFile;
  /** Local task handlers by resource ARN or state name. */
  readonly taskHandlers?: Record<string, TaskHandler>;
  /** Routes and built-in integrations of the project configuration (Lambda, HTTP, AWS services). */
  readonly integrations?: TaskIntegrations;
  /** Scales Wait and retry delays (WAIT_TIME_SCALE). */
  readonly waitTimeScale?: number;
  /** Largest state output or task result (default 256 KiB, AWS's quota). */
  readonly maxPayloadBytes?: number;
  /** Most events in one execution's history (default 25,000, AWS's quota). */
  readonly maxHistoryEvents?: number;
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** Notified of each committed decision (metrics, live console updates). */
  readonly onDecision?: (executionArn: string, events: readonly HistoryEvent[], status: string) => void;
  /**
   * Resolves and checks a StartExecution request (API member names) the way the API action
   * does, rejecting with its AwsError. Given, `states:startExecution` tasks start real child
   * executions on this runner; without it they need a mock or a handler. The parent is named
   * for the quotas on nested executions (src/api/quotas.ts).
   */
  readonly prepareChild?: (request: Record<string, unknown>, parentExecutionArn: string) => Promise<NewExecution>;
  /**
   * AWS SDK integrations this server answers itself (`arn:aws:states:::aws-sdk:<service>:<action>`):
   * the server passes its own Step Functions API as service `sfn`.
   */
  readonly localSdk?: {
    readonly services: readonly string[];
    call(service: string, action: string, parameters: unknown, requestId: string, callerExecutionArn: string): Promise<SdkOutcome>;
  };
  /**
   * Worker threads that make the decisions, with a watchdog (the server's isolation). Without
   * it decisions run on this thread: sliced, but a single runaway expression holds the thread.
   */
  readonly deciders?: DeciderPool;
  /** How long one decision runs before it yields to other executions (ms, default 20). */
  readonly sliceMs?: number;
  /** Bytes of state output one decision may produce before it yields (default 8 MiB). */
  readonly maxDecisionBytes?: number;
  /**
   * History events one decision may record before it yields (default 1,000): a decision's
   * write, and the time this thread spends on it, stay bounded.
   */
  readonly maxDecisionEvents?: number;
  /**
   * Executions kept in memory between their triggers (default 500). Beyond it the least
   * recently used idle ones are dropped and rebuilt from the store on their next trigger, so
   * waiting executions cost rows, not memory.
   */
  readonly maxLiveExecutions?: number;
  /** How long an EXPRESS execution may run (AWS: 5 minutes). */
  readonly expressMaxDurationMs?: number;
  /** How long one TestState call may run (default TEST_STATE_MAX_DURATION_MS). */
  readonly testStateMaxDurationMs?: number;
  /**
   * How long StartExecution waits for the execution's first decision (ms, default 200). A
   * quicker one is committed with the execution; a slower one goes on after the answer.
   */
  readonly startWaitMs?: number;
  /**
   * Share the work with other nodes on the store's database (Store.cluster: PostgreSQL): this
   * runner then owns the executions it starts and those it claims from nodes whose lease ran
   * out, and routes work for executions other nodes own to them (src/store/cluster.ts).
   */
  readonly cluster?: ClusterRunnerOptions;
}

export interface ClusterRunnerOptions {
  /** How long a node's executions stay its own after its last renewal (ms): the take-over time after a crash. */
  readonly leaseMs: number;
  /**
   * The node's name (part of its id; operators see it in logs), read when the runner resumes.
   * A node started under the name of one that stopped (a restart on the same host and port)
   * takes that one's executions over at once instead of after its lease.
   */
  readonly name: () => string;
  /** How often routed work and orphans are looked for should a notification be missed (ms, default 1,000). */
  readonly pollMs?: number;
}

/**
 * An execution's first decision. One that ran away in its worker (`aborted`) is replaced by a
 * start that takes no step, so the execution is recorded as started and then failed with the
 * reason: its history reads as any failed execution's does.
 */
type FirstDecision = { readonly decision: Decision; readonly aborted?: DecisionAborted };

function startTrigger(time: number, decision: Decision): LoggedTrigger {
  return { time, trigger: { type: 'Start' }, ...(decision.more ? { steps: decision.steps } : {}) };
}

/** AWS's limit on an Express workflow's duration. */
export const EXPRESS_MAX_DURATION_MS = 5 * 60 * 1000;

/** The stop during one execution's decision after which it is failed rather than run again. */
const QUARANTINE_AFTER_RESTARTS = 2;

/** How long one TestState call may run. */
export const TEST_STATE_MAX_DURATION_MS = 60 * 1000;

type InvokeTask = Extract<Command, { type: 'InvokeTask' }>;

/** An execution held in memory while it runs. */
interface LiveExecution {
  record: ExecutionRecord;
  readonly interp: Decider;
  /** Triggers queued or being decided: an execution with any is never dropped from memory. */
  busy: number;
  readonly mocks: MockSession | undefined;
  /** Serialises work on the execution: each step waits for the previous one to commit. */
  chain: Promise<unknown>;
  /**
   * Triggers waiting for the execution's next batch (see `drain`): decided one after another,
   * their writes committed together, their commands performed once all are durable.
   */
  readonly inbox: InboxItem[];
  /** Whether a batch is queued on `chain` to take the inbox. */
  draining: boolean;
  /** InvokeTask commands not yet answered, by task id (re-invoked after a restart). */
  readonly openInvocations: Map<string, InvokeTask>;
  /** Task tokens (activities, callbacks) by task id, and the tokens still open. */
  readonly tokensByTask: Map<string, string>;
  readonly openTokens: Set<string>;
  /** Local handler invocations in flight, to abort on CancelTask. */
  readonly running: Map<string, AbortController>;
  /** Child executions that `.sync` tasks wait for, by task id: stopped when their task is cancelled. */
  readonly children: Map<string, string>;
  /** Children whose task a decision cancelled, stopped once the decision is committed. */
  readonly childrenToStop: string[];
  lastEventId: number;
}

/** A trigger, or a function that decides it inside the execution's queue (undefined: nothing to do). */
type TriggerOf = Trigger | ((live: LiveExecution) => Trigger | undefined);

interface ApplyOptions {
  requireRunning?: boolean;
  allowEnded?: boolean;
  precondition?: (live: LiveExecution) => void;
  extra?: Partial<ExecutionWrite>;
}

/** One apply() waiting in an execution's inbox. */
interface InboxItem {
  readonly triggerOf: TriggerOf;
  readonly options: ApplyOptions;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/** A decision made and handed to the store, not yet known to be committed. */
interface Pending {
  readonly decision: Decision;
  readonly committed: Promise<void>;
}

/** Tries of a trigger the runner produced (applyLater): about ten minutes with its back-off. */
const MAX_APPLY_ATTEMPTS = 125;

/** Most triggers one batch decides before it commits them. */
const MAX_BATCH_TRIGGERS = 64;

/**
 * How many items at the head of an inbox can be decided in one round trip: plain triggers
 * (not computed from the execution's state, no precondition, not for an ended execution, not a
 * runtime failure, which is decided without a budget).
 */
function plainRun(inbox: readonly InboxItem[], max: number): number {
  let n = 0;
  while (n < inbox.length && n < max) {
    const { triggerOf, options } = inbox[n]!;
    if (typeof triggerOf === 'function' || options.precondition || options.allowEnded || triggerOf.type === 'RuntimeFailure') break;
    n++;
  }
  return n;
}

const systemClock: Clock = { now: () => Date.now() };

export class DurableRunner implements ExecutionRunner {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly scale: number;
  private readonly live = new Map<string, LiveExecution>();
  private readonly loading = new Map<string, Promise<LiveExecution | undefined>>();
  private readonly activityWaiters = new Map<string, Set<() => void>>();
  private timerHandle: ReturnType<typeof setTimeout> | undefined;
  private timerDueAt = Infinity;
  private closed = false;
  private firing = false;
  private readonly slice: SliceBudget;
  private readonly maxLive: number;
  private readonly startWaitMs: number;
  /** Executions whose decision was interrupted by the last stop: their next decision clears the mark. */
  private readonly suspects = new Set<string>();
  /** The store's cluster, once this runner joined it (several nodes on one database). */
  private cluster: ClusterStore | undefined;
  /** Routed work being applied here, by id (a notification and a poll may both bring it). */
  private readonly applyingRouted = new Map<number, Promise<void>>();
  /** Routed work whose application this runner wrote (its write removed the row). */
  private readonly consumedRouted = new Set<number>();
  private clusterLoops: Array<ReturnType<typeof setInterval>> = [];
  private readonly takeOvers = new Rounds(
    () => this.claimOrphans().catch((e) => this.log('warn', 'could not take over orphaned executions', { error: String(e) })),
    () => this.closed,
  );
  /** Live nodes, as of the last lease renewal: a lone node runs a Map's children itself. */
  private liveNodes = 1;
  private readonly routedRounds = new Rounds(() => this.applyRoutedRound(), () => this.closed);
  /** Timers whose trigger could not be applied, by `arn timerId`: tried again after this time. */
  private readonly timerRetries = new Map<string, number>();

  constructor(private readonly options: DurableRunnerOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.scale = options.waitTimeScale ?? 1;
    this.slice = { sliceMs: options.sliceMs ?? 20, maxBytes: options.maxDecisionBytes ?? 8 * 1024 * 1024, maxEvents: options.maxDecisionEvents ?? 1_000 };
    this.maxLive = options.maxLiveExecutions ?? 500;
    this.startWaitMs = options.startWaitMs ?? 200;
    if (options.deciders) this.watchDecisions(options.deciders);
  }

  /**
   * Resumes work after a (re)start: arms the timer loop and, in the background, rebuilds every
   * RUNNING execution so tasks that were in flight at the crash are invoked again.
   */
  async resume(): Promise<void> {
    if (this.options.cluster && this.store.cluster) return this.joinCluster(this.options.cluster, this.store.cluster);
    await this.quarantine();
    await this.scheduleTimers();
    const running = await this.store.runningExecutions();
    if (running.length > 0) this.log('info', 'resuming the executions that were running', { executions: running.length });
    void (async () => {
      let resumed = 0;
      for (const arn of running) {
        if (this.closed) return;
        try {
          await this.load(arn);
          resumed++;
          this.log('debug', 'execution resumed', { executionArn: arn });
        } catch (e) {
          this.log('error', 'could not resume execution', { executionArn: arn, error: String(e) });
        }
        await new Promise((r) => setImmediate(r));
      }
      if (running.length > 0) this.log('info', 'executions resumed', { resumed, failed: running.length - resumed });
    })();
  }

  /**
   * Crash loops: an execution whose decision was in progress when the process stopped is run
   * again once (the crash may have had another cause); if the process stopped during its
   * decision again, it is failed instead of run a third time.
   */
  private async quarantine(executionArns?: readonly string[]): Promise<void> {
    for (const { executionArn, restarts } of await this.store.countInterruptedDecisions(executionArns)) {
      if (restarts < QUARANTINE_AFTER_RESTARTS) {
        this.suspects.add(executionArn);
        continue;
      }
      const record = await this.store.getExecution(executionArn);
      if (record?.status === 'RUNNING') {
        const cause = `The execution's decision was in progress when the server stopped, ${restarts} times in a row: it was failed instead of run again (Stepwise's quarantine, see docs/limits.md).`;
        this.log('error', 'execution quarantined', { executionArn, restarts });
        await this.failUnreplayable(record, cause);
      }
      await this.store.clearDecisionInProgress(executionArn);
    }
  }

  /**
   * Quarantine marks: the decider pool says when a decision has been running in its worker for
   * longer than a slice should take (and when it answers); such a decision marks its execution
   * in the store until it ends. (A decision on this thread cannot be watched so: it holds the
   * thread, and with it any timer, until it ends.)
   */
  private watchDecisions(pool: DeciderPool): void {
    const marks = new Map<string, Promise<void>>();
    const arnOf = (key: string) => key.slice(0, key.lastIndexOf('#'));
    pool.watcher = {
      long: (key) => {
        const arn = arnOf(key);
        if (!marks.has(arn)) marks.set(arn, this.store.markDecisionInProgress(arn).catch(() => undefined));
      },
      done: (key) => {
        const arn = arnOf(key);
        const marked = marks.get(arn);
        if (!marked) return;
        marks.delete(arn);
        void marked.then(() => this.store.clearDecisionInProgress(arn)).catch(() => undefined);
      },
    };
  }

  /** A decision; when it completes, the mark an interrupted decision of its execution left is cleared. */
  private async clearingMark<T>(executionArn: string, deciding: Promise<T>): Promise<T> {
    const result = await deciding;
    if (this.suspects.delete(executionArn)) void this.store.clearDecisionInProgress(executionArn).catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timerHandle) clearTimeout(this.timerHandle);
    for (const loop of this.clusterLoops) clearInterval(loop);
    for (const live of this.live.values()) for (const c of live.running.values()) c.abort();
    await Promise.allSettled([...this.live.values()].map((l) => l.chain));
    // Released for the other nodes at once, rather than after the lease runs out.
    await this.cluster?.leave().catch((e) => this.log('warn', 'could not leave the cluster cleanly', { error: String(e) }));
  }

  // ------------------------------------------------------------------ several nodes

  /**
   * Joins the cluster (src/store/cluster.ts) and takes over the executions no live node owns:
   * after a restart, this node's own from before (it was another node then). Then, every third
   * of the lease, renews it and looks for orphans again; every poll, applies routed work.
   */
  private async joinCluster(options: ClusterRunnerOptions, cluster: ClusterStore): Promise<void> {
    this.cluster = cluster;
    cluster.onWake((wake) => {
      if (this.closed) return;
      if (wake.type === 'routed') void this.applyRoutedWork();
      else if (wake.type === 'released') void this.takeOver();
      else if (wake.type === 'joined') void cluster.liveNodes().then((n) => (this.liveNodes = n), () => undefined);
      else for (const wakeUp of this.activityWaiters.get(wake.activityArn) ?? []) wakeUp();
    });
    const nodeId = await cluster.join({ leaseMs: options.leaseMs, name: options.name(), replacesNamesake: true });
    this.liveNodes = await cluster.liveNodes();
    this.log('info', 'joined the cluster', { nodeId, leaseMs: options.leaseMs });
    await this.takeOver();
    const renew = setInterval(() => void this.renewLease(options, cluster), Math.max(50, Math.floor(options.leaseMs / 3)));
    const poll = setInterval(() => void this.applyRoutedWork(), options.pollMs ?? 1_000);
    renew.unref();
    poll.unref();
    this.clusterLoops.push(renew, poll);
  }

  private async renewLease(options: ClusterRunnerOptions, cluster: ClusterStore): Promise<void> {
    if (this.closed) return;
    let alive: boolean;
    try {
      alive = await cluster.renew();
      this.liveNodes = await cluster.liveNodes();
    } catch (e) {
      this.log('warn', 'could not renew the node lease', { error: String(e) });
      return;
    }
    if (!alive && !this.closed) {
      // The lease ran out (the database was out of reach, the process stalled): other nodes may
      // own our executions now. Everything held in memory is forgotten — their writes would be
      // refused anyway — and the node joins again, under a new id, to claim what is left.
      this.log('error', 'the node lease ran out: rejoining the cluster', { executions: this.live.size });
      for (const live of this.live.values()) {
        for (const c of live.running.values()) c.abort();
        live.interp.dispose();
      }
      this.live.clear();
      try {
        const nodeId = await cluster.join({ leaseMs: options.leaseMs, name: options.name() });
        this.log('info', 'joined the cluster', { nodeId, leaseMs: options.leaseMs });
      } catch (e) {
        this.log('error', 'could not rejoin the cluster', { error: String(e) });
        return;
      }
    }
    await this.takeOver();
  }

  /** Claims orphaned executions (a batch at a time) and goes on with them from their last decision. */
  private takeOver(): Promise<void> {
    return this.takeOvers.run();
  }

  private async claimOrphans(): Promise<void> {
    const cluster = this.cluster!;
    for (;;) {
      if (this.closed || cluster.nodeId === undefined) return;
      const claimed = await cluster.claimOrphans(200);
      if (claimed.length === 0) break;
      this.log('info', 'took over executions', { executions: claimed.length });
      // Their decisions in progress when their node stopped count as interrupted (crash loops).
      await this.quarantine(claimed);
      // Rebuilt a few at a time (a Map Run's children arrive by the hundred).
      let next = 0;
      const rebuildNext = async (): Promise<void> => {
        while (next < claimed.length && !this.closed) {
          const arn = claimed[next++]!;
          // A copy in memory from before is stale: another node may have moved the execution on.
          const stale = this.live.get(arn);
          if (stale && stale.busy === 0) {
            this.live.delete(arn);
            stale.interp.dispose();
          }
          await this.load(arn).catch((e) => this.log('error', 'could not resume execution', { executionArn: arn, error: String(e) }));
        }
      };
      await Promise.all(Array.from({ length: 16 }, rebuildNext));
      if (claimed.length < 200) break;
    }
    await this.scheduleTimers();
    await this.applyRoutedWork();
  }

  /** Applies the work other nodes routed to this node's executions (in rounds: rounds.ts). */
  private applyRoutedWork(): Promise<void> {
    return this.routedRounds.run();
  }

  /** One round: the routed work waiting now, oldest first. */
  private async applyRoutedRound(): Promise<void> {
    const cluster = this.cluster;
    if (!cluster || this.closed) return;
    let found: readonly Routed[];
    try {
      found = await cluster.routed(500);
    } catch (e) {
      this.log('warn', 'could not read routed work', { error: String(e) });
      return;
    }
    // One execution's work in order; executions side by side.
    const byExecution = new Map<string, Routed[]>();
    for (const r of found) {
      if (this.applyingRouted.has(r.id)) continue;
      const list = byExecution.get(r.executionArn) ?? [];
      list.push(r);
      byExecution.set(r.executionArn, list);
    }
    // Each item is queued on its execution in order, without waiting for the one before: the
    // execution's inbox decides them one after another and commits them together (a Map's
    // children ending on other nodes cost one commit per batch, not one each).
    await Promise.all([...byExecution.values()].flatMap((list) => list.map((r) => this.applyRouted(r))));
  }

  private applyRouted(r: Routed): Promise<void> {
    let applying = this.applyingRouted.get(r.id);
    if (!applying) {
      applying = this.applyRoutedOnce(r).finally(() => this.applyingRouted.delete(r.id));
      this.applyingRouted.set(r.id, applying);
    }
    return applying;
  }

  /**
   * One routed item, as a decision of its execution that removes it (ExecutionWrite.consumed).
   * Work with nothing to do (the token was closed meanwhile, the execution ended, the child's
   * task is gone) is removed without a decision; work whose write failed stays for the next poll.
   */
  private async applyRoutedOnce(r: Routed): Promise<void> {
    const { work } = r;
    const options: ApplyOptions = { extra: { consumed: [r.id] } };
    let triggerOf: TriggerOf;
    if (work.type === 'answer') {
      triggerOf = work.trigger;
      options.precondition = (live) => {
        if (!live.openTokens.has(work.token)) throw new AwsError('TaskTimedOut', 'Task Timed Out');
      };
    } else if (work.type === 'child-ended') {
      const child = await this.store.getExecution(work.childArn);
      if (!child) return this.cluster!.dropRouted([r.id]);
      triggerOf = this.childEndedTrigger(child);
    } else if (work.trigger.type === 'TaskStarted') {
      const trigger = work.trigger;
      // A rebuild may have recorded it already (from the task row the worker's claim left).
      triggerOf = (live) => (live.interp.isTaskStarted(trigger.taskId) ? undefined : trigger);
    } else {
      triggerOf = work.trigger;
    }
    try {
      await this.apply(r.executionArn, triggerOf, options);
    } catch (e) {
      if (!(e instanceof AwsError) || e.type === 'ConflictException') {
        this.log('warn', 'routed work not applied yet', { executionArn: r.executionArn, error: String(e) });
        return;
      }
    }
    if (this.consumedRouted.delete(r.id)) return;
    await this.cluster!.dropRouted([r.id]).catch(() => undefined);
  }

  /**
   * Applies work to an execution wherever it is owned: here when this node holds it or can
   * claim it, otherwise routed to its owner (and, with `wait`, awaited until applied).
   */
  private async applyAnywhere(executionArn: string, triggerOf: TriggerOf, work: RoutedWork, options: ApplyOptions & { wait?: boolean; ended?: boolean } = {}): Promise<void> {
    const cluster = this.cluster;
    if (!cluster) return this.apply(executionArn, triggerOf, options);
    if (this.live.has(executionArn)) {
      try {
        return await this.apply(executionArn, triggerOf, options);
      } catch (e) {
        // Another node took it over meanwhile: route it there instead.
        if (!(e instanceof AwsError) || e.type !== 'ConflictException') throw e;
      }
    }
    const claim = await cluster.claim(executionArn, options.ended ? { ended: true } : {});
    if (claim !== 'other') return this.apply(executionArn, triggerOf, options);
    if (options.ended) throw new AwsError('ExecutionNotRedrivable', `Execution is being changed by another node: '${executionArn}'`);
    const routed = await cluster.route(executionArn, work, this.clock.now());
    // It ended meanwhile: as here, the trigger finds it ended.
    if (!routed) return this.apply(executionArn, triggerOf, options);
    if (options.wait) await this.untilApplied(routed.id);
  }

  /**
   * Releases an execution for any node to claim (handOff of a Map's long children): only while
   * nothing of it is in flight here (no trigger queued, no local task running, no child it
   * follows), so nothing is lost or done twice; it leaves this node's memory.
   */
  private async handOff(executionArn: string): Promise<void> {
    const live = this.live.get(executionArn);
    if (!live || live.busy > 0 || live.running.size > 0 || live.children.size > 0 || live.interp.status !== 'RUNNING') return;
    this.live.delete(executionArn);
    live.interp.dispose();
    try {
      if (!(await this.cluster!.release(executionArn))) return;
    } catch (e) {
      this.log('warn', 'could not hand an execution off', { executionArn, error: String(e) });
    }
  }

  /** Waits (bounded) until routed work has been applied by its owner. */
  private async untilApplied(id: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (let pause = 5; Date.now() < deadline; pause = Math.min(pause * 2, 100)) {
      if (!(await this.cluster!.isRouted(id))) return;
      await new Promise((r) => setTimeout(r, pause));
    }
    this.log('warn', 'routed work not applied within 10 s (it stays queued for the owner)', { id });
  }


  // ------------------------------------------------------------------ ExecutionRunner

  async start(execution: NewExecution): Promise<boolean> {
    if (execution.type === 'EXPRESS') return this.startExpress(execution);
    const now = this.clock.now();
    const interp = this.newInterpreter(execution, execution.startDate);
    const live = this.newLive({ ...execution, status: 'RUNNING', lastEventId: 0 }, interp);
    const deciding = this.firstDecision(live, now);
    let waited: ReturnType<typeof setTimeout> | undefined;
    const early = await Promise.race([deciding, new Promise<undefined>((resolve) => (waited = setTimeout(() => resolve(undefined), this.startWaitMs)))]);
    clearTimeout(waited);
    if (early) {
      // The usual case: the first decision is written with the execution, in one commit.
      const { decision } = early;
      const write = this.writeFor(live, decision, startTrigger(now, decision), now);
      const record: ExecutionRecord = { ...live.record, ...write.update, lastEventId: lastId(decision, 0) };
      if (!(await this.store.createExecution(record, write))) return false;
      live.record = record;
      live.lastEventId = record.lastEventId;
      this.notify(live, decision);
      if (record.status === 'RUNNING') this.keepLive(live);
      else interp.dispose();
      this.perform(live, decision.commands);
      if (early.aborted) await this.apply(record.arn, runtimeFailure(early.aborted));
      else if (decision.more) this.continueLater(live);
      return true;
    }
    // A first decision that takes long (a busy worker, heavy states) must not hold the caller:
    // the execution is created now, as RUNNING with no event yet, and its first decision is
    // committed when it comes, before any other trigger of the execution.
    if (!(await this.store.createExecution(live.record, { executionArn: execution.arn, expectedLastEventId: 0, events: [] }))) {
      void deciding.finally(() => interp.dispose()).catch(() => undefined);
      return false;
    }
    this.keepLive(live);
    this.enqueue(live, async () => this.commitStart(live, await deciding, now)).catch((e) => this.log('error', 'first decision not committed', { executionArn: execution.arn, error: String(e) }));
    return true;
  }

  /** Decides an execution's first decision (see FirstDecision). */
  private async firstDecision(live: LiveExecution, now: number): Promise<FirstDecision> {
    try {
      return { decision: await this.clearingMark(live.record.arn, live.interp.start(now, this.slice)) };
    } catch (e) {
      if (!(e instanceof DecisionAborted)) throw e;
      return { decision: await live.interp.start(now, { maxSteps: 0 }), aborted: e };
    }
  }

  /** Commits an execution's first decision after the execution's row was created (then fails it, if it ran away). */
  private async commitStart(live: LiveExecution, { decision, aborted }: FirstDecision, now: number): Promise<void> {
    await this.commit(live, this.writeFor(live, decision, startTrigger(now, decision), now), decision);
    this.perform(live, decision.commands);
    if (aborted) await this.decide(live, runtimeFailure(aborted));
    else if (decision.more) this.continueLater(live);
  }

  /**
   * Runs work in the execution's queue, behind its earlier triggers; the execution stays in
   * memory meanwhile. The caller gets the work's outcome; the queue goes on either way.
   */
  private enqueue(live: LiveExecution, work: () => Promise<void>): Promise<void> {
    live.busy++;
    const step = live.chain.then(work);
    live.chain = step
      .catch(() => undefined)
      .finally(() => {
        live.busy--;
        this.dropIdle();
      });
    return step;
  }

  async runSync(execution: NewExecution): Promise<ExecutionRecord> {
    const result = await runInMemory(JSON.parse(execution.definition) as RunnableDefinition, JSON.parse(execution.input), {
      ...this.memoryOptions(execution),
      clock: this.clock,
      // AWS's quotas of an Express workflow: 5 minutes, and the history quota of any execution.
      maxDurationMs: this.options.expressMaxDurationMs ?? EXPRESS_MAX_DURATION_MS,
      maxHistoryEvents: this.options.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS,
      ...(execution.seed !== undefined ? { seed: execution.seed } : {}),
      ...(this.options.deciders ? { decider: remoteDeciders(this.options.deciders) } : {}),
    });
    // EXPRESS executions are never stored; they are counted (metrics, logs) as they end.
    this.options.onDecision?.(execution.arn, result.events, result.status);
    return {
      ...execution,
      status: result.status,
      ...(result.status === 'SUCCEEDED' ? { output: JSON.stringify(result.output ?? null) } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.cause !== undefined ? { cause: result.cause } : {}),
      stopDate: this.clock.now(),
      lastEventId: result.events.length,
    };
  }

  /**
   * TestState runs in the decision workers with AWS's history quota; its duration is bounded
   * by TEST_STATE_MAX_DURATION_MS (AWS documents no duration for TestState: one state of a Map
   * or Parallel can still loop inside, so a bound is needed; one minute is our choice).
   */
  unansweredResources(definition: unknown): string[] {
    if (!this.options.integrations) return [];
    return unansweredResources(definition, this.options.integrations, {
      ...(this.options.taskHandlers ? { handlers: this.options.taskHandlers } : {}),
      ...(this.options.localSdk ? { localSdkServices: this.options.localSdk.services } : {}),
      startsChildren: this.options.prepareChild !== undefined,
    });
  }

  sandbox(): Pick<ExecuteOptions, 'decider' | 'maxHistoryEvents' | 'maxDurationMs' | 'integrations'> {
    return {
      // TestState calls the service of an unmocked Task, as on AWS.
      ...(this.options.integrations ? { integrations: this.options.integrations } : {}),
      maxHistoryEvents: this.options.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS,
      maxDurationMs: this.options.testStateMaxDurationMs ?? TEST_STATE_MAX_DURATION_MS,
      ...(this.options.deciders ? { decider: remoteDeciders(this.options.deciders) } : {}),
    };
  }

  async stop(executionArn: string, error?: string, cause?: string): Promise<number> {
    const now = this.clock.now();
    const trigger: Trigger = { type: 'StopRequested', ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
    await this.applyAnywhere(executionArn, trigger, { type: 'trigger', trigger }, { requireRunning: true, wait: true });
    return (await this.store.getExecution(executionArn))?.stopDate ?? now; // the date the decision recorded
  }

  async redrive(executionArn: string): Promise<number> {
    const record = await this.store.getExecution(executionArn);
    if (!record) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    if (record.type === 'EXPRESS' || !['FAILED', 'TIMED_OUT', 'ABORTED'].includes(record.status)) {
      throw new AwsError('ExecutionNotRedrivable', `Execution is ${record.status} and cannot be redriven: '${executionArn}'`);
    }
    const now = this.clock.now();
    const trigger: Trigger = { type: 'Redrive' };
    await this.applyAnywhere(executionArn, trigger, { type: 'trigger', trigger }, { allowEnded: true, ended: true });
    return (await this.store.getExecution(executionArn))?.redriveDate ?? now; // the date the decision recorded
  }

  async completeTask(token: string, outcome: TaskOutcome): Promise<void> {
    if (!isWellFormedToken(token)) throw new AwsError('InvalidToken', "Invalid Token: 'Invalid token'"); // AWS's text, whatever the token
    const task = await this.store.getTask(token);
    if (!task) throw new AwsError('TaskDoesNotExist', 'Task does not exist anymore');
    if (task.status === 'CLOSED' || task.status === 'ANSWERED') throw new AwsError('TaskTimedOut', 'Task Timed Out');
    const trigger: Trigger =
      outcome.type === 'success'
        ? { type: 'TaskSucceeded', taskId: task.taskId, output: outcome.output }
        : outcome.type === 'failure'
          ? { type: 'TaskFailed', taskId: task.taskId, ...(outcome.error !== undefined ? { error: outcome.error } : {}), ...(outcome.cause !== undefined ? { cause: outcome.cause } : {}) }
          : { type: 'TaskHeartbeat', taskId: task.taskId };
    if (this.cluster) {
      // Accepted once across the nodes (the task row), then applied by the execution's owner:
      // here when this node owns it or can claim it (the answer is applied before we reply).
      const routed = await this.cluster.acceptAnswer(token, trigger, outcome.type !== 'heartbeat', this.clock.now());
      if (!routed) throw new AwsError('TaskTimedOut', 'Task Timed Out');
      if (this.live.has(routed.executionArn) || (await this.cluster.claim(routed.executionArn)) === 'owned') await this.applyRouted(routed);
      return;
    }
    await this.apply(task.executionArn, trigger, {
      // Decided inside the execution's queue, so two answers racing for one token cannot both win.
      precondition: (live) => {
        if (!live.openTokens.has(token)) throw new AwsError('TaskTimedOut', 'Task Timed Out');
      },
    });
  }

  async updateMapRun(mapRunArn: string, update: MapRunUpdate): Promise<void> {
    const run = await this.store.getMapRun(mapRunArn);
    if (!run) throw new AwsError('ResourceNotFound', `Resource not found: '${mapRunArn}'`);
    if (run.status !== 'RUNNING') return;
    const trigger: Trigger = {
      type: 'UpdateMapRun',
      mapRunArn,
      ...(update.maxConcurrency !== undefined ? { maxConcurrency: update.maxConcurrency } : {}),
      ...(update.toleratedFailurePercentage !== undefined ? { toleratedFailurePercentage: update.toleratedFailurePercentage } : {}),
      ...(update.toleratedFailureCount !== undefined ? { toleratedFailureCount: update.toleratedFailureCount } : {}),
    };
    await this.applyAnywhere(run.executionArn, trigger, { type: 'trigger', trigger }, { wait: true });
  }

  async activityTaskClaimed(task: TaskRecord, workerName?: string): Promise<void> {
    const trigger: Trigger = { type: 'TaskStarted', taskId: task.taskId, ...(workerName !== undefined ? { workerName } : {}) };
    // Routed to another owner without waiting: the worker's answer is routed after it, in order.
    await this.applyAnywhere(task.executionArn, trigger, { type: 'trigger', trigger });
  }

  waitForActivityTask(activityArn: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.activityWaiters.get(activityArn);
      if (!waiters) this.activityWaiters.set(activityArn, (waiters = new Set()));
      const done = () => {
        clearTimeout(timer);
        waiters!.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  // ------------------------------------------------------------------ applying triggers

  /**
   * Applies one trigger to an execution: queued behind its earlier triggers, decided, committed,
   * then performed. Rejects with ExecutionDoesNotExist, or InvalidArn-like errors from the
   * precondition.
   */
  private async apply(executionArn: string, triggerOf: TriggerOf, options: ApplyOptions = {}): Promise<void> {
    let live = this.live.get(executionArn) ?? (await this.load(executionArn, options.allowEnded));
    if (!live) {
      const record = await this.store.getExecution(executionArn);
      if (!record) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
      if (options.requireRunning) return; // StopExecution on an ended execution is a no-op
      if (options.precondition) throw new AwsError('TaskTimedOut', 'Task Timed Out');
      return;
    }
    const target = live;
    await new Promise<void>((resolve, reject) => {
      target.inbox.push({ triggerOf, options, resolve, reject });
      this.scheduleDrain(target);
    });
  }

  private scheduleDrain(live: LiveExecution): void {
    if (live.draining) return;
    live.draining = true;
    void this.enqueue(live, () => this.drain(live)).catch(() => undefined);
  }

  /**
   * Decides the triggers waiting in an execution's inbox, one after another, without waiting
   * for each decision's commit before the next: their writes go to the store together (one
   * group commit), and their commands are performed, in order, once every write is durable —
   * effects still never run ahead of the decision that asked for them. A fan-out whose answers
   * arrive together (a Map of tasks) costs one commit wait per batch instead of one per answer.
   * A write that fails forgets the execution in memory (commit): the later ones of the batch
   * fail with it and their triggers are applied again from the store.
   */
  private async drain(live: LiveExecution): Promise<void> {
    const batch: Array<{ item: InboxItem; pending?: Pending; error?: unknown }> = [];
    while (live.inbox.length > 0 && batch.length < MAX_BATCH_TRIGGERS) {
      const run = live.interp.handleMany ? plainRun(live.inbox, MAX_BATCH_TRIGGERS - batch.length) : 0;
      if (run >= 2) {
        const items = live.inbox.splice(0, run);
        try {
          batch.push(...(await this.decideRun(live, items)));
        } catch (e) {
          for (const item of items) batch.push({ item, error: e });
        }
        continue;
      }
      const item = live.inbox.shift()!;
      try {
        batch.push({ item, ...(await this.decideItem(live, item)) });
      } catch (e) {
        batch.push({ item, error: e });
      }
    }
    live.draining = false;
    if (live.inbox.length > 0) this.scheduleDrain(live);
    for (const { item, pending, error } of batch) {
      if (error !== undefined) {
        item.reject(error);
        continue;
      }
      if (!pending) {
        item.resolve();
        continue;
      }
      try {
        await pending.committed;
      } catch (e) {
        item.reject(e);
        continue;
      }
      this.perform(live, pending.decision.commands);
      if (pending.decision.more) this.continueLater(live);
      item.resolve();
    }
  }

  /**
   * Several plain triggers (see plainRun) decided in one round trip to the decision worker, each
   * its own decision and write, in order. Triggers after one that ends the execution are not
   * decided (as one by one, they would find it ended). A decision stopped by the watchdog fails
   * the execution, as it would have at that trigger alone.
   */
  private async decideRun(target: LiveExecution, items: readonly InboxItem[]): Promise<Array<{ item: InboxItem; pending?: Pending }>> {
    if (target.interp.status !== 'RUNNING') return items.map((item) => ({ item }));
    const now = Math.max(this.clock.now(), target.interp.now);
    const triggers = items.map((item) => ({ trigger: item.triggerOf as Trigger, now }));
    let decisions: Decision[];
    try {
      decisions = await this.clearingMark(target.record.arn, target.interp.handleMany!(triggers, this.slice));
    } catch (e) {
      if (!(e instanceof DecisionAborted)) throw e;
      const failed = await this.failStopped(target, e);
      return items.map((item, i) => (i === 0 ? { item, pending: failed } : { item }));
    }
    return items.map((item, i) => {
      const decision = decisions[i];
      if (!decision) return { item };
      const trigger = triggers[i]!.trigger;
      const write = this.writeFor(target, decision, { time: now, trigger, ...(decision.more ? { steps: decision.steps } : {}) }, now, item.options.extra);
      const committed = this.commit(target, write, decision);
      committed.catch(() => undefined);
      return { item, pending: { decision, committed } };
    });
  }

  /** One inbox item: its precondition, then its decision, handed to the store (undefined: nothing to decide). */
  private async decideItem(target: LiveExecution, { triggerOf, options }: InboxItem): Promise<{ pending?: Pending }> {
    if (options.precondition) options.precondition(target);
    if (target.interp.status !== 'RUNNING' && !options.allowEnded) return {};
    const trigger = typeof triggerOf === 'function' ? triggerOf(target) : triggerOf;
    if (!trigger) return {};
    try {
      return { pending: await this.decideAndWrite(target, trigger, options.extra) };
    } catch (e) {
      if (!(e instanceof DecisionAborted) || trigger.type === 'RuntimeFailure') throw e;
      return { pending: await this.failStopped(target, e) };
    }
  }

  /**
   * A decision ran past its budget or crashed its worker: nothing of it was written. The
   * execution fails instead, with the reason; other executions never noticed.
   */
  private failStopped(target: LiveExecution, e: DecisionAborted): Promise<Pending> {
    this.log('warn', 'execution failed: its decision was stopped', { executionArn: target.record.arn, reason: e.message });
    return this.decideAndWrite(target, runtimeFailure(e));
  }

  /** Decides one trigger and hands its write to the store; the commit is awaited by the caller. */
  private async decideAndWrite(target: LiveExecution, trigger: Trigger, extra?: Partial<ExecutionWrite>): Promise<Pending> {
    const now = Math.max(this.clock.now(), target.interp.now);
    const decision = await this.clearingMark(target.record.arn, target.interp.handle(trigger, now, trigger.type === 'RuntimeFailure' ? undefined : this.slice));
    const write = this.writeFor(target, decision, { time: now, trigger, ...(decision.more ? { steps: decision.steps } : {}) }, now, extra);
    const committed = this.commit(target, write, decision);
    committed.catch(() => undefined); // awaited by the batch; a failure is its item's answer
    return { decision, committed };
  }

  /** Decides one trigger, commits the decision, performs its commands; a sliced decision is continued later. */
  private async decide(target: LiveExecution, trigger: Trigger, extra?: Partial<ExecutionWrite>): Promise<void> {
    const { decision, committed } = await this.decideAndWrite(target, trigger, extra);
    await committed;
    this.perform(target, decision.commands);
    if (decision.more) this.continueLater(target);
  }

  /**
   * Goes on with a sliced decision after others had their turn: on this thread after pending
   * I/O (setImmediate), in a worker behind the work that came from outside.
   */
  private continueLater(live: LiveExecution): void {
    live.busy++;
    setImmediate(() => {
      live.busy--;
      if (this.closed) return;
      this.applyLater(live, CONTINUE, 'execution not continued');
    });
  }

  /**
   * Applies a trigger the runner itself produced (a task's answer, a continuation). Losing one
   * would leave its execution waiting for ever, so a failure that is not the API's answer (a
   * store that was busy or out of reach, a worker replaced meanwhile) is tried again with
   * back-off (50 ms doubling to 5 s) for about ten minutes: a database that is down for a while
   * (a PostgreSQL restart or failover) delays the execution without losing the answer. A node
   * that lost its lease meanwhile finds its writes refused (an AwsError) and stops trying: the
   * node that took the execution over performs the task again.
   */
  private applyLater(live: LiveExecution, trigger: Trigger, what: string, attempt = 0): void {
    const arn = live.record.arn;
    this.apply(arn, trigger).catch((e: unknown) => {
      if (e instanceof AwsError || attempt >= MAX_APPLY_ATTEMPTS || this.closed) {
        this.log(e instanceof AwsError ? 'warn' : 'error', what, { executionArn: arn, error: String(e) });
        return;
      }
      if (attempt === 4) this.log('warn', `${what} yet: trying again`, { executionArn: arn, error: String(e) });
      live.busy++;
      setTimeout(() => {
        live.busy--;
        this.applyLater(live, trigger, what, attempt + 1);
      }, Math.min(50 * 2 ** attempt, 5_000));
    });
  }

  /** Makes an execution the most recently used one in memory. */
  private keepLive(live: LiveExecution): void {
    this.live.delete(live.record.arn);
    this.live.set(live.record.arn, live);
    this.dropIdle();
  }

  /**
   * Drops the least recently used executions beyond maxLiveExecutions that wait for nothing
   * this process does (a timer, an activity worker, a callback, a child): their next trigger
   * rebuilds them from the store. One with a trigger queued, a local task running or a child
   * to answer stays.
   */
  private dropIdle(): void {
    let excess = this.live.size - this.maxLive;
    if (excess <= 0) return;
    let looked = 0;
    for (const [arn, live] of this.live) {
      if (excess <= 0 || looked++ > excess + 32) break;
      if (live.busy > 0 || live.running.size > 0 || live.children.size > 0) continue;
      this.live.delete(arn);
      live.interp.dispose();
      excess--;
    }
  }

  private async commit(live: LiveExecution, write: ExecutionWrite, decision: Decision): Promise<void> {
    // Advanced before the write is durable: the next decision of a batch is written after this
    // one (`expectedLastEventId`), in the same group commit or a later one.
    live.lastEventId = lastId(decision, live.lastEventId);
    const appended = this.store.appendExecution(write);
    try {
      await appended;
    } catch (e) {
      // Our in-memory state no longer matches the store (another node moved the execution on,
      // or the write failed): forget it; the next trigger rebuilds it from the store.
      if (this.live.get(live.record.arn) === live) this.live.delete(live.record.arn);
      throw e instanceof StoreConflict ? new AwsError('ConflictException', 'The execution was updated concurrently; retry.') : e;
    }
    live.record = { ...live.record, ...write.update, lastEventId: lastId(decision, live.record.lastEventId) };
    for (const id of write.consumed ?? []) this.consumedRouted.add(id);
    this.notify(live, decision);
    if (live.interp.status !== 'RUNNING') {
      if (live.record.status === 'RUNNING') return; // a later decision of the batch ends it
      this.live.delete(live.record.arn);
      live.interp.dispose();
      for (const c of live.running.values()) c.abort();
      if (live.record.parentExecutionArn !== undefined) void this.answerParent(live.record);
    } else {
      this.keepLive(live);
    }
  }


  /** Turns a decision into the write that records it. */
  private writeFor(live: LiveExecution, decision: Decision, trigger: LoggedTrigger, now: number, extra?: Partial<ExecutionWrite>): ExecutionWrite {
    const timersAdded: TimerRecord[] = [];
    const timersRemoved: string[] = [...(extra?.timersRemoved ?? [])];
    const tasksAdded: TaskRecord[] = [];
    const tasksClosed: string[] = [];
    const executionArn = live.record.arn;
    for (const command of decision.commands) {
      switch (command.type) {
        case 'StartTimer': {
          const ms = command.scaled ? command.seconds * 1000 * this.scale : command.seconds * 1000;
          timersAdded.push({ executionArn, timerId: command.timerId, dueAt: now + Math.max(0, ms) });
          break;
        }
        case 'CancelTimer':
          timersRemoved.push(command.timerId);
          break;
        case 'InvokeTask': {
          live.openInvocations.set(command.taskId, command);
          const token = taskTokenFor(command, live);
          if (token !== undefined) {
            live.tokensByTask.set(command.taskId, token);
            live.openTokens.add(token);
            tasksAdded.push({
              token,
              executionArn,
              taskId: command.taskId,
              ...(command.resource.kind === 'activity' ? { activityArn: command.resource.arn } : {}),
              input: JSON.stringify(command.input ?? null),
              status: 'SCHEDULED',
              createdAt: now,
            });
          }
          break;
        }
        case 'CancelTask': {
          const child = live.children.get(command.taskId);
          if (child !== undefined) live.childrenToStop.push(child);
          this.settleTask(live, command.taskId, tasksClosed);
          break;
        }
      }
    }
    // A trigger that settles a task closes its token.
    const t = trigger.trigger;
    if (t.type === 'TaskSucceeded' || t.type === 'TaskFailed' || t.type === 'TaskTimedOut') this.settleTask(live, t.taskId, tasksClosed);
    if (t.type === 'TimerFired') timersRemoved.push(t.timerId);

    // The decision's own status: in a batch (decideRun) the interpreter may already be past it.
    const status = decision.status;
    const update: ExecutionWrite['update'] =
      status === 'RUNNING'
        ? t.type === 'Redrive'
          ? { status: 'RUNNING', redriveCount: live.interp.redriveCount, redriveDate: now }
          : undefined
        : {
            status,
            stopDate: now,
            ...(t.type === 'Redrive' ? { redriveCount: live.interp.redriveCount, redriveDate: now } : {}), // a redrive that ends at once still counts
            ...(status === 'SUCCEEDED' ? { output: JSON.stringify(live.interp.output ?? null) } : {}),
            ...(live.interp.error !== undefined ? { error: live.interp.error } : {}),
            ...(live.interp.cause !== undefined ? { cause: live.interp.cause } : {}),
          };
    return {
      executionArn,
      expectedLastEventId: live.lastEventId,
      events: decision.events,
      trigger,
      ...(update ? { update } : {}),
      ...(timersAdded.length ? { timersAdded } : {}),
      ...(timersRemoved.length ? { timersRemoved } : {}),
      ...(tasksAdded.length ? { tasksAdded } : {}),
      ...(tasksClosed.length ? { tasksClosed } : {}),
      ...(decision.mapRuns ? { mapRuns: decision.mapRuns } : {}),
      ...(extra?.consumed ? { consumed: extra.consumed } : {}),
    };
  }

  private settleTask(live: LiveExecution, taskId: string, tasksClosed: string[]): void {
    live.openInvocations.delete(taskId);
    live.children.delete(taskId);
    const token = live.tokensByTask.get(taskId);
    if (token !== undefined && live.openTokens.delete(token)) tasksClosed.push(token);
    const running = live.running.get(taskId);
    if (running) {
      running.abort();
      live.running.delete(taskId);
    }
  }

  // ------------------------------------------------------------------ performing commands

  /** After a commit: wake timers, tell activity pollers, invoke tasks. */
  private perform(live: LiveExecution, commands: readonly Command[]): void {
    let earliest = Infinity;
    for (const command of commands) {
      if (command.type === 'StartTimer') earliest = Math.min(earliest, this.clock.now() + (command.scaled ? command.seconds * 1000 * this.scale : command.seconds * 1000));
      else if (command.type === 'InvokeTask') this.invoke(live, command);
    }
    if (earliest < Infinity) this.armTimer(earliest);
    // As on AWS, cancelling a .sync task (a timeout, a failed branch, the parent's end) stops its child.
    for (const child of live.childrenToStop.splice(0)) {
      this.stop(child).catch((e) => this.log('warn', 'child execution not stopped', { executionArn: child, error: String(e) }));
    }
  }

  /** Performs an InvokeTask through the task dispatcher, with what this runner provides (again: after a rebuild). */
  private invoke(live: LiveExecution, command: InvokeTask, again = false, submitted = false): void {
    const work = dispatchTask(command, {
      again,
      submitted,
      executionArn: live.record.arn,
      mocks: live.mocks,
      handlers: this.options.taskHandlers,
      integrations: this.options.integrations,
      log: (level, message, fields) => this.log(level, message, { executionArn: live.record.arn, ...fields }),
      // A Distributed Map's children always; `states:startExecution` tasks with prepareChild only.
      children: this.childExecutions(live),
      sdk: this.localSdk(live),
      outcomes: this.outcomesOf(live),
      now: () => this.clock.now(),
    });
    if (!work) return;
    // In memory until a child is started or the SDK call answers: a rebuild would do it again.
    live.busy++;
    void work
      .catch((e) => this.log('error', 'task not performed', { executionArn: live.record.arn, taskId: command.taskId, error: String(e) }))
      .finally(() => live.busy--);
  }

  /** How this runner takes a task's outcomes: applied on a later tick, work tracked in `live.running`. */
  private outcomesOf(live: LiveExecution): TaskOutcomes {
    return {
      deliver: (trigger) => {
        // Answers arrive on a later tick, never inside the decision that asked. Until then the
        // execution stays in memory: a rebuild would invoke the task again.
        live.busy++;
        setImmediate(() => {
          live.busy--;
          this.applyLater(live, trigger, 'task result not applied');
        });
      },
      track: (taskId, controller) => {
        // Cancelled by the decision that scheduled it (or the execution has ended): abort at once.
        if (!live.openInvocations.has(taskId) || live.interp.status !== 'RUNNING') {
          controller.abort();
          return () => undefined;
        }
        live.running.set(taskId, controller);
        return () => {
          if (live.running.get(taskId) === controller) live.running.delete(taskId);
        };
      },
      awaitOutsideAnswer: (command) => {
        // The task's token is a row already (writeFor): a worker or SendTask* answers it.
        if (command.resource.kind === 'activity') for (const wake of this.activityWaiters.get(command.resource.arn) ?? []) wake();
      },
    };
  }

  /** The AWS SDK integrations this server answers itself (localSdk), called as this execution. */
  private localSdk(live: LiveExecution): LocalSdk | undefined {
    return this.options.localSdk ? this.sdkFor(live.record.arn) : undefined;
  }

  private sdkFor(executionArn: string): LocalSdk {
    const sdk = this.options.localSdk!;
    return { services: sdk.services, call: (service, action, parameters, requestId) => sdk.call(service, action, parameters, requestId, executionArn) };
  }

  // ------------------------------------------------------------------ child executions

  /**
   * `states:startExecution` tasks start real executions on this runner: the API's checks
   * (prepareChild), then the child is started, or found when the task is performed again after
   * a crash (its name is fixed by the parent and task). A `.sync` task is answered when the
   * child ends, by the child's final commit (answerParent).
   */
  private childExecutions(live: LiveExecution): ChildExecutions {
    const parentArn = live.record.arn;
    return {
      runs: () => this.options.prepareChild !== undefined,
      start: async (request, command, signal) => {
        const { taskId } = command;
        const pattern: IntegrationPattern = command.resource.kind === 'service' ? command.resource.pattern : 'request-response';
        let child: ExecutionRecord;
        try {
          const prepared = await this.options.prepareChild!(request, parentArn);
          child = await this.startOrFindChild({ ...prepared, parentExecutionArn: parentArn, parentTaskId: taskId }, pattern);
        } catch (e) {
          // Not the API's answer but our own fault: the task fails rather than waits.
          if (!(e instanceof AwsError)) this.log('error', 'child execution not started', { executionArn: parentArn, taskId, error: String(e) });
          throw e;
        }
        if (waitsForChild(pattern) && child.type === 'STANDARD' && child.status === 'RUNNING') {
          // Cancelling the task stops the child, as on AWS: a cancel committed from now on
          // through `children` (writeFor), one that came while it was being started here.
          if (signal.aborted && !this.closed) this.stop(child.arn).catch((e) => this.log('warn', 'child execution not stopped', { executionArn: child.arn, error: String(e) }));
          else live.children.set(taskId, child.arn);
        }
        return { child };
      },
      startMapChild: (command, signal) => this.startMapChild(live, command, signal),
    };
  }

  /**
   * A Distributed Map's child execution (engine version 5): an execution of its own, named by
   * the Map Run and item (found again, not started twice, when the parent's task is performed
   * again after a crash), linked to its parent and Map Run. Its first decision is made here; a
   * child still running after it, with nothing in flight here, is handed off among several live
   * nodes (released, claimed by whichever node comes first), so long children spread over the
   * nodes while short ones cost no claim.
   * EXPRESS children run in memory, here. Cancelling the task (the Map failed, the parent
   * stopped) stops a STANDARD child.
   */
  private async startMapChild(live: LiveExecution, command: InvokeTask, signal: AbortSignal): Promise<{ child: ExecutionRecord }> {
    const spec = command.mapChild!;
    const parent = live.record;
    const execution: NewExecution = {
      arn: spec.executionArn,
      stateMachineArn: spec.stateMachineArn,
      name: spec.name,
      type: spec.type,
      input: JSON.stringify(command.input ?? null),
      startDate: this.clock.now(),
      definition: spec.definition,
      roleArn: parent.roleArn,
      redriveCount: 0,
      // Secret as any execution's; derived from the parent's, so it is the same when the task is performed again.
      seed: childExecutionSeed(parent.seed ?? parent.arn, command.taskId, spec.name),
      engineVersion: ENGINE_VERSION,
      parentExecutionArn: parent.arn,
      parentTaskId: command.taskId,
      mapRunArn: spec.mapRunArn,
      startedBy: { type: 'parent', arn: parent.arn },
      ...(parent.testCase !== undefined ? { testCase: parent.testCase } : {}),
    };
    if (spec.type === 'EXPRESS') return { child: await this.runSync(execution) };
    let child = await this.store.getExecution(execution.arn);
    if (!child) {
      // Read back after the start: a child that ended in its first decision (committed with its
      // creation) answers the Map from here, not from a final commit of its own.
      await this.start(execution);
      if (this.cluster && this.liveNodes > 1) await this.handOff(execution.arn);
      child = await this.store.getExecution(execution.arn);
    }
    if (!child || child.parentExecutionArn !== parent.arn || child.mapRunArn !== spec.mapRunArn) throw executionAlreadyExists(execution.arn);
    if (child.status === 'RUNNING') {
      // Aborted by a cancel, not by this runner closing (a shutdown stops no child).
      if (signal.aborted && !this.closed) this.stop(child.arn).catch((e) => this.log('warn', 'child execution not stopped', { executionArn: child!.arn, error: String(e) }));
      else live.children.set(command.taskId, child.arn);
    }
    return { child };
  }

  private async startOrFindChild(execution: NewExecution, pattern: IntegrationPattern): Promise<ExecutionRecord> {
    if (execution.type === 'EXPRESS') {
      // Express children run in memory (at-least-once): a .sync task waits for the whole run.
      if (waitsForChild(pattern)) return this.runSync(execution);
      await this.start(execution);
      return { ...execution, status: 'RUNNING', lastEventId: 0 };
    }
    const ours = (record: ExecutionRecord | undefined) =>
      record !== undefined && record.parentExecutionArn === execution.parentExecutionArn && record.parentTaskId === execution.parentTaskId;
    let record = await this.store.getExecution(execution.arn);
    if (!record) {
      await this.start(execution); // false when another start of that name won a race
      record = await this.store.getExecution(execution.arn);
    }
    // Another execution of that name (not started by this task) is StartExecution's conflict.
    if (!ours(record)) throw executionAlreadyExists(execution.arn);
    return record!;
  }

  /** Answers the `.sync` task that waits for a child which has ended (a no-op for other tasks). */
  private async answerParent(child: ExecutionRecord): Promise<void> {
    const parentArn = child.parentExecutionArn;
    const taskId = child.parentTaskId;
    if (parentArn === undefined || taskId === undefined) return;
    await this.applyAnywhere(parentArn, this.childEndedTrigger(child), { type: 'child-ended', childArn: child.arn }).catch((e) =>
      this.log('warn', 'child result not applied to its parent', { executionArn: parentArn, child: child.arn, error: String(e) }),
    );
  }

  /** The parent's trigger for a child that ended: the answer of the `.sync` task waiting for it, if one still is. */
  private childEndedTrigger(child: ExecutionRecord): TriggerOf {
    const taskId = child.parentTaskId!;
    return (parent) => {
      const command = parent.openInvocations.get(taskId);
      if (command?.resource.kind === 'map-child') return mapChildEndTrigger(taskId, child);
      if (!command || command.resource.kind !== 'service' || !waitsForChild(command.resource.pattern)) return undefined;
      return childEndTrigger(taskId, child, command.resource.pattern, this.clock.now());
    };
  }

  // ------------------------------------------------------------------ timers

  private armTimer(dueAt: number): void {
    if (this.closed || dueAt >= this.timerDueAt) return;
    if (this.timerHandle) clearTimeout(this.timerHandle);
    this.timerDueAt = dueAt;
    this.timerHandle = setTimeout(() => void this.fireTimers(), Math.min(Math.max(0, dueAt - this.clock.now()), 2_147_483_647));
  }

  private async scheduleTimers(): Promise<void> {
    const next = await this.store.nextTimerDue();
    if (next !== undefined) this.armTimer(next);
  }

  private async fireTimers(): Promise<void> {
    this.timerHandle = undefined;
    this.timerDueAt = Infinity;
    if (this.closed || this.firing) return;
    this.firing = true;
    // Set when due timers wait to be tried again: the loop sleeps until then (nextTimerDue would
    // name them, due already, and spin).
    let retryAt: number | undefined;
    try {
      for (;;) {
        const now = this.clock.now();
        const key = (t: TimerRecord) => `${t.executionArn} ${t.timerId}`;
        const found = await this.store.dueTimers(now, 500);
        const due = found.filter((t) => (this.timerRetries.get(key(t)) ?? 0) <= now);
        if (due.length === 0) {
          if (found.length > 0) retryAt = Math.min(...found.map((t) => this.timerRetries.get(key(t)) ?? now + 1_000));
          break;
        }
        const failed = new Set<string>();
        await Promise.all(
          due.map((timer) =>
            this.apply(timer.executionArn, { type: 'TimerFired', timerId: timer.timerId }).then(
              () => this.timerRetries.delete(key(timer)),
              (e) => {
                // Not applied (a write refused, the store busy): fired again in a second, never dropped.
                failed.add(key(timer));
                this.timerRetries.set(key(timer), now + 1_000);
                this.log('warn', 'timer not applied', { executionArn: timer.executionArn, timerId: timer.timerId, error: String(e) });
              },
            ),
          ),
        );
        if (failed.size > 0) retryAt = now + 1_000;
        if (this.timerRetries.size > 10_000) this.timerRetries.clear();
        // A timer the execution no longer waits for (it ended, or the timer was cancelled in a
        // decision that lost a race) would stay due forever: drop it.
        const still = await this.store.dueTimers(this.clock.now(), 500);
        const stale = still.filter((t) => !failed.has(key(t)) && due.some((d) => d.executionArn === t.executionArn && d.timerId === t.timerId));
        await this.dropStaleTimers(stale);
        if (due.length < 500) break;
      }
    } finally {
      this.firing = false;
    }
    if (retryAt !== undefined) this.armTimer(retryAt);
    else await this.scheduleTimers();
  }

  private async dropStaleTimers(timers: readonly TimerRecord[]): Promise<void> {
    for (const timer of timers) {
      const record = await this.store.getExecution(timer.executionArn);
      if (!record) continue;
      await this.store
        .appendExecution({ executionArn: record.arn, expectedLastEventId: record.lastEventId, events: [], timersRemoved: [timer.timerId] })
        .catch(() => undefined);
    }
  }

  // ------------------------------------------------------------------ rebuilding

  /** Loads an execution into memory, replaying its triggers; undefined when it is not running. */
  private load(executionArn: string, allowEnded = false): Promise<LiveExecution | undefined> {
    const hot = this.live.get(executionArn);
    if (hot) return Promise.resolve(hot);
    let pending = this.loading.get(executionArn);
    if (!pending) {
      pending = this.rebuild(executionArn, allowEnded).finally(() => this.loading.delete(executionArn));
      this.loading.set(executionArn, pending);
    }
    return pending;
  }

  private async rebuild(executionArn: string, allowEnded: boolean): Promise<LiveExecution | undefined> {
    const record = await this.store.getExecution(executionArn);
    if (!record || (record.status !== 'RUNNING' && !allowEnded) || record.type === 'EXPRESS') return undefined;
    const interp = this.newInterpreter(record, record.startDate, 0);
    const live = this.newLive(record, interp);
    // Tasks whose submission is committed (a .waitForTaskToken call was made for each), read off the replayed log.
    const submitted = new Set<string>();
    const mismatch = await this.replayInto(live, record, submitted);
    if (mismatch !== undefined) {
      this.log('error', 'execution failed: it cannot be rebuilt', { executionArn, reason: mismatch });
      interp.dispose();
      if (record.status === 'RUNNING') await this.failUnreplayable(record, mismatch);
      return undefined;
    }
    live.lastEventId = record.lastEventId;
    const again = this.live.get(executionArn);
    if (again) return again;
    if (interp.status === 'RUNNING' || allowEnded) this.keepLive(live);
    if (record.lastEventId === 0 && record.status === 'RUNNING') {
      // Created, but the server stopped before its first decision was committed: decide it now.
      const now = this.clock.now();
      this.enqueue(live, async () => this.commitStart(live, await this.firstDecision(live, now), now)).catch((e) =>
        this.log('error', 'first decision not committed', { executionArn, error: String(e) }),
      );
      return live;
    }
    if (interp.status === 'RUNNING') {
      // Tasks invoked before the restart and not answered are performed again: mocks answer
      // again (the same response), handlers run again (at-least-once, as AWS integrations
      // are), starting a child again finds the child already started (by its name), and tasks
      // answered from outside (activity workers, task tokens) go on waiting for that answer.
      for (const command of live.openInvocations.values()) this.invoke(live, command, true, submitted.has(command.taskId));
      // Activity tasks a worker took just before the crash, whose ActivityStarted was not written.
      for (const task of await this.store.tasksOf(executionArn)) {
        if (task.status === 'STARTED' && live.openTokens.has(task.token) && !interp.isTaskStarted(task.taskId)) {
          void this.apply(executionArn, { type: 'TaskStarted', taskId: task.taskId, ...(task.workerName !== undefined ? { workerName: task.workerName } : {}) }).catch(() => undefined);
        }
      }
    }
    return live;
  }

  /**
   * Rebuilds an execution's decider by replaying its logged triggers, re-tracing the live
   * bookkeeping (tokens, open invocations, mock counts) from each decision's commands. Returns
   * why the execution cannot be rebuilt, if it cannot: another engine version started it, or
   * the replay does not regenerate the stored events (type, state name and details, one by one).
   */
  private async replayInto(live: LiveExecution, record: ExecutionRecord, submitted: Set<string>): Promise<string | undefined> {
    const otherEngine = engineVersionMismatch(record.engineVersion);
    if (otherEngine !== undefined) return otherEngine;
    const [triggers, stored] = await Promise.all([
      this.store.getTriggers(record.arn),
      this.store.getEvents(record.arn, { limit: Math.max(1, record.lastEventId) }),
    ]);
    let restored: RestoreResult;
    try {
      // A replay re-runs decisions that completed before: it clears no quarantine mark.
      restored = await live.interp.restore(triggers);
    } catch (e) {
      if (e instanceof DecisionAborted) return `Rebuilding the execution was stopped: ${e.message}`;
      throw e;
    }
    restored.decisions.forEach((decision, i) => {
      const logged = triggers[i]!;
      if (logged.trigger.type === 'TaskSubmitted') submitted.add(logged.trigger.taskId);
      this.writeFor(live, { events: [], commands: decision.commands, status: decision.status, steps: 0 }, logged, logged.time);
      for (const command of decision.commands) {
        if (command.type === 'InvokeTask' && answeredByMocks(command, live.mocks)) live.mocks!.next(command.stateName, command.taskId);
      }
    });
    if (restored.events.length !== record.lastEventId) {
      return `Replaying the execution produced ${restored.events.length} events where ${record.lastEventId} are stored.`;
    }
    for (let i = 0; i < stored.length; i++) {
      const [type, name, details] = restored.events[i]!;
      const event = stored[i]!;
      const storedName = (event.details as { name?: string } | undefined)?.name;
      if (event.type !== type || storedName !== name) {
        return `Replaying the execution produced ${type}${name !== undefined ? ` '${name}'` : ''} where event ${event.id} is ${event.type}${storedName !== undefined ? ` '${storedName}'` : ''}.`;
      }
      if (detailsDigest(event.details) !== details) {
        return `Replaying the execution produced event ${event.id} (${event.type}${storedName !== undefined ? ` '${storedName}'` : ''}) with other details than the stored one.`;
      }
    }
    return undefined;
  }

  /**
   * Fails an execution that cannot be replayed, without its interpreter: the ExecutionFailed
   * event and the row's status are written directly. Its timers are dropped when they fire and
   * its tokens are refused, as an ended execution's are.
   */
  private async failUnreplayable(record: ExecutionRecord, cause: string): Promise<void> {
    const now = this.clock.now();
    const trigger = { type: 'RuntimeFailure', error: 'States.Runtime', cause } as const;
    const event: HistoryEvent = { id: record.lastEventId + 1, previousEventId: record.lastEventId, timestamp: now, type: 'ExecutionFailed', frame: '', details: { error: trigger.error, cause } };
    await this.store
      .appendExecution({
        executionArn: record.arn,
        expectedLastEventId: record.lastEventId,
        events: [event],
        trigger: { time: now, trigger },
        update: { status: 'FAILED', stopDate: now, error: trigger.error, cause },
      })
      .then(() => this.options.onDecision?.(record.arn, [event], 'FAILED'))
      .catch((e) => this.log('error', 'execution could not be failed', { executionArn: record.arn, error: String(e) }));
  }

  // ------------------------------------------------------------------ helpers

  private newInterpreter(execution: Pick<ExecutionRecord, 'arn' | 'name' | 'stateMachineArn' | 'roleArn' | 'redriveCount' | 'definition' | 'input' | 'seed' | 'stateMachineVersionArn' | 'stateMachineAliasArn' | 'parentExecutionArn' | 'engineVersion'>, startDate: number, redriveCount = execution.redriveCount): Decider {
    const identity: ExecutionIdentity = {
      executionArn: execution.arn,
      executionName: execution.name,
      stateMachineArn: execution.stateMachineArn,
      stateMachineName: execution.stateMachineArn.split(':')[6] ?? '',
      roleArn: execution.roleArn,
      redriveCount,
      region: this.options.region,
      accountId: this.options.accountId,
      ...(execution.stateMachineVersionArn !== undefined ? { stateMachineVersionArn: execution.stateMachineVersionArn } : {}),
      ...(execution.stateMachineAliasArn !== undefined ? { stateMachineAliasArn: execution.stateMachineAliasArn } : {}),
    };
    const init: DeciderInit = {
      definition: execution.definition,
      input: JSON.parse(execution.input),
      identity,
      startTime: startDate,
      maxPayloadBytes: this.options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
      maxHistoryEvents: this.options.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS,
      // The durable log keeps the events: the interpreter need not.
      keepHistory: false,
      // From the stored seed, so a rebuild draws the same UUIDs and tokens (the ARN for old rows).
      ...(execution.seed !== undefined ? { seed: execution.seed } : {}),
      ...(execution.parentExecutionArn !== undefined ? { background: true } : {}),
      // Engine version 5 runs a Distributed Map's children as executions; 4 ran them inline.
      ...(runsMapChildExecutions(execution.engineVersion) ? { mapChildExecutions: true } : {}),
    };
    const pool = this.options.deciders;
    if (!pool) return new LocalDecider(init);
    // A rebuild in the worker (after it was terminated, or dropped the interpreter) replays the
    // triggers committed so far.
    return new RemoteDecider(pool, init, () => this.store.getTriggers(execution.arn));
  }

  private newLive(record: ExecutionRecord, interp: Decider): LiveExecution {
    // A Map Run's child shares its parent's mocks while the parent is in memory (the mocked
    // responses are numbered across the Map's iterations, as inline); else its own, of the
    // parent's state machine (the child's is `<machine>/<label>`).
    const parentMocks = record.mapRunArn !== undefined && record.parentExecutionArn !== undefined ? this.live.get(record.parentExecutionArn)?.mocks : undefined;
    const mocks =
      parentMocks ??
      (record.testCase !== undefined && this.options.mockConfig
        ? new MockSession(this.options.mockConfig, mockMachineName(record), record.testCase)
        : undefined);
    return {
      record,
      interp,
      mocks,
      chain: Promise.resolve(),
      inbox: [],
      draining: false,
      busy: 0,
      openInvocations: new Map(),
      tokensByTask: new Map(),
      openTokens: new Set(),
      running: new Map(),
      children: new Map(),
      childrenToStop: [],
      lastEventId: record.lastEventId,
    };
  }

  private memoryOptions(execution: NewExecution) {
    return {
      executionName: execution.name,
      stateMachineName: execution.stateMachineArn.split(':')[6] ?? '',
      waitTimeScale: this.scale,
      maxPayloadBytes: this.options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
      ...(this.options.taskHandlers ? { taskHandlers: this.options.taskHandlers } : {}),
      ...(this.options.integrations ? { integrations: this.options.integrations } : {}),
      ...(this.options.localSdk ? { localSdk: this.sdkFor(execution.arn) } : {}),
      ...(execution.testCase !== undefined && this.options.mockConfig ? { mockConfig: this.options.mockConfig, testCase: execution.testCase, mockStateMachineName: mockMachineName(execution) } : {}),
      context: { executionArn: execution.arn, stateMachineArn: execution.stateMachineArn, roleArn: execution.roleArn, region: this.options.region, accountId: this.options.accountId },
    };
  }

  /** EXPRESS executions run in memory (at-least-once, no persisted history). */
  private async startExpress(execution: NewExecution): Promise<boolean> {
    void this.runSync(execution).catch((e) => this.log('error', 'express execution failed to run', { executionArn: execution.arn, error: String(e) }));
    return true;
  }

  private notify(live: LiveExecution, decision: Decision): void {
    this.options.onDecision?.(live.record.arn, decision.events, live.interp.status);
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.options.log?.(level, message, fields);
  }
}

/** The state machine whose mocks an execution uses: a Map Run child's are its parent machine's. */
function mockMachineName(execution: Pick<ExecutionRecord, 'stateMachineArn' | 'mapRunArn'>): string {
  const name = execution.stateMachineArn.split(':')[6] ?? '';
  return execution.mapRunArn !== undefined ? name.split('/')[0]! : name;
}

function lastId(decision: Decision, previous: number): number {
  const events = decision.events;
  return events.length ? events[events.length - 1]!.id : previous;
}

/** Whether a token could be one Stepwise handed out (a callback task's UUID, or an activity token). */
function isWellFormedToken(token: string): boolean {
  if (token.length > 1024) return false;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(token)) return true;
  return isActivityTaskTokenShape(token);
}

/**
 * The token a task is answered with: activities get one; callback and .sync tasks use
 * $$.Task.Token (AWS lets SendTaskSuccess end a .sync task too).
 */
function taskTokenFor(command: InvokeTask, live: LiveExecution): string | undefined {
  // Derived from the execution's secret seed and the task id, so a replay hands out the same token.
  if (command.resource.kind === 'activity') return activityTaskToken(live.record, command.taskId);
  if (command.resource.kind === 'service' && command.resource.pattern !== 'request-response') return command.taskToken;
  return undefined;
}

const CONTINUE: Trigger = { type: 'Continue' };
