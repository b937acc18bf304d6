/**
 * The one small interface every built-in integration implements (one module per service:
 * lambda.ts, http.ts, dynamodb.ts, sqs.ts, sns.ts, eventbridge.ts, aws-sdk.ts, s3.ts). The task
 * dispatcher (src/runtime/task-dispatcher.ts) finds the integration for a Task's resource and
 * handles the integration patterns around the call: for `.waitForTaskToken` the call is the
 * submission and the task token answers the task; request-response takes the call's answer.
 *
 * An integration never throws for anything a definition or service can cause: it answers an
 * IntegrationOutcome with AWS's error name and cause (a thrown error becomes States.Runtime).
 */
import type { IntegrationPattern, ResourceKind } from '../engine/resources.js';

export interface IntegrationCall {
  /** The Task's resource as classified for the history (kind `lambda` for a bare function ARN, else `service`). */
  readonly resource: ResourceKind;
  /**
   * The service as the resource ARN names it (`lambda`, `http`, `dynamodb`, `aws-sdk:s3`, …);
   * for a bare function ARN, `lambda`.
   */
  readonly service: string;
  /** The action without its pattern suffix (`invoke`, `putItem`, `getObject`); `invoke` for a bare function ARN. */
  readonly action: string;
  readonly pattern: IntegrationPattern;
  /** The task's effective parameters (Parameters / Arguments applied); for a bare function ARN, the event. */
  readonly parameters: unknown;
  readonly stateName: string;
  readonly executionArn: string;
  /** The task token (`.waitForTaskToken`), which the parameters usually carry too. */
  readonly taskToken?: string;
  /** The state's context object ($$). */
  readonly context: unknown;
  /** Aborted when the task is cancelled (TimeoutSeconds, a failed branch, the execution's end). */
  readonly signal: AbortSignal;
  /** The Task's TimeoutSeconds in ms, when it has one (a call may stop waiting then). */
  readonly timeoutMs?: number;
  /** A fresh id for this call (Lambda's awsRequestId, SDK metadata). */
  readonly requestId: string;
}

export type IntegrationOutcome =
  | { readonly ok: true; readonly output: unknown }
  | { readonly ok: false; readonly error: string; readonly cause: string };

/**
 * What becomes of a call that was in flight when the process died, once the execution is
 * rebuilt (Standard workflows run each task at most once unless a Retry says otherwise):
 * `repeat` for calls that are safe to make twice (reads, requests deduplicated by name), or the
 * failure the task gets instead, named so that the Retry a definition usually has for the
 * service (e.g. `Lambda.ServiceException`) can run it again.
 */
export type AfterCrash = 'repeat' | { readonly error: string; readonly cause: string };

export interface Integration {
  /** Short name for logs and the console ("which route answered"): `lambda`, `http`, `dynamodb`… */
  readonly name: string;
  /** Whether this integration answers the resource (by service and action, pattern aside). */
  handles(call: Pick<IntegrationCall, 'resource' | 'service' | 'action' | 'pattern'>): boolean;
  call(call: IntegrationCall): Promise<IntegrationOutcome>;
  /** See AfterCrash. */
  afterCrash(call: Pick<IntegrationCall, 'service' | 'action' | 'parameters'>): AfterCrash;
  /** Frees what the integration holds (worker processes, clients, sockets). */
  close?(): Promise<void>;
}

/** The outcome for a call that failed with an AWS error: `<Prefix>.<ErrorName>` and the SDK's message. */
export function failure(error: string, cause: string): IntegrationOutcome {
  return { ok: false, error, cause };
}
