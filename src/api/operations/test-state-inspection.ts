/**
 * TestState's inspectionData (DEBUG and TRACE): the tested state's data at each step of its
 * processing, as JSON text, as AWS returns it
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_InspectionData.html).
 *
 * Which fields AWS gives (recorded Nov 2025 - Feb 2026, LocalStack's test_test_state_scenarios,
 * test_state_configuration and test_state_context_object snapshots):
 * - JSONPath Task: input, afterInputPath, afterParameters, result, afterResultSelector,
 *   afterResultPath, every one even when the state has no such field; after a failure, the steps
 *   up to it.
 * - JSONPath Pass: input, afterInputPath, afterParameters, afterResultSelector, afterResultPath;
 *   with `Result`: input, result, afterResultSelector, afterResultPath (InputPath and Parameters
 *   are not applied).
 * - JSONPath Choice, Wait, Succeed, Fail: input, afterInputPath.
 * - JSONPath Map: input, afterInputPath, afterItemsPath, afterItemSelector / afterItemBatcher,
 *   maxConcurrency (0 when unset), toleratedFailureCount and toleratedFailurePercentage when
 *   set, then afterResultSelector and afterResultPath; no result (the mock is the result).
 *   A Parallel is given the same treatment with afterParameters (our choice: AWS's is not
 *   recorded).
 * - JSONata states: input, afterArguments and result for a Task, afterArguments for a Parallel,
 *   the item fields and settings for a Map.
 * - variables: the workflow variables after the state, "the set of workflow variables after
 *   execution of the state": those the request gave, with the state's Assign applied; left out
 *   when there are none. errorDetails: see test-state-outcome.ts.
 * AWS's HTTP request and response (TRACE, HTTP Task) are not reported: Stepwise's HTTP
 * integration does not hand them back.
 *
 * The values come from the history where it has them (the task's parameters and result, the
 * state's output, its assigned variables) and are otherwise computed with the pure data-flow
 * functions of src/asl/ from the state's input and result. A computed value is checked against
 * what the engine recorded: afterResultPath must give the output through OutputPath, and without
 * an OutputPath the output *is* afterResultPath, from which afterResultSelector is read back at
 * ResultPath. So an intrinsic that draws (States.UUID in a Pass state's Parameters) shows the
 * value the state used; a value that cannot be reconciled is left out rather than shown wrong.
 */
import { applyInputPath, applyOutputPath, applyResultPath } from '../../asl/data-flow.js';
import { compilePath, lookupPath } from '../../asl/jsonpath.js';
import { applyPayloadTemplate } from '../../asl/payload.js';
import type { Scope, VariableLookup } from '../../asl/scope.js';
import { toJsonText } from '../../engine/events.js';
import { compact } from '../wire.js';
import { itemsAfterItemsPath, type MapSettings } from './test-state-fan-out.js';
import type { StateRun, Verdict } from './test-state-outcome.js';

type Json = Record<string, unknown>;

export interface InspectionFacts {
  /** The state as defined. */
  readonly state: Json;
  readonly jsonata: boolean;
  /** The request's input, as given. */
  readonly inputText: string;
  readonly input: unknown;
  /** The `$$` the state saw. */
  readonly context: unknown;
  /** The request's variables. */
  readonly variables: Json;
  readonly run: StateRun;
  readonly verdict: Verdict;
  /** A Map or Parallel answered by its mock: the task result in the history is the mock. */
  readonly mocked: boolean;
  /** A mocked Map: its iterations' inputs (the probe's output) and settings. */
  readonly map?: { readonly iterationInputs: unknown[] | undefined; readonly settings: MapSettings; readonly readerData: boolean };
}

const NO_VALUE: unique symbol = Symbol('no value');
type Value = unknown | typeof NO_VALUE;

export function inspectionData(facts: InspectionFacts): Record<string, unknown> {
  const fields: Record<string, unknown> = { input: facts.inputText };
  const values = facts.jsonata ? jsonataSteps(facts) : jsonPathSteps(facts);
  for (const [name, value] of Object.entries(values)) if (value !== NO_VALUE && value !== undefined) fields[name] = toJsonText(value);
  if (facts.map) Object.assign(fields, mapFields(facts));
  const variables = { ...facts.variables, ...(facts.run.exited?.details?.assignedVariables ?? {}) };
  if (Object.keys(variables).length > 0) fields.variables = toJsonText(variables);
  return compact({ ...fields, errorDetails: facts.verdict.errorDetails });
}

/** The request's variables, as paths and expressions look them up. */
export function variableLookup(variables: Json): VariableLookup {
  return { has: (name) => Object.hasOwn(variables, name), get: (name) => variables[name] };
}

/** Runs one step; a step that throws (the state failed there) ends the chain. */
function step(previous: Value, compute: (value: unknown) => unknown): Value {
  if (previous === NO_VALUE) return NO_VALUE;
  try {
    return compute(previous);
  } catch {
    return NO_VALUE;
  }
}

function jsonataSteps(facts: InspectionFacts): Record<string, Value> {
  const { state, run } = facts;
  if (state.Type !== 'Task' && state.Type !== 'Parallel') return {};
  return {
    afterArguments: run.scheduled ? run.scheduled.value : NO_VALUE,
    ...(state.Type === 'Task' && run.result ? { result: run.result.value } : {}),
  };
}

function jsonPathSteps(facts: InspectionFacts): Record<string, Value> {
  const { state, run } = facts;
  const variables = variableLookup(facts.variables);
  const scope = (input: unknown): Scope => ({ input, context: facts.context, variables });
  const type = state.Type;

  if (type === 'Pass' && 'Result' in state) {
    const values = resultSteps(facts, state.Result, (r) => r, scope);
    return { result: state.Result, ...values };
  }
  const afterInputPath = step(facts.input, (input) => applyInputPath(state.InputPath as string | null | undefined, scope(input)));
  if (type === 'Choice' || type === 'Wait' || type === 'Succeed' || type === 'Fail') return { afterInputPath };

  if (type === 'Map') {
    const afterItemsPath = facts.map?.readerData ? NO_VALUE : step(afterInputPath, (effective) => itemsAfterItemsPath(state, effective, { context: facts.context, variables }));
    // The Map's result, when the run has one (the mock's, through the Task that stood for it).
    const result: Value = facts.mocked && run.result ? run.result.value : NO_VALUE;
    return { afterInputPath, afterItemsPath, ...resultSteps(facts, result, selector(state, scope), scope) };
  }

  const computedParameters = step(afterInputPath, (effective) => (state.Parameters === undefined ? effective : applyPayloadTemplate(state.Parameters, scope(effective), 'Parameters')));
  if (type === 'Pass') {
    const values = resultSteps(facts, computedParameters, (r) => r, scope);
    // What the output cannot confirm is left out (see the module's comment).
    if (facts.verdict.exitedNormally && values.afterResultPath === undefined) return { afterInputPath };
    // A Pass state's result is its Parameters' value: read back from the output when it can be.
    const readBack = values.afterResultSelector;
    return { afterInputPath, afterParameters: readBack !== undefined && readBack !== NO_VALUE ? readBack : computedParameters, ...values };
  }
  // Task and Parallel: the parameters the history recorded (a mocked Parallel's are its Task's).
  const afterParameters = run.scheduled ? run.scheduled.value : computedParameters;
  if (type === 'Parallel') {
    const result: Value = facts.mocked && run.result ? run.result.value : NO_VALUE;
    return { afterInputPath, afterParameters, ...resultSteps(facts, result, selector(state, scope), scope) };
  }
  const result: Value = run.result ? run.result.value : NO_VALUE;
  return { afterInputPath, afterParameters, result, ...resultSteps(facts, result, selector(state, scope), scope) };
}

function selector(state: Json, scope: (input: unknown) => Scope): (result: unknown) => unknown {
  return (result) => (state.ResultSelector === undefined ? result : applyPayloadTemplate(state.ResultSelector, scope(result), 'ResultSelector'));
}

/**
 * afterResultSelector and afterResultPath, from the result, reconciled with the output the
 * state gave (see the module's comment). Without a result, reconciliation alone gives what it
 * can (a Map or Parallel run for real, whose result the history does not hold).
 */
function resultSteps(facts: InspectionFacts, result: Value, select: (result: unknown) => unknown, scope: (input: unknown) => Scope): { afterResultSelector?: Value; afterResultPath?: Value } {
  const { state, verdict } = facts;
  let afterResultSelector = step(result, select);
  let afterResultPath = step(afterResultSelector, (selected) => applyResultPath(facts.input, state.ResultPath as string | null | undefined, selected));
  if (!verdict.exitedNormally) return result === NO_VALUE ? {} : { afterResultSelector, afterResultPath };
  const output = verdict.output;
  const outputPath = state.OutputPath as string | null | undefined;
  if (outputPath === undefined || outputPath === '$') {
    afterResultPath = output;
  } else if (afterResultPath !== NO_VALUE) {
    const through = step(afterResultPath, (value) => applyOutputPath(outputPath, scope(value)));
    if (through === NO_VALUE || toJsonText(through) !== toJsonText(output)) return {};
    return { afterResultSelector, afterResultPath };
  } else {
    return {};
  }
  const resultPath = state.ResultPath as string | null | undefined;
  if (resultPath === undefined || resultPath === '$') afterResultSelector = afterResultPath;
  else if (typeof resultPath === 'string') {
    const written = step(afterResultPath, (value) => {
      const found = lookupPath(compilePath(resultPath), scope(value));
      return found.found ? found.value : NO_VALUE;
    });
    if (written !== NO_VALUE) afterResultSelector = written;
  }
  return { ...(afterResultSelector !== NO_VALUE ? { afterResultSelector } : {}), afterResultPath };
}

/** A Map's item processing (a mocked Map's, from the probe) and settings. */
function mapFields(facts: InspectionFacts): Record<string, unknown> {
  const { state, map } = facts;
  const fields: Record<string, unknown> = {};
  if (map!.iterationInputs !== undefined) {
    // With an ItemBatcher each iteration is given a batch; the engine applies ItemSelector to
    // the batches, so afterItemSelector is not shown apart from them.
    if (state.ItemBatcher !== undefined) fields.afterItemBatcher = toJsonText(map!.iterationInputs);
    else if (state.ItemSelector !== undefined || (!facts.jsonata && state.Parameters !== undefined)) fields.afterItemSelector = toJsonText(map!.iterationInputs);
  }
  const { maxConcurrency, toleratedFailureCount, toleratedFailurePercentage } = map!.settings;
  return compact({ ...fields, maxConcurrency, toleratedFailureCount, toleratedFailurePercentage });
}
