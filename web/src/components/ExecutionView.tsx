/**
 * What the execution page and the recording page both show of an execution: name and status,
 * dates and duration, its error, the graph coloured by what happened to each state with the
 * selected state's runs, input and output, and the event history. The data comes from the
 * caller (useExecution from the API, useRecordedExecution from a file); what only a server can
 * do (Stop, Redrive, New execution, Map Runs, what started it) comes in through the slots.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { ErrorMessage, JsonBlock, StatusBadge } from './common.js';
import { ExecutionLink } from './ExecutionLinks.js';
import { HistoryTable } from './HistoryTable.js';
import { RunPanel } from './RunPanel.js';
import { arnName, formatDate, formatDuration, prettyJson } from '../format.js';
import { GraphView } from '../graph/GraphView.js';
import { startedByExecution } from '../history/child-executions.js';
import type { Thread } from '../history/derive.js';
import type { ExecutionData } from '../history/use-execution.js';
import { findState } from '../pages/EditorPage.js';

export interface ExecutionViewProps {
  readonly data: ExecutionData;
  /** The breadcrumb's items before the execution's name (which the view adds). */
  readonly breadcrumb: ReactNode;
  /** Under the name: what the execution belongs to (a Map Run) or where it comes from. */
  readonly belongsTo?: ReactNode;
  /** Buttons at the header's end. */
  readonly actions?: ReactNode;
  /** The last action's failure. */
  readonly actionError?: string;
  /** Rows of the details after Started (`<div><dt/><dd/></div>`): what started the execution, or the file it was read from. */
  readonly origin?: ReactNode;
  /** Between the graph and the input and output (the Map Runs). */
  readonly afterGraph?: ReactNode;
  /** Dialogs the actions open. */
  readonly children?: ReactNode;
}

export function ExecutionView({ data, breadcrumb, belongsTo, actions, actionError, origin, afterGraph, children }: ExecutionViewProps) {
  const { execution, model, definition, version } = data;
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [focus, setFocus] = useState<Thread | undefined>(undefined);

  const statuses = useMemo(() => model?.focusedStatuses(focus), [model, version, focus]); // eslint-disable-line react-hooks/exhaustive-deps
  const parentArn = useMemo(() => startedByExecution(execution?.input), [execution?.input]);
  // Re-formatted only when they change: the page re-renders every few hundred ms while a long
  // history loads or the execution runs, and a large input takes tens of milliseconds to indent.
  const inputText = useMemo(() => prettyJson(execution?.input), [execution?.input]);
  const outputText = useMemo(() => prettyJson(execution?.output), [execution?.output]);

  const running = execution?.status === 'RUNNING';
  const end = execution?.stopDate ?? (running ? Date.now() / 1000 : undefined);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        {breadcrumb} › <span>{execution?.name ?? '…'}</span>
      </nav>
      <div className="page-header">
        <div>
          <h1>
            {execution?.name ?? 'Execution'}{' '}
            <StatusBadge status={execution?.status} testId="execution-status" />
          </h1>
          {belongsTo}
          {parentArn && (
            <p className="started-by" data-testid="started-by">
              Started by <ExecutionLink executionArn={parentArn} />
            </p>
          )}
        </div>
        <div className="actions">{actions}</div>
      </div>
      <ErrorMessage error={data.error} />
      <ErrorMessage error={actionError} />
      {execution && (
        <dl className="details">
          <div>
            <dt>Execution ARN</dt>
            <dd>
              <code>{execution.executionArn}</code>
            </dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatDate(execution.startDate)}</dd>
          </div>
          {origin}
          <div>
            <dt>Ended</dt>
            <dd>{formatDate(execution.stopDate)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd data-testid="execution-duration">{formatDuration(end === undefined ? undefined : (end - execution.startDate) * 1000)}</dd>
          </div>
          {(execution.redriveCount ?? 0) > 0 && (
            <div>
              <dt>Redrives</dt>
              <dd>
                {execution.redriveCount} (last {formatDate(execution.redriveDate)})
              </dd>
            </div>
          )}
          {execution.stateMachineVersionArn && (
            <div>
              <dt>Version</dt>
              <dd>{arnName(execution.stateMachineVersionArn)}</dd>
            </div>
          )}
        </dl>
      )}
      {execution?.error !== undefined || execution?.cause !== undefined ? (
        <div className="execution-error" role="note" aria-label="Execution error">
          <strong>{execution?.error ?? 'Error'}</strong>
          {execution?.cause && <pre className="cause">{prettyJson(execution.cause)}</pre>}
        </div>
      ) : null}

      <section aria-labelledby="graph-heading" className="section">
        <h2 id="graph-heading">Graph</h2>
        {focus && (
          <p className="focus-banner" role="status">
            Showing <strong>{focus.label}</strong> only.{' '}
            <button type="button" className="link-button" onClick={() => setFocus(undefined)}>
              Show the whole execution
            </button>
          </p>
        )}
        <div className="graph-with-panel">
          {definition !== undefined ? (
            <GraphView definition={definition} statuses={statuses} selected={selected} onSelect={setSelected} label="Execution graph" exportName={execution?.name ?? 'execution'} height="560px" />
          ) : (
            <p className="muted">Loading…</p>
          )}
          {selected && model && (
            <RunPanel key={`${selected}:${focus?.id ?? ''}`} model={model} version={version} name={selected} definition={findState(definition, selected)} focus={focus} onFocus={setFocus} onClose={() => setSelected(undefined)} />
          )}
        </div>
      </section>

      {afterGraph}

      <section aria-labelledby="io-heading" className="section">
        <h2 id="io-heading">Input and output</h2>
        <div className="two-columns">
          <div>
            <h3>Input</h3>
            <JsonBlock label="Execution input" text={inputText} />
          </div>
          <div>
            <h3>Output</h3>
            <JsonBlock label="Execution output" text={outputText} />
          </div>
        </div>
      </section>

      <section aria-labelledby="events-heading" className="section">
        <h2 id="events-heading">Events {data.loading && <span className="muted">(loading…)</span>}</h2>
        {model && <HistoryTable model={model} version={version} focus={focus} onSelectState={setSelected} />}
      </section>

      {children}
    </>
  );
}
