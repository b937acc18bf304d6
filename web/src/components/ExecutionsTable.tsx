/**
 * A state machine's executions, newest first: filter by status, page through with nextToken,
 * refreshed every 2 s while one on the page is running.
 */
import { useEffect, useState } from 'react';
import { describeError } from '../api/client.js';
import { sfn, type ExecutionListItem, type ExecutionStatus } from '../api/sfn.js';
import { formatDate, formatDuration } from '../format.js';
import { href } from '../router.js';
import { ErrorMessage, ExecutionStatusFilter, Pager, StatusBadge } from './common.js';

const PAGE_SIZE = 25;

export function ExecutionsTable({ stateMachineArn }: { stateMachineArn: string }) {
  const [status, setStatus] = useState<ExecutionStatus | ''>('');
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState(0);
  const [executions, setExecutions] = useState<ExecutionListItem[] | undefined>(undefined);
  const [nextToken, setNextToken] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let current = true;
    sfn
      .listExecutions({ stateMachineArn, maxResults: PAGE_SIZE, ...(status ? { statusFilter: status } : {}), ...(tokens[page] ? { nextToken: tokens[page] } : {}) })
      .then((result) => {
        if (!current) return;
        setError(undefined);
        setExecutions(result.executions);
        setNextToken(result.nextToken);
      })
      .catch((e: unknown) => current && setError(describeError(e)));
    return () => {
      current = false;
    };
  }, [stateMachineArn, status, page, tokens, tick]);

  const anyRunning = executions?.some((e) => e.status === 'RUNNING') ?? false;
  useEffect(() => {
    if (!anyRunning) return;
    const timer = setTimeout(() => setTick((t) => t + 1), 2000);
    return () => clearTimeout(timer);
  }, [anyRunning, tick]);

  return (
    <>
      <div className="toolbar">
        <ExecutionStatusFilter
          id="execution-status-filter"
          value={status}
          onChange={(selected) => {
            setStatus(selected);
            setTokens([undefined]);
            setPage(0);
          }}
        />
        <button type="button" onClick={() => setTick((t) => t + 1)}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={error} />
      <ExecutionList executions={executions} />
      {(page > 0 || nextToken) && (
        <Pager
          page={page}
          hasNext={nextToken !== undefined}
          onPrevious={() => setPage((p) => p - 1)}
          onNext={() => {
            setTokens((t) => [...t.slice(0, page + 1), nextToken]);
            setPage((p) => p + 1);
          }}
        />
      )}
    </>
  );
}

export function ExecutionList({
  executions,
  showMachine,
  caption = 'Executions',
  empty = 'No executions.',
  testId = 'executions',
}: {
  executions: ExecutionListItem[] | undefined;
  showMachine?: boolean;
  caption?: string;
  empty?: string;
  testId?: string;
}) {
  if (executions === undefined) return <p className="muted">Loading…</p>;
  if (executions.length === 0) return <p className="muted">{empty}</p>;
  const now = Date.now();
  return (
    <table className="table" data-testid={testId}>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          {showMachine && <th scope="col">State machine</th>}
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Ended</th>
          <th scope="col">Duration</th>
        </tr>
      </thead>
      <tbody>
        {executions.map((e) => (
          <tr key={e.executionArn} data-execution={e.name} data-status={e.status}>
            <td>
              <a href={href.execution(e.executionArn)}>{e.name}</a>
            </td>
            {showMachine && (
              <td>
                <a href={href.machine(e.stateMachineArn)}>{e.stateMachineArn.split(':')[6]}</a>
              </td>
            )}
            <td>
              <StatusBadge status={e.status} />
            </td>
            <td>{formatDate(e.startDate)}</td>
            <td>{formatDate(e.stopDate)}</td>
            <td>{formatDuration(((e.stopDate ?? now / 1000) - e.startDate) * 1000)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
