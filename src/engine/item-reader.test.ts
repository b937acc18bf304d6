// The ItemReader's engine path: the S3 requests it commands (one per listing page or inventory
// file, each answered by a trigger), the items it makes of the answers, and how it stops.
import { describe, expect, it } from 'vitest';
import { Interpreter } from './interpreter.js';
import { MAX_READER_REQUESTS } from './item-reader.js';
import type { Command, Decision, Trigger } from './model.js';
import { identityFor } from '../runtime/memory-driver.js';
import { execute } from '../index.js';

const GET = 'arn:aws:states:::s3:getObject';
const LIST = 'arn:aws:states:::s3:listObjectsV2';
const T0 = Date.UTC(2024, 0, 1);
const identity = identityFor({ stateMachineName: 'reader', executionName: 'e1', context: { region: 'us-east-1', accountId: '111111111111' } });

type InvokeTask = Extract<Command, { type: 'InvokeTask' }>;

function distributedMap(reader: object, extra: Record<string, unknown> = {}): object {
  return {
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        ItemReader: reader,
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        End: true,
        ...extra,
      },
    },
  };
}

const requests = (decision: Decision): InvokeTask[] => decision.commands.filter((c): c is InvokeTask => c.type === 'InvokeTask');
const types = (events: readonly { type: string }[]) => events.map((e) => e.type);

/** An S3 ListObjectsV2 entry as the SDK (and the S3 integration) answers it. */
const s3Entry = (key: string, size = 1) => ({ Key: key, LastModified: '2022-11-17T15:44:41.000Z', ETag: `"etag-${key}"`, Size: size, StorageClass: 'STANDARD' });
/** The same object as AWS hands it to a child execution. */
const awsItem = (key: string, size = 1) => ({ Etag: `"etag-${key}"`, Key: key, LastModified: 1668699881, Size: size, StorageClass: 'STANDARD' });

/** Pages of a listing by continuation token ('' for the first), `per` keys each. */
function listing(keys: string[], per: number): Record<string, object> {
  const pages: Record<string, object> = {};
  for (let start = 0, page = 0; start < keys.length || page === 0; start += per, page++) {
    const last = start + per >= keys.length;
    pages[page === 0 ? '' : `t${page}`] = {
      Contents: keys.slice(start, start + per).map((k) => s3Entry(k)),
      IsTruncated: !last,
      KeyCount: Math.min(per, keys.length - start),
      ...(last ? {} : { NextContinuationToken: `t${page + 1}` }),
    };
  }
  return pages;
}

describe('ItemReader listObjectsV2 (decider)', () => {
  const reader = { Resource: LIST, Parameters: { Bucket: 'b', Prefix: 'in/' } };

  /** Runs the execution, answering every listing request from `pages`; returns the decisions and triggers. */
  async function run(definition: object, pages: Record<string, object>) {
    const interp = new Interpreter({ definition: definition as never, input: {}, identity, startTime: T0 });
    const decisions: Decision[] = [await interp.start(T0)];
    const triggers: Trigger[] = [];
    for (let pending = requests(decisions[0]!); pending.length > 0; pending = requests(decisions.at(-1)!)) {
      const [request] = pending;
      const token = (request!.input as { ContinuationToken?: string }).ContinuationToken ?? '';
      const trigger: Trigger = { type: 'TaskSucceeded', taskId: request!.taskId, output: pages[token] };
      triggers.push(trigger);
      decisions.push(await interp.handle(trigger, T0 + triggers.length * 1000));
    }
    return { interp, decisions, triggers };
  }

  it('follows the continuation tokens, one request per page, and hands the children AWS-shaped items', async () => {
    const { interp, decisions } = await run(distributedMap(reader), listing(['in/a', 'in/b', 'in/c', 'in/d', 'in/e'], 2));
    const made = decisions.flatMap(requests);
    expect(made.map((r) => r.input)).toEqual([
      { Bucket: 'b', Prefix: 'in/' },
      { Bucket: 'b', Prefix: 'in/', ContinuationToken: 't1' },
      { Bucket: 'b', Prefix: 'in/', ContinuationToken: 't2' },
    ]);
    expect(made.every((r) => r.resource.kind === 'service' && r.resource.action === 'listObjectsV2' && r.stateName === 'Fan')).toBe(true);
    expect(new Set(made.map((r) => r.taskId)).size).toBe(3);
    expect(interp.status).toBe('SUCCEEDED');
    expect(interp.output).toEqual(['in/a', 'in/b', 'in/c', 'in/d', 'in/e'].map((k) => awsItem(k)));
    expect(Object.keys(awsItem('x'))).toEqual(Object.keys((interp.output as object[])[0]!));
    // The requests record nothing in the history; the Map Run starts once, before the first.
    expect(types(interp.history())).toEqual([
      'ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded',
    ]);
  });

  it('makes the same requests, with the same task ids, when its triggers are replayed', async () => {
    const { decisions, triggers } = await run(distributedMap(reader), listing(['in/a', 'in/b', 'in/c'], 1));
    const again = new Interpreter({ definition: distributedMap(reader) as never, input: {}, identity, startTime: T0 });
    const replayed: Decision[] = [await again.start(T0)];
    for (const [i, trigger] of triggers.entries()) replayed.push(await again.handle(trigger, T0 + (i + 1) * 1000));
    expect(replayed.map((d) => d.commands)).toEqual(decisions.map((d) => d.commands));
    expect(again.history()).toEqual(decisions.flatMap((d) => d.events));
  });

  it('stops requesting pages once MaxItems items are read', async () => {
    const limited = { ...reader, ReaderConfig: { MaxItems: 3 } };
    const { interp, decisions } = await run(distributedMap(limited), listing(['in/a', 'in/b', 'in/c', 'in/d', 'in/e', 'in/f'], 2));
    expect(decisions.flatMap(requests)).toHaveLength(2);
    expect((interp.output as { Key: string }[]).map((i) => i.Key)).toEqual(['in/a', 'in/b', 'in/c']);
  });

  it('keeps entries a mock gives in AWS shape, and lists an empty prefix as no items', async () => {
    const shaped = { '': { Contents: [awsItem('k')], IsTruncated: false } };
    expect((await run(distributedMap(reader), shaped)).interp.output).toEqual([awsItem('k')]);
    expect((await run(distributedMap(reader), { '': { IsTruncated: false, KeyCount: 0 } })).interp.output).toEqual([]);
  });

  it('ends on a page that is truncated without a next token, and fails on a token that repeats', async () => {
    const tokenless = { '': { Contents: [s3Entry('a')], IsTruncated: true } };
    expect((await run(distributedMap(reader), tokenless)).interp.output).toEqual([awsItem('a')]);
    const looping = { '': { Contents: [s3Entry('a')], IsTruncated: true, NextContinuationToken: 'same' }, same: { IsTruncated: true, NextContinuationToken: 'same' } };
    const { interp } = await run(distributedMap(reader), looping);
    expect(interp.status).toBe('FAILED');
    expect(interp.error).toBe('States.ItemReaderFailed');
    expect(interp.cause).toBe('The listing answered the same continuation token twice.');
    expect(types(interp.history())).toContain('MapRunFailed');
  });

  it(`fails a listing that is still truncated after ${MAX_READER_REQUESTS} further pages`, async () => {
    const interp = new Interpreter({ definition: distributedMap(reader) as never, input: {}, identity, startTime: T0 });
    let decision = await interp.start(T0);
    let pages = 0;
    for (let pending = requests(decision); pending.length > 0; pending = requests(decision)) {
      pages++;
      decision = await interp.handle({ type: 'TaskSucceeded', taskId: pending[0]!.taskId, output: { IsTruncated: true, NextContinuationToken: `t${pages}` } }, T0);
    }
    expect(pages).toBe(MAX_READER_REQUESTS + 1);
    expect(interp.error).toBe('States.ItemReaderFailed');
    expect(interp.cause).toContain(`more than ${MAX_READER_REQUESTS} S3 requests`);
  });

  it('fails with States.ItemReaderFailed when a page cannot be fetched', async () => {
    const interp = new Interpreter({ definition: distributedMap(reader) as never, input: {}, identity, startTime: T0 });
    const first = await interp.start(T0);
    const [request] = requests(first);
    const page = await interp.handle({ type: 'TaskSucceeded', taskId: request!.taskId, output: { Contents: [s3Entry('a')], IsTruncated: true, NextContinuationToken: 't' } }, T0);
    await interp.handle({ type: 'TaskFailed', taskId: requests(page)[0]!.taskId, error: 'S3.NoSuchBucketException', cause: 'The specified bucket does not exist' }, T0);
    expect(interp).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed', cause: 'The specified bucket does not exist' });
  });
});

describe('ItemReader CSV delimiters', () => {
  const csv = (config: object, body: string) =>
    execute(distributedMap({ Resource: GET, ReaderConfig: { InputType: 'CSV', ...config }, Parameters: { Bucket: 'b', Key: 'k' } }), {}, { taskHandlers: { [GET]: () => ({ Body: body }) } });

  it.each([
    ['COMMA', 'a,b\n1,"x,y"\n'],
    ['PIPE', 'a|b\n1|"x|y"\n'],
    ['SEMICOLON', 'a;b\n1;"x;y"\n'],
    ['SPACE', 'a b\n1 "x y"\n'],
    ['TAB', 'a\tb\n1\t"x\ty"\n'],
  ])('splits fields on %s, a quoted field keeping it', async (name, body) => {
    const delimiter = { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' }[name]!;
    const result = await csv({ CSVHeaderLocation: 'FIRST_ROW', CSVDelimiter: name }, body);
    expect(result.output).toEqual([{ a: '1', b: `x${delimiter}y` }]);
  });

  it('splits on commas by default, and only on the configured delimiter', async () => {
    expect((await csv({ CSVHeaderLocation: 'FIRST_ROW' }, 'a,b\n1,2\n')).output).toEqual([{ a: '1', b: '2' }]);
    expect((await csv({ CSVHeaderLocation: 'FIRST_ROW', CSVDelimiter: 'PIPE' }, 'a|b\n1,2|3\n')).output).toEqual([{ a: '1,2', b: '3' }]);
  });

  it('names fields by CSVHeaders when GIVEN: short rows padded, long rows cut', async () => {
    const result = await csv({ CSVHeaderLocation: 'GIVEN', CSVHeaders: ['x', 'y'], CSVDelimiter: 'SEMICOLON' }, '1;2;3\n4\n');
    expect(result.output).toEqual([{ x: '1', y: '2' }, { x: '4', y: '' }]);
  });

  it('reads backslash escapes as AWS documents them', async () => {
    const body = 'path|note\nC:\\\\Program Files\\\\App.exe|a\\|b \\"q\\" \\x\n';
    const result = await csv({ CSVHeaderLocation: 'FIRST_ROW', CSVDelimiter: 'PIPE' }, body);
    expect(result.output).toEqual([{ path: 'C:\\Program Files\\App.exe', note: 'a|b "q" x' }]);
  });

  it('fails with States.ItemReaderFailed when the object read is not text', async () => {
    const result = await execute(distributedMap({ Resource: GET, ReaderConfig: { InputType: 'CSV' }, Parameters: { Bucket: 'b', Key: 'k' } }), {}, { taskHandlers: { [GET]: () => ({ Body: { a: 1 } }) } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed', cause: 'The object read is not text but object.' });
  });

  it('keeps a header named __proto__ as a field', async () => {
    const result = await csv({ CSVHeaderLocation: 'FIRST_ROW' }, '__proto__,b\n1,2\n');
    expect(JSON.stringify(result.output)).toBe('[{"__proto__":"1","b":"2"}]');
  });
});

describe('ItemReader S3 inventory manifest', () => {
  const manifest = {
    sourceBucket: 'source',
    destinationBucket: 'arn:aws:s3:::inventory',
    version: '2016-11-30',
    fileFormat: 'CSV',
    fileSchema: 'Bucket, Key, Size, LastModifiedDate',
    files: [
      { key: 'source/config/data/one.csv.gz', size: 10, MD5checksum: 'x' },
      { key: 'source/config/data/two.csv.gz', size: 10, MD5checksum: 'y' },
    ],
  };
  const files: Record<string, string> = {
    'source/config/data/one.csv.gz': '"source","csvDataset/","0","2022-11-16T00:27:19.000Z"\n"source","csvDataset/titles.csv","3399671","2022-11-16T00:29:32.000Z"\n',
    'source/config/data/two.csv.gz': '"source","imageDataset/dog.jpg","27034","2022-11-15T20:02:16.000Z"\n',
  };

  async function read(config: object, theManifest: object = manifest) {
    const asked: unknown[] = [];
    const result = await execute(
      distributedMap({ Resource: GET, ReaderConfig: config, Parameters: { Bucket: 'inventory', Key: 'source/config/2022-11-16T00-00Z/manifest.json' } }),
      {},
      {
        taskHandlers: {
          [GET]: (input) => {
            asked.push(input);
            const { Key } = input as { Key: string };
            return { Body: Key.endsWith('manifest.json') ? JSON.stringify(theManifest) : files[Key] };
          },
        },
      },
    );
    return { result, asked };
  }

  it('reads the manifest, then each inventory file from the destination bucket, rows named by fileSchema', async () => {
    const { result, asked } = await read({ InputType: 'MANIFEST' });
    expect(asked).toEqual([
      { Bucket: 'inventory', Key: 'source/config/2022-11-16T00-00Z/manifest.json' },
      { Bucket: 'inventory', Key: 'source/config/data/one.csv.gz' },
      { Bucket: 'inventory', Key: 'source/config/data/two.csv.gz' },
    ]);
    expect(result.output).toEqual([
      { Bucket: 'source', Key: 'csvDataset/', Size: '0', LastModifiedDate: '2022-11-16T00:27:19.000Z' },
      { Bucket: 'source', Key: 'csvDataset/titles.csv', Size: '3399671', LastModifiedDate: '2022-11-16T00:29:32.000Z' },
      { Bucket: 'source', Key: 'imageDataset/dog.jpg', Size: '27034', LastModifiedDate: '2022-11-15T20:02:16.000Z' },
    ]);
    expect(types(result.events).filter((t) => t.startsWith('Task'))).toEqual([]);
  });

  it('reads ManifestType S3_INVENTORY the same way, and reads no further file once MaxItems rows are read', async () => {
    const { result, asked } = await read({ ManifestType: 'S3_INVENTORY', MaxItems: 2 });
    expect(asked).toHaveLength(2);
    expect((result.output as { Key: string }[]).map((i) => i.Key)).toEqual(['csvDataset/', 'csvDataset/titles.csv']);
  });

  it('fails with States.ItemReaderFailed on a manifest it cannot read', async () => {
    const { fileSchema, ...noSchema } = manifest;
    void fileSchema;
    expect((await read({ InputType: 'MANIFEST' }, noSchema)).result).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed', cause: "The S3 inventory manifest has no 'fileSchema'." });
    const orc = await read({ InputType: 'MANIFEST' }, { ...manifest, fileFormat: 'ORC' });
    expect(orc.result).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(orc.asked).toHaveLength(1);
    expect((await read({ InputType: 'MANIFEST' }, { files: 'none' })).result).toMatchObject({ error: 'States.ItemReaderFailed', cause: "The S3 inventory manifest has no 'files' list." });
  });
});

describe('ItemReader options Stepwise does not support', () => {
  it.each([
    [{ Resource: LIST, ReaderConfig: { InputType: 'JSON', Transformation: 'LOAD_AND_FLATTEN' }, Parameters: { Bucket: 'b' } }, 'LOAD_AND_FLATTEN'],
    [{ Resource: GET, ReaderConfig: { InputType: 'CSV', ManifestType: 'ATHENA_DATA' }, Parameters: { Bucket: 'b', Key: 'm.csv' } }, 'ATHENA_DATA'],
  ])('fails with States.ItemReaderFailed, requesting nothing (%#)', async (reader, named) => {
    let asked = 0;
    const answer = () => {
      asked++;
      return {};
    };
    const result = await execute(distributedMap(reader), {}, { taskHandlers: { [GET]: answer, [LIST]: answer } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(result.cause).toContain(named);
    expect(asked).toBe(0);
  });
});
