/**
 * The Node.js host: the program a local Node.js function's process runs (compiled to
 * dist/runtime/functions/node-host.js). It plays Lambda's Node.js runtime interface client:
 * it loads the handler named by `_HANDLER` from `LAMBDA_TASK_ROOT` once, then serves the
 * requests of protocol.ts one at a time with Lambda's calling conventions, so module-level
 * state lives on from one invocation to the next as in a warm Lambda execution environment.
 *
 * Lambda's conventions, as its Node.js runtime (aws-lambda-nodejs-runtime-interface-client)
 * implements them for nodejs20.x:
 * - handler `file.export` (or `dir/file.export`, or `file.nested.export`) in file, file.js,
 *   file.mjs or file.cjs (ESM or CommonJS), else Node's resolution from the task root;
 *   a missing module is `Runtime.ImportModuleError`, a missing export `Runtime.HandlerNotFound`,
 *   a syntax error `Runtime.UserCodeSyntaxError`, a `..` or no `.` `Runtime.MalformedHandlerName`;
 * - the answer is the promise's value, or the first call of callback(err, result),
 *   context.succeed/fail/done; callback(null, result) waits for the event loop to empty unless
 *   context.callbackWaitsForEmptyEventLoop is false; a handler that answers nothing answers null
 *   once the event loop is empty;
 * - an error becomes { errorType: its name, errorMessage: its message, trace: its stack lines },
 *   anything else thrown { errorType: typeof value, errorMessage: String(value), trace: [] };
 * - an uncaught exception answers the invocation with that error and ends the process (exit
 *   129), an unhandled rejection with `Runtime.UnhandledPromiseRejection` (exit 128);
 * - from nodejs24.x on, a handler that takes a callback (3 parameters) is refused with
 *   `Runtime.CallbackHandlerDeprecated`, as Lambda refuses it.
 *
 * The socket to the server is unreferenced while an invocation runs: that is how the host sees
 * the function's event loop empty ('beforeExit') without polling.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { types } from 'node:util';
import { MAX_RESPONSE_BYTES } from './lambda-errors.js';
import type { HostRequest } from './protocol.js';

type Handler = (event: unknown, context: unknown, callback: (err?: unknown, result?: unknown) => void) => unknown;

/** Read before the function's code runs, which may change the environment. */
const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const handlerString = process.env._HANDLER ?? '';
const executionEnv = process.env.AWS_EXECUTION_ENV ?? '';
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? '';
const functionVersion = process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST';
const memoryLimitInMB = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128';
const logGroupName = process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? '';
const logStreamName = process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '';

class RuntimeError extends Error {
  constructor(name: string, message: string, stack?: string) {
    super(message);
    this.name = name;
    if (stack !== undefined) this.stack = stack;
  }
}

// ---- Loading the handler ------------------------------------------------------------------

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function loadModule(moduleRoot: string, moduleName: string): Promise<unknown> {
  const withoutExtension = resolve(taskRoot, moduleRoot, moduleName);
  try {
    for (const extension of ['', '.js', '.mjs', '.cjs']) {
      const path = withoutExtension + extension;
      if (isFile(path)) return await import(pathToFileURL(path).href);
    }
    // As Lambda: Node's own resolution (a package in node_modules, a folder's index.js).
    const require = createRequire(join(taskRoot, 'index.js'));
    const resolved = require.resolve(moduleName, { paths: [taskRoot, join(taskRoot, moduleRoot)] });
    return await import(pathToFileURL(resolved).href);
  } catch (e) {
    if (e instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', String(e), e.stack);
    const code = (e as { code?: unknown } | null)?.code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') throw new RuntimeError('Runtime.ImportModuleError', String(e));
    throw e;
  }
}

function findIn(path: string, root: unknown): unknown {
  let value = root;
  for (const key of path.split('.')) {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

async function loadHandler(): Promise<Handler> {
  if (handlerString.includes('..')) {
    throw new RuntimeError('Runtime.MalformedHandlerName', `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const moduleAndHandler = basename(handlerString);
  const moduleRoot = handlerString.slice(0, handlerString.length - moduleAndHandler.length);
  const match = /^([^.]*)\.(.*)$/.exec(moduleAndHandler);
  if (match === null) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, moduleName = '', handlerPath = ''] = match;
  const module = await loadModule(moduleRoot, moduleName);
  let handler = findIn(handlerPath, module);
  // A CommonJS module imported as ESM: its exports are `default`.
  if (!handler && typeof module === 'object' && module !== null && 'default' in module) handler = findIn(handlerPath, (module as { default: unknown }).default);
  if (!handler) throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  if (typeof handler !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
  const major = Number(/nodejs(\d+)/.exec(executionEnv)?.[1]);
  if (major >= 24 && handler.length >= 3) {
    throw new RuntimeError(
      'Runtime.CallbackHandlerDeprecated',
      'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
    );
  }
  return handler as Handler;
}

// ---- Answers ------------------------------------------------------------------------------

function isErrorLike(value: unknown): value is Error {
  if (types.isNativeError(value)) return true;
  const candidate = value as { name?: unknown; message?: unknown; stack?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.name === 'string' && typeof candidate.message === 'string' && typeof candidate.stack === 'string';
}

/** Lambda's error document for whatever the function failed with. */
function errorDocument(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  try {
    if (isErrorLike(error)) {
      return { errorType: String(error.name), errorMessage: String(error.message), trace: typeof error.stack === 'string' ? error.stack.split('\n') : [] };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack', trace: [] };
  }
}

const TOO_LARGE = { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).` };

function tooLarge(json: string): boolean {
  // Three bytes per UTF-16 unit at most: most answers are decided without counting.
  return json.length * 3 > MAX_RESPONSE_BYTES && Buffer.byteLength(json, 'utf8') > MAX_RESPONSE_BYTES;
}

function errorFrame(id: number, error: unknown, retire = false): string {
  const frame = `{"id":${id},"ok":false,${JSON.stringify(errorDocument(error)).slice(1, -1)}${retire ? ',"retire":true' : ''}}\n`;
  if (!tooLarge(frame)) return frame;
  return `{"id":${id},"ok":false,${JSON.stringify(TOO_LARGE).slice(1, -1)}${retire ? ',"retire":true' : ''}}\n`;
}

function resultFrame(id: number, result: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(result === undefined ? null : result);
  } catch {
    // As Lambda's Node.js 20 runtime: a result JSON cannot express (a cycle, a BigInt).
    return errorFrame(id, new Error('Unable to stringify response body'));
  }
  if (json === undefined) json = 'null';
  if (tooLarge(json)) return `{"id":${id},"ok":false,${JSON.stringify(TOO_LARGE).slice(1, -1)}}\n`;
  return `{"id":${id},"ok":true,"payload":${json}}\n`;
}

// ---- Serving ------------------------------------------------------------------------------

const channel = new Socket({ fd: 3, readable: true, writable: true });

interface Active {
  readonly id: number;
  /** The answer, once the function gave one. */
  answer(frame: string): void;
  /** callback(null, result) while waiting for the event loop to empty. */
  waitingFrame: string | undefined;
}

let active: Active | undefined;

function send(frame: string, then?: () => void): void {
  channel.ref();
  channel.write(frame, then);
}

function invoke(handler: Handler, request: HostRequest): void {
  let answered = false;
  let finished = false;
  let waitsForEmptyEventLoop = true;
  const invocation: Active = {
    id: request.id,
    waitingFrame: undefined,
    answer(frame) {
      if (answered) return;
      answered = true;
      active = undefined;
      send(frame);
    },
  };
  active = invocation;
  // Unreferenced, the socket lets the loop empty when the function has nothing left to do.
  channel.unref();

  // Only the first of callback/succeed/fail/done counts, as in Lambda.
  const done = (err: unknown, result?: unknown, wait = false): void => {
    if (finished) return;
    finished = true;
    if (err !== undefined && err !== null) return invocation.answer(errorFrame(request.id, err));
    const frame = resultFrame(request.id, result);
    if (wait && waitsForEmptyEventLoop) invocation.waitingFrame = frame;
    else invocation.answer(frame);
  };
  const callback = (err?: unknown, result?: unknown): void => done(err, result, true);
  const context = {
    awsRequestId: request.requestId,
    functionName,
    functionVersion,
    invokedFunctionArn: request.invokedFunctionArn,
    memoryLimitInMB,
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: (): number => Math.max(0, request.deadlineMs - Date.now()),
    get callbackWaitsForEmptyEventLoop(): boolean {
      return waitsForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      waitsForEmptyEventLoop = value;
    },
    succeed: (result: unknown): void => done(null, result),
    fail: (err: unknown): void => done(err === undefined || err === null ? 'handled' : err),
    done: (err: unknown, result?: unknown): void => done(err, result),
  };
  try {
    const returned = handler(request.event, context, callback);
    if (typeof (returned as { then?: unknown } | null)?.then === 'function') {
      (returned as PromiseLike<unknown>).then(
        (result) => done(null, result),
        (err: unknown) => done(err === undefined || err === null ? 'handled' : err),
      );
    }
  } catch (e) {
    callback(e === undefined || e === null ? 'handled' : e);
  }
}

// The function's event loop is empty: the waiting callback result, or null (Lambda's default).
process.on('beforeExit', () => {
  const invocation = active;
  if (invocation !== undefined) invocation.answer(invocation.waitingFrame ?? resultFrame(invocation.id, null));
});

process.on('uncaughtException', (error) => {
  const invocation = active;
  active = undefined;
  if (invocation === undefined) process.exit(129);
  send(errorFrame(invocation.id, error, true), () => process.exit(129));
});

process.on('unhandledRejection', (reason) => {
  const invocation = active;
  active = undefined;
  if (invocation === undefined) process.exit(128);
  let message: string;
  try {
    message = String((reason as { toString?: () => string } | null | undefined)?.toString?.() ?? reason);
  } catch {
    message = 'unhandled promise rejection';
  }
  send(errorFrame(invocation.id, new RuntimeError('Runtime.UnhandledPromiseRejection', message), true), () => process.exit(128));
});

const loading: Promise<{ handler: Handler } | { error: unknown }> = loadHandler().then(
  (handler) => ({ handler }),
  (error: unknown) => ({ error }),
);

async function serve(request: HostRequest): Promise<void> {
  const loaded = await loading;
  // Init failed: Lambda answers the invocation with the init error and starts a new
  // execution environment for the next one.
  if ('error' in loaded) return send(errorFrame(request.id, loaded.error, true), () => process.exit(1));
  invoke(loaded.handler, request);
}

let buffered = '';
channel.setEncoding('utf8');
channel.on('data', (chunk: string) => {
  buffered += chunk;
  let newline = buffered.indexOf('\n');
  while (newline >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    void serve(JSON.parse(line) as HostRequest);
    newline = buffered.indexOf('\n');
  }
});
// The server is gone (or closed the socket): so is this process.
channel.on('end', () => process.exit(0));
channel.on('error', () => process.exit(0));
