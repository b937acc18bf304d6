/** Executions of every state machine, newest first, filterable by status, paginated. */
import { useEffect, useRef, useState } from 'react';
import { AllExecutionsCursor } from '../api/all-executions.js';
import { describeError } from '../api/client.js';
import { EXECUTION_STATUSES, type ExecutionListItem, type ExecutionStatus } from '../api/sfn.js';
import { ErrorMessage, ExecutionStatusFilter, Pager, useDocumentTitle } from '../components/common.js';
import { ExecutionList } from '../components/ExecutionsTable.js';
import { href, navigate } from '../router.js';

const PAGE_SIZE = 25;

export function ExecutionsPage({ status }: { status?: string }) {
  useDocumentTitle('Executions');
  const filter = EXECUTION_STATUSES.includes(status as ExecutionStatus) ? (status as ExecutionStatus) : undefined;
  const cursor = useRef(new AllExecutionsCursor(filter, PAGE_SIZE));
  // One request per page, however often the effect runs (the cursor moves on each call).
  const requests = useRef<Promise<ExecutionListItem[]>[]>([]);
  const [pages, setPages] = useState<ExecutionListItem[][]>([]);
  const [page, setPage] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    if (pages[page] !== undefined) return;
    let current = true;
    setBusy(true);
    const cursorNow = cursor.current;
    (requests.current[page] ??= cursorNow.nextPage())
      .then((items) => {
        if (!current || cursor.current !== cursorNow) return;
        setPages((p) => {
          const next = [...p];
          next[page] = items;
          return next;
        });
      })
      .catch((e: unknown) => current && setError(describeError(e)))
      .finally(() => current && setBusy(false));
    return () => {
      current = false;
    };
  }, [page, pages, reload]);

  const refresh = () => {
    cursor.current = new AllExecutionsCursor(filter, PAGE_SIZE);
    requests.current = [];
    setPages([]);
    setPage(0);
    setReload((r) => r + 1);
  };

  const hasNext = pages[page + 1] !== undefined || (!cursor.current.done && (pages[page]?.length ?? 0) === PAGE_SIZE);
  return (
    <>
      <div className="page-header">
        <h1>Executions</h1>
      </div>
      <div className="toolbar">
        <ExecutionStatusFilter id="all-status-filter" value={filter ?? ''} onChange={(selected) => navigate(href.executions(selected || undefined))} />
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={error} />
      <ExecutionList executions={pages[page]} showMachine />
      {(page > 0 || hasNext) && <Pager page={page} hasNext={hasNext} busy={busy} onPrevious={() => setPage((p) => p - 1)} onNext={() => setPage((p) => p + 1)} />}
    </>
  );
}
