/**
 * Links between parent and child executions: the executions a startExecution Task state started
 * (in the state panel and in the history's event details), and "Started by" for a child. On a
 * recording's page they are names only: the recording holds no other execution to open or ask.
 */
import { useEffect, useState } from 'react';
import { sfn, type ExecutionStatus } from '../api/sfn.js';
import { executionParts, isStandardExecutionArn, type ChildExecution } from '../history/child-executions.js';
import { useExecutionSource } from '../history/execution-source.js';
import { href } from '../router.js';
import { StatusBadge } from './common.js';

/** A link to an execution, named by execution and state machine; Express runs cannot be opened. */
export function ExecutionLink({ executionArn, testId }: { executionArn: string; testId?: string }) {
  const source = useExecutionSource();
  const { machine, name } = executionParts(executionArn);
  const label = (
    <>
      {name}
      {machine && <span className="muted"> of {machine}</span>}
    </>
  );
  if (!isStandardExecutionArn(executionArn)) {
    return (
      <span title={`${executionArn} (Express: no history is kept)`} data-testid={testId}>
        {label} <span className="muted">(Express)</span>
      </span>
    );
  }
  if (source === 'recording') {
    return (
      <span title={`${executionArn} (not in this recording)`} data-testid={testId} data-execution-arn={executionArn}>
        {label}
      </span>
    );
  }
  return (
    <a href={href.execution(executionArn)} title={executionArn} data-testid={testId} data-execution-arn={executionArn}>
      {label}
    </a>
  );
}

/**
 * The child executions of one run of a Task state, with their status: the history's when it
 * knows the end (a `.sync` task), otherwise asked of DescribeExecution once (request-response and
 * `.waitForTaskToken` tasks do not follow the child; a `.sync` child may still be running).
 */
export function ChildExecutionList({ childExecutions, historyLength }: { childExecutions: readonly ChildExecution[]; historyLength: number }) {
  const described = useDescribedStatuses(childExecutions, historyLength);
  if (childExecutions.length === 0) return null;
  const several = childExecutions.length > 1;
  return (
    <div className="child-executions">
      <h4>{several ? `Child executions (${childExecutions.length})` : 'Child execution'}</h4>
      <ul className="child-execution-list" data-testid="child-executions">
        {childExecutions.map((child) => {
          const status = child.status && child.status !== 'RUNNING' ? child.status : (described.get(child.executionArn) ?? child.status);
          return (
            <li key={child.executionArn} data-child-execution={child.executionArn} data-status={status ?? ''}>
              {several && <span className="muted">Attempt {child.attempt}: </span>}
              <ExecutionLink executionArn={child.executionArn} /> {status ? <StatusBadge status={status} /> : <span className="muted">(status unknown)</span>}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** DescribeExecution's status for the Standard children whose end the history does not tell. */
function useDescribedStatuses(childExecutions: readonly ChildExecution[], historyLength: number): ReadonlyMap<string, ExecutionStatus> {
  const [statuses, setStatuses] = useState<ReadonlyMap<string, ExecutionStatus>>(() => new Map());
  const source = useExecutionSource();
  // A recording's children are not on any server this page could ask.
  const wanted = source === 'recording' ? [] : childExecutions.filter((c) => (c.status === undefined || c.status === 'RUNNING') && isStandardExecutionArn(c.executionArn)).map((c) => c.executionArn);
  const key = wanted.join('\n');
  useEffect(() => {
    if (key === '') return;
    const controller = new AbortController();
    void Promise.all(
      key.split('\n').map((arn) =>
        sfn.describeExecution(arn, controller.signal).then(
          (d) => [arn, d.status] as const,
          () => undefined, // a child that is gone (or not readable) just shows the history's status
        ),
      ),
    ).then((results) => {
      if (controller.signal.aborted) return;
      setStatuses(new Map(results.filter((r): r is readonly [string, ExecutionStatus] => r !== undefined)));
    });
    return () => controller.abort();
    // Asked again when the parent's history grows (a running child may have ended meanwhile).
  }, [key, historyLength]);
  return statuses;
}
