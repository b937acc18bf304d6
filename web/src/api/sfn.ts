/**
 * Typed wrappers for the Step Functions actions the console uses. Shapes follow the AWS API;
 * timestamps are epoch seconds (numbers), as AWS JSON 1.0 sends them.
 */
import { callApi } from './client.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
export type StateMachineType = 'STANDARD' | 'EXPRESS';

export interface StateMachineListItem {
  stateMachineArn: string;
  name: string;
  type: StateMachineType;
  creationDate: number;
}

export interface StateMachineDescription {
  stateMachineArn: string;
  name: string;
  status?: string;
  definition: string;
  roleArn: string;
  type: StateMachineType;
  creationDate: number;
  description?: string;
  revisionId?: string;
  label?: string;
}

export interface ExecutionListItem {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  redriveCount?: number;
  redriveDate?: number;
  stateMachineVersionArn?: string;
  stateMachineAliasArn?: string;
  /** Set on a Distributed Map's child execution: the Map Run it belongs to. */
  mapRunArn?: string;
}

export interface ExecutionDescription extends ExecutionListItem {
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  redriveStatus?: 'REDRIVABLE' | 'NOT_REDRIVABLE' | 'REDRIVABLE_BY_MAP_RUN';
  redriveStatusReason?: string;
}

export type MapRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface MapRunListItem {
  executionArn: string;
  mapRunArn: string;
  stateMachineArn: string;
  startDate: number;
  stopDate?: number;
}

/** DescribeMapRun's itemCounts and executionCounts. */
export interface MapRunCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
  failuresNotRedrivable?: number;
  pendingRedrive?: number;
}

export interface MapRunDescription {
  mapRunArn: string;
  /** The execution whose Distributed Map started the Map Run. */
  executionArn: string;
  status: MapRunStatus;
  startDate: number;
  stopDate?: number;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  toleratedFailureCount: number;
  itemCounts: MapRunCounts;
  executionCounts: MapRunCounts;
  redriveCount?: number;
  redriveDate?: number;
}

/** ListExecutions lists a state machine's (version's, alias's) executions, or a Map Run's child executions. */
export type ExecutionsOf = { stateMachineArn: string } | { mapRunArn: string };

/** A history event as GetExecutionHistory returns it: `<type>EventDetails` fields vary. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  type: string;
  timestamp: number;
  [detailsField: string]: unknown;
}

export interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  code: string;
  message: string;
  location?: string;
}

export interface VersionListItem {
  stateMachineVersionArn: string;
  creationDate: number;
}

export interface AliasListItem {
  stateMachineAliasArn: string;
  creationDate: number;
}

export interface AliasDescription {
  stateMachineAliasArn: string;
  name: string;
  description?: string;
  routingConfiguration: { stateMachineVersionArn: string; weight: number }[];
  creationDate: number;
  updateDate?: number;
}

export interface ActivityListItem {
  activityArn: string;
  name: string;
  creationDate: number;
}

export interface Page {
  nextToken?: string;
}

/** The role the console puts on the machines it creates (Stepwise does not check roles). */
export const CONSOLE_ROLE_ARN = 'arn:aws:iam::123456789012:role/StepwiseConsoleRole';

export const sfn = {
  listStateMachines: (maxResults: number, nextToken?: string) =>
    callApi<Page & { stateMachines: StateMachineListItem[] }>('ListStateMachines', { maxResults, ...(nextToken ? { nextToken } : {}) }),
  describeStateMachine: (stateMachineArn: string) => callApi<StateMachineDescription>('DescribeStateMachine', { stateMachineArn }),
  createStateMachine: (input: { name: string; definition: string; type: StateMachineType; publish?: boolean }) =>
    callApi<{ stateMachineArn: string; creationDate: number; stateMachineVersionArn?: string }>('CreateStateMachine', { ...input, roleArn: CONSOLE_ROLE_ARN }),
  updateStateMachine: (input: { stateMachineArn: string; definition: string; publish?: boolean; versionDescription?: string }) =>
    callApi<{ updateDate: number; revisionId?: string; stateMachineVersionArn?: string }>('UpdateStateMachine', input),
  deleteStateMachine: (stateMachineArn: string) => callApi<object>('DeleteStateMachine', { stateMachineArn }),
  validateDefinition: (definition: string, type: StateMachineType, signal?: AbortSignal) =>
    callApi<{ result: 'OK' | 'FAIL'; diagnostics: Diagnostic[]; truncated?: boolean }>('ValidateStateMachineDefinition', { definition, type }, signal),

  startExecution: (stateMachineArn: string, input: string, name?: string) =>
    callApi<{ executionArn: string; startDate: number }>('StartExecution', { stateMachineArn, input, ...(name ? { name } : {}) }),
  describeExecution: (executionArn: string, signal?: AbortSignal) => callApi<ExecutionDescription>('DescribeExecution', { executionArn }, signal),
  describeStateMachineForExecution: (executionArn: string) =>
    callApi<StateMachineDescription>('DescribeStateMachineForExecution', { executionArn }),
  listExecutions: (input: ExecutionsOf & { statusFilter?: ExecutionStatus; maxResults: number; nextToken?: string }, signal?: AbortSignal) =>
    callApi<Page & { executions: ExecutionListItem[] }>('ListExecutions', input, signal),
  getExecutionHistory: (executionArn: string, maxResults: number, nextToken: string | undefined, signal?: AbortSignal, reverseOrder = false) =>
    callApi<Page & { events: HistoryEvent[] }>(
      'GetExecutionHistory',
      { executionArn, maxResults, includeExecutionData: true, ...(reverseOrder ? { reverseOrder } : {}), ...(nextToken ? { nextToken } : {}) },
      signal,
    ),
  stopExecution: (executionArn: string, error?: string, cause?: string) =>
    callApi<{ stopDate: number }>('StopExecution', { executionArn, ...(error ? { error } : {}), ...(cause ? { cause } : {}) }),
  redriveExecution: (executionArn: string) => callApi<{ redriveDate: number }>('RedriveExecution', { executionArn }),
  listMapRuns: (executionArn: string, nextToken?: string, signal?: AbortSignal) =>
    callApi<Page & { mapRuns: MapRunListItem[] }>('ListMapRuns', { executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }, signal),
  describeMapRun: (mapRunArn: string, signal?: AbortSignal) => callApi<MapRunDescription>('DescribeMapRun', { mapRunArn }, signal),

  listVersions: (stateMachineArn: string, nextToken?: string) =>
    callApi<Page & { stateMachineVersions: VersionListItem[] }>('ListStateMachineVersions', { stateMachineArn, maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
  listAliases: (stateMachineArn: string, nextToken?: string) =>
    callApi<Page & { stateMachineAliases: AliasListItem[] }>('ListStateMachineAliases', { stateMachineArn, maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
  describeAlias: (stateMachineAliasArn: string) => callApi<AliasDescription>('DescribeStateMachineAlias', { stateMachineAliasArn }),
  listActivities: (maxResults: number, nextToken?: string) =>
    callApi<Page & { activities: ActivityListItem[] }>('ListActivities', { maxResults, ...(nextToken ? { nextToken } : {}) }),
};

/** Every state machine, following nextToken. */
export async function listAllStateMachines(): Promise<StateMachineListItem[]> {
  const all: StateMachineListItem[] = [];
  let token: string | undefined;
  do {
    const page = await sfn.listStateMachines(1000, token);
    all.push(...page.stateMachines);
    token = page.nextToken;
  } while (token);
  return all;
}
