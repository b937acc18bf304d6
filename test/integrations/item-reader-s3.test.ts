// A Distributed Map's ItemReader end to end: execute() with a project configuration whose bucket
// is a local folder, so the real S3 integration answers every listing page and object read.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTaskIntegrations, execute, validateProjectConfig, type ProjectConfig } from '../../src/index.js';

const GET = 'arn:aws:states:::s3:getObject';
const LIST = 'arn:aws:states:::s3:listObjectsV2';
/** 2022-11-17T15:44:41Z, the LastModified of AWS's example item. */
const MTIME = 1668699881;
/** More than one ListObjectsV2 page (S3 answers at most 1,000 keys a page). */
const LISTED = 1205;

let folder: string;
let config: ProjectConfig;

function put(key: string, body: string | Buffer): void {
  const path = join(folder, ...key.split('/'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body);
  utimesSync(path, MTIME, MTIME);
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'stepwise-item-reader-'));
  for (let i = 0; i < LISTED; i++) put(`in/item-${String(i).padStart(4, '0')}.txt`, `item ${i}`);
  put('other/outside.txt', 'not under the prefix');
  const validated = validateProjectConfig({ buckets: { 'my-bucket': '.' } }, folder);
  if (!validated.config) throw new Error(JSON.stringify(validated.problems));
  config = validated.config;
});

afterAll(async () => {
  await closeTaskIntegrations();
  rmSync(folder, { recursive: true, force: true });
});

function distributedMap(reader: object): object {
  return {
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        ItemReader: reader,
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        End: true,
      },
    },
  };
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('ItemReader through the S3 integration (local bucket)', () => {
  it('lists every object under the prefix across pages, each as AWS hands it to a child', async () => {
    const result = await execute(distributedMap({ Resource: LIST, Parameters: { Bucket: 'my-bucket', Prefix: 'in/' } }), {}, { config });
    expect(result.status).toBe('SUCCEEDED');
    const items = result.output as Record<string, unknown>[];
    expect(items).toHaveLength(LISTED);
    expect(items[0]).toEqual({ Etag: `"${md5('item 0')}"`, Key: 'in/item-0000.txt', LastModified: MTIME, Size: 6, StorageClass: 'STANDARD' });
    expect(items[1000]).toEqual({ Etag: `"${md5('item 1000')}"`, Key: 'in/item-1000.txt', LastModified: MTIME, Size: 9, StorageClass: 'STANDARD' });
    expect(items.at(-1)!.Key).toBe(`in/item-${LISTED - 1}.txt`);
    expect(new Set(items.map((i) => i.Key)).size).toBe(LISTED);
  });

  it('pages by the MaxKeys it is given and stops at MaxItems', async () => {
    const reader = { Resource: LIST, ReaderConfig: { MaxItems: 5 }, Parameters: { Bucket: 'my-bucket', Prefix: 'in/', MaxKeys: 2 } };
    const result = await execute(distributedMap(reader), {}, { config });
    expect((result.output as { Key: string }[]).map((i) => i.Key)).toEqual([0, 1, 2, 3, 4].map((i) => `in/item-000${i}.txt`));
  });

  it('reads an S3 inventory: its manifest, then its gzipped and plain CSV files', async () => {
    put('inventory/data/one.csv.gz', gzipSync('"src","a/1.json","12","2024-01-01T00:00:00.000Z"\n"src","a/2.json","34","2024-01-02T00:00:00.000Z"\n'));
    put('inventory/data/two.csv', '"src","b/3.json","56","2024-01-03T00:00:00.000Z"\n');
    put('inventory/2024-01-04T00-00Z/manifest.json', JSON.stringify({
      sourceBucket: 'src',
      destinationBucket: 'arn:aws:s3:::my-bucket',
      version: '2016-11-30',
      creationTimestamp: '1704326400000',
      fileFormat: 'CSV',
      fileSchema: 'Bucket, Key, Size, LastModifiedDate',
      files: [{ key: 'inventory/data/one.csv.gz', size: 60, MD5checksum: 'x' }, { key: 'inventory/data/two.csv', size: 48, MD5checksum: 'y' }],
    }));
    const reader = { Resource: GET, ReaderConfig: { InputType: 'MANIFEST' }, Parameters: { Bucket: 'my-bucket', Key: 'inventory/2024-01-04T00-00Z/manifest.json' } };
    const result = await execute(distributedMap(reader), {}, { config });
    expect(result.output).toEqual([
      { Bucket: 'src', Key: 'a/1.json', Size: '12', LastModifiedDate: '2024-01-01T00:00:00.000Z' },
      { Bucket: 'src', Key: 'a/2.json', Size: '34', LastModifiedDate: '2024-01-02T00:00:00.000Z' },
      { Bucket: 'src', Key: 'b/3.json', Size: '56', LastModifiedDate: '2024-01-03T00:00:00.000Z' },
    ]);
  });

  it('reads a pipe-delimited object, and fails with States.ItemReaderFailed when an inventory file is missing', async () => {
    put('rows.psv', 'id|name\n1|"a|b"\n2|c\n');
    const csv = { Resource: GET, ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW', CSVDelimiter: 'PIPE' }, Parameters: { Bucket: 'my-bucket', Key: 'rows.psv' } };
    expect((await execute(distributedMap(csv), {}, { config })).output).toEqual([{ id: '1', name: 'a|b' }, { id: '2', name: 'c' }]);

    put('broken/manifest.json', JSON.stringify({ destinationBucket: 'arn:aws:s3:::my-bucket', fileFormat: 'CSV', fileSchema: 'Bucket, Key', files: [{ key: 'broken/gone.csv.gz' }] }));
    const manifest = { Resource: GET, ReaderConfig: { InputType: 'MANIFEST' }, Parameters: { Bucket: 'my-bucket', Key: 'broken/manifest.json' } };
    const failed = await execute(distributedMap(manifest), {}, { config });
    expect(failed).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(failed.cause).toContain('The specified key does not exist.');
  });
});
