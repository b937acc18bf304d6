// The driver contract (driver-contract.ts) against the in-memory driver, through `execute()`.
import { execute } from '../../src/index.js';
import type { MockConfigFile } from '../../src/integrations/mock-config.js';
import { ACCOUNT, REGION, driverContract, type ContractRun } from './driver-contract.js';

const MACHINE = 'contract';

driverContract('in memory (execute)', () => ({
  async run(run: ContractRun) {
    const mockConfig: MockConfigFile | undefined = run.mock && {
      StateMachines: { [MACHINE]: { TestCases: { Contract: run.mock.testCase } } },
      MockedResponses: run.mock.responses,
    };
    const result = await execute(run.definition, run.input ?? {}, {
      stateMachineName: MACHINE,
      context: { region: REGION, accountId: ACCOUNT },
      waitTimeScale: 0,
      ...(run.taskHandlers ? { taskHandlers: run.taskHandlers } : {}),
      ...(mockConfig ? { mockConfig, testCase: 'Contract' } : {}),
      ...(run.stateMachines ? { stateMachines: run.stateMachines } : {}),
    });
    return {
      status: result.status,
      ...(result.status === 'SUCCEEDED' ? { output: result.output } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.cause !== undefined ? { cause: result.cause } : {}),
      history: result.history as unknown as ReadonlyArray<{ type: string }>,
    };
  },
}));
