/** SendTaskFailure: fails the task with an optional error name and cause. */
import { shapes, struct } from '../input.js';
import { completeTask } from '../tasks.js';
import { operation } from './operation.js';

export const sendTaskFailure = operation<{ taskToken: string; error?: string; cause?: string }>(
  struct('SendTaskFailureInput', { taskToken: shapes.TaskToken, error: shapes.SensitiveError, cause: shapes.SensitiveCause }, ['taskToken']),
  async ({ taskToken, error, cause }, ctx) => {
    await completeTask(ctx, taskToken, { type: 'failure', ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
    return {};
  },
);
