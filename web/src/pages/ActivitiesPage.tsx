/** Activities: name, ARN, creation date. */
import { useEffect, useState } from 'react';
import { describeError } from '../api/client.js';
import { sfn, type ActivityListItem } from '../api/sfn.js';
import { ErrorMessage, Pager, useDocumentTitle } from '../components/common.js';
import { formatDate } from '../format.js';

const PAGE_SIZE = 50;

export function ActivitiesPage() {
  useDocumentTitle('Activities');
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState(0);
  const [activities, setActivities] = useState<ActivityListItem[] | undefined>(undefined);
  const [nextToken, setNextToken] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    let current = true;
    sfn
      .listActivities(PAGE_SIZE, tokens[page])
      .then((result) => {
        if (!current) return;
        setActivities(result.activities);
        setNextToken(result.nextToken);
      })
      .catch((e: unknown) => current && setError(describeError(e)));
    return () => {
      current = false;
    };
  }, [page, tokens]);

  return (
    <>
      <div className="page-header">
        <h1>Activities</h1>
      </div>
      <p className="muted">Activities are created with the CreateActivity API; workers poll them with GetActivityTask.</p>
      <ErrorMessage error={error} />
      {activities === undefined && !error && <p className="muted">Loading…</p>}
      {activities !== undefined && activities.length === 0 && <p className="muted">No activities.</p>}
      {activities !== undefined && activities.length > 0 && (
        <table className="table" data-testid="activities">
          <caption className="visually-hidden">Activities</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">ARN</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {activities.map((a) => (
              <tr key={a.activityArn} data-activity={a.name}>
                <td>{a.name}</td>
                <td>
                  <code>{a.activityArn}</code>
                </td>
                <td>{formatDate(a.creationDate)}</td>
              </tr>
            ))}
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
