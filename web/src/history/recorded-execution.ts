/**
 * A recording as the execution page's data (ExecutionData, what useExecution gives for a live
 * execution): all of it at once, from the file, never changing, and no API call.
 */
import { useMemo } from 'react';
import type { Recording } from '../../../src/runtime/recording.js';
import { ExecutionModel } from './derive.js';
import type { ExecutionData } from './use-execution.js';

const NOTHING_TO_REFRESH = () => undefined;

export function useRecordedExecution(recording: Recording): ExecutionData {
  return useMemo(() => {
    const model = new ExecutionModel(recording.definition);
    model.add(recording.events);
    return {
      execution: recording.execution,
      definition: recording.definition,
      definitionText: JSON.stringify(recording.definition, null, 2),
      model,
      loading: false,
      version: 1,
      refresh: NOTHING_TO_REFRESH,
    };
  }, [recording]);
}
