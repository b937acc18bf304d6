/**
 * Where the execution a page shows comes from: the server's API, or a recording (a file). A
 * recording holds one execution and nothing else: the executions it names (children, a parent)
 * cannot be asked for or opened, so the components that would link to them or describe them
 * show their names only.
 */
import { createContext, useContext } from 'react';

export type ExecutionSource = 'api' | 'recording';

export const ExecutionSourceContext = createContext<ExecutionSource>('api');

export function useExecutionSource(): ExecutionSource {
  return useContext(ExecutionSourceContext);
}
