/**
 * `stepwise schedules|rules|routes list`: a quick look at what starts executions on a running
 * server, as a table (or `--json`). Everything else — creating, changing, deleting — goes
 * through the AWS CLI (`aws scheduler …`, `aws events …`) or the configuration file (routes).
 *
 * It speaks the server's own APIs over HTTP: the Scheduler's REST API, EventBridge's
 * AWSEvents actions and Stepwise.ListHttpTriggers. Unsigned, as the console's requests are.
 */
import { UsageError } from './io.js';

export type ListKind = 'schedules' | 'rules' | 'routes';

export interface ListOptions {
  readonly kind: ListKind;
  /** The server (default http://127.0.0.1:8083, or STEPWISE_ENDPOINT). */
  readonly endpoint: string;
  readonly json: boolean;
}

const MAX_PAGES = 100;

export async function listCommand(options: ListOptions, out: (line: string) => void): Promise<number> {
  const rows = options.kind === 'schedules' ? await schedules(options.endpoint) : options.kind === 'rules' ? await rules(options.endpoint) : await routes(options.endpoint);
  if (options.json) {
    out(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    out(`No ${options.kind}.`);
    return 0;
  }
  for (const line of table(rows)) out(line);
  return 0;
}

type Row = Record<string, string>;

async function schedules(endpoint: string): Promise<Row[]> {
  const rows: Row[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = (await call(endpoint, `/schedules?MaxResults=100${token ? `&NextToken=${encodeURIComponent(token)}` : ''}`)) as {
      Schedules?: Array<{ Name: string; GroupName: string; State: string; Target?: { Arn?: string } }>;
      NextToken?: string;
    };
    for (const s of answer.Schedules ?? []) {
      const detail = (await call(endpoint, `/schedules/${encodeURIComponent(s.Name)}?groupName=${encodeURIComponent(s.GroupName)}`)) as {
        ScheduleExpression?: string;
        ScheduleExpressionTimezone?: string;
      };
      rows.push({
        NAME: s.Name,
        GROUP: s.GroupName,
        EXPRESSION: `${detail.ScheduleExpression ?? ''}${detail.ScheduleExpressionTimezone && detail.ScheduleExpressionTimezone !== 'UTC' ? ` ${detail.ScheduleExpressionTimezone}` : ''}`,
        STATE: s.State,
        TARGET: s.Target?.Arn ?? '',
      });
    }
    token = answer.NextToken;
    if (!token) break;
  }
  return rows;
}

async function rules(endpoint: string): Promise<Row[]> {
  const rows: Row[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = (await call(endpoint, '/', 'AWSEvents.ListRules', { Limit: 100, ...(token ? { NextToken: token } : {}) })) as {
      Rules?: Array<{ Name: string; EventBusName?: string; EventPattern?: string; ScheduleExpression?: string; State: string }>;
      NextToken?: string;
    };
    for (const r of answer.Rules ?? []) {
      const targets = (await call(endpoint, '/', 'AWSEvents.ListTargetsByRule', { Rule: r.Name, ...(r.EventBusName ? { EventBusName: r.EventBusName } : {}) })) as {
        Targets?: Array<{ Id: string; Arn: string }>;
      };
      rows.push({
        NAME: r.Name,
        BUS: r.EventBusName ?? 'default',
        PATTERN: oneLine(r.EventPattern ?? r.ScheduleExpression ?? ''),
        STATE: r.State,
        TARGETS: (targets.Targets ?? []).map((t) => t.Arn).join(' '),
      });
    }
    token = answer.NextToken;
    if (!token) break;
  }
  return rows;
}

async function routes(endpoint: string): Promise<Row[]> {
  const answer = (await call(endpoint, '/', 'Stepwise.ListHttpTriggers', {})) as {
    triggers: Array<{ name: string; stateMachineArn: string; input: string; wait: boolean; authorization: string }>;
  };
  return answer.triggers.map((t) => ({ ROUTE: t.name, 'STATE MACHINE': t.stateMachineArn, INPUT: t.input, WAIT: String(t.wait), REQUIRES: t.authorization }));
}

/** A GET of `path`, or with `target` a JSON POST of that action; the server's error as a UsageError. */
async function call(endpoint: string, path: string, target?: string, body?: unknown): Promise<unknown> {
  const url = new URL(path, endpoint);
  let response: Response;
  try {
    response = await fetch(
      url,
      target === undefined
        ? { headers: { Accept: 'application/json' } }
        : { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target }, body: JSON.stringify(body) },
    );
  } catch (e) {
    throw new UsageError(`cannot reach the Stepwise server at ${endpoint} (${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}); start it with stepwise serve, or name it with --endpoint`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${url.href} answered ${response.status} with a body that is not JSON: is ${endpoint} a Stepwise server?`);
  }
  if (!response.ok) {
    const error = parsed as { __type?: string; message?: string; Message?: string };
    const type = error.__type ?? response.headers.get('x-amzn-ErrorType')?.split(':')[0] ?? `HTTP ${response.status}`;
    throw new UsageError(`the server refused: ${type.slice(type.lastIndexOf('#') + 1)}: ${error.message ?? error.Message ?? ''}`);
  }
  return parsed;
}

/** A pattern as one line of compact JSON (rules keep the text they were given, newlines included). */
function oneLine(pattern: string): string {
  try {
    return JSON.stringify(JSON.parse(pattern));
  } catch {
    return pattern.replace(/\s*\n\s*/g, ' ');
  }
}

/** Columns padded to their widest cell; the last column is not padded. */
function table(rows: readonly Row[]): string[] {
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))];
}
