/**
 * The shape of one API action: the model of its input (validated before it runs, see
 * input.ts) and the function that performs it.
 */
import type { ApiContext } from '../context.js';
import type { StructureShape } from '../input.js';
import type { StartedBy } from '../../store/types.js';

export interface RequestInfo {
  readonly requestId: string;
  /** Aborted when the client goes away (GetActivityTask stops waiting). */
  readonly signal: AbortSignal;
  /** The execution whose Task made this call (`arn:aws:states:::aws-sdk:sfn:…`), if one did. */
  readonly callerExecutionArn?: string;
  /** What starts the execution, when the server's own trigger made the request (StartExecution, StartSyncExecution). */
  readonly startedBy?: StartedBy;
}

/** The input model; a function when a limit is configurable (payload sizes). */
export type InputModel = StructureShape | ((ctx: ApiContext) => StructureShape);

export interface Operation<I = Record<string, unknown>> {
  readonly input: InputModel;
  run(input: I, ctx: ApiContext, request: RequestInfo): Promise<Record<string, unknown>>;
}

export function operation<I>(input: InputModel, run: (input: I, ctx: ApiContext, request: RequestInfo) => Promise<Record<string, unknown>>): Operation<I> {
  return { input, run };
}
