/** One state machine: its executions, its definition as a graph, its versions and aliases, what starts it. */
import { useEffect, useMemo, useState } from 'react';
import { describeError } from '../api/client.js';
import { GuardedLink } from '../auth/GuardedLink.js';
import { usePermissions } from '../auth/permissions.js';
import { sfn, type StateMachineDescription } from '../api/sfn.js';
import { Dialog, ErrorMessage, Tabs, useDocumentTitle } from '../components/common.js';
import { ExecutionsTable } from '../components/ExecutionsTable.js';
import { StartExecutionDialog } from '../components/StartExecutionDialog.js';
import { StatePanel } from '../components/StatePanel.js';
import { VersionsAndAliases } from '../components/VersionsAndAliases.js';
import { JsonEditor } from '../editor/JsonEditor.js';
import { MachineTriggers } from '../components/MachineTriggers.js';
import { formatDate } from '../format.js';
import { GraphView } from '../graph/GraphView.js';
import { href, navigate } from '../router.js';
import { findState } from './EditorPage.js';

const TABS = [
  { id: 'executions', label: 'Executions' },
  { id: 'definition', label: 'Definition' },
  { id: 'versions', label: 'Versions and aliases' },
  { id: 'triggers', label: 'Triggers' },
] as const;

/** What the page's buttons do (asked of SimulatePolicy on this state machine). */
const MACHINE_ACTIONS = ['states:StartExecution', 'states:UpdateStateMachine', 'states:DeleteStateMachine'];

export function MachinePage({ arn, tab }: { arn: string; tab: string }) {
  const [machine, setMachine] = useState<StateMachineDescription | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [starting, setStarting] = useState(false);
  const [deleting, setDeleting] = useState(false);
  useDocumentTitle(machine?.name ?? 'State machine');
  const permissions = usePermissions(MACHINE_ACTIONS.map((action) => ({ action, resource: arn })));
  const startWhy = permissions.why('states:StartExecution', arn);
  const deleteWhy = permissions.why('states:DeleteStateMachine', arn);

  useEffect(() => {
    sfn
      .describeStateMachine(arn)
      .then(setMachine)
      .catch((e: unknown) => setError(describeError(e)));
  }, [arn]);

  const current = TABS.some((t) => t.id === tab) ? tab : 'executions';
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <a href={href.stateMachines()}>State machines</a> › <span>{machine?.name ?? '…'}</span>
      </nav>
      <div className="page-header">
        <h1>{machine?.name ?? 'State machine'}</h1>
        <div className="actions">
          <button type="button" onClick={() => setDeleting(true)} disabled={!machine || deleteWhy !== undefined} title={deleteWhy} className="button-danger" data-testid="delete-state-machine">
            Delete
          </button>
          <GuardedLink className="button" href={href.edit(arn)} why={permissions.why('states:UpdateStateMachine', arn)} testId="edit-state-machine">
            Edit
          </GuardedLink>
          <button type="button" className="button-primary" onClick={() => setStarting(true)} disabled={!machine || startWhy !== undefined} title={startWhy} data-testid="start-execution">
            Start execution
          </button>
        </div>
      </div>
      <ErrorMessage error={error} />
      {machine && (
        <dl className="details">
          <div>
            <dt>ARN</dt>
            <dd>
              <code>{machine.stateMachineArn}</code>
            </dd>
          </div>
          <div>
            <dt>Type</dt>
            <dd>{machine.type}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{formatDate(machine.creationDate)}</dd>
          </div>
          {machine.description && (
            <div>
              <dt>Description</dt>
              <dd>{machine.description}</dd>
            </div>
          )}
        </dl>
      )}
      <Tabs tabs={TABS} current={current} hrefFor={(id) => href.machine(arn, id)} />
      <section aria-labelledby={`tab-${current}`} className="tab-panel">
        {current === 'executions' && <ExecutionsTable stateMachineArn={arn} />}
        {current === 'definition' && machine && <DefinitionTab machine={machine} />}
        {current === 'versions' && <VersionsAndAliases stateMachineArn={arn} />}
        {current === 'triggers' && <MachineTriggers stateMachineArn={arn} />}
      </section>
      {machine && (
        <StartExecutionDialog
          open={starting}
          onClose={() => setStarting(false)}
          stateMachineArn={machine.stateMachineArn}
          onStarted={(executionArn) => navigate(href.execution(executionArn))}
        />
      )}
      {machine && <DeleteDialog open={deleting} machine={machine} onClose={() => setDeleting(false)} />}
    </>
  );
}

function DefinitionTab({ machine }: { machine: StateMachineDescription }) {
  const definition = useMemo(() => {
    try {
      return JSON.parse(machine.definition) as unknown;
    } catch {
      return {};
    }
  }, [machine.definition]);
  const pretty = useMemo(() => JSON.stringify(definition, null, 2), [definition]);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [showJson, setShowJson] = useState(false);
  return (
    <>
      <div className="field field-inline">
        <input id="show-json" type="checkbox" checked={showJson} onChange={(e) => setShowJson(e.target.checked)} />
        <label htmlFor="show-json">Show the JSON beside the graph</label>
      </div>
      <div className={showJson ? 'editor-layout' : 'graph-layout'}>
        {showJson && <JsonEditor value={pretty} readOnly label="Definition (read only)" height="600px" />}
        <div className="graph-with-panel">
          <GraphView definition={definition} label={`Definition graph of ${machine.name}`} exportName={machine.name} height="600px" selected={selected} onSelect={setSelected} />
          {selected && <StatePanel name={selected} definition={findState(definition, selected)} onClose={() => setSelected(undefined)} />}
        </div>
      </div>
    </>
  );
}

function DeleteDialog({ open, machine, onClose }: { open: boolean; machine: StateMachineDescription; onClose: () => void }) {
  const [confirmation, setConfirmation] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await sfn.deleteStateMachine(machine.stateMachineArn);
      onClose();
      navigate(href.stateMachines());
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title={`Delete ${machine.name}?`} onClose={onClose}>
      <p>Running executions are stopped. This cannot be undone.</p>
      <div className="field">
        <label htmlFor="delete-confirm">
          Type <strong>delete</strong> to confirm
        </label>
        <input id="delete-confirm" value={confirmation} onChange={(e) => setConfirmation(e.target.value)} autoComplete="off" />
      </div>
      <ErrorMessage error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button-danger" disabled={confirmation !== 'delete' || busy} onClick={() => void remove()} data-testid="confirm-delete">
          Delete
        </button>
      </div>
    </Dialog>
  );
}
