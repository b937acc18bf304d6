/**
 * How an `InvokeTask` command is performed, for both drivers (`execute()` in memory and the
 * durable runner), so that a Task behaves the same in each. The first of these that applies
 * performs the task:
 *
 * 1. a Step Functions Local mock of the execution's test case (MockConfigFile);
 * 2. an in-process task handler, by state name, then by resource ARN;
 * 3. a configured route (stepwise.config.json `routes`: one state's or resource's tasks sent to
 *    a function, a URL or a fixed answer);
 * 4. a built-in integration, reached through what the driver provides: nested executions
 *    (`arn:aws:states:::states:startExecution`, the driver starts and follows the child), the
 *    Step Functions API itself (`arn:aws:states:::aws-sdk:sfn:<action>`), and the services of
 *    src/integrations/ (Lambda, HTTP, S3, DynamoDB, SQS, SNS, EventBridge, any AWS SDK call);
 * 5. otherwise an activity waits for a worker and a callback or `.sync` task for SendTask* with
 *    its token (the driver decides what waiting means), and any other task fails with the
 *    no-handler failure.
 *
 * What the driver does with the outcome (deliver it after the decision is committed, abort the
 * work on CancelTask, wait for an outside answer) is the small `TaskOutcomes` interface.
 */
import { AwsError } from '../api/errors.js';
import type { SdkOutcome } from '../api/sdk-integration.js';
import type { Command, Trigger } from '../engine/model.js';
import type { IntegrationPattern } from '../engine/resources.js';
import { findHandler, isCallbackTask, mockedTrigger, noHandlerTrigger, runHandler, type HandlerSleep, type TaskHandler } from '../integrations/local-tasks.js';
import type { MockSession } from '../integrations/mock-config.js';
import { apiFailure, childEndTrigger, isStartExecution, mapChildEndTrigger, startRequest, startResponse, waitsForChild } from '../integrations/nested-executions.js';
import type { ExecutionRecord } from '../store/types.js';
import type { IntegrationCall } from '../integrations/integration.js';
import { describeResource, type TaskAnswerer, type TaskAnswerers } from './task-integrations.js';

export type InvokeTask = Extract<Command, { type: 'InvokeTask' }>;

/** What the dispatcher reports to the driver that performs an execution's commands. */
export interface TaskOutcomes {
  /**
   * An answer for the interpreter (TaskStarted, TaskSubmitted, TaskSucceeded, …). Answers of one
   * task are delivered in the order given, and never inside the decision that asked for it.
   */
  deliver(trigger: Trigger): void;
  /**
   * Work this process does for the task (a handler call, a child run in memory): the driver
   * aborts it when the task is cancelled (CancelTask: a timeout, a failed sibling branch) or
   * the execution ends, and at once when that already happened. Returns the release, called
   * when the work ends by itself. `work`: a call this process makes and waits for (a handler,
   * an integration), or a child execution, which runs on the driver's clock by itself (a
   * virtual clock is held by the former only, see src/runtime/virtual-clock.ts).
   */
  track(taskId: string, controller: AbortController, work?: 'call' | 'child'): () => void;
  /**
   * Nobody in this process answers the task: an activity waits for a worker (GetActivityTask),
   * a callback or `.sync` task for SendTaskSuccess/Failure with its token. `sent`: an
   * integration made the task's call (a .waitForTaskToken request went out with the token).
   */
  awaitOutsideAnswer(command: InvokeTask, sent?: boolean): void;
}

/**
 * Child executions for `states:startExecution` tasks, started the driver's way: in memory with
 * `runInMemory`, on the server through the API's checks and the store.
 */
export interface ChildExecutions {
  /** Whether the driver can run a child for a task of this pattern. */
  runs(pattern: IntegrationPattern): boolean;
  /**
   * Starts the execution the StartExecution request (API member names) asks for, or finds the
   * one this very task started before a crash; rejects with the AwsError StartExecution would
   * answer. `signal` is aborted when the task is cancelled: a child a `.sync` task waits for is
   * then stopped, as on AWS.
   */
  start(request: Record<string, unknown>, command: InvokeTask, signal: AbortSignal): Promise<StartedChild>;
  /**
   * Starts a Distributed Map's child execution (command.mapChild), or finds the one this task
   * started before a crash. Absent: the driver runs Map children inline and never asks.
   */
  startMapChild?(command: InvokeTask, signal: AbortSignal): Promise<StartedChild>;
}

export interface StartedChild {
  /** The child as it is now (one found after a crash may have ended already). */
  readonly child: ExecutionRecord;
  /**
   * Its end, when the driver follows the child in this process (in memory). A durable driver
   * leaves it out: the child's own final commit answers the task, after a restart too.
   */
  readonly ended?: Promise<ExecutionRecord>;
}

/** The AWS SDK integrations this process answers itself (the server: service `sfn`, its own API). */
export interface LocalSdk {
  readonly services: readonly string[];
  call(service: string, action: string, parameters: unknown, requestId: string): Promise<SdkOutcome>;
}

/** What one execution's driver gives the dispatcher. */
export interface TaskEnvironment {
  /** The execution whose tasks these are. */
  readonly executionArn: string;
  readonly mocks?: MockSession | undefined;
  readonly handlers?: Record<string, TaskHandler> | undefined;
  /** Routes and built-in integrations (from the project configuration). */
  readonly integrations?: TaskAnswerers | undefined;
  readonly children?: ChildExecutions | undefined;
  readonly sdk?: LocalSdk | undefined;
  readonly outcomes: TaskOutcomes;
  /** The driver's clock (the dates of a child's StartExecution answer). */
  now(): number;
  /**
   * The task is performed again, its execution rebuilt from the store (after a restart, or
   * once dropped from memory): a task answered from outside was submitted already and only
   * goes on waiting, so a rebuild writes nothing for it.
   */
  readonly again?: boolean;
  /**
   * With `again`: the task's submission (TaskSubmitted) was committed before the restart, so a
   * `.waitForTaskToken` call was made and only its token is awaited.
   */
  readonly submitted?: boolean;
  /**
   * How a task handler's `sleep()` waits (the driver's clock; a virtual one is released while
   * the handler sleeps). Unset: real time.
   */
  readonly sleep?: HandlerSleep;
  /** Where a task's answer came from (route or integration), for the logs. */
  readonly log?: (level: 'debug' | 'warn', message: string, fields: Record<string, unknown>) => void;
}

/**
 * Performs one InvokeTask command. Returns the work still in flight for a built-in integration
 * or route (the driver keeps the execution in memory until it settles), else undefined.
 */
export function dispatchTask(command: InvokeTask, env: TaskEnvironment): Promise<void> | undefined {
  const { taskId, resource, stateName } = command;
  const { outcomes } = env;
  const activity = resource.kind === 'activity';
  const callback = isCallbackTask(command);
  // A callback or .sync task first submits its request; what the service would answer is not
  // modelled here (a built-in integration gives its real answer instead).
  const submit = () => outcomes.deliver({ type: 'TaskSubmitted', taskId, output: {} });

  // 0. A Distributed Map's child execution: the driver's, never a mock's or a handler's (those
  // answer the Tasks inside the child).
  if (resource.kind === 'map-child') return startMapChild(command, env);

  // 1. Mocks. As in Step Functions Local, a mocked activity is taken at once by an imaginary worker.
  if (answeredByMocks(command, env.mocks)) {
    if (activity) outcomes.deliver({ type: 'TaskStarted', taskId });
    if (callback) submit();
    outcomes.deliver(mockedTrigger(taskId, env.mocks!, stateName));
    return undefined;
  }

  // 2. Handlers. A handler for an activity is its worker: it takes the task at once.
  const handler = findHandler(env.handlers, command);
  if (handler) {
    if (activity) outcomes.deliver({ type: 'TaskStarted', taskId });
    if (callback) submit();
    const controller = new AbortController();
    const release = outcomes.track(taskId, controller);
    void runHandler(handler, command, controller, (trigger) => outcomes.deliver(trigger), env.sleep).finally(release);
    return undefined;
  }

  // 3. Configured routes, then 4. built-in integrations.
  const answerer = env.integrations?.answererFor(command);
  if (answerer?.via === 'route') return callIntegration(command, answerer, env);
  if (isStartExecution(resource) && env.children?.runs(resource.pattern)) return startChild(command, resource.pattern, env.children, env);
  const local = localSdkAnswerer(command, env.sdk);
  if (local) return callIntegration(command, local, env);
  if (answerer) return callIntegration(command, answerer, env);

  // 5. Answered from outside, or not at all.
  if (activity || callback) {
    if (callback && !env.again) {
      submit();
      warnNothingSent(command, env);
    }
    outcomes.awaitOutsideAnswer(command);
  } else {
    outcomes.deliver(noHandlerTrigger(command, env.integrations?.unansweredBecause(command)));
  }
  return undefined;
}

/**
 * Whether the execution's mocks answer the task. A Map state's mock answers its ItemReader's
 * fetch (as Step Functions Local's mocks do), never its ResultWriter's writes
 * (`arn:aws:states:::s3:putObject`, a resource only ResultWriter uses): those go where the
 * configuration sends S3, and use none of the state's numbered mock responses.
 */
export function answeredByMocks(command: Pick<InvokeTask, 'stateName' | 'resource'>, mocks: MockSession | undefined): boolean {
  return mocks !== undefined && command.resource.kind !== 'map-child' && command.resource.arn !== RESULT_WRITER_RESOURCE && mocks.mocks(command.stateName);
}

const RESULT_WRITER_RESOURCE = 'arn:aws:states:::s3:putObject';

/**
 * A Distributed Map's child execution: started (or found after a crash), and the Map answered
 * with its output or error when it ends, here when the driver follows it in this process, else
 * by the child's own final commit (the durable runner). Cancelling the task stops the child.
 */
async function startMapChild(command: InvokeTask, env: TaskEnvironment): Promise<void> {
  const { taskId } = command;
  const { outcomes } = env;
  if (!env.children?.startMapChild || !command.mapChild) {
    outcomes.deliver({ type: 'TaskFailed', taskId, error: 'States.Runtime', cause: 'This driver does not run Distributed Map children as executions of their own.' });
    return;
  }
  const controller = new AbortController();
  const release = outcomes.track(taskId, controller, 'child');
  let started: StartedChild;
  try {
    started = await env.children.startMapChild(command, controller.signal);
  } catch (e) {
    release();
    outcomes.deliver({ type: 'TaskFailed', taskId, error: 'States.Runtime', cause: `The child execution could not be started: ${e instanceof Error ? e.message : String(e)}` });
    return;
  }
  const { child, ended } = started;
  if (child.status !== 'RUNNING') {
    release();
    outcomes.deliver(mapChildEndTrigger(taskId, child));
    return;
  }
  if (!ended) return; // the child's final commit answers the Map (durable runner)
  await ended.then(
    (record) => {
      if (controller.signal.aborted) return;
      release();
      outcomes.deliver(mapChildEndTrigger(taskId, record));
    },
    (e: unknown) => {
      if (controller.signal.aborted) return;
      release();
      outcomes.deliver({ type: 'TaskFailed', taskId, error: 'States.Runtime', cause: String(e) });
    },
  );
}

/**
 * A `states:startExecution` task: starts the child and answers with StartExecution's response;
 * a `.sync` task is submitted with it and answered with the child's description when it ends,
 * a `.waitForTaskToken` one waits for its token.
 */
async function startChild(command: InvokeTask, pattern: IntegrationPattern, children: ChildExecutions, env: TaskEnvironment): Promise<void> {
  const { taskId } = command;
  const { outcomes } = env;
  const requestId = globalThis.crypto.randomUUID();
  const waits = waitsForChild(pattern);
  // Tracked from the start, so a cancel that comes while the child is being started stops it too.
  const controller = new AbortController();
  const release = waits ? outcomes.track(taskId, controller, 'child') : () => undefined;
  let started: StartedChild;
  try {
    // Without a Name, the child's name derives from the parent and task: a task performed again
    // after a crash finds the child it started.
    started = await children.start(startRequest(command.input, env.executionArn, taskId), command, controller.signal);
  } catch (e) {
    release();
    const failure = e instanceof AwsError ? apiFailure(e, requestId) : { error: 'States.Runtime', cause: `The child execution could not be started: ${String(e)}` };
    outcomes.deliver({ type: 'TaskFailed', taskId, ...failure });
    return;
  }
  const { child, ended } = started;
  const response = startResponse(child, requestId, env.now());
  if (!waits) {
    ended?.catch(() => undefined); // it runs on by itself
    outcomes.deliver(pattern === 'request-response' ? { type: 'TaskSucceeded', taskId, output: response } : { type: 'TaskSubmitted', taskId, output: response });
    if (pattern === 'wait-for-task-token') outcomes.awaitOutsideAnswer(command);
    return;
  }
  outcomes.deliver({ type: 'TaskSubmitted', taskId, output: response });
  if (child.status !== 'RUNNING') {
    release();
    outcomes.deliver(childEndTrigger(taskId, child, pattern, env.now()));
    return;
  }
  if (!ended) return; // the driver answers the task when the child ends
  await ended.then(
    (record) => {
      if (controller.signal.aborted) return; // the task was cancelled: nobody waits any more
      release();
      outcomes.deliver(childEndTrigger(taskId, record, pattern, env.now()));
    },
    (e: unknown) => {
      if (controller.signal.aborted) return;
      release();
      outcomes.deliver({ type: 'TaskFailed', taskId, error: 'States.Runtime', cause: String(e) });
    },
  );
}

/**
 * The AWS SDK integrations this process answers itself (the server's own API as `sfn`), as an
 * integration like the others, so patterns, cancellation and restarts are handled in one place
 * (callIntegration); undefined when the resource is not one of those (`.sync` is not a pattern
 * SDK integrations have).
 */
function localSdkAnswerer(command: InvokeTask, sdk: LocalSdk | undefined): TaskAnswerer | undefined {
  const { resource } = command;
  if (!sdk || resource.kind !== 'service' || !resource.service.startsWith('aws-sdk:') || resource.pattern === 'sync' || resource.pattern === 'sync2') return undefined;
  const service = resource.service.slice('aws-sdk:'.length);
  if (!sdk.services.includes(service)) return undefined;
  return {
    via: 'integration',
    integration: {
      name: `aws-sdk:${service} (this server)`,
      handles: () => true,
      // As before integrations had a say: a call in flight at a restart is made again.
      afterCrash: () => 'repeat',
      call: (call) => sdk.call(service, call.action, call.parameters, call.requestId),
    },
  };
}

/**
 * A task answered by an integration or route. Request-response takes the call's answer; with
 * `.waitForTaskToken` the call is the submission and the token answers the task. After a
 * restart, a call that may have been made already is repeated only when the integration says
 * that is safe; otherwise the task fails with the integration's error for it (at most once).
 */
function callIntegration(command: InvokeTask, answerer: TaskAnswerer, env: TaskEnvironment): Promise<void> | undefined {
  const { taskId } = command;
  const { outcomes } = env;
  const { integration } = answerer;
  const described = describeResource(command);
  const waitsForToken = described.pattern === 'wait-for-task-token';
  const timeoutMs = command.timeoutSeconds !== undefined ? command.timeoutSeconds * 1000 : undefined;
  const base: Omit<IntegrationCall, 'signal'> = {
    ...described,
    parameters: command.input,
    stateName: command.stateName,
    executionArn: env.executionArn,
    context: command.context,
    requestId: globalThis.crypto.randomUUID(),
    ...(command.taskToken !== undefined ? { taskToken: command.taskToken } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
  if (env.again) {
    if (waitsForToken && env.submitted) {
      outcomes.awaitOutsideAnswer(command, true);
      return undefined;
    }
    const after = integration.afterCrash(base);
    if (after !== 'repeat') {
      env.log?.('warn', 'task not repeated after a restart', { taskId, state: command.stateName, resource: command.resource.arn, answeredBy: integration.name, error: after.error });
      outcomes.deliver({ type: 'TaskFailed', taskId, error: after.error, cause: after.cause });
      return undefined;
    }
  }
  const controller = new AbortController();
  const release = outcomes.track(taskId, controller);
  return integration.call({ ...base, signal: controller.signal }).then(
    (outcome) => {
      release();
      if (controller.signal.aborted) return; // cancelled: nobody waits for the answer
      env.log?.('debug', 'task answered', { taskId, state: command.stateName, resource: command.resource.arn, answeredBy: integration.name, ...(answerer.via === 'route' ? { route: true } : {}), ok: outcome.ok });
      if (!outcome.ok) return outcomes.deliver({ type: 'TaskFailed', taskId, error: outcome.error, cause: outcome.cause });
      if (!waitsForToken) return outcomes.deliver({ type: 'TaskSucceeded', taskId, output: outcome.output });
      outcomes.deliver({ type: 'TaskSubmitted', taskId, output: outcome.output });
      outcomes.awaitOutsideAnswer(command, true);
    },
    (e: unknown) => {
      release();
      if (controller.signal.aborted) return;
      outcomes.deliver({ type: 'TaskFailed', taskId, error: 'States.Runtime', cause: `The ${integration.name} integration failed: ${e instanceof Error ? e.message : String(e)}` });
    },
  );
}

const warnedResources = new Set<string>();

/**
 * A callback task that nothing sends anywhere waits for a SendTaskSuccess/Failure that only
 * someone who knows the token can send: said once per resource, so a silent wait is explained.
 */
function warnNothingSent(command: InvokeTask, env: TaskEnvironment): void {
  const { resource } = command;
  if (!env.log || resource.kind !== 'service' || resource.pattern !== 'wait-for-task-token' || warnedResources.has(resource.arn)) return;
  if (warnedResources.size < 1000) warnedResources.add(resource.arn);
  const why = env.integrations?.unansweredBecause(command);
  env.log('warn', 'a .waitForTaskToken task was sent nowhere: no route, handler or integration answers its resource, so it waits for SendTaskSuccess/SendTaskFailure with its token', {
    state: command.stateName,
    resource: resource.arn,
    ...(why !== undefined ? { why } : {}),
  });
}
