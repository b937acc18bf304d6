/**
 * AWS's `Step Functions Execution Status Change` events ("EventBridge (CloudWatch Events) for
 * Step Functions execution status changes", step-functions/latest/dg/cw-events.html): source
 * `aws.states`, the execution's ARN as the only resource, and a detail shaped like
 * DescribeExecution's answer, dates in epoch milliseconds, absent values as null.
 *
 * Payloads follow the guide: when the escaped input and output together exceed 248 KB the input
 * is left out (`inputDetails.included: false`), and an output that alone exceeds it is left out
 * too (`outputDetails.included: false`).
 */
import type { HistoryEvent } from '../engine/events.js';
import type { ExecutionRecord } from '../store/types.js';
import { eventTime, type BusEvent } from './event-bus.js';

const MAX_ESCAPED_PAYLOAD_BYTES = 248 * 1024;

const END_STATUS: Readonly<Record<string, string>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/**
 * The status events one committed decision causes, in order: RUNNING for a start or a redrive,
 * then the end status when the decision ended the execution (a short workflow does both in one).
 */
export function executionStatusEvents(
  execution: ExecutionRecord,
  events: readonly HistoryEvent[],
  newId: () => string,
  config: { readonly region: string; readonly accountId: string },
): BusEvent[] {
  const out: BusEvent[] = [];
  for (const event of events) {
    if (event.type === 'ExecutionStarted' || event.type === 'ExecutionRedriven') {
      out.push(statusEvent(execution, 'RUNNING', event.timestamp, newId(), config));
    } else {
      const status = END_STATUS[event.type];
      if (status !== undefined) out.push(statusEvent(execution, status, event.timestamp, newId(), config));
    }
  }
  return out;
}

function statusEvent(execution: ExecutionRecord, status: string, at: number, id: string, config: { readonly region: string; readonly accountId: string }): BusEvent {
  const ended = status !== 'RUNNING';
  const output = ended && status === 'SUCCEEDED' ? execution.output ?? null : null;
  const outputBytes = output === null ? 0 : escapedBytes(output);
  const outputIncluded = outputBytes <= MAX_ESCAPED_PAYLOAD_BYTES;
  const inputIncluded = escapedBytes(execution.input) + (outputIncluded ? outputBytes : 0) <= MAX_ESCAPED_PAYLOAD_BYTES;
  const redrivable = ended && status !== 'SUCCEEDED';
  return {
    version: '0',
    id,
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: config.accountId,
    time: eventTime(at),
    region: config.region,
    resources: [execution.arn],
    detail: {
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      stateMachineVersionArn: execution.stateMachineVersionArn ?? null,
      stateMachineAliasArn: execution.stateMachineAliasArn ?? null,
      name: execution.name,
      status,
      startDate: execution.startDate,
      stopDate: ended ? execution.stopDate ?? at : null,
      input: inputIncluded ? execution.input : null,
      output: outputIncluded ? output : null,
      inputDetails: { included: inputIncluded },
      outputDetails: output === null ? null : { included: outputIncluded },
      error: ended ? execution.error ?? null : null,
      cause: ended ? execution.cause ?? null : null,
      redriveCount: execution.redriveCount,
      redriveDate: execution.redriveDate ?? null,
      redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      redriveStatusReason: redrivable ? null : status === 'RUNNING' ? 'Execution is RUNNING and cannot be redriven' : 'Execution is SUCCEEDED and cannot be redriven',
    },
  };
}

/** The bytes of the text once escaped into a JSON string (what AWS measures). */
function escapedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8');
}
