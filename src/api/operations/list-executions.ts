/**
 * ListExecutions of a state machine, a version or an alias, newest first, with statusFilter and
 * redriveFilter. Express machines are StateMachineTypeNotSupported, as on AWS.
 *
 * With a mapRunArn, the Map Run's child workflow executions (an unknown Map Run is
 * ResourceNotFound). Executions started before engine version 5 ran their Distributed Map's
 * iterations inline (counted in DescribeMapRun, not executions of their own): their Map Runs
 * list none.
 */
import type { ExecutionFilter, ExecutionRecord, ExecutionStatus } from '../../store/types.js';
import { stateMachineDoesNotExist, stateMachineTypeNotSupported, validation } from '../aws-errors.js';
import { parseMachineArn } from '../arns.js';
import { executionListItem } from '../executions.js';
import { getMapRun } from '../map-runs.js';
import { shapes, struct } from '../input.js';
import { listing, pageRequest } from '../paging.js';
import { compact } from '../wire.js';
import { operation } from './operation.js';

interface Input {
  stateMachineArn?: string;
  statusFilter?: ExecutionStatus;
  maxResults?: number;
  nextToken?: string;
  mapRunArn?: string;
  redriveFilter?: 'REDRIVEN' | 'NOT_REDRIVEN';
}

export const listExecutions = operation<Input>(
  struct('ListExecutionsInput', {
    stateMachineArn: shapes.Arn,
    statusFilter: shapes.ExecutionStatus,
    maxResults: shapes.PageSize,
    nextToken: shapes.ListExecutionsPageToken,
    mapRunArn: shapes.LongArn,
    redriveFilter: shapes.ExecutionRedriveFilter,
  }),
  async (input, ctx) => {
    if (input.stateMachineArn === undefined && input.mapRunArn === undefined) {
      throw validation('Must provide a StateMachine ARN or MapRun ARN');
    }
    if (input.stateMachineArn !== undefined && input.mapRunArn !== undefined) {
      throw validation('Only one of StateMachine ARN or MapRun ARN can be provided');
    }
    if (input.mapRunArn !== undefined) {
      await getMapRun(ctx, input.mapRunArn);
      const filter: ExecutionFilter = { mapRunArn: input.mapRunArn, ...(input.statusFilter ? { status: input.statusFilter } : {}) };
      const page = await listing(() => ctx.store.listExecutions(filter, pageRequest(input.maxResults, input.nextToken)));
      return compact({ executions: redriven(page.items, input.redriveFilter).map(executionListItem), nextToken: page.nextToken });
    }
    const requested = input.stateMachineArn!;
    const target = parseMachineArn(requested);
    const machine = await ctx.store.getStateMachine(target.machineArn);
    if (!machine) throw stateMachineDoesNotExist(requested);
    if (machine.type === 'EXPRESS') throw stateMachineTypeNotSupported();
    const filter: ExecutionFilter = {
      stateMachineArn: target.machineArn,
      ...(target.kind === 'version' ? { versionArn: target.arn } : {}),
      ...(target.kind === 'alias' ? { aliasArn: target.arn } : {}),
      ...(input.statusFilter ? { status: input.statusFilter } : {}),
    };
    if (target.kind === 'version' && !(await ctx.store.getVersion(target.arn))) throw stateMachineDoesNotExist(requested);
    if (target.kind === 'alias' && !(await ctx.store.getAlias(target.arn))) throw stateMachineDoesNotExist(requested);
    const page = await listing(() => ctx.store.listExecutions(filter, pageRequest(input.maxResults, input.nextToken)));
    return compact({ executions: redriven(page.items, input.redriveFilter).map(executionListItem), nextToken: page.nextToken });
  },
);

/** The redriveFilter: executions redriven at least once, or never. */
function redriven(items: readonly ExecutionRecord[], filter: string | undefined): readonly ExecutionRecord[] {
  if (filter === undefined) return items;
  return items.filter((e) => (filter === 'REDRIVEN' ? e.redriveCount > 0 : e.redriveCount === 0));
}
