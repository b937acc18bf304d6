/** Small shared pieces: status badges, errors, dialogs, tabs, pagination, the status filter. */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { EXECUTION_STATUSES, type ExecutionStatus } from '../api/sfn.js';
import { jsonBlockCut } from '../format.js';

const STATUS_TEXT: Record<string, string> = {
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  TIMED_OUT: 'Timed out',
  ABORTED: 'Aborted',
  PENDING_REDRIVE: 'Pending redrive',
};

export function StatusBadge({ status, testId }: { status: ExecutionStatus | string | undefined; testId?: string }) {
  if (!status) return <span className="muted">—</span>;
  return (
    <span className={`badge badge-${status.toLowerCase().replace(/_/g, '-')}`} data-testid={testId} data-value={status}>
      {STATUS_TEXT[status] ?? status}
    </span>
  );
}

export function ErrorMessage({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

/** A modal dialog (native <dialog>: focus is trapped, Escape closes it). */
export function Dialog({ open, title, onClose, children, wide }: { open: boolean; title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const titleId = `dialog-title-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog ref={ref} className={wide ? 'dialog dialog-wide' : 'dialog'} aria-labelledby={titleId} onClose={onClose} onCancel={onClose}>
      {open && (
        <>
          <div className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-button" onClick={onClose} aria-label="Close">
              ×
            </button>
          </div>
          {children}
        </>
      )}
    </dialog>
  );
}

export interface TabSpec {
  readonly id: string;
  readonly label: string;
}

/** Section tabs as links (the tab is part of the URL); the current one is aria-current. */
export function Tabs({ tabs, current, hrefFor }: { tabs: readonly TabSpec[]; current: string; hrefFor: (id: string) => string }) {
  return (
    <nav aria-label="Sections">
      <ul className="tabs">
        {tabs.map((tab) => (
          <li key={tab.id}>
            <a href={hrefFor(tab.id)} aria-current={tab.id === current ? 'page' : undefined} className={tab.id === current ? 'tab tab-current' : 'tab'} id={`tab-${tab.id}`}>
              {tab.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The "Status" select above a list of executions: All (the empty value) or one status. */
export function ExecutionStatusFilter({ id, value, onChange, testId }: { id: string; value: ExecutionStatus | ''; onChange: (status: ExecutionStatus | '') => void; testId?: string }) {
  return (
    <div className="field field-inline">
      <label htmlFor={id}>Status</label>
      <select id={id} value={value} data-testid={testId} onChange={(e) => onChange(e.target.value as ExecutionStatus | '')}>
        <option value="">All</option>
        {EXECUTION_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Previous/next buttons for token-paginated lists. */
export function Pager({ page, hasNext, onPrevious, onNext, busy }: { page: number; hasNext: boolean; onPrevious: () => void; onNext: () => void; busy?: boolean }) {
  return (
    <div className="pager" role="navigation" aria-label="Pagination">
      <button type="button" onClick={onPrevious} disabled={page === 0 || busy}>
        Previous page
      </button>
      <span aria-live="polite">Page {page + 1}</span>
      <button type="button" onClick={onNext} disabled={!hasNext || busy}>
        Next page
      </button>
    </div>
  );
}

export function JsonBlock({ text, label }: { text: string | undefined; label: string }) {
  const [full, setFull] = useState(false);
  const cut = text === undefined ? undefined : jsonBlockCut(text);
  return (
    <>
      <pre className="json-block" tabIndex={0} aria-label={label}>
        {text === undefined || text === '' ? <span className="muted">—</span> : cut !== undefined && !full ? `${text.slice(0, cut)}\n…` : text}
      </pre>
      {text !== undefined && cut !== undefined && (
        <button type="button" className="link-button" onClick={() => setFull((f) => !f)}>
          {full ? 'Show less' : `Show all (${Math.round(text.length / 1024)} KB)`}
        </button>
      )}
    </>
  );
}

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Stepwise`;
  }, [title]);
}
