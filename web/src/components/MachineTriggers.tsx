/** A state machine's Triggers tab: the schedules, event rules and HTTP routes that start it. */
import { useEffect, useState } from 'react';
import { describeError } from '../api/client.js';
import { listHttpRoutes, rulesOf, schedulesOf, targetsMachine, type HttpRoute, type RuleSummary, type ScheduleDetail } from '../api/triggers.js';
import { ErrorMessage } from './common.js';
import { RoutesTable, RulesTable, SchedulesTable } from './TriggerTables.js';

export function MachineTriggers({ stateMachineArn }: { stateMachineArn: string }) {
  const [schedules, setSchedules] = useState<ScheduleDetail[] | undefined>(undefined);
  const [rules, setRules] = useState<RuleSummary[] | undefined>(undefined);
  const [routes, setRoutes] = useState<HttpRoute[] | undefined>(undefined);
  const [errors, setErrors] = useState<string[]>([]);

  useEffect(() => {
    let current = true;
    const fail = (what: string) => (e: unknown) => current && setErrors((list) => [...list, `${what}: ${describeError(e)}`]);
    schedulesOf(stateMachineArn).then((s) => current && setSchedules(s), fail('Schedules'));
    rulesOf(stateMachineArn).then((r) => current && setRules(r), fail('Event rules'));
    listHttpRoutes().then((r) => current && setRoutes(r.filter((route) => targetsMachine(route.stateMachineArn, stateMachineArn))), fail('HTTP routes'));
    return () => {
      current = false;
    };
  }, [stateMachineArn]);

  return (
    <div data-testid="machine-triggers">
      {errors.map((e) => (
        <ErrorMessage key={e} error={e} />
      ))}
      <h2>Schedules</h2>
      {schedules ? <SchedulesTable schedules={schedules} /> : <p className="muted">Loading…</p>}
      <h2>Event rules</h2>
      {rules ? <RulesTable rules={rules} /> : <p className="muted">Loading…</p>}
      <h2>HTTP routes</h2>
      {routes ? <RoutesTable routes={routes} /> : <p className="muted">Loading…</p>}
    </div>
  );
}
