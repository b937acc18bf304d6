/**
 * The testing API's own errors: a test set up wrongly (a misspelled test case or state name, a
 * handler that matches nothing) fails loudly and precisely, instead of running something else
 * than the test meant and failing later for a reason that is hard to see.
 */

/** The test's setup is wrong; the message says what and lists what would be right. */
export class TestConfigurationError extends Error {
  override readonly name = 'TestConfigurationError';
}

/**
 * The execution cannot go on: every task it waits for needs an answer from outside (a task
 * token, an activity worker) and, under virtual time, no timer is left that could end the wait.
 */
export class ExecutionStalledError extends Error {
  override readonly name = 'ExecutionStalledError';
  constructor(
    message: string,
    /** The states whose tasks wait for an answer. */
    readonly waitingStates: readonly string[],
  ) {
    super(message);
  }
}

/** Names, quoted and listed for a message: `'A', 'B'` or `(none)`. */
export function listNames(names: Iterable<string>): string {
  const list = [...names].map((n) => `'${n}'`);
  return list.length > 0 ? list.join(', ') : '(none)';
}
