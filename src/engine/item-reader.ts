/**
 * A Distributed Map's ItemReader: fetches the item source through the task resource it names
 * (S3 getObject / listObjectsV2, served by a task handler or a mock) and turns it into items.
 * The fetch is not a Task state, so it records no Task events, as on AWS.
 */
import { StatesError } from '../asl/errors.js';
import type { Frame } from './frames.js';
import { classifyResource } from './resources.js';
import { BLOCKED, type Outcome, type Step, type StateRunner } from './states.js';
import { numberFromPathValue } from './fan-out-states.js';

const MAX_ITEMS_LIMIT = 100_000_000;

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
    return failRun(new StatesError('States.ItemReaderFailed', 'CSV headers cannot contain duplicates.'));
  }

  const parameters = jsonata
    ? reader.Arguments === undefined ? {} : await flow.jsonata(frame, reader.Arguments, 'Arguments')
    : reader.Parameters === undefined ? {} : flow.payload(frame, reader.Parameters, effective, 'Parameters');
  const resource = classifyResource(String(reader.Resource), interp.identity.region);
  const taskId = interp.nextTaskId();
  interp.invokeTask(
    frame,
    { stateName: frame.stateName, resource, input: parameters, context: interp.contextObject(frame) },
    taskId,
    {
      onSucceeded: async (body) => {
        let items: unknown[];
        try {
          items = parseItems(body, config, resource.kind === 'service' ? resource.action : '');
        } catch (e) {
          return failRun(e instanceof StatesError ? e : new StatesError('States.ItemReaderFailed', String(e)));
        }
        if (maxItems !== undefined) items = items.slice(0, maxItems);
        return continueWith(items);
      },
      onFailed: async (error) => failRun(new StatesError('States.ItemReaderFailed', error.cause || error.error)),
    },
  );
  return BLOCKED;
}

/** Turns what the reader's resource returned into the list of items, per ReaderConfig. */
export function parseItems(body: unknown, config: Record<string, any>, action: string): unknown[] {
  if (action.startsWith('listObjects')) {
    const contents = (body as { Contents?: unknown[] })?.Contents;
    return Array.isArray(contents) ? contents : [];
  }
  const inputType: string = config.InputType ?? 'JSON';
  const text = typeof body === 'string' ? body : body !== null && typeof body === 'object' && 'Body' in body ? (body as { Body: unknown }).Body : body;
  switch (inputType) {
    case 'JSON': {
      const parsed = typeof text === 'string' ? safeParse(text) : text;
      if (!Array.isArray(parsed)) throw new StatesError('States.ItemReaderFailed', 'Attempting to map over non-iterable node.');
      return parsed;
    }
    case 'JSONL':
      return String(text)
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '')
        .map((line) => safeParse(line));
    case 'CSV':
      return csvItems(String(text), config);
    case 'MANIFEST':
      return csvItems(String(text), { ...config, CSVHeaderLocation: 'GIVEN', CSVHeaders: ['Bucket', 'Key'] });
    default:
      throw new StatesError('States.ItemReaderFailed', `Unsupported InputType '${inputType}'.`);
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new StatesError('States.ItemReaderFailed', 'Attempting to map over non-iterable node.');
  }
}

function csvItems(text: string, config: Record<string, any>): Record<string, string>[] {
  const rows = parseCsv(text, config.CSVDelimiter === 'SEMICOLON' ? ';' : config.CSVDelimiter === 'TAB' ? '\t' : ',');
  let headers: string[];
  if (config.CSVHeaderLocation === 'GIVEN') headers = config.CSVHeaders ?? [];
  else headers = rows.shift() ?? [];
  if (new Set(headers).size !== headers.length) throw new StatesError('States.ItemReaderFailed', 'CSV headers cannot contain duplicates.');
  return rows.map((row) => {
    const item: Record<string, string> = {};
    headers.forEach((header, i) => (item[header] = row[i] ?? ''));
    return item;
  });
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
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
