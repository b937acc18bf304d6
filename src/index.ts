/**
 * Stepwise: AWS Step Functions, self-hosted.
 *
 * ```ts
 * import { execute } from 'stepwise-sfn';
 * const result = await execute(definition, { IsHelloWorldExample: true }, { waitTimeScale: 0 });
 * result.status; // 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED'
 * ```
 * @module
 */
import './regexp-engine.js'; // linear-time fallback for user regular expressions, set once per process
import { validateDefinition, type Diagnostic } from './asl/validate.js';
import { runInMemory, type ExecuteOptions, type ExecutionResult, type RunnableDefinition } from './runtime/memory-driver.js';
import { checkMockSelection } from './testing/mocks.js';
import { TestConfigurationError } from './testing/errors.js';

export { validateDefinition, parseDefinition, type Diagnostic } from './asl/validate.js';
export { StatesError } from './asl/errors.js';
export { VirtualClock, type VirtualClockOptions } from './runtime/virtual-clock.js';
export { TestConfigurationError } from './testing/errors.js';
export type { ExecuteOptions, ExecutionResult, TaskHandler, TaskHandlerContext, Clock } from './runtime/memory-driver.js';
export type { MockConfigFile } from './integrations/mock-config.js';
/**
 * The project configuration (stepwise.config.json): `loadProjectConfig()` finds, reads and
 * validates it (a ConfigFileError lists every problem); pass it, or its path, as
 * `execute(definition, input, { config })`. `closeTaskIntegrations()` stops the local functions'
 * worker processes that runs with a configuration started (they also exit when idle).
 */
export { loadProjectConfig, validateProjectConfig, ConfigFileError, type ConfigProblem } from './config/load.js';
export type { ProjectConfig, FunctionConfig, ConnectionConfig, RouteConfig } from './config/types.js';
export { closeTaskIntegrations } from './runtime/shared-integrations.js';
export { toAwsEvent, type AwsHistoryEvent, type HistoryEvent } from './engine/events.js';
/**
 * The limits on JSONata and JSONPath evaluation, for the whole process (not per `execute()`
 * call): JSONata's time limit (default 2,000 ms) and the longest sequence (360,145, AWS's
 * `$range` limit) and string (4 MiB) one evaluation may build, and the steps one JSONPath
 * evaluation may take (10,000,000). An evaluation beyond them fails its state with
 * `States.QueryEvaluationError` (JSONata) or `States.Runtime` (JSONPath), as on the server.
 *
 * ```ts
 * import { configureExpressionLimits, execute } from 'stepwise-sfn';
 * configureExpressionLimits({ jsonataTimeoutMs: 500 });
 * ```
 *
 * Call it once at start-up, before running anything: evaluations that start afterwards use the
 * new limits, in every execution; ones under way are not promised either value. Values must be
 * positive whole numbers (a TypeError otherwise); `DEFAULT_EXPRESSION_LIMITS` restores the
 * defaults. It answers the limits now in force.
 */
export { configureExpressionLimits, DEFAULT_EXPRESSION_LIMITS, expressionLimits, type ExpressionLimits } from './asl/limits.js';

/** Thrown by `execute` for a definition that AWS would refuse (InvalidDefinition). */
export class InvalidDefinitionError extends Error {
  override readonly name = 'InvalidDefinition';
  constructor(
    readonly diagnostics: readonly Diagnostic[],
    /** For a definition given in `stateMachines`: its key there. */
    readonly stateMachine?: string,
  ) {
    const of = stateMachine !== undefined ? ` of '${stateMachine}'` : '';
    super(`Invalid State Machine Definition${of}: ${diagnostics.map((d) => `'${d.code}: ${d.message} at ${d.location}'`).join(', ')}`);
  }
}

const validated = new WeakSet<object>();

/**
 * Runs a state machine to its end in memory and resolves to its status, output or error, and
 * history. `definition` is the ASL object or its JSON text; it is validated first (once per
 * definition object) and an invalid one throws InvalidDefinitionError.
 */
export async function execute(definition: unknown, input: unknown = {}, options: ExecuteOptions = {}): Promise<ExecutionResult> {
  const parsed = checked(definition);
  if (options.mockConfig !== undefined || options.testCase !== undefined) checkMockOptions(parsed, options);
  if (options.stateMachines === undefined) return runInMemory(parsed, input, options);
  const stateMachines: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(options.stateMachines)) stateMachines[key] = checked(child, key);
  return runInMemory(parsed, input, { ...options, stateMachines });
}

/**
 * A mockConfig that would not apply as given (a test case or state machine it does not have, a
 * state the definition does not have) is a TestConfigurationError, not a run without mocks.
 */
function checkMockOptions(definition: RunnableDefinition, options: ExecuteOptions): void {
  if (options.mockConfig === undefined) throw new TestConfigurationError(`testCase '${options.testCase}' needs a mockConfig to take it from.`);
  if (options.testCase === undefined) throw new TestConfigurationError('A mockConfig needs a testCase: which of its test cases answers the tasks.');
  checkMockSelection(definition, options.mockConfig, options.mockStateMachineName ?? options.stateMachineName ?? 'stepwise', options.testCase);
}

/**
 * The parsed definition, validated once per object; InvalidDefinitionError when AWS would refuse it.
 * @internal Also the testing API's check, so that its execute() call finds the definition validated.
 */
export function checked(definition: unknown, stateMachine?: string): RunnableDefinition {
  const parsed: unknown = typeof definition === 'string' ? JSON.parse(definition) : definition;
  if (parsed === null || typeof parsed !== 'object' || !validated.has(parsed)) {
    const errors = validateDefinition(parsed).filter((d) => d.severity === 'ERROR');
    if (errors.length > 0) throw new InvalidDefinitionError(errors, stateMachine);
    if (parsed !== null && typeof parsed === 'object') validated.add(parsed);
  }
  return parsed as RunnableDefinition;
}
