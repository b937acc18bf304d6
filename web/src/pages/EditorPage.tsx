/**
 * Create a state machine (blank or from a template) or edit one: the JSON editor with live
 * validation beside a live graph of what is typed.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { describeError } from '../api/client.js';
import { sfn, type StateMachineDescription, type StateMachineType } from '../api/sfn.js';
import { ErrorMessage, useDocumentTitle } from '../components/common.js';
import { StatePanel } from '../components/StatePanel.js';
import { JsonEditor, type JsonEditorHandle } from '../editor/JsonEditor.js';
import { definitionLinter, type ValidationResult } from '../editor/validation.js';
import { GraphView } from '../graph/GraphView.js';
import { href, navigate } from '../router.js';
import { DEFAULT_TEMPLATE_ID, TEMPLATES } from '../templates.js';

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

export function EditorPage({ arn }: { arn?: string }) {
  const editing = arn !== undefined;
  useDocumentTitle(editing ? 'Edit state machine' : 'Create state machine');
  const [machine, setMachine] = useState<StateMachineDescription | undefined>(undefined);
  const [name, setName] = useState('');
  const [type, setType] = useState<StateMachineType>('STANDARD');
  const [templateId, setTemplateId] = useState(DEFAULT_TEMPLATE_ID);
  const [text, setText] = useState(() => (editing ? '' : (TEMPLATES.find((t) => t.id === DEFAULT_TEMPLATE_ID)?.definition ?? '')));
  const [validation, setValidation] = useState<ValidationResult | undefined>(undefined);
  const [publish, setPublish] = useState(false);
  const [versionDescription, setVersionDescription] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const editor = useRef<JsonEditorHandle>(null);
  const typeRef = useRef(type);
  typeRef.current = type;

  useEffect(() => {
    if (!arn) return;
    sfn
      .describeStateMachine(arn)
      .then((m) => {
        setMachine(m);
        setName(m.name);
        setType(m.type);
        setText(prettyDefinition(m.definition));
      })
      .catch((e: unknown) => setError(describeError(e)));
  }, [arn]);

  const lint = useMemo(() => definitionLinter(() => typeRef.current, setValidation), []);
  useEffect(() => editor.current?.relint(), [type]);

  // The graph follows the text, a moment after typing stops; while the JSON is broken it keeps
  // showing the last definition that parsed.
  const [definition, setDefinition] = useState<unknown>(undefined);
  const [parseError, setParseError] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => {
      try {
        setDefinition(JSON.parse(text));
        setParseError(false);
      } catch {
        setParseError(true);
      }
    }, 250);
    return () => clearTimeout(timer);
  }, [text]);

  const nameError = !editing && name !== '' && !NAME_PATTERN.test(name) ? 'Use 1 to 80 letters, digits, hyphens and underscores.' : undefined;

  const save = async () => {
    setError(undefined);
    if (!editing && !NAME_PATTERN.test(name)) {
      setError('Enter a valid name.');
      return;
    }
    setSaving(true);
    try {
      if (editing && machine) {
        await sfn.updateStateMachine({
          stateMachineArn: machine.stateMachineArn,
          definition: text,
          ...(publish ? { publish: true, ...(versionDescription ? { versionDescription } : {}) } : {}),
        });
        navigate(href.machine(machine.stateMachineArn, 'definition'));
      } else {
        const created = await sfn.createStateMachine({ name, definition: text, type, ...(publish ? { publish: true } : {}) });
        navigate(href.machine(created.stateMachineArn, 'definition'));
      }
    } catch (e) {
      setError(describeError(e));
    } finally {
      setSaving(false);
    }
  };

  const selectedDefinition = useMemo(() => (selected ? findState(definition, selected) : undefined), [definition, selected]);

  return (
    <>
      <div className="page-header">
        <h1>{editing ? `Edit ${machine?.name ?? ''}` : 'Create state machine'}</h1>
        <div className="actions">
          <a className="button" href={editing && arn ? href.machine(arn) : href.stateMachines()}>
            Cancel
          </a>
          <button type="button" className="button-primary" onClick={() => void save()} disabled={saving || (editing && !machine)} data-testid="save-machine">
            {saving ? 'Saving…' : editing ? 'Save changes' : 'Create'}
          </button>
        </div>
      </div>
      <ErrorMessage error={error} />
      <form className="form-row" onSubmit={(e) => (e.preventDefault(), void save())}>
        {!editing && (
          <>
            <div className="field">
              <label htmlFor="machine-name">Name</label>
              <input id="machine-name" value={name} onChange={(e) => setName(e.target.value)} required aria-invalid={nameError ? true : undefined} aria-describedby="machine-name-hint" placeholder="MyStateMachine" autoComplete="off" />
              <span id="machine-name-hint" className={nameError ? 'hint hint-error' : 'hint'}>
                {nameError ?? 'Letters, digits, - and _.'}
              </span>
            </div>
            <div className="field">
              <label htmlFor="machine-type">Type</label>
              <select id="machine-type" value={type} onChange={(e) => setType(e.target.value as StateMachineType)}>
                <option value="STANDARD">Standard</option>
                <option value="EXPRESS">Express</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="machine-template">Template</label>
              <select
                id="machine-template"
                value={templateId}
                onChange={(e) => {
                  setTemplateId(e.target.value);
                  const template = TEMPLATES.find((t) => t.id === e.target.value);
                  if (template) setText(template.definition);
                }}
              >
                {TEMPLATES.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.title}
                  </option>
                ))}
              </select>
            </div>
          </>
        )}
        {editing && machine && (
          <p className="muted">
            Type: {machine.type}. ARN: <code>{machine.stateMachineArn}</code>
          </p>
        )}
        <div className="field field-inline">
          <input id="publish-version" type="checkbox" checked={publish} onChange={(e) => setPublish(e.target.checked)} />
          <label htmlFor="publish-version">Publish a version</label>
        </div>
        {editing && publish && (
          <div className="field">
            <label htmlFor="version-description">Version description</label>
            <input id="version-description" value={versionDescription} onChange={(e) => setVersionDescription(e.target.value)} />
          </div>
        )}
      </form>

      <div className="editor-layout">
        <section className="editor-pane" aria-labelledby="definition-heading">
          <h2 id="definition-heading">Definition</h2>
          <JsonEditor ref={editor} value={text} onChange={setText} lint={lint} label="State machine definition (JSON)" height="520px" testId="definition-editor" />
          <Problems validation={validation} onGo={(from) => editor.current?.focusAt(from)} />
        </section>
        <section className="graph-pane" aria-labelledby="preview-heading">
          <h2 id="preview-heading">
            Graph {parseError && <span className="hint hint-error">(the JSON does not parse; showing the last version that did)</span>}
          </h2>
          <GraphView definition={definition} label="Graph preview of the definition" exportName={name || machine?.name || 'state-machine'} height="520px" selected={selected} onSelect={setSelected} />
          {selected && <StatePanel name={selected} definition={selectedDefinition} onClose={() => setSelected(undefined)} />}
        </section>
      </div>
    </>
  );
}

function Problems({ validation, onGo }: { validation: ValidationResult | undefined; onGo: (from: number) => void }) {
  return (
    <div className="problems" aria-live="polite" data-testid="validation-problems">
      {validation === undefined ? (
        <p className="muted">Validating…</p>
      ) : validation.failure ? (
        <p className="error">{validation.failure}</p>
      ) : validation.problems.length === 0 ? (
        <p className="ok">✓ No problems</p>
      ) : (
        <>
          <h3>
            {validation.problems.length} problem{validation.problems.length === 1 ? '' : 's'}
          </h3>
          <ul>
            {validation.problems.map((p, i) => (
              <li key={i} className={p.severity === 'error' ? 'problem problem-error' : 'problem problem-warning'} data-code={p.code}>
                <button type="button" className="link-button" onClick={() => onGo(p.from)}>
                  Line {p.line}
                </button>{' '}
                <strong>{p.code}</strong>: {p.message}
                {p.location && <span className="muted"> ({p.location.length > 80 ? `${p.location.slice(0, 79)}…` : p.location})</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function prettyDefinition(text: string): string {
  try {
    return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
  } catch {
    return text;
  }
}

/** A state's JSON, wherever it is nested. */
export function findState(definition: unknown, name: string): unknown {
  const visit = (workflow: unknown): unknown => {
    if (typeof workflow !== 'object' || workflow === null) return undefined;
    const states = (workflow as { States?: unknown }).States;
    if (typeof states !== 'object' || states === null) return undefined;
    for (const [key, state] of Object.entries(states as Record<string, unknown>)) {
      if (key === name) return state;
      if (typeof state !== 'object' || state === null) continue;
      const s = state as Record<string, unknown>;
      const inner = visit(s.ItemProcessor) ?? visit(s.Iterator) ?? (Array.isArray(s.Branches) ? s.Branches.map(visit).find((x) => x !== undefined) : undefined);
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  return visit(definition);
}
