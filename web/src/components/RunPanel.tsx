/**
 * What happened to the selected state in an execution: each time it ran (a state in a Map runs
 * once per iteration), with input, output, errors and retries; for a Map or Parallel state, its
 * iterations or branches, each of which can be put in focus; for a Task state that started other
 * executions (startExecution), links to them.
 */
import { useMemo, useState } from 'react';
import { runStatus, type ExecutionModel, type StateRun, type Thread } from '../history/derive.js';
import { formatDate, formatDuration, prettyJson } from '../format.js';
import { STATUS_STYLES } from '../graph/style.js';
import { JsonBlock } from './common.js';
import { ChildExecutionList } from './ExecutionLinks.js';

const ITERATIONS_SHOWN = 200;

export interface RunPanelProps {
  readonly model: ExecutionModel;
  readonly version: number;
  readonly name: string;
  readonly definition: unknown;
  readonly focus?: Thread;
  readonly onFocus: (thread: Thread | undefined) => void;
  readonly onClose: () => void;
}

export function RunPanel({ model, name, definition, focus, onFocus, onClose }: RunPanelProps) {
  const runs = model.runsOf(name, focus);
  const [chosen, setChosen] = useState<number | undefined>(undefined);
  const index = chosen === undefined || chosen >= runs.length ? runs.length - 1 : chosen;
  const run = runs[index];
  // The panel re-renders with every batch of events; a Map's input can take long to indent.
  const inputText = useMemo(() => prettyJson(run?.input), [run?.input]);
  const outputText = useMemo(() => prettyJson(run?.output), [run?.output]);
  const requestText = useMemo(() => (run?.taskRequest === undefined ? undefined : prettyJson(run.taskRequest)), [run?.taskRequest]);
  const responseText = useMemo(() => (run?.taskOutput === undefined ? undefined : prettyJson(run.taskOutput)), [run?.taskOutput]);
  const type = typeof definition === 'object' && definition !== null ? String((definition as { Type?: unknown }).Type ?? '') : '';

  return (
    <aside className="state-panel" aria-label={`State ${name}`} data-testid="state-panel" data-state-panel={name}>
      <div className="state-panel-header">
        <h3>
          {name} {type && <span className="muted">({type})</span>}
        </h3>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close state details">
          ×
        </button>
      </div>
      {runs.length === 0 ? (
        <p className="muted" data-testid="run-status">
          Not reached{focus ? ` in ${focus.label}` : ''}.
        </p>
      ) : (
        <>
          {runs.length > 1 && (
            <div className="field">
              <label htmlFor="run-select">Run</label>
              <select id="run-select" value={index} onChange={(e) => setChosen(Number(e.target.value))}>
                {runs.map((r, i) => (
                  <option key={r.enteredEventId} value={i}>
                    {`${i + 1} of ${runs.length}${r.thread.label ? ` — ${r.thread.label}` : ''} — ${STATUS_STYLES[runStatus(r)].label}`}
                  </option>
                ))}
              </select>
            </div>
          )}
          {run && <RunSummary run={run} />}
          {run && run.childExecutions.length > 0 && <ChildExecutionList childExecutions={run.childExecutions} historyLength={model.events.length} />}
          {run && run.childThreads.length > 0 && <ChildThreads run={run} focus={focus} onFocus={onFocus} />}
          {run && requestText !== undefined && (
            <>
              <h4>Task request</h4>
              <JsonBlock label="Task request" text={requestText} />
              <h4>Task response</h4>
              {responseText !== undefined ? (
                <JsonBlock label="Task response" text={responseText} />
              ) : (
                <p className="muted" data-testid="task-response-pending">
                  {run.lastAttemptFailed ? 'The last attempt failed: see Error above.' : 'No response yet.'}
                </p>
              )}
            </>
          )}
          {run && (
            <>
              <h4>Input</h4>
              <JsonBlock label="State input" text={inputText} />
              <h4>Output</h4>
              <JsonBlock label="State output" text={outputText} />
            </>
          )}
        </>
      )}
      <details>
        <summary>Definition</summary>
        <JsonBlock label={`Definition of ${name}`} text={definition === undefined ? undefined : JSON.stringify(definition, null, 2)} />
      </details>
    </aside>
  );
}

function RunSummary({ run }: { run: StateRun }) {
  const status = runStatus(run);
  const duration = run.exitedAt !== undefined ? (run.exitedAt - run.enteredAt) * 1000 : undefined;
  return (
    <>
      <dl className="details details-compact">
        <div>
          <dt>Status</dt>
          <dd data-testid="run-status" data-status={status}>
            {STATUS_STYLES[status].glyph} {STATUS_STYLES[status].label}
          </dd>
        </div>
        {run.thread.label && (
          <div>
            <dt>In</dt>
            <dd>{run.thread.label}</dd>
          </div>
        )}
        <div>
          <dt>Entered</dt>
          <dd>{formatDate(run.enteredAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(duration)}</dd>
        </div>
        {run.type === 'Task' && (
          <div>
            <dt>Retries</dt>
            <dd data-testid="run-retries">{Math.max(0, run.attempts - 1)}</dd>
          </div>
        )}
        {run.resource && (
          <div>
            <dt>Resource</dt>
            <dd>
              <code>{run.resource}</code>
            </dd>
          </div>
        )}
        {run.length !== undefined && (
          <div>
            <dt>Items</dt>
            <dd>{run.length}</dd>
          </div>
        )}
      </dl>
      {run.failures.length > 0 && (
        <div className="run-errors">
          <h4>{run.failures.length === 1 ? 'Error' : `Errors (${run.failures.length})`}</h4>
          <ol>
            {run.failures.map((f) => (
              <li key={f.eventId}>
                <strong>{f.error ?? f.type}</strong>
                <span className="muted"> — event {f.eventId}, {f.type}</span>
                {f.cause && <pre className="cause">{prettyJson(f.cause)}</pre>}
              </li>
            ))}
          </ol>
        </div>
      )}
    </>
  );
}

function ChildThreads({ run, focus, onFocus }: { run: StateRun; focus?: Thread; onFocus: (thread: Thread | undefined) => void }) {
  const [shown, setShown] = useState(ITERATIONS_SHOWN);
  const isMap = run.type === 'Map';
  const threads = run.childThreads;
  return (
    <div className="child-threads">
      <h4>{isMap ? `Iterations (${threads.length}${run.length !== undefined ? ` of ${run.length}` : ''})` : `Branches (${threads.length})`}</h4>
      <p className="hint">Choose one to show only its states in the graph and its events in the history.</p>
      <ul className="thread-list" data-testid={isMap ? 'map-iterations' : 'parallel-branches'}>
        {threads.slice(0, shown).map((t) => {
          const label = isMap ? `#${t.index}` : `Branch ${(t.index ?? 0) + 1}`;
          const status = t.status === 'running' ? 'in-progress' : t.status === 'aborted' ? 'cancelled' : t.status;
          return (
            <li key={t.id}>
              <button type="button" className={focus === t ? 'thread-button thread-current' : 'thread-button'} aria-pressed={focus === t} onClick={() => onFocus(focus === t ? undefined : t)} data-iteration={t.index} data-status={status}>
                <span aria-hidden="true" style={{ color: STATUS_STYLES[status].stroke }}>
                  {STATUS_STYLES[status].glyph || '•'}
                </span>{' '}
                {label} <span className="muted">{STATUS_STYLES[status].label}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {threads.length > shown && (
        <button type="button" onClick={() => setShown((s) => s + ITERATIONS_SHOWN)}>
          Show more ({threads.length - shown} more)
        </button>
      )}
    </div>
  );
}
