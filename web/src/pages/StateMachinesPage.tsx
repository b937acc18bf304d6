/** State machines: name, type, creation date and the status of the latest execution. */
import { useEffect, useState } from 'react';
import { describeError } from '../api/client.js';
import { GuardedLink } from '../auth/GuardedLink.js';
import { usePermissions } from '../auth/permissions.js';
import { useSession } from '../auth/session.js';
import { sfn, type ExecutionListItem, type StateMachineListItem } from '../api/sfn.js';
import { ErrorMessage, Pager, StatusBadge, useDocumentTitle } from '../components/common.js';
import { formatDate } from '../format.js';
import { href } from '../router.js';

const PAGE_SIZE = 25;

export function StateMachinesPage() {
  useDocumentTitle('State machines');
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState(0);
  const [machines, setMachines] = useState<StateMachineListItem[] | undefined>(undefined);
  const [nextToken, setNextToken] = useState<string | undefined>(undefined);
  const [latest, setLatest] = useState<Record<string, ExecutionListItem | null>>({});
  const [error, setError] = useState<string | undefined>(undefined);
  // AWS authorises CreateStateMachine on the ARN the new name makes; any name is asked as `*`.
  const { config } = useSession();
  const anyMachine = `arn:aws:states:${config?.region ?? ''}:${config?.accountId ?? ''}:stateMachine:*`;
  const createWhy = usePermissions([{ action: 'states:CreateStateMachine', resource: anyMachine }]).why('states:CreateStateMachine', anyMachine);

  useEffect(() => {
    let current = true;
    setError(undefined);
    sfn
      .listStateMachines(PAGE_SIZE, tokens[page])
      .then(async (result) => {
        if (!current) return;
        setMachines(result.stateMachines);
        setNextToken(result.nextToken);
        const entries = await Promise.all(
          result.stateMachines.map(async (m) => {
            try {
              const executions = await sfn.listExecutions({ stateMachineArn: m.stateMachineArn, maxResults: 1 });
              return [m.stateMachineArn, executions.executions[0] ?? null] as const;
            } catch {
              return [m.stateMachineArn, null] as const;
            }
          }),
        );
        if (current) setLatest(Object.fromEntries(entries));
      })
      .catch((e: unknown) => current && setError(describeError(e)));
    return () => {
      current = false;
    };
  }, [page, tokens]);

  return (
    <>
      <div className="page-header">
        <h1>State machines</h1>
        <GuardedLink className="button button-primary" href={href.create()} why={createWhy} testId="create-state-machine">
          Create state machine
        </GuardedLink>
      </div>
      <ErrorMessage error={error} />
      {machines === undefined && !error && <p className="muted">Loading…</p>}
      {machines !== undefined && machines.length === 0 && page === 0 && (
        <div className="empty">
          <p>No state machines yet.</p>
          <GuardedLink className="button button-primary" href={href.create()} why={createWhy}>
            Create your first state machine
          </GuardedLink>
        </div>
      )}
      {machines !== undefined && machines.length > 0 && (
        <table className="table" data-testid="state-machines">
          <caption className="visually-hidden">State machines</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Created</th>
              <th scope="col">Last execution</th>
            </tr>
          </thead>
          <tbody>
            {machines.map((m) => {
              const last = latest[m.stateMachineArn];
              return (
                <tr key={m.stateMachineArn} data-machine={m.name}>
                  <td>
                    <a href={href.machine(m.stateMachineArn)}>{m.name}</a>
                  </td>
                  <td>{m.type}</td>
                  <td>{formatDate(m.creationDate)}</td>
                  <td>
                    {last === undefined ? (
                      <span className="muted">…</span>
                    ) : last === null ? (
                      <span className="muted">None</span>
                    ) : (
                      <a href={href.execution(last.executionArn)} className="status-link">
                        <StatusBadge status={last.status} /> <span className="muted">{formatDate(last.startDate)}</span>
                      </a>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
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
