/**
 * A Distributed Map's ResultWriter (AWS: "ResultWriter (Map)",
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html).
 *
 * With `Resource` (`arn:aws:states:::s3:putObject`) and `Parameters`/`Arguments` {Bucket, Prefix},
 * the Map Run's child executions are exported to `<Prefix>/<Map Run id>/`: one file per status
 * (`SUCCEEDED_<n>.json`, `FAILED_<n>.json` for failed, timed-out and aborted children,
 * `PENDING_<n>.json` for children never started because the run failed), then `manifest.json`
 * listing them. Each file is written through an InvokeTask of the writer's resource with input
 * `{Bucket, Key, Body}`, the way the ItemReader fetches (item-reader.ts): not a Task state, so no
 * Task events are recorded, as on AWS (its histories show only the Map Run and Map state events).
 *
 * `WriterConfig` {Transformation NONE|COMPACT|FLATTEN, OutputType JSON|JSONL} shapes what is
 * written; with `WriterConfig` alone nothing is exported and the shaped results are the Map's
 * output.
 *
 * Child executions are not executions of their own here (see ListExecutions): the records carry
 * names and ARNs derived from the Map Run id and the item's index, and the decision times at
 * which the child started and ended.
 */
import { StatesError } from '../asl/errors.js';
import type { Frame } from './frames.js';
import { classifyResource, type ResourceKind } from './resources.js';
import { seededRandom } from './random.js';
import { BLOCKED, type Step, type StateRunner } from './states.js';
import { utf8Length } from './payload-size.js';

/**
 * AWS starts a new file past 5 GB. A JavaScript string holds at most about 512 M characters, so
 * here a file ends at 256 MiB (checked between records: one record larger than that still makes
 * a file of its own). Below that size the files are named and split as AWS names them.
 */
export const MAX_RESULT_FILE_BYTES = 256 * 1024 * 1024;

export type Transformation = 'NONE' | 'COMPACT' | 'FLATTEN';
export type OutputType = 'JSON' | 'JSONL';

/** The ResultWriter's settings once its Parameters/Arguments are evaluated. */
export interface WriterSettings {
  /** Where to export; undefined with WriterConfig alone (preview: nothing is written). */
  readonly destination?: { readonly resource: ResourceKind; readonly bucket: string; readonly prefix: string };
  readonly transformation: Transformation;
  readonly outputType: OutputType;
}

/** How one child execution ended (or did not start). */
export type ChildStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'PENDING';

/**
 * What the ResultWriter needs to know of each child execution beyond its input and output: when
 * it started and ended (decision times, so a replay writes the same files) and how it failed.
 * Kept only for Maps that have a ResultWriter.
 */
export class ChildLedger {
  private readonly starts: number[] = [];
  private readonly stops: number[] = [];
  private readonly errors: (StatesError | undefined)[] = [];

  started(index: number, now: number): void {
    this.starts[index] = now;
  }

  finished(index: number, now: number, error: StatesError | undefined): void {
    this.stops[index] = now;
    this.errors[index] = error;
  }

  /**
   * The children as they stand when the Map Run ends: never started (PENDING), still running
   * (ABORTED, as AWS stops them when the run fails), or ended.
   */
  children(count: number, inputs: readonly unknown[], outputs: readonly unknown[], now: number): ChildResult[] {
    const children: ChildResult[] = new Array(count);
    for (let index = 0; index < count; index++) {
      const start = this.starts[index];
      if (start === undefined) {
        children[index] = { index, status: 'PENDING', input: inputs[index] };
        continue;
      }
      const stop = this.stops[index];
      if (stop === undefined) {
        children[index] = { index, status: 'ABORTED', input: inputs[index], startDate: start, stopDate: now };
        continue;
      }
      const error = this.errors[index];
      children[index] = error
        ? { index, status: 'FAILED', input: inputs[index], startDate: start, stopDate: stop, error }
        : { index, status: 'SUCCEEDED', input: inputs[index], output: outputs[index], startDate: start, stopDate: stop };
    }
    return children;
  }
}

export interface ChildResult {
  readonly index: number;
  readonly status: ChildStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly startDate?: number;
  readonly stopDate?: number;
  readonly error?: StatesError;
}

/** Who the child executions are: their state machine, and how their names and ARNs are made. */
export interface ChildIdentity {
  readonly region: string;
  readonly accountId: string;
  /** `<state machine name>/<Label or Map state name>`. */
  readonly childMachine: string;
  readonly mapRunId: string;
  readonly express: boolean;
}

/** A file to put: its key under the Map Run's folder, its text and its size in UTF-8 bytes. */
export interface ResultFile {
  readonly key: string;
  readonly body: string;
  readonly size: number;
}

/** The export of one Map Run: the result files, then the manifest that lists them. */
export interface ExportPlan {
  readonly files: readonly ResultFile[];
  readonly manifest: ResultFile;
}

/**
 * Evaluates the ResultWriter's Parameters (JSONPath) or Arguments (JSONata) and reads its
 * WriterConfig. A destination without a Bucket string fails the Map (States.ResultWriterFailed).
 */
export async function writerSettings(runner: StateRunner, frame: Frame, writer: Record<string, any>, effective: unknown): Promise<WriterSettings> {
  const { flow, interp } = runner;
  const config: Record<string, unknown> = writer.WriterConfig ?? {};
  const exporting = writer.Resource !== undefined;
  // Exporting defaults to NONE (records with the workflow metadata); without an export the
  // outputs are returned as they are (COMPACT), as AWS documents the defaults.
  const transformation = (config.Transformation as Transformation | undefined) ?? (exporting ? 'NONE' : 'COMPACT');
  const outputType = (config.OutputType as OutputType | undefined) ?? 'JSON';
  if (!exporting) return { transformation, outputType };
  const template = flow.isJsonata(frame) ? writer.Arguments : writer.Parameters;
  const parameters = (flow.isJsonata(frame)
    ? await flow.jsonata(frame, template ?? {}, 'Arguments')
    : flow.payload(frame, template ?? {}, effective, 'Parameters')) as { Bucket?: unknown; Prefix?: unknown } | null;
  const bucket = parameters?.Bucket;
  const prefix = parameters?.Prefix ?? '';
  if (typeof bucket !== 'string' || bucket === '') {
    throw new StatesError('States.ResultWriterFailed', `The ResultWriter needs a Bucket (a non-empty string), but got: ${JSON.stringify(bucket ?? null)}`);
  }
  if (typeof prefix !== 'string') {
    throw new StatesError('States.ResultWriterFailed', `The ResultWriter's Prefix must be a string, but got: ${JSON.stringify(prefix)}`);
  }
  return { destination: { resource: classifyResource(String(writer.Resource), interp.identity.region), bucket, prefix }, transformation, outputType };
}

/** `<Prefix>/<Map Run id>/` (a Prefix that ends with `/` gets no second one). */
export function mapRunFolder(prefix: string, mapRunId: string): string {
  if (prefix === '') return `${mapRunId}/`;
  return prefix.endsWith('/') ? `${prefix}${mapRunId}/` : `${prefix}/${mapRunId}/`;
}

/** The Map's output when its results are exported: where the manifest is. */
export function exportedOutput(mapRunArn: string, bucket: string, prefix: string, mapRunId: string): Record<string, unknown> {
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: bucket, Key: `${mapRunFolder(prefix, mapRunId)}manifest.json` } };
}

/**
 * The Map's output with WriterConfig and no export: the transformed results (as a JSON array
 * whatever the OutputType: a state's output is JSON, and JSON Lines only shape a file).
 */
export function previewOutput(children: readonly ChildResult[], identity: ChildIdentity, transformation: Transformation): unknown[] {
  return transformedValues(children, identity, transformation);
}

/**
 * The files AWS writes for a Map Run: SUCCEEDED, FAILED and PENDING files (only those with
 * records, split past MAX_RESULT_FILE_BYTES), then a manifest listing them:
 * `{"DestinationBucket", "MapRunArn", "ResultFiles": {"FAILED": [{Key, Size}], "PENDING": […], "SUCCEEDED": […]}}`.
 */
export function exportPlan(
  children: readonly ChildResult[],
  identity: ChildIdentity,
  settings: { readonly bucket: string; readonly prefix: string; readonly transformation: Transformation; readonly outputType: OutputType },
  mapRunArn: string,
  maxFileBytes = MAX_RESULT_FILE_BYTES,
): ExportPlan {
  const folder = mapRunFolder(settings.prefix, identity.mapRunId);
  const succeeded = children.filter((c) => c.status === 'SUCCEEDED');
  const failed = children.filter((c) => c.status === 'FAILED' || c.status === 'ABORTED');
  const pending = children.filter((c) => c.status === 'PENDING');
  const extension = settings.outputType === 'JSONL' ? 'jsonl' : 'json';
  const files: ResultFile[] = [];
  const listed: Record<'FAILED' | 'PENDING' | 'SUCCEEDED', { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  const add = (status: 'FAILED' | 'PENDING' | 'SUCCEEDED', values: unknown[]): void => {
    splitIntoFiles(values, settings.outputType, maxFileBytes).forEach(({ body, size }, n) => {
      const key = `${folder}${status}_${n}.${extension}`;
      files.push({ key, body, size });
      listed[status].push({ Key: key, Size: size });
    });
  };
  // Failed and pending children are written as records whatever the Transformation: AWS
  // "returns its execution result unchanged" for a failed child.
  add('SUCCEEDED', transformedValues(succeeded, identity, settings.transformation));
  add('FAILED', failed.map((c) => executionRecord(c, identity)));
  add('PENDING', pending.map((c) => executionRecord(c, identity)));
  const manifestBody = JSON.stringify({ DestinationBucket: settings.bucket, MapRunArn: mapRunArn, ResultFiles: listed });
  return { files, manifest: { key: `${folder}manifest.json`, body: manifestBody, size: utf8Length(manifestBody) } };
}

/** The values a Transformation makes of the children (failed ones stay records, as with NONE). */
function transformedValues(children: readonly ChildResult[], identity: ChildIdentity, transformation: Transformation): unknown[] {
  if (transformation === 'NONE') return children.map((c) => executionRecord(c, identity));
  const values: unknown[] = [];
  for (const child of children) {
    if (child.status !== 'SUCCEEDED') values.push(executionRecord(child, identity));
    else if (transformation === 'FLATTEN' && Array.isArray(child.output)) for (const item of child.output) values.push(item);
    else values.push(child.output);
  }
  return values;
}

/**
 * A child execution as the result files record it: DescribeExecution's fields in PascalCase,
 * in alphabetical order, Input and Output as JSON text (AWS's example for Transformation NONE).
 * A PENDING child has only its Input and Status. RedriveStatus of an unsuccessful child is
 * REDRIVABLE: redriving the parent runs the Map again (chosen here; AWS decides per Map Run).
 */
export function executionRecord(child: ChildResult, identity: ChildIdentity): Record<string, unknown> {
  const input = JSON.stringify(child.input ?? null);
  if (child.status === 'PENDING') return { Input: input, InputDetails: { Included: true }, Status: 'PENDING' };
  const { name, arn } = childExecutionName(identity, child.index);
  const record: Record<string, unknown> = {};
  if (child.error) {
    if (child.error.cause !== undefined) record.Cause = child.error.cause;
    if (child.error.error !== undefined) record.Error = child.error.error;
  }
  record.ExecutionArn = arn;
  record.Input = input;
  record.InputDetails = { Included: true };
  record.Name = name;
  if (child.status === 'SUCCEEDED') {
    record.Output = JSON.stringify(child.output ?? null);
    record.OutputDetails = { Included: true };
  }
  record.RedriveCount = 0;
  record.RedriveStatus = child.status === 'SUCCEEDED' ? 'NOT_REDRIVABLE' : 'REDRIVABLE';
  if (child.status === 'SUCCEEDED') record.RedriveStatusReason = 'Execution is SUCCEEDED and cannot be redriven';
  record.StartDate = new Date(child.startDate!).toISOString();
  record.StateMachineArn = `arn:aws:states:${identity.region}:${identity.accountId}:stateMachine:${identity.childMachine}`;
  record.Status = child.status;
  record.StopDate = new Date(child.stopDate!).toISOString();
  return record;
}

/**
 * A child execution's name and ARN. AWS names children with name-based UUIDs; here the UUID is
 * derived from the Map Run id and the item's index (never drawn from the execution's random
 * source, so exporting changes no other draw). EXPRESS children's ARNs carry an execution id
 * after the name, as AWS's do.
 */
export function childExecutionName(identity: ChildIdentity, index: number): { name: string; arn: string } {
  const source = seededRandom(`${identity.mapRunId}#${index}`);
  const name = source.uuid();
  const base = `arn:aws:states:${identity.region}:${identity.accountId}`;
  const arn = identity.express ? `${base}:express:${identity.childMachine}:${name}:${source.uuid()}` : `${base}:execution:${identity.childMachine}:${name}`;
  return { name, arn };
}

/** Values as JSON (one array per file) or JSON Lines (one value per line), split by size. */
function splitIntoFiles(values: readonly unknown[], outputType: OutputType, maxFileBytes: number): { body: string; size: number }[] {
  if (values.length === 0) return [];
  const files: { body: string; size: number }[] = [];
  let parts: string[] = [];
  let size = 0;
  const flush = (): void => {
    const body = outputType === 'JSONL' ? parts.join('') : `[${parts.join(',')}]`;
    files.push({ body, size: outputType === 'JSONL' ? size : size + 2 + (parts.length - 1) });
    parts = [];
    size = 0;
  };
  for (const value of values) {
    const text = JSON.stringify(value ?? null) + (outputType === 'JSONL' ? '\n' : '');
    const bytes = utf8Length(text);
    const overhead = outputType === 'JSONL' ? 0 : 2 + parts.length;
    if (parts.length > 0 && size + bytes + overhead > maxFileBytes) flush();
    parts.push(text);
    size += bytes;
  }
  flush();
  return files;
}

/**
 * The answer the task dispatcher gives a task that nothing in this process performs (no mock,
 * handler, route or integration: src/integrations/local-tasks.ts `noHandlerTrigger`). For a
 * ResultWriter that means no S3 is configured: the results are not exported and the Map's output
 * is what AWS's would be (the conformance corpus runs such Maps with no S3 at all).
 */
function isUnanswered(error: StatesError): boolean {
  return error.error === 'States.TaskFailed' && (error.cause ?? '').startsWith('No task handler or mocked response for resource');
}

/** How an export ended: written, not written because nothing answers S3, or failed. */
export type ExportOutcome = { readonly kind: 'written' } | { readonly kind: 'unanswered' } | { readonly kind: 'failed'; readonly error: StatesError };

/**
 * Puts the result files (all at once), then the manifest (last, so that a manifest is only ever
 * there when every file it lists is), then continues with the outcome. The first failure stops
 * the export: the other puts are cancelled.
 */
export function exportResults(runner: StateRunner, frame: Frame, resource: ResourceKind, bucket: string, plan: ExportPlan, continueWith: (outcome: ExportOutcome) => Step): Step {
  return putFiles(runner, frame, resource, bucket, plan.files, (failure) => {
    if (failure) return continueWith(outcomeOf(failure));
    return putFiles(runner, frame, resource, bucket, [plan.manifest], (manifestFailure) =>
      continueWith(manifestFailure ? outcomeOf(manifestFailure) : { kind: 'written' }),
    );
  });
}

function outcomeOf(error: StatesError): ExportOutcome {
  if (isUnanswered(error)) return { kind: 'unanswered' };
  return { kind: 'failed', error: new StatesError('States.ResultWriterFailed', error.cause || error.error || 'The results could not be written.') };
}

function putFiles(runner: StateRunner, frame: Frame, resource: ResourceKind, bucket: string, files: readonly ResultFile[], done: (failure: StatesError | undefined) => Step): Step {
  const { interp } = runner;
  if (files.length === 0) return done(undefined);
  const pending = new Set<string>();
  let settled = false;
  for (const file of files) {
    const taskId = interp.nextTaskId();
    pending.add(taskId);
    interp.invokeTask(
      frame,
      { stateName: frame.stateName, resource, input: { Bucket: bucket, Key: file.key, Body: file.body }, context: interp.contextObject(frame) },
      taskId,
      {
        onSucceeded: () => {
          pending.delete(taskId);
          if (settled || pending.size > 0) return BLOCKED;
          settled = true;
          return done(undefined);
        },
        onFailed: (error) => {
          pending.delete(taskId);
          if (settled) return BLOCKED;
          settled = true;
          for (const other of pending) interp.abortTask(other);
          pending.clear();
          return done(error);
        },
      },
    );
  }
  return BLOCKED;
}
