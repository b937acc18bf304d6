/**
 * Parallel and Map: states that run child frames (branches, iterations) and combine their
 * results in order. Inline Map iterations and Parallel branches record their events in this
 * execution's history; Distributed Map iterations are child executions (a Map Run) whose events
 * are not part of it.
 */
import { StatesError } from '../asl/errors.js';
import { queryPath } from '../asl/jsonpath.js';
import { jsonataUnexpectedResultType } from '../asl/jsonata.js';
import { jsonataBody } from './data-flow.js';
import { VariableScope, type ChildExecution, type FanOut, type Frame, type Graph, type StateDef } from './frames.js';
import { BLOCKED, type Outcome, type Step, type StateRunner } from './states.js';
import { taskResult } from './task-state.js';
import { readItems, readerMaxItems } from './item-reader.js';
import { ChildLedger, childExecutionName, exportedOutput, exportPlan, exportResults, previewOutput, writerSettings, type ChildIdentity } from './result-writer.js';

export async function runParallel(runner: StateRunner, frame: Frame, state: StateDef): Promise<Outcome> {
  const { interp, flow } = runner;
  let branchInput: unknown;
  if (flow.isJsonata(frame)) {
    branchInput = state.Arguments === undefined ? frame.input : await flow.jsonata(frame, state.Arguments, 'Arguments');
  } else {
    const effective = flow.inputPath(frame);
    branchInput = state.Parameters === undefined ? effective : flow.payload(frame, state.Parameters, effective, 'Parameters');
  }
  interp.record(frame, 'ParallelStateStarted');
  const branches: Graph[] = state.Branches ?? [];
  const fan = newFanOut(frame, {
    kind: 'parallel',
    distributed: false,
    mapRun: undefined,
    total: branches.length,
    maxConcurrency: 0,
    toleratedFailureCount: 0,
    toleratedFailurePercentage: 0,
    startChild: (index) => {
      const child = interp.newFrame({
        id: `${frame.id}/${frame.stateName}#${index}`,
        graph: branches[index]!,
        queryLanguage: frame.queryLanguage,
        scope: new VariableScope(frame.scope),
        index,
        recordsEvents: frame.recordsEvents,
        childExecution: frame.childExecution,
        parent: fan,
      });
      interp.scheduleFrame(child, branchInput);
      return child;
    },
    finish: () => {
      frame.fanOut = undefined;
      if (fan.failed) return runner.recover(frame, fan.failed);
      return taskResult(runner, frame, fan.results);
    },
  });
  return startFanOut(runner, frame, fan);
}

/** "Inline mode supports up to 40 concurrent iterations" (AWS Step Functions quotas). */
const INLINE_MAP_CONCURRENCY = 40;

interface MapSettings {
  /** A Distributed Map's Map Run. */
  readonly mapRunId: string | undefined;
  readonly mapRunArn: string | undefined;
  readonly distributed: boolean;
  readonly processor: Graph;
  readonly maxConcurrency: number;
  /** Whether ToleratedFailureCount/Percentage were given: then exceeding them is its own error. */
  readonly hasTolerance: boolean;
  /** -1 when not given. */
  readonly toleratedFailureCount: number;
  readonly toleratedFailurePercentage: number;
}

export async function runMap(runner: StateRunner, frame: Frame, state: StateDef): Promise<Outcome> {
  const { interp, flow } = runner;
  const jsonata = flow.isJsonata(frame);
  const processor: Graph & { ProcessorConfig?: { Mode?: string } } = state.ItemProcessor ?? state.Iterator;
  const distributed = processor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
  const effective = jsonata ? frame.input : flow.inputPath(frame);
  // A Distributed Map starts its Map Run before it checks the run's settings or reads items.
  if (distributed) interp.record(frame, 'MapStateStarted', { length: 0 });

  // Settings first: AWS checks them before it reads any item.
  const maxConcurrency = await mapNumber(runner, frame, 'MaxConcurrency', effective, 'integer') ?? 0;
  const toleratedFailureCount = await mapNumber(runner, frame, 'ToleratedFailureCount', effective, 'integer');
  if (toleratedFailureCount !== undefined && toleratedFailureCount < 0) {
    throw new StatesError('States.Runtime', 'ToleratedFailureCount cannot be negative.');
  }
  const toleratedFailurePercentage = await mapNumber(runner, frame, 'ToleratedFailurePercentage', effective, 'float');
  if (toleratedFailurePercentage !== undefined && (toleratedFailurePercentage < 0 || toleratedFailurePercentage > 100)) {
    throw new StatesError('States.Runtime', 'ToleratedFailurePercentage must be between 0 and 100.');
  }

  const maxItems = state.ItemReader ? await readerMaxItems(runner, frame, state.ItemReader, effective) : undefined;
  const mapRunId = distributed ? interp.random.uuid() : undefined;
  const mapRunArn = mapRunId
    ? `arn:aws:states:${interp.identity.region}:${interp.identity.accountId}:mapRun:${interp.identity.stateMachineName}/${state.Label ?? frame.stateName}:${mapRunId}`
    : undefined;
  if (mapRunArn) {
    interp.record(frame, 'MapRunStarted', { mapRunArn });
    // Map Runs of this execution's own Distributed Maps; one nested in a child execution would
    // belong to that child, which is not an execution here.
    if (frame.recordsEvents) {
      interp.openMapRun(frame, mapRunArn, state.Label ?? frame.stateName, {
        maxConcurrency,
        toleratedFailureCount: toleratedFailureCount ?? -1,
        toleratedFailurePercentage: toleratedFailurePercentage ?? -1,
      });
    }
  }
  const settings: MapSettings = {
    mapRunId,
    mapRunArn,
    distributed,
    processor,
    maxConcurrency,
    hasTolerance: toleratedFailureCount !== undefined || toleratedFailurePercentage !== undefined,
    toleratedFailureCount: toleratedFailureCount ?? -1,
    toleratedFailurePercentage: toleratedFailurePercentage ?? -1,
  };
  if (state.ItemReader) {
    // With an ItemReader the items are what it read; ItemsPath selects nothing from them (AWS's
    // recording test_map_item_reader_base_json_with_items_path: `"ItemsPath": "$[0]"` over the
    // read `[["a"]]` iterates over `["a"]` as one item, as if ItemsPath were absent).
    return readItems(runner, frame, state.ItemReader, effective, maxItems, mapRunArn, async (read) => startIterations(runner, frame, state, read, effective, settings));
  }
  let items: unknown;
  if (jsonata) {
    items = state.Items === undefined ? frame.input : await flow.jsonata(frame, state.Items, 'Items');
    if (!Array.isArray(items)) {
      if (state.Items === undefined) {
        throw new StatesError('States.QueryEvaluationError', `Map state input must be an array but was: ${JSON.stringify(items)}`);
      }
      throw jsonataUnexpectedResultType(jsonataBody(state.Items), 'Items', 'array', items);
    }
  } else {
    items = state.ItemsPath === undefined ? effective : flow.pathValue(frame, state.ItemsPath, effective);
    if (!Array.isArray(items)) {
      throw new StatesError('States.Runtime', `Map state input must be an array but was: ${JSON.stringify(items)}`);
    }
  }
  return startIterations(runner, frame, state, items as unknown[], effective, settings);
}

/** Continues a Map once its items are known (an ItemReader may have had to fetch them). */
export async function startIterations(
  runner: StateRunner,
  frame: Frame,
  state: StateDef,
  allItems: unknown[],
  effective: unknown,
  settings: MapSettings,
): Promise<Outcome> {
  const { interp, flow } = runner;
  const jsonata = flow.isJsonata(frame);
  const items = state.ItemBatcher ? await batchItems(runner, frame, state.ItemBatcher, allItems, effective) : allItems;

  if (!settings.distributed) interp.record(frame, 'MapStateStarted', { length: items.length });
  const { mapRunArn, mapRunId } = settings;
  // UpdateMapRun may have changed the settings while the items were read.
  const run = settings.distributed ? frame.mapRun : undefined;

  const selector = jsonata ? state.ItemSelector : state.ItemSelector ?? state.Parameters;
  // Item inputs are computed up front: a failing ItemSelector fails the Map before any iteration.
  let inputs: unknown[] = items;
  if (selector !== undefined) {
    inputs = new Array(items.length);
    const base = interp.contextObject(frame);
    const field = state.ItemSelector !== undefined ? 'ItemSelector' : 'Parameters';
    for (let index = 0; index < items.length; index++) {
      const context = { ...base, Map: { Item: { Index: index, Value: items[index] } } };
      inputs[index] = jsonata
        ? await flow.jsonata(frame, selector, 'ItemSelector', { context })
        : flow.payload(frame, selector, effective, field, context);
    }
  }

  // A ResultWriter reports when each child execution ran and how it ended.
  const writer: Record<string, any> | undefined = settings.distributed ? state.ResultWriter : undefined;
  const ledger = writer ? new ChildLedger() : undefined;
  // Children the driver runs as executions of their own (InterpreterOptions.mapChildExecutions).
  const childSpec = settings.distributed && interp.mapChildExecutions && frame.recordsEvents && mapRunArn ? childExecutions(runner, frame, state, settings, mapRunArn, mapRunId!) : undefined;

  const fan = newFanOut(frame, {
    kind: 'map',
    distributed: settings.distributed,
    total: items.length,
    // AWS runs at most 40 iterations of an inline Map at once, whatever MaxConcurrency says.
    maxConcurrency: run ? run.maxConcurrency : settings.distributed ? settings.maxConcurrency : Math.min(settings.maxConcurrency || INLINE_MAP_CONCURRENCY, INLINE_MAP_CONCURRENCY),
    toleratedFailureCount: run ? run.toleratedFailureCount : settings.toleratedFailureCount,
    toleratedFailurePercentage: run ? run.toleratedFailurePercentage : settings.toleratedFailurePercentage,
    mapRun: run,
    startChild: (index) => {
      if (childSpec) return startChildExecution(runner, frame, fan, childSpec, index, inputs[index], ledger);
      // A Distributed Map iteration is a child execution: its events are counted as its own
      // history (ExecutionStarted is its event #1), against its own quota.
      const childExecution: ChildExecution | undefined = settings.distributed ? { root: undefined as unknown as Frame, events: 1 } : frame.childExecution;
      const child = interp.newFrame({
        id: `${frame.id}/${frame.stateName}#${index}`,
        graph: settings.processor,
        queryLanguage: frame.queryLanguage,
        scope: new VariableScope(frame.scope),
        index,
        recordsEvents: frame.recordsEvents && !settings.distributed,
        childExecution,
        parent: fan,
      });
      if (settings.distributed) childExecution!.root = child;
      if (!settings.distributed) interp.record(frame, 'MapIterationStarted', { name: frame.stateName, index });
      ledger?.started(index, interp.now);
      interp.scheduleFrame(child, inputs[index]);
      return child;
    },
    onChildDone: (child, error) => {
      ledger?.finished(child.index, interp.now, error);
      if (settings.distributed) return;
      interp.record(frame, error ? 'MapIterationFailed' : 'MapIterationSucceeded', { name: frame.stateName, index: child.index });
    },
    finish: () => {
      frame.fanOut = undefined;
      if (fan.failed) {
        // A child execution that failed with States.Runtime (its history quota, an invalid
        // path) is a failed item of the Map Run, never the parent's own States.Runtime: the Map
        // fails because its Map Run did, which its Catch can handle. Without a tolerance, other
        // errors are passed on as the child raised them (the behaviour chosen before); AWS's
        // documentation names only States.ExceedToleratedFailureThreshold for a Map Run that
        // fails because of its children, so for States.Runtime that is the error used.
        const childRuntime = settings.distributed && fan.failed.error === 'States.Runtime';
        const error = (run ? run.hasTolerance : settings.hasTolerance) || childRuntime
          ? new StatesError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded')
          : fan.failed;
        const failRun = (): Step => {
          if (mapRunArn) interp.record(frame, 'MapRunFailed', { error: error.error, cause: error.cause });
          return runner.recover(frame, error);
        };
        // The children of a failed run are exported too (FAILED and PENDING files); the Map
        // then fails with the run's error, whatever became of the export.
        if (writer?.Resource !== undefined && mapRunArn) return writeResults(runner, frame, writer, effective, results(), mapRunArn, mapRunId!, { failRun });
        return failRun();
      }
      const succeed = (output: unknown): Step => {
        if (mapRunArn) interp.record(frame, 'MapRunSucceeded');
        interp.closeMapRun(frame, 'SUCCEEDED');
        interp.record(frame, 'MapStateSucceeded');
        return taskResult(runner, frame, output);
      };
      if (writer && mapRunArn) return writeResults(runner, frame, writer, effective, results(), mapRunArn, mapRunId!, { succeed });
      return succeed(fan.results);
    },
  });
  const results = (): ChildRun => ({
    children: ledger!.children(items.length, inputs, fan.results, interp.now),
    identity: {
      region: interp.identity.region,
      accountId: interp.identity.accountId,
      childMachine: `${interp.identity.stateMachineName}/${state.Label ?? frame.stateName}`,
      mapRunId: mapRunId!,
      express: (settings.processor as { ProcessorConfig?: { ExecutionType?: string } }).ProcessorConfig?.ExecutionType === 'EXPRESS',
    },
  });
  // With an ItemBatcher each child execution processes a batch: item counts count its items.
  run?.begin(fan, allItems.length, state.ItemBatcher ? items.map((batch) => (batch as { Items: unknown[] }).Items.length) : undefined);
  return startFanOut(runner, frame, fan);
}

/** What every child execution of one Map Run shares. */
interface ChildExecutions {
  readonly identity: ChildIdentity;
  readonly stateMachineArn: string;
  readonly definition: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly mapRunArn: string;
}

function childExecutions(runner: StateRunner, frame: Frame, state: StateDef, settings: MapSettings, mapRunArn: string, mapRunId: string): ChildExecutions {
  const { interp } = runner;
  const { ProcessorConfig, ...processor } = settings.processor as Graph & { ProcessorConfig?: { ExecutionType?: string }; QueryLanguage?: string };
  const express = ProcessorConfig?.ExecutionType === 'EXPRESS';
  const childMachine = `${interp.identity.stateMachineName}/${state.Label ?? frame.stateName}`;
  // The ItemProcessor as a workflow of its own, in the query language the Map state runs in
  // unless it names one.
  const definition = JSON.stringify({ QueryLanguage: frame.queryLanguage, ...processor });
  return {
    identity: { region: interp.identity.region, accountId: interp.identity.accountId, childMachine, mapRunId, express },
    stateMachineArn: `arn:aws:states:${interp.identity.region}:${interp.identity.accountId}:stateMachine:${childMachine}`,
    definition,
    type: express ? 'EXPRESS' : 'STANDARD',
    mapRunArn,
  };
}

/**
 * A Distributed Map iteration as a child execution: a frame of this execution that stands for
 * it (it counts in the fan-out and the Map Run) and waits for the driver's answer to an
 * InvokeTask that starts the child: its output ends the frame, its error fails it (the Map's
 * tolerance and Catch then decide, as for a child run inline). Aborting the frame (the Map
 * failed, the execution stopped) cancels the task, and the driver stops the child.
 */
function startChildExecution(runner: StateRunner, frame: Frame, fan: FanOut, spec: ChildExecutions, index: number, input: unknown, ledger: ChildLedger | undefined): Frame {
  const { interp } = runner;
  const child = interp.newFrame({
    id: `${frame.id}/${frame.stateName}#${index}`,
    graph: frame.graph,
    queryLanguage: frame.queryLanguage,
    scope: new VariableScope(frame.scope),
    index,
    recordsEvents: false,
    childExecution: undefined,
    parent: fan,
  });
  child.stateName = frame.stateName;
  child.state = frame.state;
  child.enteredTime = interp.now;
  ledger?.started(index, interp.now);
  const { name, arn } = childExecutionName(spec.identity, index);
  interp.invokeTask(
    child,
    {
      stateName: frame.stateName,
      resource: { kind: 'map-child', arn: spec.stateMachineArn },
      input,
      context: interp.contextObject(frame),
      mapChild: { executionArn: arn, name, stateMachineArn: spec.stateMachineArn, definition: spec.definition, type: spec.type, mapRunArn: spec.mapRunArn, index },
    },
    interp.nextTaskId(),
    {
      onSucceeded: (output) => ({ type: 'end', output }),
      onFailed: (error) => ({ type: 'fail', error }),
    },
  );
  return child;
}

interface ChildRun {
  readonly children: ReturnType<ChildLedger['children']>;
  readonly identity: ChildIdentity;
}

/** How the Map goes on once its results are written: its run failed, or succeeded. */
type AfterExport = { readonly failRun: () => Step } | { readonly succeed: (output: unknown) => Step };

/**
 * A Distributed Map's ResultWriter (result-writer.ts), once its Map Run has ended. On success
 * the Map outputs where the results went (the Map Run ARN and the manifest's bucket and key), or
 * with WriterConfig alone the transformed results; a failed export fails the Map with
 * States.ResultWriterFailed. After a failed run the export is made and the Map goes on failing
 * with the run's error.
 */
async function writeResults(
  runner: StateRunner,
  frame: Frame,
  writer: Record<string, any>,
  effective: unknown,
  run: ChildRun,
  mapRunArn: string,
  mapRunId: string,
  then: AfterExport,
): Promise<Outcome> {
  const { interp } = runner;
  const failExport = (error: StatesError): Step => {
    interp.record(frame, 'MapRunFailed', { error: error.error, cause: error.cause });
    return runner.recover(frame, error);
  };
  let settings: Awaited<ReturnType<typeof writerSettings>>;
  try {
    settings = await writerSettings(runner, frame, writer, effective);
  } catch (e) {
    if ('failRun' in then) return then.failRun();
    if (e instanceof StatesError) return failExport(e);
    throw e;
  }
  const { destination, transformation, outputType } = settings;
  if (!destination) return 'failRun' in then ? then.failRun() : then.succeed(previewOutput(run.children, run.identity, transformation));
  const plan = exportPlan(run.children, run.identity, { bucket: destination.bucket, prefix: destination.prefix, transformation, outputType }, mapRunArn);
  return exportResults(runner, frame, destination.resource, destination.bucket, plan, (outcome) => {
    if ('failRun' in then) return then.failRun();
    if (outcome.kind === 'failed') return failExport(outcome.error);
    return then.succeed(exportedOutput(mapRunArn, destination.bucket, destination.prefix, mapRunId));
  });
}

function newFanOut(
  frame: Frame,
  init: Pick<FanOut, 'kind' | 'distributed' | 'total' | 'maxConcurrency' | 'toleratedFailureCount' | 'toleratedFailurePercentage' | 'startChild' | 'finish' | 'onChildDone' | 'mapRun'>,
): FanOut {
  return {
    ...init,
    owner: frame,
    results: new Array(init.total),
    children: new Set(),
    nextIndex: 0,
    running: 0,
    completed: 0,
    failures: 0,
  };
}

function startFanOut(runner: StateRunner, frame: Frame, fan: FanOut): Step {
  frame.fanOut = fan;
  if (fan.total === 0) return fan.finish();
  runner.interp.fillFanOut(fan);
  return BLOCKED;
}

/** MaxConcurrency, ToleratedFailureCount, ToleratedFailurePercentage: a literal, a Path, or JSONata. */
async function mapNumber(runner: StateRunner, frame: Frame, field: string, effective: unknown, kind: 'integer' | 'float'): Promise<number | undefined> {
  const state = frame.state;
  const { flow } = runner;
  const pathField = `${field}Path`;
  if (state[pathField] !== undefined) {
    const path = state[pathField] as string;
    const found = queryPath(path, flow.scope(frame, effective));
    const value = found.found ? found.value : undefined;
    const number = numberFromPathValue(value, kind);
    if (number === undefined) {
      const shown = typeof value === 'string' ? value : JSON.stringify(value);
      throw new StatesError('States.Runtime', `The ${pathField} field refers to value "${shown}" which is not a valid ${kind}: ${path}`);
    }
    return number;
  }
  const raw = state[field];
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') {
    const value = await flow.jsonata(frame, raw, field);
    if (typeof value !== 'number' || (kind === 'integer' && !Number.isInteger(value))) {
      throw jsonataUnexpectedResultType(jsonataBody(raw), field, kind, value);
    }
    return value;
  }
  return raw as number;
}

/**
 * AWS reads a `…Path` number the way Java parses its text: `2` and `"2"` are both the integer 2,
 * `1.5` is not an integer, `"2.5"` is a float.
 */
export function numberFromPathValue(value: unknown, kind: 'integer' | 'float'): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined) return undefined;
  if (kind === 'integer') return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : undefined;
}

async function batchItems(runner: StateRunner, frame: Frame, batcher: Record<string, any>, items: unknown[], effective: unknown): Promise<unknown[]> {
  const { flow } = runner;
  let maxItems: unknown = batcher.MaxItemsPerBatch;
  // A path's number may be JSON text, as AWS reads it ("2" is 2).
  if (batcher.MaxItemsPerBatchPath !== undefined) maxItems = numberFromPathValue(flow.pathValue(frame, batcher.MaxItemsPerBatchPath, effective), 'integer');
  else if (typeof maxItems === 'string') maxItems = await flow.jsonata(frame, maxItems, 'MaxItemsPerBatch');
  const size = typeof maxItems === 'number' && maxItems > 0 ? Math.floor(maxItems) : items.length || 1;
  let batchInput: unknown;
  if (batcher.BatchInput !== undefined) {
    batchInput = flow.isJsonata(frame) ? await flow.jsonata(frame, batcher.BatchInput, 'BatchInput') : flow.payload(frame, batcher.BatchInput, effective, 'BatchInput');
  }
  const batches: unknown[] = [];
  for (let i = 0; i < items.length; i += size) {
    const batch: Record<string, unknown> = {};
    if (batchInput !== undefined) batch.BatchInput = batchInput;
    batch.Items = items.slice(i, i + size);
    batches.push(batch);
  }
  return batches;
}

