/**
 * Step Functions Local's mocked service integrations (the MockConfigFile format): a test case
 * maps state names to mocked responses, and each response lists what the 1st, 2nd, … call of
 * that state returns (`Return`) or throws (`Throw`). Keys may be ranges ("1-3").
 */
export interface MockedResponse {
  readonly Return?: unknown;
  readonly Throw?: { readonly Error?: string; readonly Cause?: string };
}

export interface MockConfigFile {
  readonly StateMachines?: Record<string, { readonly TestCases?: Record<string, Record<string, string>> }>;
  readonly MockedResponses?: Record<string, Record<string, MockedResponse>>;
}

export type MockOutcome =
  | { readonly kind: 'return'; readonly value: unknown }
  | { readonly kind: 'throw'; readonly error?: string; readonly cause?: string };

/** The mocks of one execution: counts the calls of each state to pick the right response. */
export class MockSession {
  private readonly calls = new Map<string, number>();
  /**
   * The response each task got: a task performed again (after a restart, whose replay has
   * counted its call already) gets the same response, not the next call's.
   */
  private readonly answered = new Map<string, MockOutcome>();

  constructor(
    private readonly config: MockConfigFile,
    private readonly stateMachineName: string,
    private readonly testCase: string,
  ) {}

  /** Whether the test case mocks this state at all. */
  mocks(stateName: string): boolean {
    return this.responseName(stateName) !== undefined;
  }

  /**
   * The next response for a call of `stateName`, or undefined when the state is not mocked.
   * With a task id, the response is that task's: picked at its first call, the same after.
   */
  next(stateName: string, taskId?: string): MockOutcome | undefined {
    const name = this.responseName(stateName);
    if (name === undefined) return undefined;
    if (taskId === undefined) return this.pick(name, stateName);
    let outcome = this.answered.get(taskId);
    if (!outcome) this.answered.set(taskId, (outcome = this.pick(name, stateName)));
    return outcome;
  }

  private pick(name: string, stateName: string): MockOutcome {
    const call = this.calls.get(stateName) ?? 0;
    this.calls.set(stateName, call + 1);
    const responses = this.config.MockedResponses?.[name];
    const response = responses ? pickResponse(responses, call) : undefined;
    if (!response) {
      return { kind: 'throw', error: 'States.Runtime', cause: `The mocked response '${name}' has no entry for call ${call} of state '${stateName}'.` };
    }
    if (response.Throw) {
      const { Error: error, Cause: cause } = response.Throw as { Error?: unknown; Cause?: unknown };
      // A recorded Cause may be a JSON document; AWS hands Catchers its text.
      return {
        kind: 'throw',
        ...(error !== undefined && error !== null ? { error: String(error) } : {}),
        ...(cause !== undefined && cause !== null ? { cause: typeof cause === 'string' ? cause : JSON.stringify(cause) } : {}),
      };
    }
    return { kind: 'return', value: response.Return };
  }

  private responseName(stateName: string): string | undefined {
    return this.config.StateMachines?.[this.stateMachineName]?.TestCases?.[this.testCase]?.[stateName];
  }
}

function pickResponse(responses: Record<string, MockedResponse>, call: number): MockedResponse | undefined {
  const exact = responses[String(call)];
  if (exact) return exact;
  for (const [key, response] of Object.entries(responses)) {
    const range = /^(\d+)-(\d+)$/.exec(key);
    if (range && call >= Number(range[1]) && call <= Number(range[2])) return response;
  }
  return undefined;
}
