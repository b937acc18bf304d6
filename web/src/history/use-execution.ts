/**
 * Loads an execution, the definition it runs and its whole history, and keeps them current
 * while it runs: every ~500 ms it asks DescribeExecution and GetExecutionHistory for what is
 * new.
 *
 * The first page of the history is asked for together with the execution and its definition,
 * and shown as soon as it is there; the rest keeps arriving (history-loader.ts: a finished
 * execution is read from both ends) while the page stays usable, re-rendered at most every
 * ~300 ms. The model (derive.ts) digests each batch of events as it comes.
 *
 * GetExecutionHistory has no "events after id N" request; a nextToken is only handed out when
 * a page is full. So the poller keeps the token that fetched the last (partial) page and asks
 * for that page again, keeping only events it has not seen: at most one page is fetched twice.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { sfn, type ExecutionDescription, type ExecutionStatus, type HistoryEvent } from '../api/sfn.js';
import { describeError } from '../api/client.js';
import { ExecutionModel } from './derive.js';
import { loadHistory, type FetchHistoryPage } from './history-loader.js';

const PAGE_SIZE = 1000;
const POLL_MS = 500;
/** How often a long history being loaded is re-rendered (each render walks the whole model). */
const PROGRESS_MS = 300;

export interface ExecutionData {
  readonly execution?: ExecutionDescription;
  readonly definition?: unknown;
  readonly definitionText?: string;
  readonly model?: ExecutionModel;
  /** True while the first load of the history is still arriving. */
  readonly loading: boolean;
  readonly error?: string;
  /** Bumped whenever the model or the execution changed. */
  readonly version: number;
  /** Restarts polling (after Stop or Redrive). */
  readonly refresh: () => void;
}

interface Loaded {
  readonly arn: string;
  readonly model: ExecutionModel;
  readonly definition: unknown;
  readonly definitionText: string;
  cursor: string | undefined;
}

/** Statuses whose history may still grow. */
export const isLive = (status: ExecutionStatus) => status === 'RUNNING' || status === 'PENDING_REDRIVE';

export function useExecution(executionArn: string): ExecutionData {
  const [state, setState] = useState<Omit<ExecutionData, 'refresh'>>({ loading: true, version: 0 });
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  const loadedRef = useRef<Loaded | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fetchPage: FetchHistoryPage = ({ reverse, nextToken }) => sfn.getExecutionHistory(executionArn, PAGE_SIZE, nextToken, signal, reverse);

    /** Re-renders with what the model holds now: at once for the first events, then at most every PROGRESS_MS. */
    let lastRender = -Infinity;
    let eventsShown = false;
    const showProgress = (execution: ExecutionDescription | undefined) => {
      const now = performance.now();
      if (eventsShown && now - lastRender < PROGRESS_MS) return;
      lastRender = now;
      eventsShown = true;
      setState((s) => ({ ...s, ...(execution ? { execution } : {}), model: loadedRef.current?.model, version: s.version + 1 }));
    };

    /** Reads the history from the cursor on (from both ends on the first load of a finished execution); resolves to the next cursor. */
    const readHistory = async (loaded: Loaded | undefined, executionP: Promise<ExecutionDescription>, onEvents: (events: readonly HistoryEvent[]) => void) => {
      const result = await loadHistory(fetchPage, {
        cursor: loaded?.cursor,
        fromBothEnds: loaded?.cursor === undefined ? executionP.then((e) => !isLive(e.status), () => false) : false,
        onEvents,
        signal,
      });
      return result.cursor;
    };

    const tick = async (loaded: Loaded): Promise<void> => {
      const execution = await sfn.describeExecution(executionArn, signal);
      // Read the history after the status: a finished execution's last events are then in it.
      loaded.cursor = await readHistory(loaded, Promise.resolve(execution), (events) => {
        loaded.model.add(events);
        showProgress(execution);
      });
      if (signal.aborted) return;
      setState((s) => ({ ...s, execution, loading: false, version: s.version + 1 }));
      if (isLive(execution.status)) timer = setTimeout(() => void tick(loaded).catch(onError), POLL_MS);
    };

    /** The first load: execution, definition and the history's first page, all at once. */
    const firstLoad = async (): Promise<void> => {
      const executionP = sfn.describeExecution(executionArn, signal);
      const machineP = sfn.describeStateMachineForExecution(executionArn);
      // Events that arrive before the definition (the model needs it) wait here.
      const early: (readonly HistoryEvent[])[] = [];
      let loaded: Loaded | undefined;
      let execution: ExecutionDescription | undefined;
      const historyP = readHistory(undefined, executionP, (events) => {
        if (!loaded) return void early.push(events);
        loaded.model.add(events);
        showProgress(execution);
      });
      historyP.catch(() => undefined); // awaited below, after the execution and its definition
      const [described, machine] = await Promise.all([executionP, machineP]);
      if (signal.aborted) return;
      execution = described;
      let definition: unknown;
      try {
        definition = JSON.parse(machine.definition);
      } catch {
        definition = {};
      }
      loaded = { arn: executionArn, model: new ExecutionModel(definition), definition, definitionText: machine.definition, cursor: undefined };
      for (const events of early) loaded.model.add(events);
      loadedRef.current = loaded;
      setState((s) => ({ ...s, execution: described, definition, definitionText: machine.definition, model: loaded!.model, version: s.version + 1 }));
      if (early.length > 0) {
        eventsShown = true;
        lastRender = performance.now();
      }
      loaded.cursor = await historyP;
      if (signal.aborted) return;
      setState((s) => ({ ...s, loading: false, version: s.version + 1 }));
      if (isLive(described.status)) timer = setTimeout(() => void tick(loaded!).catch(onError), POLL_MS);
    };

    const onError = (error: unknown) => {
      if (signal.aborted) return;
      setState((s) => ({ ...s, loading: false, error: describeError(error), version: s.version + 1 }));
    };
    const loaded = loadedRef.current?.arn === executionArn ? loadedRef.current : undefined;
    void (loaded ? tick(loaded) : firstLoad()).catch(onError);
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [executionArn, generation]);

  return { ...state, refresh };
}
