/**
 * A decision worker: a worker thread that holds interpreters and makes their decisions, so that
 * user logic (JSONata, JSONPath filters, regular expressions, loops of states) never runs on the
 * server's thread. The pool (decider-pool.ts) sends one request at a time and terminates the
 * worker when a request outlives its budget; `resourceLimits` bound its heap.
 *
 * Interpreters are kept in least-recently-used order up to a limit; one that was dropped (or
 * lost with a terminated worker) answers `missing`, and the pool's caller restores it by
 * replaying its logged triggers.
 */
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Interpreter } from '../engine/interpreter.js';
import type { RunnableDefinition } from './memory-driver.js';
import { decisionBudget, interpreterFor, replay } from './decider.js';
import type { WorkerReply, WorkerRequest } from './decider-protocol.js';
import { configureExpressionLimits, type ExpressionLimits } from '../asl/limits.js';

const data = workerData as { maxHosted?: number; expressionLimits?: Partial<ExpressionLimits> } | undefined;
const maxHosted: number = data?.maxHosted ?? 2_000;
// A worker is a fresh module graph: the server's limits reach it only through workerData.
if (data?.expressionLimits) configureExpressionLimits(data.expressionLimits);

const hosted = new Map<string, Interpreter>();

/** Parsed definitions by text: executions of one state machine share the object, and so the compiled paths and rules. */
const definitions = new Map<string, RunnableDefinition>();
function parse(text: string): RunnableDefinition {
  let parsed = definitions.get(text);
  if (parsed) {
    definitions.delete(text);
  } else {
    parsed = JSON.parse(text) as RunnableDefinition;
    if (definitions.size >= 200) definitions.delete(definitions.keys().next().value!);
  }
  definitions.set(text, parsed);
  return parsed;
}

function host(key: string, interp: Interpreter): void {
  hosted.delete(key);
  hosted.set(key, interp);
  while (hosted.size > maxHosted) hosted.delete(hosted.keys().next().value!);
}

function stateOf(interp: Interpreter): WorkerReply['state'] {
  return {
    status: interp.status,
    output: interp.output,
    error: interp.error,
    cause: interp.cause,
    redriveCount: interp.redriveCount,
    now: interp.now,
    startedTasks: interp.startedTaskIds(),
  };
}

/** The execution's interpreter: held here, or rebuilt from the request's `restore`; undefined when neither. */
async function hostedOrRestored(request: Extract<WorkerRequest, { op: 'handle' | 'handleMany' }>): Promise<Interpreter | undefined> {
  let interp = hosted.get(request.key);
  if (!interp && request.restore) {
    interp = interpreterFor(request.restore.init, parse);
    await replay(interp, request.restore.triggers);
  }
  if (interp) host(request.key, interp);
  return interp;
}

async function answer(request: WorkerRequest): Promise<WorkerReply> {
  switch (request.op) {
    case 'start': {
      const interp = interpreterFor(request.init, parse);
      host(request.key, interp);
      const decision = await interp.start(request.now, decisionBudget(request.budget));
      if (interp.status !== 'RUNNING') hosted.delete(request.key);
      return { id: request.id, decision, state: stateOf(interp) };
    }
    case 'handle': {
      const interp = await hostedOrRestored(request);
      if (!interp) return { id: request.id, missing: true };
      const decision = await interp.handle(request.trigger, request.now, decisionBudget(request.budget));
      // An ended execution's interpreter is not kept (a redrive restores it from the log).
      if (interp.status !== 'RUNNING') hosted.delete(request.key);
      return { id: request.id, decision, state: stateOf(interp) };
    }
    case 'handleMany': {
      const interp = await hostedOrRestored(request);
      if (!interp) return { id: request.id, missing: true };
      const decisions = [];
      for (const { trigger, now } of request.triggers) {
        if (interp.status !== 'RUNNING') break;
        decisions.push(await interp.handle(trigger, now, decisionBudget(request.budget)));
      }
      if (interp.status !== 'RUNNING') hosted.delete(request.key);
      return { id: request.id, decisions, state: stateOf(interp) };
    }
    case 'restore': {
      const interp = interpreterFor(request.init, parse);
      const restored = await replay(interp, request.triggers);
      host(request.key, interp);
      return { id: request.id, restored, state: stateOf(interp) };
    }
    case 'drop':
      hosted.delete(request.key);
      return { id: request.id };
  }
}

parentPort!.on('message', (text: string) => {
  const request = JSON.parse(text) as WorkerRequest;
  answer(request).then(
    (reply) => parentPort!.postMessage(reply),
    (e: unknown) => parentPort!.postMessage({ id: request.id, failure: e instanceof Error ? e.message : String(e) } satisfies WorkerReply),
  );
});

/** This thread's id on Linux (the pool lowers the priority of a worker held by a long decision). */
function threadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop()) || undefined;
  } catch {
    return undefined;
  }
}

// Ready once this module and the engine are loaded: the pool's watchdog measures requests, not start-up.
parentPort!.postMessage({ ready: true, tid: threadId() });
