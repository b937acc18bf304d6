/**
 * A state machine whose Task resources nothing would answer (an undeclared function, a service
 * with no endpoint or credentials) is saved as on AWS, with a warning in the server's log that
 * names each one: the missing declaration is found before an execution fails on it.
 */
import type { ApiContext } from './context.js';

export function warnUnanswered(ctx: ApiContext, stateMachineArn: string, definition: string | undefined): void {
  if (definition === undefined || !ctx.runner.unansweredResources) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch {
    return; // checkDefinition has refused it already
  }
  const unanswered = ctx.runner.unansweredResources(parsed);
  if (unanswered.length > 0) ctx.log.warn('nothing answers some of the state machine\'s tasks (docs/integrations.md)', { stateMachineArn, tasks: unanswered });
}
