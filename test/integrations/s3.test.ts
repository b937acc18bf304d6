// The S3 integration of ItemReader and ResultWriter: local buckets (folders) and S3 itself
// (s3rver, through @aws-sdk/client-s3), then a Distributed Map reading and exporting through it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import S3rver from 's3rver';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { execute } from '../../src/index.js';
import { classifyResource } from '../../src/engine/resources.js';
import { AwsClients } from '../../src/integrations/aws-clients.js';
import type { Integration, IntegrationCall, IntegrationOutcome } from '../../src/integrations/integration.js';
import { createS3Integration } from '../../src/integrations/s3.js';

const GET = 'arn:aws:states:::s3:getObject';
const LIST = 'arn:aws:states:::s3:listObjectsV2';
const PUT = 'arn:aws:states:::s3:putObject';

function call(s3: Integration, arn: string, parameters: unknown): Promise<IntegrationOutcome> {
  const resource = classifyResource(arn);
  if (resource.kind !== 'service') throw new Error(arn);
  const request: IntegrationCall = {
    resource,
    service: resource.service,
    action: resource.action,
    pattern: resource.pattern,
    parameters,
    stateName: 'Map',
    executionArn: 'arn:aws:states:us-east-1:111111111111:execution:m:e',
    context: {},
    signal: new AbortController().signal,
    requestId: 'req-1',
  };
  return s3.call(request);
}

async function ok(s3: Integration, arn: string, parameters: unknown): Promise<Record<string, any>> {
  const outcome = await call(s3, arn, parameters);
  if (!outcome.ok) throw new Error(`${outcome.error}: ${outcome.cause}`);
  return outcome.output as Record<string, any>;
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'stepwise-s3-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function localS3(folder = join(scratch, 'bucket')): Integration {
  mkdirSync(folder, { recursive: true });
  return createS3Integration({ buckets: { data: folder }, clients: new AwsClients({ region: 'us-east-1', endpoints: {} }) });
}

describe('S3 integration, local buckets', () => {
  it('answers the resources of ItemReader and ResultWriter only', () => {
    const s3 = localS3();
    const described = (arn: string) => {
      const r = classifyResource(arn) as Extract<ReturnType<typeof classifyResource>, { kind: 'service' }>;
      return { resource: r, service: r.service, action: r.action.replace(/\.waitForTaskToken$/, ''), pattern: r.pattern };
    };
    expect([GET, LIST, PUT].map((arn) => s3.handles(described(arn)))).toEqual([true, true, true]);
    expect(s3.handles(described('arn:aws:states:::aws-sdk:s3:getObject'))).toBe(false);
    expect(s3.handles(described('arn:aws:states:::s3:deleteObject'))).toBe(false);
    expect(s3.afterCrash({ service: 's3', action: 'putObject', parameters: {} })).toBe('repeat');
  });

  it('puts objects (creating folders, overwriting) and gets them back', async () => {
    const s3 = localS3();
    const put = await ok(s3, PUT, { Bucket: 'data', Key: 'runs/1/SUCCEEDED_0.json', Body: '[1,2]' });
    expect(put.ETag).toBe('"f79408e5ca998cd53faf44af31e6eb45"'); // MD5 of the body, as S3's
    expect(readFileSync(join(scratch, 'bucket', 'runs', '1', 'SUCCEEDED_0.json'), 'utf8')).toBe('[1,2]');
    await ok(s3, PUT, { Bucket: 'data', Key: 'runs/1/SUCCEEDED_0.json', Body: { replaced: true } });
    const got = await ok(s3, GET, { Bucket: 'data', Key: 'runs/1/SUCCEEDED_0.json' });
    expect(got).toMatchObject({ Body: '{"replaced":true}', ContentLength: 17 });
    expect(Date.parse(got.LastModified)).not.toBeNaN();
    // Only the object is left: the temporary file of the put was renamed over it.
    expect(readdirSync(join(scratch, 'bucket', 'runs', '1'))).toEqual(['SUCCEEDED_0.json']);
  });

  it('reads a gzip-compressed object as the text it holds', async () => {
    const s3 = localS3();
    writeFileSync(join(scratch, 'bucket', 'items.jsonl.gz'), gzipSync('{"a":1}\n{"a":2}\n'));
    expect((await ok(s3, GET, { Bucket: 'data', Key: 'items.jsonl.gz' })).Body).toBe('{"a":1}\n{"a":2}\n');
  });

  it("answers S3's errors for a missing key or bucket folder", async () => {
    const s3 = createS3Integration({ buckets: { data: join(scratch, 'bucket'), gone: join(scratch, 'missing') }, clients: new AwsClients({ region: 'us-east-1', endpoints: {} }) });
    mkdirSync(join(scratch, 'bucket', 'folder'), { recursive: true });
    expect(await call(s3, GET, { Bucket: 'data', Key: 'nothing.json' })).toEqual({
      ok: false,
      error: 'S3.NoSuchKeyException',
      cause: 'The specified key does not exist. (Service: S3, Status Code: 404, Request ID: req-1)',
    });
    expect(await call(s3, GET, { Bucket: 'data', Key: 'folder' })).toMatchObject({ error: 'S3.NoSuchKeyException' });
    expect(await call(s3, LIST, { Bucket: 'gone' })).toMatchObject({ ok: false, error: 'S3.NoSuchBucketException' });
    expect(await call(s3, GET, { Bucket: 'data' })).toMatchObject({ ok: false, error: 'S3.InvalidArgumentException' });
  });

  it('refuses keys that would leave the folder or that a file system cannot hold', async () => {
    const outside = join(scratch, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    const s3 = localS3();
    for (const Key of ['../outside/secret.txt', 'a/../../outside/secret.txt', '/etc/passwd', 'a//b', './a', 'a\0b', 'a/', '']) {
      const got = await call(s3, GET, { Bucket: 'data', Key });
      expect(got, Key).toMatchObject({ ok: false, error: 'S3.InvalidArgumentException' });
      const put = await call(s3, PUT, { Bucket: 'data', Key, Body: 'x' });
      expect(put, Key).toMatchObject({ ok: false, error: 'S3.InvalidArgumentException' });
    }
    expect(await call(s3, PUT, { Bucket: 'data', Key: 'k'.repeat(1025), Body: 'x' })).toMatchObject({ ok: false, error: 'S3.KeyTooLongErrorException' });
    // A symbolic link under the folder does not lead out of it either.
    symlinkSync(outside, join(scratch, 'bucket', 'link'));
    expect(await call(s3, GET, { Bucket: 'data', Key: 'link/secret.txt' })).toMatchObject({ ok: false, error: 'S3.NoSuchKeyException' });
    expect(await call(s3, PUT, { Bucket: 'data', Key: 'link/new/file.txt', Body: 'x' })).toMatchObject({ ok: false, error: 'S3.InvalidArgumentException' });
    expect(existsSync(join(outside, 'new'))).toBe(false);
    expect(readdirSync(outside)).toEqual(['secret.txt']);
  });

  it('lists keys as ListObjectsV2 does: prefix, order, pages, StartAfter, delimiter', async () => {
    const s3 = localS3();
    for (const key of ['b.txt', 'a/2.csv', 'a/1.csv', 'a/sub/3.csv', 'a-b', 'c/z']) {
      mkdirSync(join(scratch, 'bucket', ...key.split('/').slice(0, -1)), { recursive: true });
      writeFileSync(join(scratch, 'bucket', ...key.split('/')), key);
    }
    const all = await ok(s3, LIST, { Bucket: 'data' });
    expect(all.Contents.map((o: { Key: string }) => o.Key)).toEqual(['a-b', 'a/1.csv', 'a/2.csv', 'a/sub/3.csv', 'b.txt', 'c/z']);
    expect(all.Contents[1]).toEqual({
      Key: 'a/1.csv',
      LastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      ETag: '"8a7e564dcbc87fbac38ba0181e248191"', // MD5 of "a/1.csv"
      Size: 7,
      StorageClass: 'STANDARD',
    });
    expect(all).toMatchObject({ IsTruncated: false, KeyCount: 6, MaxKeys: 1000, Name: 'data', Prefix: '' });

    const first = await ok(s3, LIST, { Bucket: 'data', Prefix: 'a/', MaxKeys: 2 });
    expect(first.Contents.map((o: { Key: string }) => o.Key)).toEqual(['a/1.csv', 'a/2.csv']);
    expect(first).toMatchObject({ IsTruncated: true, KeyCount: 2, MaxKeys: 2, Prefix: 'a/' });
    const second = await ok(s3, LIST, { Bucket: 'data', Prefix: 'a/', MaxKeys: 2, ContinuationToken: first.NextContinuationToken });
    expect(second.Contents.map((o: { Key: string }) => o.Key)).toEqual(['a/sub/3.csv']);
    expect(second).toMatchObject({ IsTruncated: false, KeyCount: 1, ContinuationToken: first.NextContinuationToken });
    expect(second).not.toHaveProperty('NextContinuationToken');

    const after = await ok(s3, LIST, { Bucket: 'data', StartAfter: 'a/sub/3.csv' });
    expect(after.Contents.map((o: { Key: string }) => o.Key)).toEqual(['b.txt', 'c/z']);
    const folders = await ok(s3, LIST, { Bucket: 'data', Delimiter: '/' });
    expect(folders.Contents.map((o: { Key: string }) => o.Key)).toEqual(['a-b', 'b.txt']);
    expect(folders.CommonPrefixes).toEqual([{ Prefix: 'a/' }, { Prefix: 'c/' }]);
    const none = await ok(s3, LIST, { Bucket: 'data', Prefix: 'zzz' });
    expect(none).toMatchObject({ KeyCount: 0, IsTruncated: false });
    expect(none).not.toHaveProperty('Contents');
    expect(await call(s3, LIST, { Bucket: 'data', MaxKeys: -1 })).toMatchObject({ ok: false, error: 'S3.InvalidArgumentException' });
  });

  it('answers at most 1000 keys a page', async () => {
    const s3 = localS3();
    for (let i = 0; i < 1003; i++) writeFileSync(join(scratch, 'bucket', `k${String(i).padStart(4, '0')}`), '');
    const first = await ok(s3, LIST, { Bucket: 'data', MaxKeys: 5000 });
    expect(first).toMatchObject({ KeyCount: 1000, MaxKeys: 1000, IsTruncated: true });
    const rest = await ok(s3, LIST, { Bucket: 'data', ContinuationToken: first.NextContinuationToken });
    expect(rest.Contents.map((o: { Key: string }) => o.Key)).toEqual(['k1000', 'k1001', 'k1002']);
  });
});

describe('S3 integration, S3 itself (s3rver)', () => {
  let server: S3rver;
  let endpoint: string;
  let s3: Integration;
  let clients: AwsClients;
  let directory: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'stepwise-s3rver-'));
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, resetOnClose: true, configureBuckets: [{ name: 'remote', configs: [] }] });
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
    // s3rver knows one key pair; set here so that credentials in the environment cannot take over.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
    clients = new AwsClients({ region: 'us-east-1', endpoints: { s3: endpoint } });
    s3 = createS3Integration({ buckets: {}, clients });
  });

  afterAll(async () => {
    clients?.close();
    vi.unstubAllEnvs();
    await server?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('puts, gets and lists objects through @aws-sdk/client-s3', async () => {
    const put = await ok(s3, PUT, { Bucket: 'remote', Key: 'in/items.json', Body: '[{"a":1},{"a":2}]' });
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    await ok(s3, PUT, { Bucket: 'remote', Key: 'in/more.csv', Body: 'a\n3\n' });
    expect(await ok(s3, GET, { Bucket: 'remote', Key: 'in/items.json' })).toMatchObject({ Body: '[{"a":1},{"a":2}]', ContentLength: 17 });
    const listed = await ok(s3, LIST, { Bucket: 'remote', Prefix: 'in/' });
    expect(listed.Contents.map((o: { Key: string; Size: number }) => [o.Key, o.Size])).toEqual([['in/items.json', 17], ['in/more.csv', 4]]);
    expect(typeof listed.Contents[0].LastModified).toBe('string');
    expect(listed).toMatchObject({ KeyCount: 2, IsTruncated: false, Name: 'remote' });
    // (A truncated page is left out: s3rver makes its continuation tokens with DES, which
    // Node.js's OpenSSL 3 no longer has. Pages are tested on local buckets above.)
  });

  it("names S3's errors as Step Functions does", async () => {
    expect(await call(s3, GET, { Bucket: 'remote', Key: 'missing' })).toMatchObject({ ok: false, error: 'S3.NoSuchKeyException', cause: expect.stringContaining('(Service: S3, Status Code: 404') });
    expect(await call(s3, GET, { Bucket: 'no-such-bucket', Key: 'k' })).toMatchObject({ ok: false, error: 'S3.NoSuchBucketException' });
  });
});

describe('A Distributed Map reading and exporting through the S3 integration (in memory)', () => {
  /** Task handlers for the two resources, answering through the integration as the dispatcher would. */
  function handlers(s3: Integration): Record<string, (input: unknown) => Promise<unknown>> {
    const through = (arn: string) => async (input: unknown) => {
      const outcome = await call(s3, arn, input);
      if (!outcome.ok) throw { error: outcome.error, cause: outcome.cause };
      return outcome.output;
    };
    return { [GET]: through(GET), [PUT]: through(PUT) };
  }

  const processor = {
    ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
    StartAt: 'Double',
    States: { Double: { Type: 'Pass', Parameters: { 'name.$': '$.name', 'twice.$': 'States.MathAdd($.n, $.n)' }, End: true } },
  };
  const definition = (reader: object) => ({
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        Label: 'Fan',
        ItemReader: { Resource: GET, ...reader },
        ItemSelector: { 'name.$': '$$.Map.Item.Value.name', 'n.$': 'States.StringToJson($$.Map.Item.Value.n)' },
        ItemProcessor: processor,
        ResultWriter: { Resource: PUT, Parameters: { Bucket: 'data', Prefix: 'results' } },
        End: true,
      },
    },
  });

  it('reads a CSV object, runs the children and writes the manifest and SUCCEEDED_0.json', async () => {
    const s3 = localS3();
    writeFileSync(join(scratch, 'bucket', 'items.csv'), 'name,n\nann,1\nbob,2\n');
    const result = await execute(
      definition({ ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }, Parameters: { Bucket: 'data', Key: 'items.csv' } }),
      {},
      { taskHandlers: handlers(s3), stateMachineName: 'csv' },
    );
    expect(result.status).toBe('SUCCEEDED');
    const output = result.output as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    const runId = output.MapRunArn.split(':').at(-1)!;
    expect(output.ResultWriterDetails).toEqual({ Bucket: 'data', Key: `results/${runId}/manifest.json` });

    const manifest = JSON.parse(readFileSync(join(scratch, 'bucket', 'results', runId, 'manifest.json'), 'utf8'));
    const resultsFile = readFileSync(join(scratch, 'bucket', 'results', runId, 'SUCCEEDED_0.json'), 'utf8');
    expect(manifest).toEqual({
      DestinationBucket: 'data',
      MapRunArn: output.MapRunArn,
      ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: `results/${runId}/SUCCEEDED_0.json`, Size: Buffer.byteLength(resultsFile) }] },
    });
    const records = JSON.parse(resultsFile) as { Input: string; Output: string; Status: string }[];
    expect(records.map((r) => [JSON.parse(r.Input), JSON.parse(r.Output), r.Status])).toEqual([
      [{ name: 'ann', n: 1 }, { name: 'ann', twice: 2 }, 'SUCCEEDED'],
      [{ name: 'bob', n: 2 }, { name: 'bob', twice: 4 }, 'SUCCEEDED'],
    ]);
    expect(readdirSync(join(scratch, 'bucket', 'results', runId)).sort()).toEqual(['SUCCEEDED_0.json', 'manifest.json']);
    // Reading and writing recorded no Task events.
    expect(result.events.map((e) => e.type).filter((t) => t.startsWith('Task'))).toEqual([]);
  });

  it('reads a JSON object, and fails with States.ItemReaderFailed / States.ResultWriterFailed on S3 errors', async () => {
    const s3 = localS3();
    writeFileSync(join(scratch, 'bucket', 'items.json'), JSON.stringify([{ name: 'cy', n: '5' }]));
    const json = definition({ ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: 'data', Key: 'items.json' } });
    const result = await execute(json, {}, { taskHandlers: handlers(s3) });
    expect(result.status).toBe('SUCCEEDED');
    const runId = (result.output as { MapRunArn: string }).MapRunArn.split(':').at(-1)!;
    const [record] = JSON.parse(readFileSync(join(scratch, 'bucket', 'results', runId, 'SUCCEEDED_0.json'), 'utf8'));
    expect(JSON.parse(record.Output)).toEqual({ name: 'cy', twice: 10 });

    const missing = await execute(definition({ ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: 'data', Key: 'nope.json' } }), {}, { taskHandlers: handlers(s3) });
    expect(missing).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(missing.cause).toContain('The specified key does not exist.');

    const unwritable = definition({ ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: 'data', Key: 'items.json' } }) as { States: { Fan: { ResultWriter: unknown } } };
    unwritable.States.Fan.ResultWriter = { Resource: PUT, Parameters: { Bucket: 'data', Prefix: '../escape' } };
    const refused = await execute(unwritable, {}, { taskHandlers: handlers(s3) });
    expect(refused).toMatchObject({ status: 'FAILED', error: 'States.ResultWriterFailed' });
    expect(existsSync(join(scratch, 'escape'))).toBe(false);
  });
});
