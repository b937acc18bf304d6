/**
 * `stepwise run FILE`: one execution in memory, as StartExecution + DescribeExecution would
 * report it. The output goes to stdout (pretty JSON) so it can be piped; the status, error and
 * cause of an unsuccessful execution go to stderr; the exit status tells them apart.
 */
import { randomUUID } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  execute,
  InvalidDefinitionError,
  parseDefinition,
  type Diagnostic,
  type ExecuteOptions,
  type ExecutionResult,
  type MockConfigFile,
  type TaskHandler,
} from '../index.js';
import { formatHistory, HISTORY_FORMATS, type HistoryFormat } from './history-table.js';
import { ConfigFileError, loadProjectConfig } from '../config/load.js';
import type { ProjectConfig, RouteConfig } from '../config/types.js';
import { TaskIntegrations } from '../runtime/task-integrations.js';
import { unansweredResources } from '../runtime/unanswered-resources.js';
import { DEFAULT_ACCOUNT_ID, identityFor } from '../runtime/memory-driver.js';
import { recordingOf } from '../runtime/recording.js';
import { VirtualClock } from '../runtime/virtual-clock.js';
import { EXIT, parseJson, readJsonArgument, readText, UsageError } from './io.js';
import { formatDiagnostic } from './validate-command.js';

export interface RunArguments {
  readonly file: string;
  readonly input?: string;
  readonly history?: boolean;
  readonly historyFormat?: string;
  readonly mockConfig?: string;
  readonly testCase?: string;
  readonly stateMachineName?: string;
  readonly executionName?: string;
  readonly waitTimeScale?: string;
  /** Run on a VirtualClock (Waits, retries and timeouts take no real time). */
  readonly virtualTime?: boolean;
  readonly handlers?: string;
  /** Definition files that states:startExecution tasks may start, each named after its file. */
  readonly stateMachines?: readonly string[];
  /** The project configuration file (else STEPWISE_CONFIG, else ./stepwise.config.json if present). */
  readonly config?: string;
  /** `--route NAME=TARGET` items, after the configuration's routes (so they win). */
  readonly routes?: readonly string[];
  readonly lambdaEndpoint?: string;
  /** Where to write the execution's recording (`--record OUT.json`), whatever its outcome. */
  readonly record?: string;
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export async function runCommand(args: RunArguments, io: Output, signal?: AbortSignal): Promise<number> {
  const historyFormat = parseHistoryFormat(args);
  // Checked before the run: finding out after a long execution that its recording has nowhere to go would waste it.
  if (args.record !== undefined) checkRecordTarget(args.record);
  const definition = loadDefinition(args.file, io);
  if (definition === undefined) return EXIT.USAGE;
  const input = args.input === undefined ? {} : readJsonArgument(args.input, '--input');
  const stateMachineName = args.stateMachineName ?? machineNameFromFile(args.file);
  const stateMachines = args.stateMachines?.length ? loadStateMachines(args.stateMachines, io) : undefined;
  if (stateMachines === null) return EXIT.USAGE;
  const integrations = loadIntegrations(args);
  const handlers = args.handlers !== undefined ? await loadHandlers(args.handlers) : undefined;
  if (args.mockConfig === undefined) {
    const unanswered = unansweredResources(definition, integrations, { ...(handlers ? { handlers } : {}), startsChildren: stateMachines !== undefined });
    if (unanswered.length > 0) {
      io.err(`stepwise: warning: nothing answers ${unanswered.length === 1 ? 'this task' : `these ${unanswered.length} tasks`} (see docs/integrations.md):`);
      for (const line of unanswered) io.err(`  ${line}`);
    }
  }
  const options: ExecuteOptions = {
    integrations,
    stateMachineName,
    // Named here (execute() would pick the same kind of random name) so a recording can name it too.
    executionName: args.executionName ?? randomUUID(),
    ...(args.waitTimeScale !== undefined ? { waitTimeScale: parseScale(args.waitTimeScale) } : {}),
    ...(args.virtualTime ? { clock: new VirtualClock() } : {}),
    ...mockOptions(args, stateMachineName),
    ...(handlers ? { taskHandlers: handlers } : {}),
    ...(stateMachines ? { stateMachines } : {}),
    ...(signal ? { signal } : {}),
  };

  let result: ExecutionResult;
  try {
    result = await execute(definition, input, options);
  } catch (e) {
    if (e instanceof InvalidDefinitionError) {
      printInvalid(args.file, e.diagnostics, io);
      return EXIT.USAGE;
    }
    throw e;
  } finally {
    await integrations.close();
  }
  if (args.record !== undefined) {
    writeRecording(args.record, recordingOf(definition as Record<string, unknown>, result, identityFor(options)));
    io.err(`Recorded the execution in ${args.record} (see it with: stepwise view ${args.record})`);
  }

  if (historyFormat) {
    for (const line of formatHistory(result.events, () => result.history, historyFormat)) io.out(line);
    // JSON lines stay pure JSON lines: the output is in the ExecutionSucceeded event.
    if (historyFormat === 'jsonl') return exitFor(result, io, false);
    io.out('');
  }
  return exitFor(result, io, true);
}

/** A UsageError unless OUT can be written: its folder exists and it is not a folder itself. */
function checkRecordTarget(file: string): void {
  const folder = dirname(resolve(file));
  let target: ReturnType<typeof statSync> | undefined;
  try {
    if (!statSync(folder).isDirectory()) throw new UsageError(`--record ${file}: ${folder} is not a folder`);
    target = statSync(file, { throwIfNoEntry: false });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--record ${file}: the folder ${folder} does not exist`);
  }
  if (target?.isDirectory()) throw new UsageError(`--record ${file} is a folder; name the file to write`);
}

function writeRecording(file: string, recording: object): void {
  try {
    writeFileSync(file, `${JSON.stringify(recording, null, 2)}\n`);
  } catch (e) {
    throw new UsageError(`cannot write the recording to ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function exitFor(result: ExecutionResult, io: Output, printOutput: boolean): number {
  if (result.status === 'SUCCEEDED') {
    if (printOutput) io.out(JSON.stringify(result.output ?? null, null, 2));
    return EXIT.SUCCEEDED;
  }
  io.err(`Execution ${result.status}`);
  if (result.error !== undefined) io.err(`  error: ${result.error}`);
  if (result.cause !== undefined) io.err(`  cause: ${result.cause}`);
  return EXIT[result.status];
}

/** The project configuration with the --route items added, and its integrations; a UsageError lists every problem. */
function loadIntegrations(args: RunArguments): TaskIntegrations {
  let config: ProjectConfig;
  try {
    config = loadProjectConfig({ ...(args.config !== undefined ? { file: args.config } : {}) });
  } catch (e) {
    if (e instanceof ConfigFileError) throw new UsageError(e.message.replace(/^stepwise: /, ''));
    throw e;
  }
  if (args.routes?.length) {
    const routes = [...config.routes, ...args.routes.map((item) => parseRoute(item, config))];
    config = { ...config, routes };
  }
  // The identity `execute()` gives executions (ARNs of functions and connections use it too).
  return new TaskIntegrations(config, {
    region: 'us-east-1',
    accountId: DEFAULT_ACCOUNT_ID,
    ...(args.lambdaEndpoint !== undefined ? { lambdaEndpoint: args.lambdaEndpoint } : {}),
    log: (level, message, fields) => {
      // A function's own output and the integrations' warnings go to stderr, never into the output.
      if (level !== 'info' || fields?.stream !== undefined) process.stderr.write(`${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
    },
  });
}

/** `--route NAME=TARGET`: NAME a state name or a resource ARN; TARGET function:F, url:URL, return:JSON, throw:ERROR[:CAUSE] or aws. */
export function parseRoute(item: string, config: ProjectConfig): RouteConfig {
  const at = item.indexOf('=');
  if (at <= 0) throw new UsageError(`--route must be NAME=TARGET (a state name or resource ARN, then function:F, url:URL, return:JSON, throw:ERROR[:CAUSE] or aws), not '${item}'`);
  const name = item.slice(0, at);
  const target = item.slice(at + 1);
  const key = name.startsWith('arn:') ? { resource: name } : { state: name };
  if (target === 'aws') return { ...key, service: 'aws' };
  const colon = target.indexOf(':');
  const kind = colon < 0 ? target : target.slice(0, colon);
  const value = colon < 0 ? '' : target.slice(colon + 1);
  switch (kind) {
    case 'function':
      if (!Object.prototype.hasOwnProperty.call(config.functions, value)) {
        const known = Object.keys(config.functions);
        throw new UsageError(`--route ${item}: no function '${value}' in the configuration${known.length ? ` (functions: ${known.join(', ')})` : ' (it declares none)'}`);
      }
      return { ...key, function: value };
    case 'url':
      if (!/^https?:\/\//.test(value)) throw new UsageError(`--route ${item}: url: needs an http(s) URL`);
      return { ...key, url: value };
    case 'return':
      return { ...key, mock: { Return: parseJson(value, `--route ${item}`) } };
    case 'throw': {
      const [error, ...cause] = value.split(':');
      if (!error) throw new UsageError(`--route ${item}: throw: needs an error name`);
      return { ...key, mock: { Throw: { Error: error, ...(cause.length ? { Cause: cause.join(':') } : {}) } } };
    }
    default:
      throw new UsageError(`--route ${item}: the target must be function:F, url:URL, return:JSON, throw:ERROR[:CAUSE] or aws`);
  }
}

/** The --state-machine files by name; null after printing why one cannot run. */
function loadStateMachines(files: readonly string[], io: Output): Record<string, unknown> | null {
  const machines: Record<string, unknown> = {};
  for (const file of files) {
    const name = machineNameFromFile(file);
    if (name in machines) throw new UsageError(`two --state-machine files are named '${name}'`);
    const definition = loadDefinition(file, io);
    if (definition === undefined) return null;
    machines[name] = definition;
  }
  return machines;
}

/** The definition object, or undefined after printing why it cannot run. */
function loadDefinition(file: string, io: Output): unknown {
  const parsed = parseDefinition(readText(file, 'definition'));
  const errors = parsed.diagnostics.filter((d: Diagnostic) => d.severity === 'ERROR');
  if (errors.length > 0 || parsed.definition === undefined) {
    printInvalid(file, errors, io);
    return undefined;
  }
  return parsed.definition;
}

function printInvalid(file: string, diagnostics: readonly Diagnostic[], io: Output): void {
  io.err(`stepwise: ${file} is not a valid state machine definition:`);
  for (const d of diagnostics) io.err(`  ${formatDiagnostic(file, d)}`);
}

function parseHistoryFormat(args: RunArguments): HistoryFormat | undefined {
  if (args.historyFormat === undefined) return args.history ? 'table' : undefined;
  if (!(HISTORY_FORMATS as readonly string[]).includes(args.historyFormat)) {
    throw new UsageError(`--history-format must be one of ${HISTORY_FORMATS.join(', ')} (got '${args.historyFormat}')`);
  }
  return args.historyFormat as HistoryFormat;
}

function parseScale(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--wait-time-scale must be a number >= 0 (got '${text}')`);
  return n;
}

/** `orders.asl.json` → `orders`: the name mock configurations are usually keyed by. */
export function machineNameFromFile(file: string): string {
  const name = basename(file).replace(/(\.asl)?\.json$/i, '');
  return name === '' || name === '-' ? 'stepwise' : name;
}

function mockOptions(args: RunArguments, stateMachineName: string): Pick<ExecuteOptions, 'mockConfig' | 'testCase'> {
  if (args.mockConfig === undefined) {
    if (args.testCase !== undefined) throw new UsageError('--test-case needs --mock-config FILE');
    return {};
  }
  if (args.testCase === undefined) throw new UsageError('--mock-config needs --test-case NAME (a test case of the state machine in the file)');
  const config = parseJson(readText(args.mockConfig, 'mock config'), `mock config ${args.mockConfig}`) as MockConfigFile;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new UsageError(`mock config ${args.mockConfig} must be a JSON object with StateMachines and MockedResponses`);
  }
  const machines = config.StateMachines ?? {};
  const machine = machines[stateMachineName];
  if (!machine) {
    const names = Object.keys(machines);
    throw new UsageError(
      `mock config ${args.mockConfig} has no state machine '${stateMachineName}'` +
        (names.length ? `; pass --state-machine-name with one of: ${names.join(', ')}` : ' (its StateMachines is empty)'),
    );
  }
  const cases = Object.keys(machine.TestCases ?? {});
  if (!cases.includes(args.testCase)) {
    throw new UsageError(
      `state machine '${stateMachineName}' in ${args.mockConfig} has no test case '${args.testCase}'` +
        (cases.length ? ` (test cases: ${cases.join(', ')})` : ''),
    );
  }
  return { mockConfig: config, testCase: args.testCase };
}

/**
 * Task handlers from an ES module: its default export (an object keyed by state name or
 * resource ARN) and/or its named exports.
 */
async function loadHandlers(file: string): Promise<Record<string, TaskHandler>> {
  readText(file, 'handlers module'); // a clear message for a missing file before import() tries
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`cannot load handlers module ${file}: ${(e as Error).message}`);
  }
  const fromDefault = mod.default !== null && typeof mod.default === 'object' ? (mod.default as Record<string, unknown>) : {};
  const all: Record<string, unknown> = { ...fromDefault };
  for (const [name, value] of Object.entries(mod)) if (name !== 'default') all[name] = value;
  const handlers: Record<string, TaskHandler> = {};
  for (const [name, value] of Object.entries(all)) {
    if (typeof value !== 'function') throw new UsageError(`handlers module ${file}: '${name}' is not a function`);
    handlers[name] = value as TaskHandler;
  }
  return handlers;
}
