/** The definition of the state selected in a graph. */
import { JsonBlock } from './common.js';

export function StatePanel({ name, definition, onClose }: { name: string; definition: unknown; onClose: () => void }) {
  const type = typeof definition === 'object' && definition !== null ? (definition as { Type?: unknown }).Type : undefined;
  return (
    <aside className="state-panel" aria-label={`State ${name}`} data-testid="state-panel">
      <div className="state-panel-header">
        <h3>
          {name} {typeof type === 'string' && <span className="muted">({type})</span>}
        </h3>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close state details">
          ×
        </button>
      </div>
      <JsonBlock label={`Definition of ${name}`} text={definition === undefined ? undefined : JSON.stringify(definition, null, 2)} />
    </aside>
  );
}
