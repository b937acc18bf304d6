/**
 * What starts executions besides a client: EventBridge Scheduler schedules (its REST API),
 * EventBridge rules (AWSEvents), the configuration file's HTTP routes and the dead-letter list
 * (Stepwise's own actions), and what started one execution.
 */
import { callApi, getJson } from './client.js';

export interface ScheduleSummary {
  Arn: string;
  Name: string;
  GroupName: string;
  State: 'ENABLED' | 'DISABLED';
  Target: { Arn: string };
}

export interface ScheduleDetail extends ScheduleSummary {
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  Target: { Arn: string; Input?: string };
}

export interface RuleSummary {
  Name: string;
  Arn: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: string;
  EventBusName?: string;
}

export interface RuleTarget {
  Id: string;
  Arn: string;
}

export interface HttpRoute {
  name: string;
  method: string;
  path: string;
  stateMachineArn: string;
  input: 'body' | 'request';
  wait: boolean;
  authorization: 'NONE' | 'API_KEY' | 'HMAC';
}

export interface DeadLetter {
  id: string;
  source: 'schedule' | 'rule';
  sourceArn: string;
  targetArn: string;
  targetId?: string;
  payload: string;
  error: string;
  cause: string;
  attempts: number;
  eventTime: number;
  time: number;
}

export type Origin =
  | { type: 'api' }
  | { type: 'schedule'; arn: string; scheduledTime: number }
  | { type: 'route'; name: string }
  | { type: 'rule'; arn: string; eventId: string }
  | { type: 'parent'; arn: string };

/** The universal target of the Scheduler that starts an execution (its Input names the machine). */
const START_EXECUTION_TARGET = 'arn:aws:scheduler:::aws-sdk:sfn:startExecution';
/** Pages followed at most: the console lists, it does not crawl. */
const MAX_PAGES = 10;

export async function listSchedules(): Promise<ScheduleSummary[]> {
  const all: ScheduleSummary[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await getJson<{ Schedules: ScheduleSummary[]; NextToken?: string }>(`/schedules?MaxResults=100${token ? `&NextToken=${encodeURIComponent(token)}` : ''}`);
    all.push(...answer.Schedules);
    token = answer.NextToken;
    if (!token) break;
  }
  return all;
}

export const getSchedule = (name: string, group: string) => getJson<ScheduleDetail>(`/schedules/${encodeURIComponent(name)}?groupName=${encodeURIComponent(group)}`);

/** Does the target start this machine (itself, one of its versions or aliases)? */
export function targetsMachine(targetArn: string, machineArn: string): boolean {
  return targetArn === machineArn || targetArn.startsWith(`${machineArn}:`);
}

/** The schedules that start `machineArn`, with their expressions. */
export async function schedulesOf(machineArn: string): Promise<ScheduleDetail[]> {
  const summaries = (await listSchedules()).filter((s) => targetsMachine(s.Target.Arn, machineArn) || s.Target.Arn === START_EXECUTION_TARGET);
  const details = await Promise.all(summaries.map((s) => getSchedule(s.Name, s.GroupName)));
  return details.filter((d) => targetsMachine(d.Target.Arn, machineArn) || (d.Target.Arn === START_EXECUTION_TARGET && universalTargetMachine(d.Target.Input) === machineArn));
}

function universalTargetMachine(input: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(input ?? '{}') as { StateMachineArn?: unknown };
    return typeof parsed.StateMachineArn === 'string' ? parsed.StateMachineArn : undefined;
  } catch {
    return undefined;
  }
}

export async function listRules(): Promise<RuleSummary[]> {
  const all: RuleSummary[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await callApi<{ Rules?: RuleSummary[]; NextToken?: string }>('ListRules', { Limit: 100, ...(token ? { NextToken: token } : {}) }, undefined, 'AWSEvents');
    all.push(...(answer.Rules ?? []));
    token = answer.NextToken;
    if (!token) break;
  }
  return all;
}

export const listTargets = (rule: RuleSummary) =>
  callApi<{ Targets?: RuleTarget[] }>('ListTargetsByRule', { Rule: rule.Name, ...(rule.EventBusName ? { EventBusName: rule.EventBusName } : {}) }, undefined, 'AWSEvents').then((a) => a.Targets ?? []);

/** The rules with a target that starts `machineArn`. */
export async function rulesOf(machineArn: string): Promise<RuleSummary[]> {
  const rules = await listRules();
  const targets = await Promise.all(rules.map(listTargets));
  return rules.filter((_, i) => targets[i]!.some((t) => targetsMachine(t.Arn, machineArn)));
}

export const listHttpRoutes = () => callApi<{ triggers: HttpRoute[] }>('ListHttpTriggers', {}, undefined, 'Stepwise').then((a) => a.triggers);

export const listDeadLetters = (nextToken?: string) =>
  callApi<{ deadLetters: DeadLetter[]; nextToken?: string }>('ListDeadLetters', { maxResults: 100, ...(nextToken ? { nextToken } : {}) }, undefined, 'Stepwise');

export const deleteDeadLetters = (ids: string[]) => callApi<{ deleted: number }>('DeleteDeadLetters', { ids }, undefined, 'Stepwise');

export const describeOrigin = (executionArn: string) =>
  callApi<{ startedBy: Origin }>('DescribeExecutionOrigin', { executionArn }, undefined, 'Stepwise').then((a) => a.startedBy);
