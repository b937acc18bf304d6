/**
 * One execution: status, dates and duration, Stop/Redrive, its graph coloured by what happened
 * to each state (live while it runs), the selected state's runs, input and output, and the
 * event history; "Started by" its parent when another execution started it, and what started it
 * otherwise (an API call, a schedule, an HTTP route, an event rule). A Distributed Map's child
 * execution names its Map Run and the execution it belongs to; an execution with Map Runs lists
 * them with their child executions. What it shows of the execution itself is ExecutionView's,
 * which the recording page shares.
 */
import { useMemo, useState } from 'react';
import { describeError } from '../api/client.js';
import { usePermissions } from '../auth/permissions.js';
import { sfn } from '../api/sfn.js';
import { Dialog, useDocumentTitle } from '../components/common.js';
import { ExecutionOrigin } from '../components/ExecutionOrigin.js';
import { ExecutionView } from '../components/ExecutionView.js';
import { MapRunParent, MapRunsSection } from '../components/MapRuns.js';
import { StartExecutionDialog } from '../components/StartExecutionDialog.js';
import { arnName, prettyJson } from '../format.js';
import { mapRunChildMachine } from '../history/map-runs.js';
import { isLive, useExecution } from '../history/use-execution.js';
import { href, navigate } from '../router.js';

export function ExecutionPage({ arn }: { arn: string }) {
  const data = useExecution(arn);
  const { execution } = data;
  useDocumentTitle(execution ? `Execution ${execution.name}` : 'Execution');
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const [stopping, setStopping] = useState(false);
  const [restarting, setRestarting] = useState(false);
  const inputText = useMemo(() => prettyJson(execution?.input), [execution?.input]);

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
  return (
    <ExecutionView
      data={data}
      breadcrumb={
        <>
          <a href={href.stateMachines()}>State machines</a> ›{' '}
          {mapRunChild ? (
            <>
              <a href={href.machine(mapRunChild.machineArn)}>{arnName(mapRunChild.machineArn)}</a> › <span>{mapRunChild.label}</span>
            </>
          ) : machineArn && execution?.mapRunArn === undefined ? (
            <a href={href.machine(machineArn)}>{arnName(machineArn)}</a>
          ) : (
            (machineArn && arnName(machineArn)) ?? '…'
          )}
        </>
      }
      belongsTo={execution?.mapRunArn && <MapRunParent mapRunArn={execution.mapRunArn} />}
      actions={
        <>
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
        </>
      }
      actionError={actionError}
      origin={<ExecutionOrigin executionArn={arn} />}
      afterGraph={execution && <MapRunsSection executionArn={arn} live={isLive(execution.status)} />}
    >
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
    </ExecutionView>
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
