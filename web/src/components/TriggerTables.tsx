/**
 * Tables of what starts executions: schedules, event rules and HTTP routes. Used by a state
 * machine's Triggers tab (only what starts it) and by the Triggers page (everything).
 */
import type { HttpRoute, RuleSummary, ScheduleDetail } from '../api/triggers.js';
import { arnName } from '../format.js';
import { href } from '../router.js';

export function SchedulesTable({ schedules, showTarget }: { schedules: ScheduleDetail[]; showTarget?: boolean }) {
  if (schedules.length === 0) return <p className="muted">No schedules.</p>;
  return (
    <table className="table" data-testid="schedules">
      <caption className="visually-hidden">Schedules</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Group</th>
          <th scope="col">Expression</th>
          <th scope="col">State</th>
          {showTarget && <th scope="col">Target</th>}
        </tr>
      </thead>
      <tbody>
        {schedules.map((s) => (
          <tr key={s.Arn} data-schedule={s.Name}>
            <td>{s.Name}</td>
            <td>{s.GroupName}</td>
            <td>
              <code>{s.ScheduleExpression}</code>
              {s.ScheduleExpressionTimezone && s.ScheduleExpressionTimezone !== 'UTC' ? ` (${s.ScheduleExpressionTimezone})` : ''}
            </td>
            <td>{s.State}</td>
            {showTarget && <td>{targetCell(s.Target.Arn)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RulesTable({ rules }: { rules: RuleSummary[] }) {
  if (rules.length === 0) return <p className="muted">No event rules.</p>;
  return (
    <table className="table" data-testid="rules">
      <caption className="visually-hidden">Event rules</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Bus</th>
          <th scope="col">Event pattern</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {rules.map((r) => (
          <tr key={r.Arn} data-rule={r.Name}>
            <td>{r.Name}</td>
            <td>{r.EventBusName ?? 'default'}</td>
            <td>
              <code>{r.EventPattern ?? r.ScheduleExpression ?? ''}</code>
            </td>
            <td>{r.State}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RoutesTable({ routes, showTarget }: { routes: HttpRoute[]; showTarget?: boolean }) {
  if (routes.length === 0) return <p className="muted">No HTTP routes (they are declared under httpTriggers in stepwise.config.json).</p>;
  return (
    <table className="table" data-testid="routes">
      <caption className="visually-hidden">HTTP routes</caption>
      <thead>
        <tr>
          <th scope="col">Route</th>
          <th scope="col">Input</th>
          <th scope="col">Answer</th>
          <th scope="col">Requires</th>
          {showTarget && <th scope="col">State machine</th>}
        </tr>
      </thead>
      <tbody>
        {routes.map((r) => (
          <tr key={r.name} data-route={r.name}>
            <td>
              <code>{r.name}</code>
            </td>
            <td>{r.input === 'request' ? 'the whole request' : 'the body'}</td>
            <td>{r.wait ? 'the output (waits)' : 'the execution ARN'}</td>
            <td>{r.authorization === 'API_KEY' ? 'an API key' : r.authorization === 'HMAC' ? 'an HMAC signature' : 'nothing'}</td>
            {showTarget && <td>{targetCell(r.stateMachineArn)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A state machine target links to its page; anything else shows its ARN. */
function targetCell(arn: string) {
  const machine = /^(arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[^:]+)/.exec(arn)?.[1];
  return machine ? <a href={href.machine(machine)}>{arnName(arn)}</a> : <code>{arn}</code>;
}
