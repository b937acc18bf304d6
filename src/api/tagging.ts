/**
 * Tags belong to state machines and activities. Anything else — a version, an alias, an
 * execution, a resource that does not exist — is ResourceNotFound ("Resource not found: '<arn>'").
 */
import { resourceNotFoundArn } from './aws-errors.js';
import { parseArn } from './arns.js';
import type { ApiContext } from './context.js';

export async function taggableResource(ctx: ApiContext, arn: string): Promise<string> {
  const parsed = parseArn(arn);
  if (parsed.resourceType === 'stateMachine' && parsed.parts.length === 1) {
    if (await ctx.store.getStateMachine(arn)) return arn;
  } else if (parsed.resourceType === 'activity' && parsed.parts.length === 1) {
    if (await ctx.store.getActivity(arn)) return arn;
  }
  throw resourceNotFoundArn(arn);
}
