/**
 * S3 as a Distributed Map reads and writes it: `arn:aws:states:::s3:getObject` and
 * `arn:aws:states:::s3:listObjectsV2` (the ItemReader: an object, a prefix listing, an S3
 * inventory manifest) and `arn:aws:states:::s3:putObject` (the ResultWriter's result files and
 * manifest). These optimised resources are used only by ItemReader and ResultWriter; a Task state
 * calls S3 through `aws-sdk:s3:*` (aws-sdk.ts).
 *
 * A bucket of the configuration's `buckets` is a local folder: keys are paths under it (a key
 * that would leave it, or that a file system cannot hold, is refused), getObject reads a file,
 * listObjectsV2 lists the files as S3 lists keys, putObject writes one (creating folders, and
 * replacing the file at once so a reader never sees half of it). Any other bucket is S3's,
 * through `@aws-sdk/client-s3` (AwsClients: the configured endpoint, S3_ENDPOINT,
 * AWS_ENDPOINT_URL_S3, or AWS).
 *
 * Answers are shaped as S3 answers (ListObjectsV2's Contents, KeyCount, IsTruncated,
 * NextContinuationToken…; getObject's Body as text, which is what the ItemReader parses).
 * Errors are named as Step Functions names AWS service errors, `S3.<Code>Exception`, with the
 * service's message and `(Service: S3, Status Code: …, Request ID: …)` as the cause.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import * as zlib from 'node:zlib';
import { reachesAws, type AwsClients } from './aws-clients.js';
import type { AfterCrash, Integration, IntegrationCall, IntegrationOutcome } from './integration.js';

export interface S3Options {
  /** Buckets kept in local folders: bucket name → absolute folder. */
  readonly buckets: Readonly<Record<string, string>>;
  readonly clients: AwsClients;
  /**
   * Where buckets live that `buckets` does not map, when S3 cannot be reached (no S3 endpoint,
   * no AWS credentials): `<folder>/<bucket>`, created on first use. The server passes one beside
   * its database, so a ResultWriter's files land somewhere readable out of the box.
   */
  readonly defaultFolder?: string;
}

const ACTIONS = new Set(['getObject', 'listObjectsV2', 'putObject']);

/** S3's limit on a key: 1024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;
/** ListObjectsV2 answers at most 1000 keys a page, and that by default. */
const MAX_KEYS = 1000;
/**
 * The most an object read here may hold (after decompression). AWS's ItemReader reads objects of
 * up to 10 GB; the text is held in memory here, and a JavaScript string holds about 512 M
 * characters.
 */
export const MAX_OBJECT_BYTES = 256 * 1024 * 1024;
/** The most files a local bucket's listing walks (each page walks the folder again). */
const MAX_LISTED_FILES = 1_000_000;
/**
 * Files up to this size get S3's ETag for a single PUT, the MD5 of their bytes; larger ones an
 * ETag in S3's multipart form (`<hash>-<parts>`), computed from the size and the modification time
 * rather than by reading the whole file at every listing.
 */
const HASHED_ETAG_BYTES = 16 * 1024 * 1024;
/** Temporary files of a put in progress; listings leave them out. */
const TEMP_PREFIX = '.stepwise-put-';

export function createS3Integration(options: S3Options): Integration {
  const local = new LocalBuckets(options.buckets);
  return {
    name: 's3',
    handles: ({ service, action, pattern }) => service === 's3' && ACTIONS.has(action) && pattern === 'request-response',
    // Reads are safe to repeat; a put overwrites the same key with the same bytes.
    afterCrash: (): AfterCrash => 'repeat',
    async call(call: IntegrationCall): Promise<IntegrationOutcome> {
      const parameters = call.parameters;
      if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
        return { ok: false, error: 'States.Runtime', cause: `The s3:${call.action} call needs its Parameters/Arguments as an object.` };
      }
      const request = parameters as Record<string, unknown>;
      if (typeof request.Bucket !== 'string' || request.Bucket === '') {
        return { ok: false, error: 'States.Runtime', cause: `The s3:${call.action} call needs a Bucket (a non-empty string) in its Parameters/Arguments.` };
      }
      try {
        if (local.has(request.Bucket)) return await local.call(call.action, request, call.requestId);
        if (options.defaultFolder !== undefined && !reachesAws('s3', options.clients.settings)) {
          return await defaultBucket(options.defaultFolder, request.Bucket).call(call.action, request, call.requestId);
        }
        return await callRemote(options.clients, call.action, request, call);
      } catch (e) {
        if (e instanceof S3Failure) return s3Error(e.code, e.status, e.message, call.requestId);
        throw e;
      }
    },
  };
}

/** S3's bucket naming rules (which also keep a bucket name from leaving its folder). */
const BUCKET_NAME = /^(?!.*\.\.)(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** An unmapped bucket kept under the default folder, created on first use. */
function defaultBucket(folder: string, bucket: string): LocalBuckets {
  if (!BUCKET_NAME.test(bucket)) throw new S3Failure('InvalidBucketName', 400, 'The specified bucket is not valid.');
  const path = join(folder, bucket);
  mkdirSync(path, { recursive: true });
  return new LocalBuckets({ [bucket]: path });
}

/** An error S3 answers with: its code (`NoSuchKey`), HTTP status and message. */
class S3Failure extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const noSuchKey = () => new S3Failure('NoSuchKey', 404, 'The specified key does not exist.');
const noSuchBucket = () => new S3Failure('NoSuchBucket', 404, 'The specified bucket does not exist');
const invalidArgument = (message: string) => new S3Failure('InvalidArgument', 400, message);

/**
 * An S3 error as Step Functions reports an AWS service's: `S3.<Code>Exception` (AWS: "always add
 * the Exception suffix … S3.BucketAlreadyExistsException"), and the SDK's message.
 */
function s3Error(code: string, status: number, message: string, requestId: string): IntegrationOutcome {
  const name = code.endsWith('Exception') ? code : `${code}Exception`;
  return { ok: false, error: `S3.${name}`, cause: `${message} (Service: S3, Status Code: ${status}, Request ID: ${requestId})` };
}

function stringField(request: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = request[field];
  if (value === undefined || value === null) {
    if (required) throw invalidArgument(`${field} is required.`);
    return undefined;
  }
  if (typeof value !== 'string') throw invalidArgument(`${field} must be a string.`);
  return value;
}

/** MaxKeys: 0…1000 (S3 answers at most 1000 whatever is asked). */
function maxKeysOf(request: Record<string, unknown>): number {
  const value = request.MaxKeys;
  if (value === undefined || value === null) return MAX_KEYS;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) throw invalidArgument('Provided max-keys not an integer or within integer range');
  return Math.min(number, MAX_KEYS);
}

/** The text of a put's Body: a string as it is, anything else as its JSON text (as Step Functions serialises a JSON Body). */
function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/**
 * Objects whose name says they are compressed are read as the text they hold, as AWS's ItemReader
 * reads `myObject.jsonl.gz` and `myObject.csv.zstd`. (Zstandard needs a Node.js with zlib's zstd.)
 */
function decoded(key: string, bytes: Buffer): string {
  const limit = { maxOutputLength: MAX_OBJECT_BYTES };
  try {
    if (/\.gz$/i.test(key)) return zlib.gunzipSync(bytes, limit).toString('utf8');
    if (/\.(zst|zstd)$/i.test(key)) {
      const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Buffer, o: unknown) => Buffer }).zstdDecompressSync;
      if (!zstd) throw invalidArgument(`The object '${key}' is Zstandard-compressed, which this Node.js cannot decompress (zlib.zstdDecompressSync needs Node.js 22.15 or later).`);
      return zstd(bytes, limit).toString('utf8');
    }
  } catch (e) {
    if (e instanceof S3Failure) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(key);
    throw invalidArgument(`The object '${key}' could not be decompressed: ${(e as Error).message}`);
  }
  return bytes.toString('utf8');
}

function tooLarge(key: string): S3Failure {
  return new S3Failure('EntityTooLarge', 400, `The object '${key}' is larger than the ${MAX_OBJECT_BYTES} bytes Stepwise reads into memory.`);
}

function compareUtf8(a: string, b: string): number {
  // S3 lists keys in the binary order of their UTF-8 bytes (not JavaScript's UTF-16 order).
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** ContinuationToken: opaque to clients, here the last key of the page, base64url. */
function tokenFor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function keyOfToken(token: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalidArgument('The continuation token provided is incorrect');
  return Buffer.from(token, 'base64url').toString('utf8');
}

interface ListedObject {
  readonly Key: string;
  readonly LastModified: string;
  readonly ETag: string;
  readonly Size: number;
  readonly StorageClass: string;
}

/** One page of a listing, as S3's ListObjectsV2 answers it. */
function listingPage(bucket: string, request: Record<string, unknown>, keys: readonly string[], describe: (key: string) => Promise<ListedObject>): Promise<Record<string, unknown>> {
  const prefix = stringField(request, 'Prefix', false) ?? '';
  const delimiter = stringField(request, 'Delimiter', false);
  const startAfter = stringField(request, 'StartAfter', false);
  const token = stringField(request, 'ContinuationToken', false);
  const maxKeys = maxKeysOf(request);
  // A continuation token takes over from StartAfter.
  const after = token !== undefined ? keyOfToken(token) : startAfter;
  const contents: string[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;
  let truncated = false;
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    if (after !== undefined && compareUtf8(key, after) <= 0) continue;
    let common: string | undefined;
    if (delimiter) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) common = key.slice(0, at + delimiter.length);
    }
    // Keys under a common prefix already listed are part of it.
    if (common !== undefined && commonPrefixes.at(-1) === common) continue;
    if (contents.length + commonPrefixes.length >= maxKeys) {
      truncated = maxKeys > 0;
      break;
    }
    if (common !== undefined) {
      commonPrefixes.push(common);
      // The next page starts after every key under this common prefix.
      last = common + '\u{10ffff}';
    } else {
      contents.push(key);
      last = key;
    }
  }
  return Promise.all(contents.map(describe)).then((described) => ({
    ...(described.length > 0 ? { Contents: described } : {}),
    ...(commonPrefixes.length > 0 ? { CommonPrefixes: commonPrefixes.map((p) => ({ Prefix: p })) } : {}),
    ...(delimiter ? { Delimiter: delimiter } : {}),
    IsTruncated: truncated,
    KeyCount: contents.length + commonPrefixes.length,
    MaxKeys: maxKeys,
    Name: bucket,
    Prefix: prefix,
    ...(token !== undefined ? { ContinuationToken: token } : {}),
    ...(truncated && last !== undefined ? { NextContinuationToken: tokenFor(last) } : {}),
    ...(startAfter !== undefined ? { StartAfter: startAfter } : {}),
  }));
}

// ---------------------------------------------------------------------------------- local buckets

/** The configured buckets whose objects are files of a local folder. */
class LocalBuckets {
  constructor(private readonly folders: Readonly<Record<string, string>>) {}

  has(bucket: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.folders, bucket);
  }

  async call(action: string, request: Record<string, unknown>, requestId: string): Promise<IntegrationOutcome> {
    const bucket = request.Bucket as string;
    const root = await this.root(bucket);
    switch (action) {
      case 'getObject':
        return { ok: true, output: await getLocal(root, stringField(request, 'Key', true)!) };
      case 'listObjectsV2':
        return { ok: true, output: await listingPage(bucket, request, await listLocal(root), (key) => describeLocal(root, key)) };
      case 'putObject':
        return { ok: true, output: await putLocal(root, stringField(request, 'Key', true)!, bodyText(request.Body), requestId) };
      default:
        throw invalidArgument(`Unsupported action '${action}'.`);
    }
  }

  /** The bucket's folder, its symbolic links resolved; NoSuchBucket when there is none. */
  private async root(bucket: string): Promise<string> {
    try {
      const folder = await realpath(this.folders[bucket]!);
      if (!(await stat(folder)).isDirectory()) throw noSuchBucket();
      return folder;
    } catch (e) {
      if (e instanceof S3Failure) throw e;
      throw noSuchBucket();
    }
  }
}

/**
 * The file a key names under the bucket's folder. Keys are untrusted: one a file system cannot
 * hold as a path of its own (empty, `.` or `..` segments, `//`, a leading `/`, a NUL) is refused
 * with S3's InvalidArgument, a key over 1024 bytes with KeyTooLongError, as S3 refuses it.
 * (S3 itself stores such keys; a local folder cannot, and must not be left.)
 */
export function localPath(root: string, key: string): string {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new S3Failure('KeyTooLongError', 400, 'Your key is too long');
  const segments = key.split('/');
  const invalid = key === '' || key.includes('\0') || key.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..');
  if (invalid) throw invalidArgument(`The key '${key.replace(/\0/g, '\\0')}' cannot be stored in a local bucket: it must be a relative path of non-empty names, without '.', '..' or NUL.`);
  return join(root, ...segments);
}

/** Whether `path` (resolved) is inside `root`: a symbolic link under the folder must not lead out of it. */
async function insideRoot(root: string, path: string): Promise<boolean> {
  const resolved = await realpath(path);
  return resolved.startsWith(root + sep);
}

/** Whether `path` (resolved) is `root` or inside it. */
async function withinRoot(root: string, path: string): Promise<boolean> {
  const resolved = await realpath(path);
  return resolved === root || resolved.startsWith(root + sep);
}

/** `path` or its nearest ancestor that exists. */
async function nearestExisting(path: string): Promise<string> {
  let current = path;
  for (;;) {
    const found = await lstat(current).then(() => true, () => false);
    if (found) return current;
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

async function getLocal(root: string, key: string): Promise<Record<string, unknown>> {
  const path = localPath(root, key);
  let info;
  try {
    info = await stat(path);
    if (!info.isFile() || !(await insideRoot(root, path))) throw noSuchKey();
  } catch (e) {
    if (e instanceof S3Failure) throw e;
    throw noSuchKey();
  }
  if (info.size > MAX_OBJECT_BYTES) throw tooLarge(key);
  const bytes = await readFile(path);
  return {
    Body: decoded(key, bytes),
    ContentLength: bytes.length,
    ContentType: 'binary/octet-stream',
    ETag: `"${createHash('md5').update(bytes).digest('hex')}"`,
    LastModified: info.mtime.toISOString(),
  };
}

/** Every key of the bucket (its regular files, symbolic links left out), in S3's order. */
async function listLocal(root: string): Promise<string[]> {
  const keys: string[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.isDirectory()) await walk(join(folder, entry.name), `${prefix}${entry.name}/`);
      else if (entry.isFile() && !entry.name.startsWith(TEMP_PREFIX)) {
        if (keys.length >= MAX_LISTED_FILES) throw new S3Failure('InternalError', 500, `The local bucket holds more than ${MAX_LISTED_FILES} files, more than Stepwise lists.`);
        keys.push(prefix + entry.name);
      }
    }
  };
  await walk(root, '');
  return keys.sort(compareUtf8);
}

async function describeLocal(root: string, key: string): Promise<ListedObject> {
  const path = join(root, ...key.split('/'));
  const info = await stat(path);
  return { Key: key, LastModified: info.mtime.toISOString(), ETag: await localETag(path, info.size, info.mtimeMs), Size: info.size, StorageClass: 'STANDARD' };
}

async function localETag(path: string, size: number, mtimeMs: number): Promise<string> {
  if (size > HASHED_ETAG_BYTES) {
    const parts = Math.ceil(size / HASHED_ETAG_BYTES);
    return `"${createHash('md5').update(`${path}:${size}:${mtimeMs}`).digest('hex')}-${parts}"`;
  }
  const handle = await open(path, 'r');
  try {
    return `"${createHash('md5').update(await handle.readFile()).digest('hex')}"`;
  } finally {
    await handle.close();
  }
}

async function putLocal(root: string, key: string, body: string, requestId: string): Promise<Record<string, unknown>> {
  const path = localPath(root, key);
  const folder = dirname(path);
  // A symbolic link under the folder must not lead a put out of it: the nearest folder that
  // exists is checked before any is created, and the key's folder after.
  const outside = () => invalidArgument(`The key '${key}' leads out of the local bucket's folder.`);
  if (!(await withinRoot(root, await nearestExisting(folder)))) throw outside();
  try {
    await mkdir(folder, { recursive: true });
  } catch {
    // A file where the key needs a folder ("a" exists and "a/b" is put): S3 keys can be both,
    // files cannot.
    throw invalidArgument(`The key '${key}' cannot be stored in the local bucket: a file stands where it needs a folder.`);
  }
  if (!(await withinRoot(root, folder))) throw outside();
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw invalidArgument(`The key '${key}' cannot be stored in the local bucket: a folder of that name holds other keys.`);
  // Written beside, then renamed over the key: a reader sees the old file or the new one, and a
  // symbolic link at the key is replaced, never followed.
  const temporary = join(folder, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  const bytes = Buffer.from(body, 'utf8');
  try {
    await writeFile(temporary, bytes, { flag: 'wx' });
    await rename(temporary, path);
  } catch (e) {
    await rm(temporary, { force: true });
    throw e;
  }
  return { ETag: `"${createHash('md5').update(bytes).digest('hex')}"`, SdkResponseMetadata: { RequestId: requestId } };
}

// ---------------------------------------------------------------------------------- S3 itself

type Client = { send(command: unknown, options?: unknown): Promise<unknown> };

async function callRemote(clients: AwsClients, action: string, request: Record<string, unknown>, call: IntegrationCall): Promise<IntegrationOutcome> {
  let client: Client;
  let module: Record<string, unknown>;
  try {
    ({ client, module } = await clients.client('s3', '@aws-sdk/client-s3', 'S3Client'));
  } catch (e) {
    return { ok: false, error: 'States.Runtime', cause: (e as Error).message };
  }
  const command = (name: string, input: unknown): unknown => new (module[name] as new (input: unknown) => unknown)(input);
  const bucket = request.Bucket as string;
  try {
    switch (action) {
      case 'getObject': {
        const key = stringField(request, 'Key', true)!;
        const versionId = stringField(request, 'VersionId', false);
        const owner = stringField(request, 'ExpectedBucketOwner', false);
        const response = (await client.send(
          command('GetObjectCommand', { Bucket: bucket, Key: key, ...(versionId !== undefined ? { VersionId: versionId } : {}), ...(owner !== undefined ? { ExpectedBucketOwner: owner } : {}) }),
          { abortSignal: call.signal },
        )) as { Body?: AsyncIterable<Uint8Array>; ContentLength?: number; ContentType?: string; ETag?: string; LastModified?: Date; VersionId?: string };
        if ((response.ContentLength ?? 0) > MAX_OBJECT_BYTES) throw tooLarge(key);
        const bytes = await readBounded(response.Body, key);
        return {
          ok: true,
          output: {
            Body: decoded(key, bytes),
            ContentLength: bytes.length,
            ...(response.ContentType !== undefined ? { ContentType: response.ContentType } : {}),
            ...(response.ETag !== undefined ? { ETag: response.ETag } : {}),
            ...(response.LastModified !== undefined ? { LastModified: new Date(response.LastModified).toISOString() } : {}),
            ...(response.VersionId !== undefined ? { VersionId: response.VersionId } : {}),
          },
        };
      }
      case 'listObjectsV2': {
        const input: Record<string, unknown> = { Bucket: bucket, MaxKeys: maxKeysOf(request) };
        for (const field of ['Prefix', 'Delimiter', 'StartAfter', 'ContinuationToken', 'ExpectedBucketOwner']) {
          const value = stringField(request, field, false);
          if (value !== undefined) input[field] = value;
        }
        const response = (await client.send(command('ListObjectsV2Command', input), { abortSignal: call.signal })) as Record<string, unknown>;
        return { ok: true, output: jsonOf(response) };
      }
      case 'putObject': {
        const key = stringField(request, 'Key', true)!;
        const response = (await client.send(command('PutObjectCommand', { Bucket: bucket, Key: key, Body: bodyText(request.Body) }), { abortSignal: call.signal })) as Record<string, unknown>;
        return { ok: true, output: jsonOf(response) };
      }
      default:
        throw invalidArgument(`Unsupported action '${action}'.`);
    }
  } catch (e) {
    if (e instanceof S3Failure) throw e;
    if (call.signal.aborted) return { ok: false, error: 'States.Runtime', cause: 'The S3 call was cancelled.' };
    const err = e as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    const status = err.$metadata?.httpStatusCode;
    if (status === undefined) return { ok: false, error: 'S3.SdkClientException', cause: `Unable to execute HTTP request: ${err.message ?? String(e)}` };
    return s3Error(err.Code ?? err.name ?? 'S3Exception', status, err.message ?? '', err.$metadata?.requestId ?? call.requestId);
  }
}

/** The response body, at most MAX_OBJECT_BYTES of it. */
async function readBounded(body: AsyncIterable<Uint8Array> | undefined, key: string): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_OBJECT_BYTES) throw tooLarge(key);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** An SDK response as JSON: dates as ISO text, the SDK's own `$metadata` left out. */
function jsonOf(response: Record<string, unknown>): Record<string, unknown> {
  const { $metadata, ...rest } = response as Record<string, unknown> & { $metadata?: unknown };
  void $metadata;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}
