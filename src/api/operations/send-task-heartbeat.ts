/** SendTaskHeartbeat: the worker is alive; restarts the task's HeartbeatSeconds clock. */
import { shapes, struct } from '../input.js';
import { completeTask } from '../tasks.js';
import { operation } from './operation.js';

export const sendTaskHeartbeat = operation<{ taskToken: string }>(
  struct('SendTaskHeartbeatInput', { taskToken: shapes.TaskToken }, ['taskToken']),
  async ({ taskToken }, ctx) => {
    await completeTask(ctx, taskToken, { type: 'heartbeat' });
    return {};
  },
);
