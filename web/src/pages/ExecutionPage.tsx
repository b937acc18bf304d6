/**
 * One execution: status, dates and duration, Stop/Redrive, its graph coloured by what happened
 * to each state (live while it runs), the selected state's runs, input and output, and the
 * event history; "Started by" its parent when another execution started it, and what started it
 * otherwise (an API call, a schedule, an HTTP route, an event rule). A Distributed Map's child
 * execution names its Map Run and the execution it belongs to; an execution with Map Runs lists
 * them with their child executions.
 */
import { useMemo, useState } from 'react';
import { describeError } from '../api/client.js';
import { usePermissions } from '../auth/permissions.js';
import { sfn } from '../api/sfn.js';
import { Dialog, ErrorMessage, JsonBlock, StatusBadge, useDocumentTitle } from '../components/common.js';
import { ExecutionLink } from '../components/ExecutionLinks.js';
import { ExecutionOrigin } from '../components/ExecutionOrigin.js';
import { MapRunParent, MapRunsSection } from '../components/MapRuns.js';
import { HistoryTable } from '../components/HistoryTable.js';
import { RunPanel } from '../components/RunPanel.js';
import { StartExecutionDialog } from '../components/StartExecutionDialog.js';
import { arnName, formatDate, formatDuration, prettyJson } from '../format.js';
import { GraphView } from '../graph/GraphView.js';
import { startedByExecution } from '../history/child-executions.js';
import type { Thread } from '../history/derive.js';
import { mapRunChildMachine } from '../history/map-runs.js';
import { isLive, useExecution } from '../history/use-execution.js';
import { href, navigate } from '../router.js';
import { findState } from './EditorPage.js';

export function ExecutionPage({ arn }: { arn: string }) {
  const data = useExecution(arn);
  const { execution, model, definition, version } = data;
  useDocumentTitle(execution ? `Execution ${execution.name}` : 'Execution');
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [focus, setFocus] = useState<Thread | undefined>(undefined);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const [stopping, setStopping] = useState(false);
  const [restarting, setRestarting] = useState(false);

  const statuses = useMemo(() => model?.focusedStatuses(focus), [model, version, focus]); // eslint-disable-line react-hooks/exhaustive-deps
  const parentArn = useMemo(() => startedByExecution(execution?.input), [execution?.input]);
  // Re-formatted only when they change: the page re-renders every few hundred ms while a long
  // history loads or the execution runs, and a large input takes tens of milliseconds to indent.
  const inputText = useMemo(() => prettyJson(execution?.input), [execution?.input]);
  const outputText = useMemo(() => prettyJson(execution?.output), [execution?.output]);

  const redrive = async () => {
    setActionError(undefined);
    try {
      await sfn.redriveExecution(arn);
      data.refresh();
    } catch (e) {
      setActionError(describeError(e));
    }
  };

  const machineArn = execution?.stateMachineArn;
  // A Map Run child runs `<machine>/<label>`, the Map's ItemProcessor: not a state machine of its
  // own that could be opened or started, so the breadcrumb goes to the machine whose Map it is.
  const mapRunChild = execution?.mapRunArn !== undefined && machineArn ? mapRunChildMachine(machineArn) : undefined;
  // New execution starts the version the execution ran, else its state machine.
  const startTarget = execution && execution.mapRunArn === undefined ? execution.stateMachineVersionArn ?? execution.stateMachineArn : undefined;
  const permissions = usePermissions([
    { action: 'states:StopExecution', resource: arn },
    { action: 'states:RedriveExecution', resource: arn },
    ...(startTarget ? [{ action: 'states:StartExecution', resource: startTarget }] : []),
  ]);
  const stopWhy = permissions.why('states:StopExecution', arn);
  const redriveWhy = permissions.why('states:RedriveExecution', arn);
  const startWhy = startTarget ? permissions.why('states:StartExecution', startTarget) : undefined;
  const running = execution?.status === 'RUNNING';
  const end = execution?.stopDate ?? (running ? Date.now() / 1000 : undefined);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <a href={href.stateMachines()}>State machines</a> ›{' '}
        {mapRunChild ? (
          <>
            <a href={href.machine(mapRunChild.machineArn)}>{arnName(mapRunChild.machineArn)}</a> › <span>{mapRunChild.label}</span>
          </>
        ) : machineArn && execution?.mapRunArn === undefined ? (
          <a href={href.machine(machineArn)}>{arnName(machineArn)}</a>
        ) : (
          (machineArn && arnName(machineArn)) ?? '…'
        )}{' '}
        › <span>{execution?.name ?? '…'}</span>
      </nav>
      <div className="page-header">
        <div>
          <h1>
            {execution?.name ?? 'Execution'}{' '}
            <StatusBadge status={execution?.status} testId="execution-status" />
          </h1>
          {execution?.mapRunArn && <MapRunParent mapRunArn={execution.mapRunArn} />}
          {parentArn && (
            <p className="started-by" data-testid="started-by">
              Started by <ExecutionLink executionArn={parentArn} />
            </p>
          )}
        </div>
        <div className="actions">
          {running && (
            <button type="button" className="button-danger" onClick={() => setStopping(true)} disabled={stopWhy !== undefined} title={stopWhy} data-testid="stop-execution">
              Stop execution
            </button>
          )}
          {execution?.redriveStatus === 'REDRIVABLE' && (
            <button type="button" onClick={() => void redrive()} disabled={redriveWhy !== undefined} title={redriveWhy} data-testid="redrive-execution">
              Redrive
            </button>
          )}
          {startTarget && (
            <button type="button" onClick={() => setRestarting(true)} disabled={startWhy !== undefined} title={startWhy} data-testid="new-execution">
              New execution
            </button>
          )}
        </div>
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
          <ExecutionOrigin executionArn={arn} />
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

      {execution && <MapRunsSection executionArn={arn} live={isLive(execution.status)} />}

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

      {execution && (
        <Dialog open={stopping} title="Stop execution?" onClose={() => setStopping(false)}>
          <StopForm
            executionArn={arn}
            onDone={(error) => {
              setStopping(false);
              setActionError(error);
              data.refresh();
            }}
          />
        </Dialog>
      )}
      {startTarget && (
        <StartExecutionDialog
          open={restarting}
          onClose={() => setRestarting(false)}
          stateMachineArn={startTarget}
          initialInput={inputText}
          onStarted={(executionArn) => navigate(href.execution(executionArn))}
        />
      )}
    </>
  );
}

function StopForm({ executionArn, onDone }: { executionArn: string; onDone: (error?: string) => void }) {
  const [error, setError] = useState('');
  const [cause, setCause] = useState('');
  const [busy, setBusy] = useState(false);
  const stop = async () => {
    setBusy(true);
    try {
      await sfn.stopExecution(executionArn, error || undefined, cause || undefined);
      onDone();
    } catch (e) {
      onDone(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void stop();
      }}
    >
      <p>The execution is aborted; the states that are running are cancelled.</p>
      <div className="field">
        <label htmlFor="stop-error">Error (optional)</label>
        <input id="stop-error" value={error} onChange={(e) => setError(e.target.value)} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="stop-cause">Cause (optional)</label>
        <input id="stop-cause" value={cause} onChange={(e) => setCause(e.target.value)} autoComplete="off" />
      </div>
      <div className="dialog-actions">
        <button type="button" onClick={() => onDone()}>
          Cancel
        </button>
        <button type="submit" className="button-danger" disabled={busy} data-testid="confirm-stop-execution">
          Stop execution
        </button>
      </div>
    </form>
  );
}
