/**
 * `stepwise view FILE`: shows a recording (`stepwise run --record`) in the web console, served
 * on 127.0.0.1 with no database and no Step Functions API: the built console, its settings, and
 * the recording at /recording.json, which the console's recording page reads. Serves until
 * Ctrl-C (or SIGTERM).
 *
 * The console's files are served by the server's own code (console-routes.ts), and requests are
 * screened as a loopback server without keys screens them (request-guard.ts): the recording may
 * hold payloads a web page elsewhere must not read through DNS rebinding.
 */
import { existsSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveConsole, serveConsoleConfig } from '../server/console-routes.js';
import { screenRequest } from '../server/request-guard.js';
import { InvalidRecordingError, MAX_RECORDING_CHARS, parseRecording, type Recording } from '../runtime/recording.js';
import { EXIT, readText, UsageError } from './io.js';
import type { Output } from './run-command.js';

export const VIEW_HELP = `Usage: stepwise view FILE [--port N]

Shows a recording (made by stepwise run FILE --record OUT.json) in the web console: its graph,
the runs of each state and the event history. Serves it on 127.0.0.1 until Ctrl-C, and prints
the address to open. Needs no database and no running server.

Options:
  --port N      the port to listen on (default: any free port)
  -h, --help    this help
`;

/** Where the console is read from, and where the recording page finds the recording. */
export const RECORDING_PATH = '/recording.json';

/** dist/console/, next to dist/cli/ where this module is built (as console-routes.ts finds it from dist/server/). */
const CONSOLE_ROOT = fileURLToPath(new URL('../console/', import.meta.url));

export interface ViewArguments {
  readonly file: string;
  readonly port?: string;
}

export interface RecordingServer {
  /** The console's recording page for this recording. */
  readonly url: string;
  close(): Promise<void>;
}

export async function viewCommand(args: ViewArguments, io: Output): Promise<number> {
  const port = parsePort(args.port);
  const recording = readRecording(args.file);
  const server = await serveRecording(recording, { port });
  const { name, status } = recording.execution;
  io.out(`Serving the recording of execution ${name} (${status}) from ${args.file}:`);
  io.out(`  ${server.url}`);
  io.out('Press Ctrl-C to stop.');
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close().then(
        () => resolve(EXIT.SUCCEEDED),
        (e: unknown) => {
          io.err(`stepwise view: error while shutting down: ${e instanceof Error ? e.message : String(e)}`);
          resolve(EXIT.FAILED);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The recording in FILE, or a UsageError that says what is wrong with it. */
export function readRecording(file: string): Recording {
  const size = existsSync(file) ? statSync(file).size : 0;
  if (size > MAX_RECORDING_CHARS) throw new UsageError(`${file} is larger than ${MAX_RECORDING_CHARS / 1024 / 1024} MiB: too large a recording to show`);
  const text = readText(file, 'recording');
  try {
    return parseRecording(text);
  } catch (e) {
    if (e instanceof InvalidRecordingError) throw new UsageError(`${file} is not a recording Stepwise can show: ${e.message}`);
    throw e;
  }
}

/** Serves the console and `recording` on 127.0.0.1:`port` (0: any free port). */
export async function serveRecording(recording: Recording, options: { readonly port: number; readonly consoleRoot?: string }): Promise<RecordingServer> {
  const root = options.consoleRoot ?? CONSOLE_ROOT;
  if (!existsSync(join(root, 'index.html'))) {
    throw new UsageError(`the web console is not built (${join(root, 'index.html')} is missing): run npm run build in the Stepwise package, then stepwise view again`);
  }
  const body = JSON.stringify(recording);
  // The console builds ARNs and signs for the recording's region and account; it signs nothing here.
  const [, , , region = 'us-east-1', accountId = '111111111111'] = recording.execution.executionArn.split(':');
  const settings = { region, accountId, authRequired: false };
  const screen = screenRequest({ checkHost: true, allowedHosts: [], allowedOrigins: [] });

  const server = http.createServer((req, res) => {
    void answer(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`stepwise view: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
  const answer = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const refusal = screen(req);
    if (refusal) {
      // The serve guard's advice (--allowed-host) is not an option of view.
      const message = refusal.reason === 'host' ? 'stepwise view answers only requests addressed to 127.0.0.1 or localhost, so that web pages cannot read the recording through DNS rebinding.' : refusal.message;
      return plain(req, res, refusal.status, message);
    }
    const path = (req.url ?? '/').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === RECORDING_PATH) {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (serveConsoleConfig(req, res, settings)) return;
    if (req.method === 'POST') {
      // The console's other pages call the API: they say why there is none, in the API's own words.
      req.resume();
      const error = JSON.stringify({ __type: 'UnknownOperationException', message: 'stepwise view shows one recording: it has no Step Functions API (stepwise serve has one).' });
      res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(error) });
      res.end(error);
      return;
    }
    if (await serveConsole(req, res, root)) return;
    plain(req, res, 404, 'Not Found');
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(new UsageError(e.code === 'EADDRINUSE' ? `port ${options.port} on 127.0.0.1 is in use (pass another with --port, or --port 0 for any free one)` : `cannot listen on 127.0.0.1:${options.port}: ${e.message}`));
    });
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/#/recording?src=${RECORDING_PATH.slice(1)}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // A browser keeps idle connections open; they must not hold the process up.
        server.closeAllConnections();
      }),
  };
}

function plain(req: http.IncomingMessage, res: http.ServerResponse, status: number, text: string): void {
  req.resume();
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, not '${text}'`);
  return port;
}
