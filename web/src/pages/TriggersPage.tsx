/**
 * Everything that starts executions besides a client (schedules, event rules, HTTP routes), and
 * the dead-letter list: firings and events that could not be delivered after their retries.
 */
import { useEffect, useState } from 'react';
import { describeError } from '../api/client.js';
import {
  deleteDeadLetters,
  getSchedule,
  listDeadLetters,
  listHttpRoutes,
  listRules,
  listSchedules,
  type DeadLetter,
  type HttpRoute,
  type RuleSummary,
  type ScheduleDetail,
} from '../api/triggers.js';
import { ErrorMessage, JsonBlock, useDocumentTitle } from '../components/common.js';
import { RoutesTable, RulesTable, SchedulesTable } from '../components/TriggerTables.js';
import { arnName, formatDate } from '../format.js';

export function TriggersPage() {
  useDocumentTitle('Triggers');
  const [schedules, setSchedules] = useState<ScheduleDetail[] | undefined>(undefined);
  const [rules, setRules] = useState<RuleSummary[] | undefined>(undefined);
  const [routes, setRoutes] = useState<HttpRoute[] | undefined>(undefined);
  const [errors, setErrors] = useState<string[]>([]);

  useEffect(() => {
    let current = true;
    const fail = (what: string) => (e: unknown) => current && setErrors((list) => [...list, `${what}: ${describeError(e)}`]);
    listSchedules()
      .then((all) => Promise.all(all.map((s) => getSchedule(s.Name, s.GroupName))))
      .then((s) => current && setSchedules(s), fail('Schedules'));
    listRules().then((r) => current && setRules(r), fail('Event rules'));
    listHttpRoutes().then((r) => current && setRoutes(r), fail('HTTP routes'));
    return () => {
      current = false;
    };
  }, []);

  return (
    <>
      <div className="page-header">
        <h1>Triggers</h1>
      </div>
      <p className="muted">
        Schedules are managed with the EventBridge Scheduler API (<code>aws scheduler …</code>), rules with the EventBridge API (<code>aws events …</code>), routes in
        stepwise.config.json.
      </p>
      {errors.map((e) => (
        <ErrorMessage key={e} error={e} />
      ))}
      <h2>Schedules</h2>
      {schedules ? <SchedulesTable schedules={schedules} showTarget /> : <p className="muted">Loading…</p>}
      <h2>Event rules</h2>
      {rules ? <RulesTable rules={rules} /> : <p className="muted">Loading…</p>}
      <h2>HTTP routes</h2>
      {routes ? <RoutesTable routes={routes} showTarget /> : <p className="muted">Loading…</p>}
      <DeadLetters />
    </>
  );
}

function DeadLetters() {
  const [letters, setLetters] = useState<DeadLetter[] | undefined>(undefined);
  const [nextToken, setNextToken] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [open, setOpen] = useState<string | undefined>(undefined);

  const load = (token?: string) =>
    listDeadLetters(token).then(
      (page) => {
        setLetters((before) => (token ? [...(before ?? []), ...page.deadLetters] : page.deadLetters));
        setNextToken(page.nextToken);
      },
      (e: unknown) => setError(describeError(e)),
    );
  useEffect(() => void load(), []);

  const dismiss = async (id: string) => {
    try {
      await deleteDeadLetters([id]);
      setLetters((list) => list?.filter((l) => l.id !== id));
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <>
      <h2>Dead letters</h2>
      <p className="muted">Schedule firings and events whose target failed after every retry of its retry policy, newest first.</p>
      <ErrorMessage error={error} />
      {letters === undefined && !error && <p className="muted">Loading…</p>}
      {letters !== undefined && letters.length === 0 && <p className="muted">No dead letters.</p>}
      {letters !== undefined && letters.length > 0 && (
        <table className="table" data-testid="dead-letters">
          <caption className="visually-hidden">Dead letters</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">From</th>
              <th scope="col">Target</th>
              <th scope="col">Error</th>
              <th scope="col">Attempts</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {letters.map((l) => (
              <tr key={l.id} data-dead-letter={l.id}>
                <td>{formatDate(l.time)}</td>
                <td>
                  {l.source === 'schedule' ? 'schedule' : 'rule'} {arnName(l.sourceArn)}
                </td>
                <td>
                  <code>{l.targetId ? `${l.targetId}: ` : ''}{l.targetArn}</code>
                </td>
                <td>
                  <strong>{l.error}</strong> {l.cause}
                  {open === l.id && <JsonBlock text={l.payload} label="What was to be delivered" />}
                </td>
                <td>{l.attempts}</td>
                <td>
                  <button type="button" onClick={() => setOpen(open === l.id ? undefined : l.id)}>
                    {open === l.id ? 'Hide' : 'Show'} payload
                  </button>{' '}
                  <button type="button" onClick={() => void dismiss(l.id)}>
                    Dismiss
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextToken && (
        <button type="button" onClick={() => void load(nextToken)}>
          More
        </button>
      )}
    </>
  );
}
