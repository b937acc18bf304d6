/**
 * Testing state machines with vitest, Jest or node:test.
 *
 * ```ts
 * import { runStateMachine } from 'stepwise-sfn/testing';
 * const run = await runStateMachine(definition, {
 *   input: { orderId: '1' },
 *   mocks: { 'Charge card': { Return: { ok: true } } },
 *   handlers: { Ship: async (input) => ({ shipped: true }) },
 * });
 * run.status;                 // 'SUCCEEDED'
 * run.path();                 // ['Validate', 'Charge card', 'Ship', 'Done']
 * run.state('Ship').input;    // what Ship got
 * run.calls('Ship').length;   // 1
 * ```
 *
 * Runs use virtual time: a 24-hour Wait or a 300-second task timeout passes at once, with the
 * times it would have had in the history. `startStateMachine()` gives a run to drive step by
 * step (`advance('5m')`, `waitForTask()`, `sendTaskSuccess()`). See docs/testing.md.
 * @module
 */
export { runStateMachine, startStateMachine, TestRun, type TestRunOptions, type PendingTask } from './run.js';
export { TestResult, type StateReport, type StateVisit, type CaughtError, type MapIteration, type HandlerCall } from './result.js';
export { TestConfigurationError, ExecutionStalledError } from './errors.js';
export type { MockAnswer, InlineMocks, MockSetup } from './mocks.js';
export { VirtualClock, type VirtualClockOptions } from '../runtime/virtual-clock.js';
export { durationMs, type Duration } from '../runtime/duration.js';
export type { TaskHandler, TaskHandlerContext } from '../runtime/memory-driver.js';
export type { MockConfigFile } from '../integrations/mock-config.js';
export { Coverage, formatCoverageSummary, formatLcov, jsonLineLocator, type CoverageReport, type CoverageSource, type MachineCoverage } from './coverage.js';
export { recordingOf, parseRecording, InvalidRecordingError, type Recording } from '../runtime/recording.js';
