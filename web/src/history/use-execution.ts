/**
 * Loads an execution, the definition it runs and its whole history, and keeps them current
 * while it runs: every ~500 ms it asks DescribeExecution and GetExecutionHistory for what is
 * new.
 *
 * GetExecutionHistory has no "events after id N" request; a nextToken is only handed out when
 * a page is full. So the poller keeps the token that fetched the last (partial) page and asks
 * for that page again, keeping only events it has not seen: at most one page is fetched twice.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { sfn, type ExecutionDescription } from '../api/sfn.js';
import { describeError } from '../api/client.js';
import { ExecutionModel } from './derive.js';

const PAGE_SIZE = 1000;
const POLL_MS = 500;

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

export function useExecution(executionArn: string): ExecutionData {
  const [state, setState] = useState<Omit<ExecutionData, 'refresh'>>({ loading: true, version: 0 });
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  const modelRef = useRef<{ arn: string; model: ExecutionModel; cursor: string | undefined; definitionText: string; definition: unknown } | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const run = async () => {
      try {
        let loaded = modelRef.current?.arn === executionArn ? modelRef.current : undefined;
        if (!loaded) {
          const [execution, machine] = await Promise.all([sfn.describeExecution(executionArn, signal), sfn.describeStateMachineForExecution(executionArn)]);
          let definition: unknown;
          try {
            definition = JSON.parse(machine.definition);
          } catch {
            definition = {};
          }
          loaded = { arn: executionArn, model: new ExecutionModel(definition), cursor: undefined, definitionText: machine.definition, definition };
          modelRef.current = loaded;
          setState((s) => ({ ...s, execution, definition, definitionText: machine.definition, model: loaded!.model, version: s.version + 1 }));
        }
        const current = loaded;
        const tick = async (): Promise<void> => {
          const execution = await sfn.describeExecution(executionArn, signal);
          // Read the history after the status: a finished execution's last events are then in it.
          await readNewEvents(current, signal, (done) => {
            setState((s) => ({ ...s, execution, model: current.model, loading: !done, version: s.version + 1 }));
          });
          if (signal.aborted) return;
          setState((s) => ({ ...s, execution, loading: false, version: s.version + 1 }));
          if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE') {
            timer = setTimeout(() => void tick().catch(onError), POLL_MS);
          }
        };
        await tick();
      } catch (error) {
        onError(error);
      }
    };
    const onError = (error: unknown) => {
      if (signal.aborted) return;
      setState((s) => ({ ...s, loading: false, error: describeError(error), version: s.version + 1 }));
    };
    void run();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [executionArn, generation]);

  return { ...state, refresh };
}

async function readNewEvents(
  loaded: { arn: string; model: ExecutionModel; cursor: string | undefined },
  signal: AbortSignal,
  onProgress: (done: boolean) => void,
): Promise<void> {
  let lastProgress = 0;
  let request = sfn.getExecutionHistory(loaded.arn, PAGE_SIZE, loaded.cursor, signal);
  for (;;) {
    const page = await request;
    if (signal.aborted) return;
    // Ask for the next page before digesting this one: the server works while we do.
    if (page.nextToken) {
      request = sfn.getExecutionHistory(loaded.arn, PAGE_SIZE, page.nextToken, signal);
      request.catch(() => undefined); // awaited below; this only keeps an abort from being "unhandled"
    }
    loaded.model.add(page.events);
    if (!page.nextToken) return;
    loaded.cursor = page.nextToken;
    // Show a long history as it arrives, but do not re-render for every page.
    const now = performance.now();
    if (now - lastProgress > 300) {
      lastProgress = now;
      onProgress(false);
    }
  }
}
