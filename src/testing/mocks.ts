/**
 * The mocks of a test run: a Step Functions Local MockConfigFile test case, inline mocks per
 * state, or both (inline mocks win for their states), checked against the definition before
 * anything runs. Inline mocks become a generated test case, so both kinds are answered by the
 * same MockSession the CLI and the server use.
 */
import { readFileSync } from 'node:fs';
import type { MockConfigFile, MockedResponse } from '../integrations/mock-config.js';
import { statesOf } from '../asl/structure.js';
import { listNames, TestConfigurationError } from './errors.js';

/** One answer of a mocked state, in MockConfigFile's words. */
export type MockAnswer = { readonly Return: unknown } | { readonly Throw: { readonly Error?: string; readonly Cause?: string } };

/** Inline mocks by state name: one answer for every call, or a list with one answer per call. */
export type InlineMocks = Readonly<Record<string, MockAnswer | readonly MockAnswer[]>>;

export interface MockSetup {
  /** A MockConfigFile object or the path of its JSON file. */
  readonly mockConfig?: MockConfigFile | string;
  /** The test case of mockConfig to use. */
  readonly testCase?: string;
  /** The state machine in mockConfig whose test case it is (may be left out when there is only one). */
  readonly stateMachineName?: string;
  readonly mocks?: InlineMocks;
}

export interface ResolvedMocks {
  readonly mockConfig?: MockConfigFile;
  readonly testCase?: string;
  readonly stateMachineName?: string;
}

const INLINE_TEST_CASE = 'Stepwise inline mocks';

/** The mock options for execute(); a TestConfigurationError for anything that would not apply as written. */
export function resolveMocks(definition: unknown, setup: MockSetup): ResolvedMocks {
  const states = new Map(statesOf(definition).map((s) => [s.name, s]));
  const base = setup.mockConfig === undefined ? undefined : loadConfig(setup.mockConfig);
  if (setup.testCase !== undefined && base === undefined) throw new TestConfigurationError(`testCase '${setup.testCase}' needs a mockConfig to take it from.`);
  let machineName = setup.stateMachineName;
  let mapping: Record<string, string> = {};
  if (base !== undefined) {
    if (machineName === undefined) {
      const names = Object.keys(base.StateMachines ?? {});
      if (names.length !== 1) throw new TestConfigurationError(`The mockConfig has ${names.length === 0 ? 'no state machines' : `several state machines (${listNames(names)})`}: give stateMachineName.`);
      machineName = names[0]!;
    }
    mapping = { ...checkMockSelection(definition, base, machineName, setup.testCase) };
    if (setup.testCase === undefined && setup.mocks === undefined) {
      throw new TestConfigurationError(`A mockConfig needs a testCase: one of ${listNames(Object.keys(base.StateMachines?.[machineName]?.TestCases ?? {}))} of state machine '${machineName}'.`);
    }
  }
  if (setup.mocks === undefined) return base === undefined ? {} : { mockConfig: base, testCase: setup.testCase!, stateMachineName: machineName! };

  const responses: Record<string, Record<string, MockedResponse>> = { ...(base?.MockedResponses ?? {}) };
  for (const [stateName, answers] of Object.entries(setup.mocks)) {
    const state = states.get(stateName);
    if (!state) throw new TestConfigurationError(`mocks has an answer for the state '${stateName}', which the definition does not have (its states: ${listNames(states.keys())}).`);
    // A Map state's mock answers its ItemReader, as in Step Functions Local.
    if (state.type !== 'Task' && !(state.type === 'Map' && state.state.ItemReader !== undefined)) {
      throw new TestConfigurationError(`mocks has an answer for '${stateName}', a ${state.type} state: only Task states (and a Map's ItemReader) call anything that can be mocked.`);
    }
    const list = Array.isArray(answers) ? (answers as readonly MockAnswer[]) : [answers as MockAnswer];
    if (list.length === 0) throw new TestConfigurationError(`mocks for '${stateName}' is an empty list: give at least one answer.`);
    const numbered: Record<string, MockedResponse> = {};
    list.forEach((answer, call) => (numbered[String(call)] = checkAnswer(answer, stateName, call)));
    // Beyond the list, the last answer repeats: a retried state mocked with one answer keeps getting it.
    numbered[`${list.length}-${Number.MAX_SAFE_INTEGER}`] = numbered[String(list.length - 1)]!;
    const responseName = `${INLINE_TEST_CASE}: ${stateName}`;
    responses[responseName] = numbered;
    mapping[stateName] = responseName;
  }
  const name = machineName ?? 'stepwise';
  return {
    mockConfig: { StateMachines: { [name]: { TestCases: { [INLINE_TEST_CASE]: mapping } } }, MockedResponses: responses },
    testCase: INLINE_TEST_CASE,
    stateMachineName: name,
  };
}

/**
 * The test case `testCase` of state machine `machineName` in `config` (with a test case), after
 * checking that the machine and test case exist and that each state it mocks is a state of the
 * definition with a response in MockedResponses; a TestConfigurationError otherwise. Also what
 * execute() checks of its mockConfig option.
 */
export function checkMockSelection(definition: unknown, config: MockConfigFile, machineName: string, testCase: string): Readonly<Record<string, string>>;
export function checkMockSelection(definition: unknown, config: MockConfigFile, machineName: string, testCase: string | undefined): Readonly<Record<string, string>> | undefined;
export function checkMockSelection(definition: unknown, config: MockConfigFile, machineName: string, testCase: string | undefined): Readonly<Record<string, string>> | undefined {
  const machines = config.StateMachines ?? {};
  const machine = Object.hasOwn(machines, machineName) ? machines[machineName] : undefined;
  if (!machine) throw new TestConfigurationError(`The mockConfig has no state machine '${machineName}' (it has ${listNames(Object.keys(machines))}).`);
  if (testCase === undefined) return undefined;
  const cases = machine.TestCases ?? {};
  const mapping = Object.hasOwn(cases, testCase) ? cases[testCase] : undefined;
  if (!mapping) throw new TestConfigurationError(`State machine '${machineName}' in the mockConfig has no test case '${testCase}' (it has ${listNames(Object.keys(cases))}).`);
  const states = new Set(statesOf(definition).map((s) => s.name));
  for (const [stateName, response] of Object.entries(mapping)) {
    if (!states.has(stateName)) {
      throw new TestConfigurationError(`Test case '${testCase}' mocks the state '${stateName}', which the definition does not have (its states: ${listNames(states)}).`);
    }
    if (!config.MockedResponses || !Object.hasOwn(config.MockedResponses, response)) {
      throw new TestConfigurationError(`Test case '${testCase}' answers '${stateName}' with the mocked response '${response}', which MockedResponses does not have.`);
    }
  }
  return mapping;
}

function checkAnswer(answer: MockAnswer, stateName: string, call: number): MockedResponse {
  const where = `mocks['${stateName}']${call > 0 ? `[${call}]` : ''}`;
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) throw new TestConfigurationError(`${where} must be { Return: value } or { Throw: { Error, Cause } }.`);
  const keys = Object.keys(answer);
  if (keys.length !== 1 || (keys[0] !== 'Return' && keys[0] !== 'Throw')) {
    throw new TestConfigurationError(`${where} must have exactly one of Return or Throw, not ${listNames(keys)}.`);
  }
  if ('Throw' in answer) {
    const thrown = answer.Throw as unknown;
    if (thrown === null || typeof thrown !== 'object' || Array.isArray(thrown)) throw new TestConfigurationError(`${where}.Throw must be an object { Error, Cause }.`);
    for (const [key, value] of Object.entries(thrown)) {
      if (key !== 'Error' && key !== 'Cause') throw new TestConfigurationError(`${where}.Throw has '${key}': only Error and Cause are allowed.`);
      if (typeof value !== 'string') throw new TestConfigurationError(`${where}.Throw.${key} must be a string.`);
    }
  }
  return answer as MockedResponse;
}

function loadConfig(config: MockConfigFile | string): MockConfigFile {
  let value: unknown = config;
  if (typeof config === 'string') {
    let text: string;
    try {
      text = readFileSync(config, 'utf8');
    } catch (e) {
      throw new TestConfigurationError(`Cannot read the mockConfig file ${config}: ${(e as Error).message}`);
    }
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new TestConfigurationError(`The mockConfig file ${config} is not JSON: ${(e as Error).message}`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TestConfigurationError('A mockConfig must be an object with StateMachines and MockedResponses.');
  return value as MockConfigFile;
}
