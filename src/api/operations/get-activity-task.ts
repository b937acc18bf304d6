/**
 * GetActivityTask: long-polls (60 s on AWS, `limits.activityPollMs`) for a task of the activity.
 * It claims with Store.claimActivityTask (a task is handed out once), tells the runner
 * (ActivityStarted), and answers `{taskToken, input}`; when nothing arrives in time it answers
 * `{}` — AWS sends no token then. A client that disconnects ends the wait.
 */
import { performance } from 'node:perf_hooks';
import { activityDoesNotExist } from '../aws-errors.js';
import { parseActivityArn } from '../arns.js';
import { shapes, struct } from '../input.js';
import { operation } from './operation.js';

export const getActivityTask = operation<{ activityArn: string; workerName?: string }>(
  struct('GetActivityTaskInput', { activityArn: shapes.Arn, workerName: shapes.Name }, ['activityArn']),
  async ({ activityArn, workerName }, ctx, request) => {
    parseActivityArn(activityArn);
    if (!(await ctx.store.getActivity(activityArn))) throw activityDoesNotExist(activityArn);
    // Real elapsed time bounds the wait, whatever clock the context keeps for timestamps.
    const deadline = performance.now() + ctx.config.limits.activityPollMs;
    for (;;) {
      const task = await ctx.store.claimActivityTask(activityArn, workerName, ctx.clock.now());
      if (task) {
        await ctx.runner.activityTaskClaimed(task, workerName);
        return { taskToken: task.token, input: task.input };
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0 || request.signal.aborted) return {};
      await ctx.runner.waitForActivityTask(activityArn, Math.min(remaining, 5_000), request.signal);
      if (request.signal.aborted) return {};
    }
  },
);
