// Types for handlers.mjs, so TypeScript code (the tests) can import it.
import type { TaskHandler } from '../src/index.js';

declare const handlers: Record<string, TaskHandler>;
export default handlers;
