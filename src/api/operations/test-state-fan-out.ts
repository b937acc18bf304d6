/**
 * TestState of a Map or Parallel state with a mock, as AWS tests them: "you are testing the Map
 * state's input and output processing without executing the iterations inside"; the mocked
 * result "must represent the output of the entire Map state", and a Parallel's has one element
 * per branch (https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html,
 * "Testing Map and Parallel states").
 *
 * The state runs in the engine as a Task with the state's own data flow and error handling
 * (InputPath, Parameters/Arguments of a Parallel, ResultSelector, ResultPath, OutputPath,
 * Output, Assign, Catch), whose one call is answered by the mock: Map and Parallel turn their
 * result into output exactly as a Task does (the engine's taskResult serves all three). A Map's
 * item processing (ItemsPath/Items, ItemReader, ItemSelector, ItemBatcher, MaxConcurrency and
 * the tolerances) is run first by a probe: the Map itself over a one-Pass-state processor, whose
 * output is what each iteration would have been given. A failure there is the Map's failure.
 *
 * stateConfiguration (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestStateConfiguration.html):
 * - errorCausedByState names the state inside the Map or Parallel that raised the mocked error,
 *   which the Map or Parallel's Retry and Catch then handle. AWS requires it with a mocked error
 *   ("you must specify which sub-state caused the error"); the error reaches the state as it was
 *   raised (AWS recorded MockException, not States.ExceedToleratedFailureThreshold, with a
 *   tolerance of 2 and 0 or 2 failed iterations).
 * - mapIterationFailureCount: that many iterations failed. With a mocked result the Map then
 *   fails with States.ExceedToleratedFailureThreshold when it has a ToleratedFailureCount or
 *   ToleratedFailurePercentage and the failures exceed it; a Map without either ignores them
 *   (AWS recorded SUCCEEDED for 2 of 3 failed iterations there). It cannot exceed the number of
 *   items (AWS's guide; the message is ours).
 * - mapItemReaderData: what the ItemReader reads "as found in its original source", parsed as
 *   the reader's ReaderConfig says. Without it, as AWS's guide shows, the items come from the
 *   input (ItemsPath, Items) as if the reader had put them there.
 */
import { applyInputPath, applyPath } from '../../asl/data-flow.js';
import { compileJsonataTemplate, evaluateJsonataTemplate } from '../../asl/jsonata.js';
import { lookupPath, compilePath } from '../../asl/jsonpath.js';
import type { Scope, VariableLookup } from '../../asl/scope.js';
import { numberFromPathValue } from '../../engine/fan-out-states.js';
import { validation } from '../aws-errors.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The Task resource that stands for a mocked Map or Parallel: a function only the mock answers. */
export function mockResource(region: string, accountId: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:StepwiseTestStateMock`;
}

/** The fields a Map or Parallel shares with a Task: its data flow and error handling (Retry is TestState's). */
const TASK_FIELDS = ['QueryLanguage', 'Comment', 'InputPath', 'ResultSelector', 'ResultPath', 'OutputPath', 'Output', 'Assign', 'Catch', 'Next', 'End'];

/**
 * The Task that runs in place of a mocked Map or Parallel. A Parallel's Parameters or Arguments
 * (its branches' input) become the Task's, so they are evaluated and recorded; a Map's
 * Parameters are its legacy ItemSelector and stay out.
 */
export function fanOutAsTask(state: Json, resource: string): Json {
  const task: Json = { Type: 'Task', Resource: resource };
  for (const field of TASK_FIELDS) if (state[field] !== undefined) task[field] = state[field];
  if (state.Type === 'Parallel') {
    if (state.Parameters !== undefined) task.Parameters = state.Parameters;
    if (state.Arguments !== undefined) task.Arguments = state.Arguments;
  }
  return task;
}

/** Whether a graph (an ItemProcessor, a branch) holds a state of that name, at any depth. */
function holdsState(graph: unknown, name: string): boolean {
  if (!isObject(graph) || !isObject(graph.States)) return false;
  for (const [stateName, state] of Object.entries(graph.States)) {
    if (stateName === name) return true;
    if (!isObject(state)) continue;
    if (holdsState(state.ItemProcessor ?? state.Iterator, name)) return true;
    if (Array.isArray(state.Branches) && state.Branches.some((branch) => holdsState(branch, name))) return true;
  }
  return false;
}

/**
 * Checks errorCausedByState against the state (AWS documents it for a mocked error of a Map or
 * Parallel; the messages are ours).
 */
export function checkErrorCausedByState(state: Json, errorCausedByState: string | undefined, mockedError: boolean): void {
  const fanOut = state.Type === 'Map' || state.Type === 'Parallel';
  if (errorCausedByState === undefined) {
    if (fanOut && mockedError) throw validation(`A mocked error of a ${state.Type} state needs stateConfiguration.errorCausedByState: the name of the state inside it that raised the error.`);
    return;
  }
  if (!fanOut) throw validation('stateConfiguration.errorCausedByState applies only to Map and Parallel states.');
  if (!mockedError) throw validation('stateConfiguration.errorCausedByState applies only with a mocked errorOutput.');
  const inside = state.Type === 'Map' ? holdsState(state.ItemProcessor ?? state.Iterator, errorCausedByState) : Array.isArray(state.Branches) && state.Branches.some((branch) => holdsState(branch, errorCausedByState));
  if (!inside) throw validation(`stateConfiguration.errorCausedByState '${errorCausedByState}' is not a state of the ${state.Type} state.`);
}

/** The Pass state every probe iteration runs: its output is its input. */
const PROBE_STATE = 'Item';

/**
 * The Map of the probe: the tested Map's item processing, over a processor that hands each
 * iteration's input back, without the result processing and error handling that run afterwards.
 * Distributed, so that its iterations are counted as child executions rather than filling the
 * test's history (an inline Map of 10,000 items would pass the 25,000-event quota).
 */
export function itemsProbe(state: Json, withReader: boolean): Json {
  const keep = [
    'QueryLanguage', 'InputPath', 'ItemsPath', 'Items', 'ItemSelector', 'Parameters', 'ItemBatcher', 'Label',
    'MaxConcurrency', 'MaxConcurrencyPath', 'ToleratedFailureCount', 'ToleratedFailureCountPath', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath',
  ];
  const probe: Json = { Type: 'Map' };
  for (const field of keep) if (state[field] !== undefined) probe[field] = state[field];
  if (withReader && state.ItemReader !== undefined) probe.ItemReader = state.ItemReader;
  probe.ItemProcessor = {
    ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
    StartAt: PROBE_STATE,
    States: { [PROBE_STATE]: { Type: 'Pass', End: true } },
  };
  probe.End = true;
  return probe;
}

/**
 * What the probe's ItemReader is answered with: mapItemReaderData as the S3 call would return
 * it: an object's text for getObject, a listing for listObjectsV2 (a JSON array is its
 * Contents). An S3 inventory takes several reads (manifest, then files), which one text cannot
 * answer.
 */
export function readerAnswer(state: Json, data: string): unknown {
  const reader = isObject(state.ItemReader) ? state.ItemReader : undefined;
  if (!reader) throw validation('stateConfiguration.mapItemReaderData applies only to a Map state with an ItemReader.');
  const config = isObject(reader.ReaderConfig) ? reader.ReaderConfig : {};
  if (config.ManifestType === 'S3_INVENTORY' || config.InputType === 'MANIFEST') {
    throw validation('Stepwise does not support stateConfiguration.mapItemReaderData for an S3 inventory manifest (InputType MANIFEST): it is read in several requests.');
  }
  if (typeof reader.Resource === 'string' && /:listObjects/.test(reader.Resource)) {
    let listing: unknown;
    try {
      listing = JSON.parse(data);
    } catch {
      throw validation('stateConfiguration.mapItemReaderData of a listObjectsV2 ItemReader must be the listing as JSON.');
    }
    return Array.isArray(listing) ? { Contents: listing } : listing;
  }
  return data;
}

/** A Map's MaxConcurrency and tolerances, as its run evaluates them (absent ones undefined). */
export interface MapSettings {
  readonly maxConcurrency: number;
  readonly toleratedFailureCount: number | undefined;
  readonly toleratedFailurePercentage: number | undefined;
}

interface EvaluationScope {
  readonly input: unknown;
  readonly context: unknown;
  readonly variables: VariableLookup;
  readonly jsonata: boolean;
}

/**
 * MaxConcurrency, ToleratedFailureCount and ToleratedFailurePercentage as the Map reads them: a
 * number, a `…Path` into the effective input, or a JSONata expression. One that cannot be
 * evaluated is left out: the probe then fails with the error the Map itself raises.
 */
export async function mapSettings(state: Json, scope: EvaluationScope): Promise<MapSettings> {
  const effective = scope.jsonata ? scope.input : safely(() => applyInputPath(state.InputPath as string | null | undefined, pathScope(scope, scope.input)));
  const read = async (field: string, kind: 'integer' | 'float'): Promise<number | undefined> => {
    const path = state[`${field}Path`];
    if (typeof path === 'string') {
      const found = safely(() => lookupPath(compilePath(path), pathScope(scope, effective)));
      return found?.found ? numberFromPathValue(found.value, kind) : undefined;
    }
    const value = state[field];
    if (typeof value === 'number') return value;
    if (typeof value === 'string') {
      try {
        const evaluated = await evaluateJsonataTemplate(compileJsonataTemplate(value), { states: { input: scope.input, context: scope.context }, variables: scope.variables }, field);
        return typeof evaluated === 'number' ? evaluated : undefined;
      } catch {
        return undefined;
      }
    }
    return undefined;
  };
  return {
    maxConcurrency: (await read('MaxConcurrency', 'integer')) ?? 0,
    toleratedFailureCount: await read('ToleratedFailureCount', 'integer'),
    toleratedFailurePercentage: await read('ToleratedFailurePercentage', 'float'),
  };
}

/** JSONPath Map: the items ItemsPath selects from the effective input (AWS's afterItemsPath). */
export function itemsAfterItemsPath(state: Json, afterInputPath: unknown, scope: Omit<EvaluationScope, 'input' | 'jsonata'>): unknown {
  return typeof state.ItemsPath === 'string' ? applyPath(state.ItemsPath, { input: afterInputPath, context: scope.context, variables: scope.variables }) : afterInputPath;
}

/**
 * Whether `failures` failed iterations of `total` exceed the Map's tolerance: as the engine
 * decides it (within either the count or the percentage is tolerated), and never for a Map with
 * neither (see the module's comment).
 */
export function exceedsTolerance(settings: MapSettings, failures: number, total: number): boolean {
  const { toleratedFailureCount: count, toleratedFailurePercentage: percentage } = settings;
  if (count === undefined && percentage === undefined) return false;
  const withinCount = count !== undefined && failures <= count;
  const withinPercentage = percentage !== undefined && (total === 0 ? 0 : (failures * 100) / total) <= percentage;
  return !withinCount && !withinPercentage;
}

function pathScope(scope: Omit<EvaluationScope, 'input' | 'jsonata'>, input: unknown): Scope {
  return { input, context: scope.context, variables: scope.variables };
}

function safely<T>(compute: () => T): T | undefined {
  try {
    return compute();
  } catch {
    return undefined;
  }
}
