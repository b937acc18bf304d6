/**
 * Converting between a Task's JSON and an AWS SDK for JavaScript command, by the operation's
 * model, the way Step Functions converts for the SDK for Java it runs on:
 *
 * - Member names are PascalCase in a state machine even where the API's are camelCase (API
 *   Gateway's `restApiId` is `RestApiId`), and `Equals` is `EqualsValue` — "API naming
 *   conventions" in
 *   https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html.
 * - A string member given JSON other than a string gets its JSON text (an SQS `MessageBody`,
 *   an SNS `Message`, an EventBridge `Detail` given as an object).
 * - A payload blob (S3 PutObject's `Body`, Lambda Invoke's `Payload`) gets the JSON text of its
 *   value, strings included: AWS stored `"text data"`, quotes and all, for `"Body": "text data"`
 *   and `0` for `"Body": 0` (test_aws_sdk_task_service.test_s3_put_object, recorded 2024-12).
 *   In results a payload blob or stream is its UTF-8 text (S3 GetObject's `Body` is the object's
 *   text, Lambda Invoke's `Payload` a string).
 * - Any other blob (DynamoDB's `B`) is base64 text both ways, as Jackson writes byte arrays.
 * - Timestamps in results are ISO 8601 text as Java's Instant prints it
 *   (`2024-05-23T19:12:25Z`, milliseconds only when there are some). Not in AWS's recordings
 *   (they mask dates); chosen as the SDK for Java's own JSON form. In parameters, ISO text or
 *   epoch seconds.
 * - Numbers and booleans given as text are read as Jackson reads them (`"5"` for an integer).
 *
 * The model comes from the client package (`command.schema`, the SDK's schemas since 2025),
 * read with `@smithy/core/schema`. A client package older than that has none: its parameters
 * then pass as they are and results are converted by their JavaScript types alone.
 */
import { createRequire } from 'node:module';

/** The part of `@smithy/core/schema`'s NormalizedSchema used here. */
export interface Shape {
  isStructSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  isBlobSchema(): boolean;
  isStreaming(): boolean;
  isTimestampSchema(): boolean;
  isStringSchema(): boolean;
  isNumericSchema(): boolean;
  isBooleanSchema(): boolean;
  getMergedTraits(): Record<string, unknown>;
  getValueSchema(): Shape;
  getMemberSchemas(): Record<string, Shape>;
}

type ShapeOf = (ref: unknown) => Shape;

/** The input and output shapes of a command, or undefined when its package has no schemas. */
export interface OperationShapes {
  readonly input?: Shape;
  readonly output?: Shape;
}

const readers = new Map<string, ShapeOf | null>();
const requireHere = createRequire(import.meta.url);

/**
 * `NormalizedSchema.of` from the `@smithy/core` the client package itself depends on (found from
 * the package's own folder), or null when there is none.
 */
function shapeReader(packageName: string): ShapeOf | null {
  let reader = readers.get(packageName);
  if (reader === undefined) {
    try {
      const fromPackage = createRequire(requireHere.resolve(packageName));
      const { NormalizedSchema } = fromPackage('@smithy/core/schema') as { NormalizedSchema?: { of(ref: unknown): Shape } };
      reader = NormalizedSchema ? (ref: unknown) => NormalizedSchema.of(ref) : null;
    } catch {
      reader = null;
    }
    readers.set(packageName, reader);
  }
  return reader;
}

/** The shapes of a command instance (`command.schema` is `[9, namespace, name, traits, input, output]`). */
export function operationShapes(packageName: string, command: unknown): OperationShapes {
  const schema = (command as { schema?: unknown }).schema;
  const of = shapeReader(packageName);
  if (!of || !Array.isArray(schema) || schema[0] !== 9) return {};
  try {
    return { input: of(schema[4]), output: of(schema[5]) };
  } catch {
    return {};
  }
}

/**
 * Members a state machine names differently from the API: `Equals` clashes with the method every
 * Java object has, so the SDK for Java and Step Functions call it `EqualsValue` (the one such
 * name the documentation gives; the SDK renames Java keywords too, but DynamoDB's `NULL` and
 * `BOOL` keep their names in DynamoDB JSON).
 */
const RENAMED: Readonly<Record<string, string>> = { equals: 'EqualsValue' };

/** A member's name in a state machine: PascalCase, or its rename. */
function stateMachineName(member: string): string {
  return RENAMED[member.toLowerCase()] ?? member.charAt(0).toUpperCase() + member.slice(1);
}

/** The model's member a parameter names (exactly, case aside, or by its rename). */
function memberFor(members: Record<string, Shape>, key: string): string | undefined {
  if (key in members) return key;
  const lower = key.toLowerCase();
  for (const name of Object.keys(members)) if (name.toLowerCase() === lower || RENAMED[name.toLowerCase()]?.toLowerCase() === lower) return name;
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}

function isPayload(shape: Shape): boolean {
  return shape.isStreaming() || shape.getMergedTraits().httpPayload !== undefined;
}

const encoder = new TextEncoder();

/** A Task's parameters as the SDK's input for `shape` (the operation's input, or a member's). */
export function toSdkInput(value: unknown, shape: Shape | undefined): unknown {
  if (shape === undefined || value === null || value === undefined) return value;
  if (shape.isStructSchema()) {
    if (!isPlainObject(value)) return value;
    const members = shape.getMemberSchemas();
    const input: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      const name = memberFor(members, key);
      // A name the model does not have passes as it is: the SDK leaves it out of the request.
      input[name ?? key] = name === undefined ? member : toSdkInput(member, members[name]);
    }
    return input;
  }
  if (shape.isListSchema()) return Array.isArray(value) ? value.map((item) => toSdkInput(item, shape.getValueSchema())) : value;
  if (shape.isMapSchema()) {
    if (!isPlainObject(value)) return value;
    const entries: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) entries[key] = toSdkInput(item, shape.getValueSchema());
    return entries;
  }
  if (shape.isBlobSchema()) {
    if (value instanceof Uint8Array) return value;
    if (!isPayload(shape) && typeof value === 'string') return Uint8Array.from(Buffer.from(value, 'base64'));
    return encoder.encode(JSON.stringify(value));
  }
  if (shape.isTimestampSchema()) {
    const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : undefined;
    return date !== undefined && !Number.isNaN(date.getTime()) ? date : value;
  }
  if (shape.isStringSchema()) return typeof value === 'string' ? value : JSON.stringify(value);
  if (shape.isNumericSchema() && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (shape.isBooleanSchema() && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** Java's Instant text: `2024-05-23T19:12:25Z`, with `.123` only when there are milliseconds. */
export function instantText(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/** An SDK result as a Task's result for `shape`; streams must have been read (readStreams) first. */
export function fromSdkOutput(value: unknown, shape: Shape | undefined): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return instantText(value);
  if (value instanceof Uint8Array) {
    const payload = shape === undefined || isPayload(shape);
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString(payload ? 'utf8' : 'base64');
  }
  if (Array.isArray(value)) return value.map((item) => fromSdkOutput(item, shape?.isListSchema() ? shape.getValueSchema() : undefined)).filter((item) => item !== undefined);
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = {};
  if (shape?.isMapSchema()) {
    for (const [key, item] of Object.entries(value)) {
      const converted = fromSdkOutput(item, shape.getValueSchema());
      if (converted !== undefined) result[key] = converted;
    }
    return result;
  }
  const members = shape?.isStructSchema() ? shape.getMemberSchemas() : undefined;
  for (const [key, item] of Object.entries(value)) {
    // `$metadata`, `$unknown`: the SDK for JavaScript's own, not the service's.
    if (key.startsWith('$')) continue;
    const member = members?.[key];
    const converted = fromSdkOutput(item, member);
    if (converted !== undefined) result[members ? stateMachineName(key) : key] = converted;
  }
  return result;
}

/** Raised when a streamed result is larger than a Task may hold. */
export class ResultTooLarge extends Error {
  override readonly name = 'ResultTooLarge';
}

/**
 * Reads the streams of an SDK result (S3 GetObject's `Body`) into bytes, at most `maxBytes` of
 * each; past that the stream is dropped and ResultTooLarge raised (a Task's result cannot hold
 * it: AWS's limit is 256 KiB).
 */
export async function readStreams(output: Record<string, unknown>, maxBytes: number): Promise<Record<string, unknown>> {
  let read: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(output)) {
    if (!isStream(value)) continue;
    read ??= { ...output };
    read[key] = await readBounded(value, maxBytes);
  }
  return read ?? output;
}

function isStream(value: unknown): value is AsyncIterable<unknown> & { destroy?(): void } {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

async function readBounded(stream: AsyncIterable<unknown> & { destroy?(): void }, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    // An event stream (S3 SelectObjectContent, Bedrock's response streams) yields events, not
    // bytes: Step Functions offers no streaming APIs, and neither does Stepwise.
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
      stream.destroy?.();
      throw new TypeError('the result is an event stream, which a Task cannot receive');
    }
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    size += bytes.byteLength;
    if (size > maxBytes) {
      stream.destroy?.();
      throw new ResultTooLarge(`more than ${maxBytes} bytes`);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
