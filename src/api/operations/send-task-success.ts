/** SendTaskSuccess: the output must be JSON (InvalidOutput otherwise) within the payload limit. */
import { parseJsonText } from '../../asl/validate/json-text.js';
import { invalidOutput } from '../aws-errors.js';
import { payload, shapes, struct } from '../input.js';
import { completeTask } from '../tasks.js';
import { nestingProblem } from '../wire.js';
import { operation } from './operation.js';

export const sendTaskSuccess = operation<{ taskToken: string; output: string }>(
  (ctx) => struct('SendTaskSuccessInput', { taskToken: shapes.TaskToken, output: payload(ctx.config.limits.maxPayloadBytes) }, ['taskToken', 'output']),
  async ({ taskToken, output }, ctx) => {
    const tooDeep = nestingProblem(output);
    if (tooDeep) throw invalidOutput(tooDeep);
    const parsed = output.trim() === '' ? { ok: false as const, message: 'Invalid output.' } : parseJsonText(output);
    if (!parsed.ok) throw invalidOutput(parsed.message.split('\n at ')[0]!);
    await completeTask(ctx, taskToken, { type: 'success', output: parsed.value });
    return {};
  },
);
