/**
 * A Distributed Map's ItemReader: fetches the item source through the task resource it names
 * (S3 getObject / listObjectsV2, served by a task handler, a mock or the S3 integration) and
 * turns it into items. The fetch is not a Task state, so it records no Task events, as on AWS.
 *
 * Some sources take several requests, made one after the other, each an InvokeTask command whose
 * answer comes back as a trigger (so a replay makes the same requests with the same task ids):
 * a listing follows ListObjectsV2's continuation tokens, an S3 inventory manifest names the
 * inventory files to read. Reading stops once MaxItems items are read.
 *
 * AWS's rules (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
 * and example-csv-parse-dist-map.html): a listed object becomes
 * `{Etag, Key, LastModified (epoch seconds), Size, StorageClass}`; text files are parsed per
 * ReaderConfig's InputType (JSON, JSONL, CSV with CSVDelimiter and CSVHeaderLocation); an S3
 * inventory (InputType MANIFEST, or ManifestType S3_INVENTORY) yields its CSV rows, fields named
 * by the manifest's fileSchema.
 */
import { StatesError } from '../asl/errors.js';
import type { Frame } from './frames.js';
import { classifyResource } from './resources.js';
import { BLOCKED, type Outcome, type Step, type StateRunner } from './states.js';
import { numberFromPathValue } from './fan-out-states.js';

const MAX_ITEMS_LIMIT = 100_000_000;

/**
 * The most S3 requests one ItemReader makes after its first (listing pages, inventory files).
 * AWS states no such limit; a page lists at most 1,000 keys, so this reads up to 10 million
 * objects, and it ends a source that keeps answering "truncated" (a faulty handler or endpoint).
 */
export const MAX_READER_REQUESTS = 10_000;

/** ReaderConfig's MaxItems(Path): checked before the Map Run starts. Undefined means no limit. */
export async function readerMaxItems(runner: StateRunner, frame: Frame, reader: Record<string, any>, effective: unknown): Promise<number | undefined> {
  const { flow } = runner;
  const config: Record<string, any> = reader.ReaderConfig ?? {};
  let maxItems: number | undefined;
  if (config.MaxItemsPath !== undefined) {
    const found = flow.pathValue(frame, config.MaxItemsPath, effective);
    const number = numberFromPathValue(found, 'integer');
    if (number === undefined) {
      const shown = typeof found === 'string' ? found : JSON.stringify(found);
      throw new StatesError('States.Runtime', `The MaxItemsPath field refers to value "${shown}" which is not a valid integer: ${config.MaxItemsPath}`);
    }
    maxItems = number;
  } else if (config.MaxItems !== undefined) {
    const value = flow.isJsonata(frame) ? await flow.jsonata(frame, config.MaxItems, 'MaxItems') : config.MaxItems;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new StatesError('States.QueryEvaluationError', `The MaxItems field must be an integer but was: ${JSON.stringify(value)}`);
    }
    maxItems = value;
  }
  // 0 and anything beyond AWS's limit mean "no limit".
  if (maxItems !== undefined && (maxItems <= 0 || maxItems > MAX_ITEMS_LIMIT)) return undefined;
  return maxItems;
}

export async function readItems(
  runner: StateRunner,
  frame: Frame,
  reader: Record<string, any>,
  effective: unknown,
  maxItems: number | undefined,
  mapRunArn: string | undefined,
  continueWith: (items: unknown[]) => Step,
): Promise<Outcome> {
  const { interp, flow } = runner;
  const jsonata = flow.isJsonata(frame);
  const config: Record<string, any> = reader.ReaderConfig ?? {};
  const failRun = (error: StatesError): Step => {
    if (mapRunArn) interp.record(frame, 'MapRunFailed', { error: error.error, cause: error.cause });
    return runner.recover(frame, error);
  };
  const givenHeaders: unknown = config.CSVHeaderLocation === 'GIVEN' ? config.CSVHeaders : undefined;
  if (Array.isArray(givenHeaders) && new Set(givenHeaders).size !== givenHeaders.length) {
    return failRun(readerFailed('CSV headers cannot contain duplicates.'));
  }

  const parameters = jsonata
    ? reader.Arguments === undefined ? {} : await flow.jsonata(frame, reader.Arguments, 'Arguments')
    : reader.Parameters === undefined ? {} : flow.payload(frame, reader.Parameters, effective, 'Parameters');
  const resource = classifyResource(String(reader.Resource), interp.identity.region);
  let source: Source;
  try {
    source = sourceFor(resource.kind === 'service' ? resource.action : '', config, parameters, maxItems);
  } catch (e) {
    return failRun(asReaderError(e));
  }

  let requests = 0;
  const fetch = (input: unknown): Outcome => {
    const taskId = interp.nextTaskId();
    interp.invokeTask(
      frame,
      { stateName: frame.stateName, resource, input, context: interp.contextObject(frame) },
      taskId,
      {
        onSucceeded: (body) => {
          let next: unknown;
          try {
            next = source.take(body);
          } catch (e) {
            return failRun(asReaderError(e));
          }
          if (next !== undefined) {
            if (++requests > MAX_READER_REQUESTS) {
              return failRun(readerFailed(
                `Reading the items takes more than ${MAX_READER_REQUESTS} S3 requests after the first (listing pages or inventory files), more than Stepwise makes for one Map Run; narrow the source or set MaxItems.`,
              ));
            }
            return fetch(next);
          }
          const items = source.items;
          return continueWith(maxItems !== undefined && items.length > maxItems ? items.slice(0, maxItems) : items);
        },
        onFailed: (error) => failRun(readerFailed(error.cause || error.error)),
      },
    );
    return BLOCKED;
  };
  return fetch(parameters);
}

function readerFailed(cause: string | undefined): StatesError {
  return new StatesError('States.ItemReaderFailed', cause);
}

function asReaderError(e: unknown): StatesError {
  return e instanceof StatesError ? e : readerFailed(String(e));
}

// ---------------------------------------------------------------------------------- sources

/**
 * Where the items come from: it is handed the answer to each request in turn, and says what to
 * request next (the next request's Parameters), or undefined once `items` holds every item.
 */
interface Source {
  take(answer: unknown): unknown;
  readonly items: unknown[];
}

function sourceFor(action: string, config: Record<string, any>, parameters: unknown, maxItems: number | undefined): Source {
  if (config.Transformation === 'LOAD_AND_FLATTEN') throw readerFailed("Stepwise does not support the ItemReader Transformation 'LOAD_AND_FLATTEN'.");
  if (action.startsWith('listObjects')) return new ListingSource(parameters, maxItems);
  if (config.ManifestType === 'ATHENA_DATA') throw readerFailed("Stepwise does not support the ItemReader ManifestType 'ATHENA_DATA'.");
  if (config.ManifestType === 'S3_INVENTORY' || config.InputType === 'MANIFEST') return new InventorySource(config, parameters, maxItems);
  return new ObjectSource(config);
}

/** One object (getObject), parsed per InputType. */
class ObjectSource implements Source {
  items: unknown[] = [];
  constructor(private readonly config: Record<string, any>) {}
  take(answer: unknown): undefined {
    this.items = parseObject(answer, this.config);
    return undefined;
  }
}

/** A listing (listObjectsV2), page after page while S3 says it is truncated. */
class ListingSource implements Source {
  readonly items: unknown[] = [];
  private token: string | undefined;
  constructor(
    private readonly parameters: unknown,
    private readonly maxItems: number | undefined,
  ) {}

  take(answer: unknown): unknown {
    const page = isObject(answer) ? answer : {};
    const contents = page.Contents;
    if (Array.isArray(contents)) for (const entry of contents) this.items.push(listedItem(entry));
    if (this.maxItems !== undefined && this.items.length >= this.maxItems) return undefined;
    const truncated = page.IsTruncated === true || page.IsTruncated === 'true';
    const token = page.NextContinuationToken;
    // As the SDKs' paginators do, a page without a next token is the last one.
    if (!truncated || typeof token !== 'string' || token === '' || !isObject(this.parameters)) return undefined;
    if (token === this.token) throw readerFailed('The listing answered the same continuation token twice.');
    this.token = token;
    return { ...this.parameters, ContinuationToken: token };
  }
}

/**
 * An S3 inventory: its manifest.json names CSV files (gzipped ones are read as text by the S3
 * integration) in `destinationBucket`; each row is an item whose fields the manifest's
 * `fileSchema` names ("Bucket, Key, Size, LastModifiedDate"), values as text.
 */
class InventorySource implements Source {
  readonly items: unknown[] = [];
  private files: string[] | undefined;
  private bucket = '';
  private headers: string[] = [];
  private nextFile = 0;
  constructor(
    private readonly config: Record<string, any>,
    private readonly parameters: unknown,
    private readonly maxItems: number | undefined,
  ) {}

  take(answer: unknown): unknown {
    if (this.files === undefined) this.readManifest(answer);
    // One by one: spreading a file's rows into push() overflows the stack for large files.
    else for (const row of csvItems(textOf(answer), csvDelimiter(this.config), this.headers)) this.items.push(row);
    if (this.maxItems !== undefined && this.items.length >= this.maxItems) return undefined;
    if (this.nextFile >= this.files!.length) return undefined;
    return { Bucket: this.bucket, Key: this.files![this.nextFile++] };
  }

  private readManifest(answer: unknown): void {
    const body = bodyOf(answer);
    const manifest = typeof body === 'string' ? safeParse(body, 'The S3 inventory manifest is not valid JSON.') : body;
    if (!isObject(manifest) || !Array.isArray(manifest.files)) throw readerFailed("The S3 inventory manifest has no 'files' list.");
    // Step Functions reads CSV inventories only (AWS: "The output format of your Amazon S3 inventory report must be CSV").
    if (manifest.fileFormat !== undefined && manifest.fileFormat !== 'CSV') {
      throw readerFailed(`The S3 inventory's fileFormat is '${String(manifest.fileFormat)}'; Step Functions reads CSV inventories only.`);
    }
    this.files = manifest.files.map((file) => {
      if (!isObject(file) || typeof file.key !== 'string' || file.key === '') throw readerFailed("An S3 inventory manifest file has no 'key'.");
      return file.key;
    });
    // destinationBucket is an ARN (arn:aws:s3:::name); the manifest's own bucket if it has none.
    const destination = typeof manifest.destinationBucket === 'string' ? manifest.destinationBucket.replace(/^arn:[\w-]+:s3:::/, '') : undefined;
    const own = isObject(this.parameters) && typeof this.parameters.Bucket === 'string' ? this.parameters.Bucket : undefined;
    this.bucket = destination || own || '';
    if (this.bucket === '' && this.files.length > 0) throw readerFailed("The S3 inventory manifest has no 'destinationBucket'.");
    // Headers given in the definition take precedence; the inventory files have no header row.
    const given = this.config.CSVHeaderLocation === 'GIVEN' && Array.isArray(this.config.CSVHeaders) ? (this.config.CSVHeaders as string[]) : undefined;
    if (given === undefined && typeof manifest.fileSchema !== 'string') throw readerFailed("The S3 inventory manifest has no 'fileSchema'.");
    this.headers = given ?? (manifest.fileSchema as string).split(',').map((field) => field.trim());
    if (new Set(this.headers).size !== this.headers.length) throw readerFailed('CSV headers cannot contain duplicates.');
  }
}

/**
 * A ListObjectsV2 entry as AWS hands it to a child execution (the doc's example:
 * `{"Etag": "\"0570…\"", "Key": "…", "LastModified": 1668699881, "Size": 34910, "StorageClass": "STANDARD"}`):
 * `Etag` spelled so and keeping its quotes, LastModified in whole seconds since the epoch. Other
 * members of the entry (Owner, ChecksumAlgorithm…) are left out, as the doc shows none. An entry
 * already in that shape (a mock's) stays as it is.
 */
function listedItem(entry: unknown): unknown {
  if (!isObject(entry)) return entry;
  const item: Record<string, unknown> = {};
  const etag = entry.ETag ?? entry.Etag;
  if (etag !== undefined) item.Etag = etag;
  if (entry.Key !== undefined) item.Key = entry.Key;
  if (entry.LastModified !== undefined) item.LastModified = epochSeconds(entry.LastModified);
  if (entry.Size !== undefined) item.Size = entry.Size;
  if (entry.StorageClass !== undefined) item.StorageClass = entry.StorageClass;
  return item;
}

/** An S3 date (ISO 8601 text) as whole seconds since the epoch; anything else as it is. */
function epochSeconds(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : Math.floor(ms / 1000);
}

// ---------------------------------------------------------------------------------- parsing

/** An object's text: getObject answers `{Body: text, …}`; a handler may answer the text itself. */
function bodyOf(answer: unknown): unknown {
  return isObject(answer) && 'Body' in answer ? answer.Body : answer;
}

/** The text of an object that must be text (JSON Lines, CSV). */
function textOf(answer: unknown): string {
  const body = bodyOf(answer);
  if (typeof body !== 'string') throw readerFailed(`The object read is not text but ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}.`);
  return body;
}

/** Turns one object (getObject's answer) into items, per ReaderConfig's InputType (default JSON). */
function parseObject(answer: unknown, config: Record<string, any>): unknown[] {
  const inputType: string = config.InputType ?? 'JSON';
  switch (inputType) {
    case 'JSON': {
      const body = bodyOf(answer);
      const parsed = typeof body === 'string' ? safeParse(body) : body;
      if (!Array.isArray(parsed)) throw readerFailed('Attempting to map over non-iterable node.');
      return parsed;
    }
    case 'JSONL':
      return textOf(answer)
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '')
        .map((line) => safeParse(line));
    case 'CSV': {
      const headers = config.CSVHeaderLocation === 'GIVEN' ? ((config.CSVHeaders as string[] | undefined) ?? []) : undefined;
      return csvItems(textOf(answer), csvDelimiter(config), headers);
    }
    default:
      throw readerFailed(`Unsupported InputType '${inputType}'.`);
  }
}

function safeParse(text: string, cause = 'Attempting to map over non-iterable node.'): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw readerFailed(cause);
  }
}

const CSV_DELIMITERS: ReadonlyMap<string, string> = new Map([
  ['COMMA', ','],
  ['PIPE', '|'],
  ['SEMICOLON', ';'],
  ['SPACE', ' '],
  ['TAB', '\t'],
]);

/** ReaderConfig's CSVDelimiter (default COMMA), for CSV and MANIFEST sources. */
function csvDelimiter(config: Record<string, any>): string {
  const name: unknown = config.CSVDelimiter ?? 'COMMA';
  const delimiter = typeof name === 'string' ? CSV_DELIMITERS.get(name) : undefined;
  if (delimiter === undefined) throw readerFailed(`Unsupported CSVDelimiter '${String(name)}'.`);
  return delimiter;
}

/**
 * Rows as items: fields named by `headers`, or by the first row when there are none. A short row
 * gets empty strings for its missing fields, a long one loses its extra fields (AWS's rules).
 */
function csvItems(text: string, delimiter: string, headers: readonly string[] | undefined): Record<string, string>[] {
  const rows = parseCsv(text, delimiter);
  const names = headers ?? rows.shift() ?? [];
  if (new Set(names).size !== names.length) throw readerFailed('CSV headers cannot contain duplicates.');
  return rows.map((row) => {
    const item: Record<string, string> = {};
    names.forEach((name, i) => {
      // A header named __proto__ is a field like any other, not the item's prototype.
      if (name === '__proto__') Object.defineProperty(item, name, { value: row[i] ?? '', enumerable: true, writable: true, configurable: true });
      else item[name] = row[i] ?? '';
    });
    return item;
  });
}

/**
 * Text delimited as Step Functions reads it: RFC 4180 quoting (a quoted field holds delimiters
 * and line ends, `""` is a quote), CRLF or LF line ends, and backslash escapes: `\\`, `\"` and
 * a backslash before the delimiter give that character; a backslash before anything else is
 * dropped. (AWS: escaped quotes "only work when included in pairs"; a lone `\"` here is a quote
 * in the text, since what AWS does with one is not documented.)
 */
function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      const escaped = text[i + 1];
      if (escaped === '\\' || escaped === '"' || escaped === delimiter) {
        field += escaped;
        i++;
      }
      continue;
    }
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
