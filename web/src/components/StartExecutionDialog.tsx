/** Start an execution: an optional name and a JSON input, checked as it is typed. */
import { useMemo, useState } from 'react';
import { describeError } from '../api/client.js';
import { sfn } from '../api/sfn.js';
import { JsonEditor } from '../editor/JsonEditor.js';
import { jsonInputLinter } from '../editor/validation.js';
import { Dialog, ErrorMessage } from './common.js';

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
const DEFAULT_INPUT = '{\n  "Comment": "Insert your JSON here"\n}\n';

export function StartExecutionDialog(props: { open: boolean; onClose: () => void; stateMachineArn: string; initialInput?: string; onStarted: (executionArn: string) => void }) {
  return (
    <Dialog open={props.open} title="Start execution" onClose={props.onClose} wide>
      {props.open && <StartExecutionForm {...props} />}
    </Dialog>
  );
}

function StartExecutionForm({ onClose, stateMachineArn, initialInput, onStarted }: { onClose: () => void; stateMachineArn: string; initialInput?: string; onStarted: (executionArn: string) => void }) {
  const [name, setName] = useState('');
  const [input, setInput] = useState(initialInput ?? DEFAULT_INPUT);
  const [inputError, setInputError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const lint = useMemo(() => jsonInputLinter(setInputError), []);
  const nameError = name !== '' && !NAME_PATTERN.test(name) ? 'Use 1 to 80 letters, digits, hyphens and underscores.' : undefined;
  let parses = true;
  try {
    JSON.parse(input);
  } catch {
    parses = false;
  }

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await sfn.startExecution(stateMachineArn, input, name || undefined);
      onClose();
      onStarted(result.executionArn);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
    >
      <div className="field">
        <label htmlFor="execution-name">Name (optional)</label>
        <input id="execution-name" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={nameError ? true : undefined} aria-describedby="execution-name-hint" placeholder="A generated UUID" autoComplete="off" />
        <span id="execution-name-hint" className={nameError ? 'hint hint-error' : 'hint'}>
          {nameError ?? 'Leave empty for a generated name.'}
        </span>
      </div>
      <div className="field">
        <span className="label" id="execution-input-label">
          Input (JSON)
        </span>
        <JsonEditor value={input} onChange={setInput} lint={lint} lintDelayMs={150} label="Execution input (JSON)" height="260px" testId="execution-input" />
        <span className={inputError && !parses ? 'hint hint-error' : 'hint'} role="status">
          {!parses ? `Not valid JSON: ${inputError ?? ''}` : 'Valid JSON.'}
        </span>
      </div>
      <ErrorMessage error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button-primary" disabled={busy || !parses || nameError !== undefined} data-testid="confirm-start-execution">
          {busy ? 'Starting…' : 'Start execution'}
        </button>
      </div>
    </form>
  );
}
