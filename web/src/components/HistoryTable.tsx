/**
 * The event history as a table (id, type, step, resource, elapsed, time; a row expands to its
 * details), filterable, and virtualised: only the rows in view are in the DOM, so 25,000 events
 * scroll as smoothly as 25. Rows have a fixed height and an expanded row a fixed-height details
 * area, so every row's offset is computed, not measured.
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { HistoryEvent } from '../api/sfn.js';
import type { ChildExecution } from '../history/child-executions.js';
import { eventDetails, isInside, type ExecutionModel, type Thread } from '../history/derive.js';
import { ExecutionLink } from './ExecutionLinks.js';
import { StatusBadge } from './common.js';
import { shortResource } from '../graph/model.js';
import { expandJsonFields, formatDate, formatDuration } from '../format.js';

const ROW_HEIGHT = 34;
const DETAIL_HEIGHT = 260;
/** Rows drawn beyond each edge, so that a wheel or touch scroll (which the compositor moves ahead of the page) finds rows there. */
const OVERSCAN = 8;
/** …and right after a jump (scrollbar drag, End, a far scroll), when another jump is likelier than a small step. */
const JUMP_OVERSCAN = 1;
/** How long after a jump the table waits before drawing the full overscan again. */
const JUMP_SETTLE_MS = 150;

const GROUPS = {
  all: { label: 'All events', test: () => true },
  state: { label: 'State transitions', test: (t: string) => /State(Entered|Exited)$/.test(t) },
  task: { label: 'Task events', test: (t: string) => /^(Task|LambdaFunction|Activity)(?!State)/.test(t) },
  errors: { label: 'Failures and aborts', test: (t: string) => /(Failed|TimedOut|Aborted)$/.test(t) },
  map: { label: 'Map events', test: (t: string) => t.startsWith('Map') },
  parallel: { label: 'Parallel events', test: (t: string) => t.startsWith('Parallel') },
  execution: { label: 'Execution events', test: (t: string) => t.startsWith('Execution') },
} as const;
type Group = keyof typeof GROUPS;

export interface HistoryTableProps {
  readonly model: ExecutionModel;
  /** Changes whenever the model has new events. */
  readonly version: number;
  /** Only events of this Map iteration / Parallel branch (and inside it). */
  readonly focus?: Thread;
  readonly onSelectState?: (name: string) => void;
  readonly height?: number;
}

export function HistoryTable({ model, version, focus, onSelectState, height = 480 }: HistoryTableProps) {
  const [query, setQuery] = useState('');
  const [group, setGroup] = useState<Group>('all');
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(() => new Set());
  const [scrollTop, setScrollTop] = useState(0);
  const [jumping, setJumping] = useState(false);
  const [follow, setFollow] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const settleTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(settleTimer.current), []);

  // Indices into model.events of the rows shown.
  const rows = useMemo(() => {
    const needle = query.trim().toLowerCase();
    const test = GROUPS[group].test;
    const result: number[] = [];
    const { events, eventRuns, eventThreads } = model;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (!test(event.type)) continue;
      if (focus && !isInside(eventThreads[i]!, focus)) continue;
      if (needle) {
        const step = eventRuns[i]?.name ?? '';
        const resource = resourceOf(event, model, i) ?? '';
        const haystack = `${event.id} ${event.type} ${step} ${resource} ${eventThreads[i]!.label}`.toLowerCase();
        if (!haystack.includes(needle)) continue;
      }
      result.push(i);
    }
    return result;
    // `version` stands for the model's contents, which change in place.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, version, query, group, focus]);

  // Positions (in `rows`) of the expanded rows, ascending.
  const expandedPositions = useMemo(() => {
    const positions: number[] = [];
    for (const id of expanded) {
      const position = lowerBound(rows, (i) => model.events[i]!.id >= id);
      if (position < rows.length && model.events[rows[position]!]!.id === id) positions.push(position);
    }
    return positions.sort((a, b) => a - b);
  }, [expanded, rows, model]);

  const top = useCallback((position: number) => position * ROW_HEIGHT + DETAIL_HEIGHT * lowerBound(expandedPositions, (p) => p >= position), [expandedPositions]);
  const total = rows.length * ROW_HEIGHT + expandedPositions.length * DETAIL_HEIGHT;
  // A short history gets a short table; a long one scrolls inside `height`.
  const bodyHeight = Math.max(ROW_HEIGHT * 3, Math.min(height, total + 2));

  const overscan = jumping ? JUMP_OVERSCAN : OVERSCAN;
  const first = Math.max(0, lowerBound(rows, (_, position) => top(position + 1) > scrollTop) - overscan);
  const visible: number[] = [];
  for (let p = first; p < rows.length && top(p) < scrollTop + bodyHeight + overscan * ROW_HEIGHT; p++) visible.push(p);

  // The browser sends at most one scroll event per frame, before painting it: rendering the rows
  // for the new position right there (not in a later task) means no frame shows the table
  // scrolled with the rows of where it was. After a jump every row is new, and laying them out
  // is most of the frame: the overscan waits until the jumps stop.
  const handleScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const jump = Math.abs(el.scrollTop - scrollTop) > el.clientHeight;
    flushSync(() => {
      setScrollTop(el.scrollTop);
      setFollow(el.scrollTop + el.clientHeight >= el.scrollHeight - 4);
      if (jump) setJumping(true);
    });
    if (jump) {
      clearTimeout(settleTimer.current);
      settleTimer.current = setTimeout(() => setJumping(false), JUMP_SETTLE_MS);
    }
  };

  // Keep the newest events in view while the user watches the end of the table.
  useEffect(() => {
    const el = scroller.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [total, follow]);

  const toggle = useCallback((id: number) => {
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const start = model.events[0]?.timestamp;
  return (
    <div className="history">
      <div className="toolbar">
        <div className="field field-inline">
          <label htmlFor="history-search">Search events</label>
          <input id="history-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Type, state, resource…" />
        </div>
        <div className="field field-inline">
          <label htmlFor="history-group">Show</label>
          <select id="history-group" value={group} onChange={(e) => setGroup(e.target.value as Group)}>
            {(Object.keys(GROUPS) as Group[]).map((g) => (
              <option key={g} value={g}>
                {GROUPS[g].label}
              </option>
            ))}
          </select>
        </div>
        <span className="muted" aria-live="polite" data-testid="history-count">
          {rows.length === model.events.length ? `${rows.length} events` : `${rows.length} of ${model.events.length} events`}
        </span>
      </div>
      <div role="table" aria-label="Event history" aria-rowcount={rows.length + 1} className="history-table" data-testid="history-table">
        <div role="rowgroup" className="history-head">
          <div role="row" aria-rowindex={1} className="history-row">
            <span role="columnheader" className="cell-toggle">
              <span className="visually-hidden">Details</span>
            </span>
            <span role="columnheader">ID</span>
            <span role="columnheader">Type</span>
            <span role="columnheader">Step</span>
            <span role="columnheader">Resource</span>
            <span role="columnheader">Started after</span>
            <span role="columnheader">Date and time</span>
          </div>
        </div>
        <div role="rowgroup" className="history-body" ref={scroller} onScroll={handleScroll} style={{ height: bodyHeight }} tabIndex={0} aria-label="Events, scrollable">
          <div style={{ height: total, position: 'relative' }}>
            {visible.map((position) => {
              const index = rows[position]!;
              const event = model.events[index]!;
              const isOpen = expanded.has(event.id);
              const child = model.eventChildren.get(event.id);
              return (
                <EventRow
                  key={event.id}
                  event={event}
                  rowIndex={position + 2}
                  top={top(position)}
                  open={isOpen}
                  step={model.eventRuns[index]?.name}
                  thread={model.eventThreads[index]!.label}
                  resource={resourceOf(event, model, index)}
                  elapsed={start === undefined ? undefined : (event.timestamp - start) * 1000}
                  onToggle={toggle}
                  {...(child ? { child, childStatus: child.status } : {})}
                  {...(onSelectState ? { onSelectState } : {})}
                />
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}

interface EventRowProps {
  readonly event: HistoryEvent;
  readonly rowIndex: number;
  readonly top: number;
  readonly open: boolean;
  readonly step: string | undefined;
  readonly thread: string;
  readonly resource: string | undefined;
  readonly elapsed: number | undefined;
  readonly onToggle: (id: number) => void;
  readonly onSelectState?: (name: string) => void;
  /** The execution this event says its task started (startExecution tasks). */
  readonly child?: ChildExecution;
  /** The child's status, apart: it changes in place, and rows are memoised on their props. */
  readonly childStatus?: string;
}

const EventRow = memo(function EventRow({ event, rowIndex, top, open, step, thread, resource, elapsed, onToggle, onSelectState, child, childStatus }: EventRowProps) {
  const failed = /(Failed|TimedOut)$/.test(event.type);
  const detailsId = `event-details-${event.id}`;
  return (
    <div className="history-entry" style={{ top, height: open ? ROW_HEIGHT + DETAIL_HEIGHT : ROW_HEIGHT }}>
      <div role="row" aria-rowindex={rowIndex} className={failed ? 'history-row history-row-failed' : 'history-row'} data-event-id={event.id} data-event-type={event.type}>
        <span role="cell" className="cell-toggle">
          <button type="button" className="toggle" aria-expanded={open} aria-controls={open ? detailsId : undefined} aria-label={`${open ? 'Hide' : 'Show'} details of event ${event.id}`} onClick={() => onToggle(event.id)}>
            {open ? '▾' : '▸'}
          </button>
        </span>
        <span role="cell">{event.id}</span>
        <span role="cell" className={failed ? 'event-type event-failed' : 'event-type'}>
          {event.type}
        </span>
        <span role="cell" title={thread ? `${step ?? ''} (${thread})` : step}>
          {step && onSelectState ? (
            <button type="button" className="link-button" onClick={() => onSelectState(step)}>
              {step}
            </button>
          ) : (
            (step ?? '')
          )}
          {thread && <span className="muted thread-label"> {thread}</span>}
        </span>
        <span role="cell" title={resource}>
          {resource ? shortResource(resource) : ''}
        </span>
        <span role="cell">{formatDuration(elapsed)}</span>
        <span role="cell">{formatDate(event.timestamp)}</span>
      </div>
      {open && (
        <div role="row" className="history-details-row">
          <div role="cell" id={detailsId} className="history-details" aria-label={`Details of event ${event.id}`}>
            {child && (
              <p className="history-child" data-testid="event-child-execution">
                Child execution: <ExecutionLink executionArn={child.executionArn} /> {childStatus && <StatusBadge status={childStatus} />}
              </p>
            )}
            <pre tabIndex={0}>{JSON.stringify(expandJsonFields(eventDetails(event) ?? {}), null, 2)}</pre>
          </div>
        </div>
      )}
    </div>
  );
});

function resourceOf(event: HistoryEvent, model: ExecutionModel, index: number): string | undefined {
  const details = eventDetails(event);
  if (typeof details?.resource === 'string') return details.resource;
  const run = model.eventRuns[index];
  return run && /^(Task|LambdaFunction|Activity)/.test(event.type) ? run.resource : undefined;
}

/** The first index in [0, length) where `predicate` holds (it must be monotonic). */
function lowerBound<T>(items: readonly T[], predicate: (item: T, index: number) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (predicate(items[mid]!, mid)) high = mid;
    else low = mid + 1;
  }
  return low;
}
