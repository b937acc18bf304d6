/**
 * Several Stepwise nodes on one database (issue 12): the store's part of sharing the work.
 *
 * Every RUNNING execution has one owner, the node that makes its decisions and performs what
 * they ask; it holds it as long as its lease (one row per node, renewed by the node) is alive.
 * - A node owns the executions it starts. When a node stops renewing (it died, or lost the
 *   database for longer than its lease), its executions are orphans, and any node claims them
 *   (`FOR UPDATE SKIP LOCKED`: each once), rebuilds them from their last committed decision and
 *   goes on; a node that leaves cleanly releases its executions for the others at once.
 * - Writes are fenced: an append to an execution the writing node does not own is refused
 *   (StoreConflict), so a node that lost its lease cannot write over its successor.
 * - Work that reaches a node for an execution another node owns (a task answer, a StopExecution,
 *   an activity task a worker took, a child's end) is routed: a row the owner applies as one of
 *   the execution's decisions and removes in that decision's write (exactly once), woken by a
 *   notification (LISTEN/NOTIFY on PostgreSQL) and by a poll should one be missed.
 * - A task answer is accepted once across the nodes: the task row goes to ANSWERED in the
 *   statement that routes the answer, and a second answer finds it so (TaskTimedOut).
 */
import type { Trigger } from '../engine/model.js';

/** What can be routed to an execution's owner. */
export type RoutedWork =
  /** A trigger applied as it is (TaskStarted, StopRequested, UpdateMapRun…). */
  | { readonly type: 'trigger'; readonly trigger: Trigger }
  /** A task answer accepted by acceptAnswer: applied while the token is open in the owner. */
  | { readonly type: 'answer'; readonly token: string; readonly trigger: Trigger }
  /** A child execution ended: the owner answers the `.sync` task that waits for it, if any. */
  | { readonly type: 'child-ended'; readonly childArn: string };

export interface Routed {
  readonly id: number;
  readonly executionArn: string;
  readonly work: RoutedWork;
}

/** A notification from another node. */
export type ClusterWake =
  /** Work was routed to this node. */
  | { readonly type: 'routed' }
  /** An activity task was scheduled (GetActivityTask long polls wake). */
  | { readonly type: 'activity'; readonly activityArn: string }
  /** Executions were released: a node left, or handed one off. */
  | { readonly type: 'released' }
  /** A node joined. */
  | { readonly type: 'joined' };

export type ClaimResult =
  /** This node owns it now (it was orphaned, released, or ours already). */
  | 'owned'
  /** A live node owns it. */
  | 'other'
  /** It is not RUNNING (and `ended` was not asked), or it does not exist. */
  | 'not-running';

export interface ClusterStore {
  /** This node's id once joined. */
  readonly nodeId: string | undefined;
  /**
   * Joins as a node with a lease of `leaseMs`: from then on the store creates executions owned
   * by this node, fences appends, and reads only this node's timers. Resolves to the node id.
   * With `replacesNamesake`, other nodes of the same name are taken for dead at once (a node
   * restarted on the same host and port): their executions are orphans without waiting for
   * their leases. Were one still alive after all, fencing keeps its writes out; it would only
   * lose its executions to a take-over.
   */
  join(options: { readonly leaseMs: number; readonly name: string; readonly replacesNamesake?: boolean }): Promise<string>;
  /**
   * Renews the lease. False when it had run out: other nodes may have taken this node's
   * executions, so the caller forgets them and joins again (under a new id).
   */
  renew(): Promise<boolean>;
  /**
   * Gives up one RUNNING execution this node owns (none of its work in flight here): any node
   * may claim it, and the nodes are told. False when it was not this node's.
   */
  release(executionArn: string): Promise<boolean>;
  /** How many nodes hold a live lease (this one included). */
  liveNodes(): Promise<number>;
  /** Releases this node's executions (other nodes are told) and removes the node. */
  leave(): Promise<void>;
  /** Claims at most `limit` RUNNING executions without a live owner; resolves to their ARNs. */
  claimOrphans(limit: number): Promise<readonly string[]>;
  /** Claims one execution if no live node owns it; `ended`: an ended one too (RedriveExecution). */
  claim(executionArn: string, options?: { readonly ended?: boolean }): Promise<ClaimResult>;
  /**
   * Accepts a task answer: only while the task is open (SCHEDULED or STARTED); a success or
   * failure (`closes`) marks it ANSWERED in the same statement, so a second answer is refused.
   * Routes it to the execution's owner. Undefined when the task is not open.
   */
  acceptAnswer(token: string, trigger: Trigger, closes: boolean, now: number): Promise<Routed | undefined>;
  /** Routes work to a RUNNING execution's owner; undefined when it is not running. */
  route(executionArn: string, work: RoutedWork, now: number): Promise<Routed | undefined>;
  /** Work routed to executions this node owns, oldest first. */
  routed(limit: number): Promise<readonly Routed[]>;
  /** Removes routed work that turned out to have nothing to do (the execution ended, the token closed). */
  dropRouted(ids: readonly number[]): Promise<void>;
  /** Whether routed work is still waiting to be applied (its execution still running). */
  isRouted(id: number): Promise<boolean>;
  /** Wake-ups from other nodes (one listener). */
  onWake(listener: (wake: ClusterWake) => void): void;
}
