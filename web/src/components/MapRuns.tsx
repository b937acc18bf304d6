/**
 * Distributed Maps: an execution's Map Runs (ListMapRuns), each with DescribeMapRun's counts and
 * settings and its child executions (ListExecutions by mapRunArn), and, on a child execution's
 * page, the Map Run and execution it belongs to.
 *
 * While the execution runs (or a Map Run does, as after a redrive) they are read again every 2 s,
 * as the executions tables are, and once more when it ends, so that the last counts are shown.
 * The next read is asked for only after the previous one answered: a slow server is never asked
 * again before it has answered.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { describeError } from '../api/client.js';
import { sfn, type ExecutionListItem, type ExecutionStatus, type MapRunCounts, type MapRunDescription, type MapRunListItem } from '../api/sfn.js';
import { formatDate } from '../format.js';
import { executionParts } from '../history/child-executions.js';
import { mapRunParts } from '../history/map-runs.js';
import { href } from '../router.js';
import { ErrorMessage, ExecutionStatusFilter, StatusBadge } from './common.js';
import { ExecutionList } from './ExecutionsTable.js';

const REFRESH_MS = 2000;
const CHILDREN_PAGE_SIZE = 50;

interface MapRunView {
  readonly item: MapRunListItem;
  readonly description?: MapRunDescription;
  /** DescribeMapRun's refusal, when it failed for this one. */
  readonly error?: string;
}

/** Every Map Run of the execution, each described. */
async function loadMapRuns(executionArn: string, signal: AbortSignal): Promise<MapRunView[]> {
  const items: MapRunListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.listMapRuns(executionArn, nextToken, signal);
    items.push(...page.mapRuns);
    nextToken = page.nextToken;
  } while (nextToken);
  return Promise.all(
    items.map((item) =>
      sfn.describeMapRun(item.mapRunArn, signal).then(
        (description): MapRunView => ({ item, description }),
        (error: unknown): MapRunView => ({ item, error: describeError(error) }),
      ),
    ),
  );
}

/** The execution's Map Runs; nothing at all when it has none. */
export function MapRunsSection({ executionArn, live }: { executionArn: string; live: boolean }) {
  const [runs, setRuns] = useState<MapRunView[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  /** Bumped when a read answered (or failed): the next one is scheduled from there. */
  const [reads, setReads] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    loadMapRuns(executionArn, controller.signal).then(
      (loaded) => {
        if (controller.signal.aborted) return;
        setRuns(loaded);
        setError(undefined);
        setReads((n) => n + 1);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setError(describeError(e));
        setReads((n) => n + 1);
      },
    );
    return () => controller.abort();
    // `live` too: read once more when the execution ends.
  }, [executionArn, tick, live]);

  const anyRunning = runs?.some((run) => run.description?.status === 'RUNNING') ?? false;
  useEffect(() => {
    if (!live && !anyRunning) return;
    const timer = setTimeout(() => setTick((t) => t + 1), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [live, anyRunning, reads]);

  // Until Map Runs were read once, a failure (an older server, a key that may not list them)
  // leaves the section away, as for an execution without any.
  if (runs === undefined || runs.length === 0) return null;
  return (
    <section aria-labelledby="map-runs-heading" className="section" data-testid="map-runs">
      <h2 id="map-runs-heading">Map Runs ({runs.length})</h2>
      <ErrorMessage error={error} />
      {runs.map((run) => (
        <MapRun key={run.item.mapRunArn} run={run} live={live || run.description?.status === 'RUNNING'} />
      ))}
    </section>
  );
}

function MapRun({ run, live }: { run: MapRunView; live: boolean }) {
  const { item, description } = run;
  const parts = mapRunParts(item.mapRunArn);
  const label = parts?.label ?? item.mapRunArn;
  const headingId = useId();
  return (
    <article className="map-run" aria-labelledby={headingId} data-map-run={item.mapRunArn} data-status={description?.status ?? ''}>
      <div className="map-run-header">
        <h3 id={headingId}>
          Map Run {label} <StatusBadge status={description?.status} />
        </h3>
        <code className="muted" title={item.mapRunArn}>
          {parts ? `${parts.label}:${parts.id}` : item.mapRunArn}
        </code>
      </div>
      <ErrorMessage error={run.error} />
      <dl className="details details-compact">
        <div>
          <dt>Started</dt>
          <dd>{formatDate(description?.startDate ?? item.startDate)}</dd>
        </div>
        <div>
          <dt>Ended</dt>
          <dd>{formatDate(description?.stopDate ?? item.stopDate)}</dd>
        </div>
        {description && (
          <>
            <div>
              <dt>Max concurrency</dt>
              <dd data-testid="map-run-max-concurrency">{description.maxConcurrency > 0 ? description.maxConcurrency : 'No limit'}</dd>
            </div>
            <div>
              <dt>Tolerated failures</dt>
              <dd data-testid="map-run-tolerated-failures">{toleratedFailures(description)}</dd>
            </div>
          </>
        )}
      </dl>
      {description && <MapRunCountsTable label={label} items={description.itemCounts} executions={description.executionCounts} />}
      <MapRunChildren mapRunArn={item.mapRunArn} label={label} live={live} />
    </article>
  );
}

/** `3 or 10%`, `3`, `10%`; AWS reports 0 (and Stepwise may report a negative number) for none. */
function toleratedFailures(run: MapRunDescription): string {
  const count = run.toleratedFailureCount > 0 ? String(run.toleratedFailureCount) : undefined;
  const percentage = run.toleratedFailurePercentage > 0 ? `${run.toleratedFailurePercentage}%` : undefined;
  if (count && percentage) return `${count} or ${percentage}`;
  return count ?? percentage ?? 'None';
}

const COUNT_COLUMNS: readonly { key: keyof MapRunCounts; label: string }[] = [
  { key: 'pending', label: 'Pending' },
  { key: 'running', label: 'Running' },
  { key: 'succeeded', label: 'Succeeded' },
  { key: 'failed', label: 'Failed' },
  { key: 'timedOut', label: 'Timed out' },
  { key: 'aborted', label: 'Aborted' },
  { key: 'total', label: 'Total' },
];

function MapRunCountsTable({ label, items, executions }: { label: string; items: MapRunCounts; executions: MapRunCounts }) {
  const rows = [
    { name: 'Items', kind: 'items', counts: items },
    { name: 'Child executions', kind: 'executions', counts: executions },
  ];
  return (
    <table className="table map-run-counts" data-testid="map-run-counts">
      <caption className="visually-hidden">Counts of Map Run {label}</caption>
      <thead>
        <tr>
          <td />
          {COUNT_COLUMNS.map((column) => (
            <th key={column.key} scope="col">
              {column.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.kind} data-counts={row.kind}>
            <th scope="row">{row.name}</th>
            {COUNT_COLUMNS.map((column) => (
              <td key={column.key} data-count={column.key}>
                {row.counts[column.key] ?? 0}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface ChildrenPage {
  readonly executions: ExecutionListItem[];
  readonly nextToken?: string;
  /** How many pages of CHILDREN_PAGE_SIZE were read to show them. */
  readonly pages: number;
}

/**
 * The Map Run's child executions, filtered by status. "Load more" reads one more page; every
 * refresh reads again as many pages as are shown, from the first (a child that ended moves
 * between pages of a filtered list, so a page kept from before could show it twice or miss one).
 */
function MapRunChildren({ mapRunArn, label, live }: { mapRunArn: string; label: string; live: boolean }) {
  const filterId = useId();
  const [status, setStatus] = useState<ExecutionStatus | ''>('');
  const [children, setChildren] = useState<ChildrenPage | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const [tick, setTick] = useState(0);
  const [reads, setReads] = useState(0);
  /** The pages the next read asks for: those shown, one more after "Load more". */
  const pagesWanted = useRef(1);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const read = async (): Promise<ChildrenPage> => {
      const executions: ExecutionListItem[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await sfn.listExecutions(
          { mapRunArn, maxResults: CHILDREN_PAGE_SIZE, ...(status ? { statusFilter: status } : {}), ...(nextToken ? { nextToken } : {}) },
          signal,
        );
        executions.push(...page.executions);
        nextToken = page.nextToken;
        pages += 1;
      } while (nextToken && pages < pagesWanted.current);
      return { executions, nextToken, pages };
    };
    read().then(
      (page) => {
        if (signal.aborted) return;
        pagesWanted.current = page.pages;
        setChildren(page);
        setError(undefined);
        setLoadingMore(false);
        setReads((n) => n + 1);
      },
      (e: unknown) => {
        if (signal.aborted) return;
        setError(describeError(e));
        setLoadingMore(false);
        setReads((n) => n + 1);
      },
    );
    return () => controller.abort();
  }, [mapRunArn, status, tick, live]);

  useEffect(() => {
    if (!live) return;
    const timer = setTimeout(() => setTick((t) => t + 1), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [live, reads]);

  const loadMore = () => {
    pagesWanted.current = (children?.pages ?? 0) + 1;
    setLoadingMore(true);
    setTick((t) => t + 1);
  };

  return (
    <div className="map-run-children">
      <div className="toolbar">
        <h4>Child executions</h4>
        <ExecutionStatusFilter
          id={filterId}
          value={status}
          testId="map-run-status-filter"
          onChange={(selected) => {
            setStatus(selected);
            pagesWanted.current = 1;
            setChildren(undefined);
          }}
        />
      </div>
      <ErrorMessage error={error} />
      <ExecutionList
        executions={children?.executions}
        caption={`Child executions of Map Run ${label}`}
        empty={status ? `No ${status} child executions.` : 'No child executions.'}
        testId="map-run-children"
      />
      {children?.nextToken !== undefined && (
        <div className="pager">
          <button type="button" onClick={loadMore} disabled={loadingMore} data-testid="map-run-load-more">
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
          <span className="muted">{children.executions.length} shown</span>
        </div>
      )}
    </div>
  );
}

/** On a Map Run child's page: the Map Run and the execution it belongs to (DescribeMapRun names it). */
export function MapRunParent({ mapRunArn }: { mapRunArn: string }) {
  const [parent, setParent] = useState<{ executionArn: string } | { error: string } | undefined>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    sfn.describeMapRun(mapRunArn, controller.signal).then(
      (run) => setParent({ executionArn: run.executionArn }),
      (e: unknown) => !controller.signal.aborted && setParent({ error: describeError(e) }),
    );
    return () => controller.abort();
  }, [mapRunArn]);
  const label = mapRunParts(mapRunArn)?.label ?? mapRunArn;
  return (
    <p className="started-by" data-testid="map-run-parent">
      Child of Map Run <strong title={mapRunArn}>{label}</strong>
      {parent === undefined ? (
        <span className="muted"> of …</span>
      ) : 'error' in parent ? (
        <span className="muted"> (its execution could not be read: {parent.error})</span>
      ) : (
        <>
          {' of '}
          <a href={href.execution(parent.executionArn)} title={parent.executionArn} data-testid="map-run-parent-execution">
            {executionParts(parent.executionArn).name}
          </a>
        </>
      )}
    </p>
  );
}
