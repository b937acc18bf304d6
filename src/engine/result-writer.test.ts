import { describe, expect, it } from 'vitest';
import { Interpreter } from './interpreter.js';
import { identityFor } from '../runtime/memory-driver.js';
import type { Command, Decision } from './model.js';
import { exportPlan, type ChildIdentity, type ChildResult } from './result-writer.js';
import { StatesError } from '../asl/errors.js';

const T0 = Date.UTC(2024, 0, 1);
const identity = identityFor({ stateMachineName: 'orders', executionName: 'e1', context: { region: 'us-east-1', accountId: '111111111111' } });
const WORK = 'arn:aws:lambda:us-east-1:111111111111:function:work';
const PUT = 'arn:aws:states:::s3:putObject';

type InvokeTask = Extract<Command, { type: 'InvokeTask' }>;
type Put = { Bucket: string; Key: string; Body: string };

function interpreter(definition: object, input: unknown): Interpreter {
  return new Interpreter({ definition: definition as never, input, identity, startTime: T0 });
}

function map(processor: object, extra: Record<string, unknown> = {}): object {
  return {
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        Label: 'Orders',
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...processor },
        End: true,
        ...extra,
      },
    },
  };
}

const PASS = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
const FAILING = {
  StartAt: 'C',
  States: {
    C: { Type: 'Choice', Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'F' }], Default: 'P' },
    F: { Type: 'Fail', Error: 'Item.Bad', Cause: 'bad item' },
    P: { Type: 'Pass', Parameters: { 'got.$': '$.n' }, End: true },
  },
};
const TASK = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: WORK, End: true } } };
const WRITER = { Resource: PUT, Parameters: { Bucket: 'out', 'Prefix.$': '$$.Execution.Name' } };

function puts(decision: Decision): InvokeTask[] {
  return decision.commands.filter((c): c is InvokeTask => c.type === 'InvokeTask' && c.resource.arn === PUT);
}

function put(command: InvokeTask): Put {
  return command.input as Put;
}

/** Answers every putObject the decisions ask for, until the execution stops asking; returns the puts in order. */
async function answerPuts(interp: Interpreter, first: Decision, at = T0): Promise<{ written: Put[]; last: Decision }> {
  const written: Put[] = [];
  let decision = first;
  for (let pending = puts(decision); pending.length > 0; pending = puts(decision)) {
    for (const command of pending) {
      written.push(put(command));
      decision = await interp.handle({ type: 'TaskSucceeded', taskId: command.taskId, output: { ETag: '"x"' } }, at);
    }
  }
  return { written, last: decision };
}

function runId(interp: Interpreter): string {
  const arn = interp.history().find((e) => e.type === 'MapRunStarted')!.details!.mapRunArn!;
  return arn.split(':').at(-1)!;
}

describe('ResultWriter', () => {
  it('writes SUCCEEDED_0.json and then manifest.json, and outputs where they are', async () => {
    const interp = interpreter(map(PASS, { ResultWriter: WRITER }), [{ n: 1 }, { n: 2 }]);
    const first = await interp.start(T0);
    // Only the result file is put first: the manifest follows once it is written.
    expect(puts(first).map((c) => put(c).Key)).toEqual([`e1/${runId(interp)}/SUCCEEDED_0.json`]);
    expect(first.events.map((e) => e.type)).not.toContain('MapRunSucceeded');
    const { written, last } = await answerPuts(interp, first, T0 + 1000);
    const id = runId(interp);
    expect(written.map((p) => `${p.Bucket}/${p.Key}`)).toEqual([`out/e1/${id}/SUCCEEDED_0.json`, `out/e1/${id}/manifest.json`]);

    const records = JSON.parse(written[0]!.Body) as Record<string, unknown>[];
    expect(records).toHaveLength(2);
    expect(Object.keys(records[0]!)).toEqual([
      'ExecutionArn', 'Input', 'InputDetails', 'Name', 'Output', 'OutputDetails', 'RedriveCount', 'RedriveStatus',
      'RedriveStatusReason', 'StartDate', 'StateMachineArn', 'Status', 'StopDate',
    ]);
    expect(records[0]).toMatchObject({
      Input: '{"n":1}',
      InputDetails: { Included: true },
      Output: '{"n":1}',
      OutputDetails: { Included: true },
      RedriveCount: 0,
      RedriveStatus: 'NOT_REDRIVABLE',
      StartDate: '2024-01-01T00:00:00.000Z',
      StateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:orders/Orders',
      Status: 'SUCCEEDED',
    });
    expect(records[0]!.ExecutionArn).toBe(`arn:aws:states:us-east-1:111111111111:execution:orders/Orders:${records[0]!.Name as string}`);
    expect(records[0]!.Name).not.toBe(records[1]!.Name);

    const manifest = JSON.parse(written[1]!.Body);
    expect(manifest).toEqual({
      DestinationBucket: 'out',
      MapRunArn: `arn:aws:states:us-east-1:111111111111:mapRun:orders/Orders:${id}`,
      ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: `e1/${id}/SUCCEEDED_0.json`, Size: Buffer.byteLength(written[0]!.Body) }] },
    });

    expect(last.status).toBe('SUCCEEDED');
    expect(interp.output).toEqual({ MapRunArn: manifest.MapRunArn, ResultWriterDetails: { Bucket: 'out', Key: `e1/${id}/manifest.json` } });
    // The writes record no Task events; the Map Run ends after them.
    expect(interp.history().map((e) => e.type)).toEqual([
      'ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded',
    ]);
    expect(interp.mapRunRecords()[0]).toMatchObject({ status: 'SUCCEEDED', stopDate: T0 + 1000 });
  });

  it('writes tolerated failures to FAILED_0.json with their error and cause', async () => {
    const items = [{ n: 1, fail: false }, { n: 2, fail: true }, { n: 3, fail: false }];
    const interp = interpreter(map(FAILING, { ResultWriter: WRITER, ToleratedFailureCount: 1 }), items);
    const { written, last } = await answerPuts(interp, await interp.start(T0));
    expect(last.status).toBe('SUCCEEDED');
    const byName = Object.fromEntries(written.map((p) => [p.Key.split('/').at(-1), p.Body]));
    expect(Object.keys(byName)).toEqual(['SUCCEEDED_0.json', 'FAILED_0.json', 'manifest.json']);
    expect(JSON.parse(byName['SUCCEEDED_0.json']!).map((r: { Output: string }) => JSON.parse(r.Output))).toEqual([{ got: 1 }, { got: 3 }]);
    const [failure] = JSON.parse(byName['FAILED_0.json']!);
    expect(failure).toMatchObject({ Cause: 'bad item', Error: 'Item.Bad', Input: '{"n":2,"fail":true}', Status: 'FAILED', RedriveStatus: 'REDRIVABLE' });
    expect(failure).not.toHaveProperty('Output');
    const manifest = JSON.parse(byName['manifest.json']!);
    expect(manifest.ResultFiles.FAILED).toEqual([{ Key: written.find((p) => p.Key.endsWith('FAILED_0.json'))!.Key, Size: Buffer.byteLength(byName['FAILED_0.json']!) }]);
  });

  it('exports a failed Map Run (aborted and pending children too) and fails with the run error', async () => {
    const interp = interpreter(map(TASK, { ResultWriter: WRITER, MaxConcurrency: 2 }), [1, 2, 3, 4]);
    const first = await interp.start(T0);
    const [a] = first.commands.filter((c): c is InvokeTask => c.type === 'InvokeTask' && c.resource.arn === WORK);
    const failed = await interp.handle({ type: 'TaskFailed', taskId: a!.taskId, error: 'Boom', cause: 'x' }, T0 + 2000);
    const { written, last } = await answerPuts(interp, failed, T0 + 3000);
    expect(last.status).toBe('FAILED');
    expect(interp.error).toBe('Boom');
    const byName = Object.fromEntries(written.map((p) => [p.Key.split('/').at(-1), JSON.parse(p.Body)]));
    expect(Object.keys(byName)).toEqual(['FAILED_0.json', 'PENDING_0.json', 'manifest.json']);
    expect(byName['FAILED_0.json'].map((r: { Status: string; Input: string }) => [r.Status, r.Input])).toEqual([['FAILED', '1'], ['ABORTED', '2']]);
    expect(byName['PENDING_0.json']).toEqual([
      { Input: '3', InputDetails: { Included: true }, Status: 'PENDING' },
      { Input: '4', InputDetails: { Included: true }, Status: 'PENDING' },
    ]);
    expect(interp.history().map((e) => e.type).slice(-3)).toEqual(['MapRunFailed', 'MapStateFailed', 'ExecutionFailed']);
  });

  it('fails the Map with States.ResultWriterFailed when a put fails (Catch sees it)', async () => {
    const definition = map(PASS, { ResultWriter: WRITER, Catch: [{ ErrorEquals: ['States.ResultWriterFailed'], Next: 'Caught' }] });
    (definition as { States: Record<string, unknown> }).States.Caught = { Type: 'Pass', End: true };
    const interp = interpreter(definition, [1]);
    const first = await interp.start(T0);
    const [file] = puts(first);
    const decision = await interp.handle({ type: 'TaskFailed', taskId: file!.taskId, error: 'S3.NoSuchBucketException', cause: 'The specified bucket does not exist' }, T0);
    expect(puts(decision)).toEqual([]); // no manifest after a failed file
    expect(decision.status).toBe('SUCCEEDED');
    expect(interp.output).toEqual({ Error: 'States.ResultWriterFailed', Cause: 'The specified bucket does not exist' });
    expect(interp.history().map((e) => e.type)).toContain('MapRunFailed');
    expect(interp.mapRunRecords()[0]!.status).toBe('FAILED');
  });

  it('leaves the results unexported when nothing in the process performs the put', async () => {
    const interp = interpreter(map(PASS, { ResultWriter: WRITER }), [1]);
    const first = await interp.start(T0);
    const [file] = puts(first);
    const decision = await interp.handle(
      { type: 'TaskFailed', taskId: file!.taskId, error: 'States.TaskFailed', cause: `No task handler or mocked response for resource '${PUT}' (state 'Fan').` },
      T0,
    );
    expect(decision.status).toBe('SUCCEEDED');
    expect(interp.output).toMatchObject({ ResultWriterDetails: { Bucket: 'out', Key: `e1/${runId(interp)}/manifest.json` } });
  });

  it('shapes the files with WriterConfig: FLATTEN as JSON Lines', async () => {
    const processor = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'pair.$': 'States.Array($.n, $.n)' }, OutputPath: '$.pair', End: true } } };
    const writer = { ...WRITER, WriterConfig: { Transformation: 'FLATTEN', OutputType: 'JSONL' } };
    const interp = interpreter(map(processor, { ResultWriter: writer }), [{ n: 1 }, { n: 2 }]);
    const { written } = await answerPuts(interp, await interp.start(T0));
    expect(written[0]!.Key).toMatch(/SUCCEEDED_0\.jsonl$/);
    expect(written[0]!.Body).toBe('1\n1\n2\n2\n');
  });

  it('outputs the transformed results with WriterConfig alone, writing nothing', async () => {
    const processor = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'pair.$': 'States.Array($.n, $.n)' }, OutputPath: '$.pair', End: true } } };
    for (const [transformation, expected] of [['COMPACT', [[1, 1], [2, 2]]], ['FLATTEN', [1, 1, 2, 2]]] as const) {
      const interp = interpreter(map(processor, { ResultWriter: { WriterConfig: { Transformation: transformation, OutputType: 'JSON' } } }), [{ n: 1 }, { n: 2 }]);
      const decision = await interp.start(T0);
      expect(puts(decision)).toEqual([]);
      expect(interp.output).toEqual(expected);
    }
    const none = interpreter(map(processor, { ResultWriter: { WriterConfig: { Transformation: 'NONE', OutputType: 'JSON' } } }), [{ n: 1 }]);
    await none.start(T0);
    expect(none.output).toEqual([expect.objectContaining({ Output: '[1,1]', Status: 'SUCCEEDED', Input: '{"n":1}' })]);
  });

  it('fails with States.ResultWriterFailed when the Bucket is not a string', async () => {
    const interp = interpreter(map(PASS, { ResultWriter: { Resource: PUT, Parameters: { 'Bucket.$': '$$.Execution.RedriveCount' } } }), [1]);
    const decision = await interp.start(T0);
    expect(decision.status).toBe('FAILED');
    expect(interp.error).toBe('States.ResultWriterFailed');
  });
});

describe('exportPlan', () => {
  const ids: ChildIdentity = { region: 'eu-west-1', accountId: '123456789012', childMachine: 'm/Map', mapRunId: 'run', express: true };
  const child = (index: number, output: unknown): ChildResult => ({ index, status: 'SUCCEEDED', input: index, output, startDate: T0, stopDate: T0 });

  it('starts a new file when one would pass the size limit, and names EXPRESS children as AWS does', () => {
    const children = [child(0, 'a'.repeat(40)), child(1, 'b'.repeat(40)), child(2, 'c'.repeat(40))];
    const plan = exportPlan(children, ids, { bucket: 'b', prefix: 'p/', transformation: 'COMPACT', outputType: 'JSON' }, 'arn:run', 90);
    expect(plan.files.map((f) => f.key)).toEqual(['p/run/SUCCEEDED_0.json', 'p/run/SUCCEEDED_1.json']);
    expect(plan.files.map((f) => JSON.parse(f.body).length)).toEqual([2, 1]);
    for (const file of plan.files) expect(file.size).toBe(Buffer.byteLength(file.body));
    expect(JSON.parse(plan.manifest.body).ResultFiles.SUCCEEDED).toHaveLength(2);
    const [record] = JSON.parse(exportPlan([child(0, 1)], ids, { bucket: 'b', prefix: '', transformation: 'NONE', outputType: 'JSON' }, 'arn:run').files[0]!.body);
    expect(record.ExecutionArn).toMatch(new RegExp(`^arn:aws:states:eu-west-1:123456789012:express:m/Map:${record.Name}:[0-9a-f-]{36}$`));
  });

  it('writes a manifest with empty lists when there are no children', () => {
    const plan = exportPlan([], ids, { bucket: 'b', prefix: 'x', transformation: 'NONE', outputType: 'JSON' }, 'arn:run');
    expect(plan.files).toEqual([]);
    expect(plan.manifest.key).toBe('x/run/manifest.json');
    expect(JSON.parse(plan.manifest.body)).toEqual({ DestinationBucket: 'b', MapRunArn: 'arn:run', ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [] } });
  });

  it('keeps failed children as records under COMPACT', () => {
    const failed: ChildResult = { index: 1, status: 'FAILED', input: 1, startDate: T0, stopDate: T0, error: new StatesError('E', 'c') };
    const plan = exportPlan([child(0, 5), failed], ids, { bucket: 'b', prefix: '', transformation: 'COMPACT', outputType: 'JSON' }, 'arn:run');
    expect(JSON.parse(plan.files[0]!.body)).toEqual([5]);
    expect(JSON.parse(plan.files[1]!.body)[0]).toMatchObject({ Error: 'E', Cause: 'c', Status: 'FAILED' });
  });
});
