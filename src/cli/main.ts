#!/usr/bin/env node
/**
 * The `stepwise` command: dispatches to one module per command. A user's mistake (bad option,
 * missing file, invalid JSON or definition) is a one-line message and exit status 2, never a
 * stack trace; only a bug in Stepwise prints one (exit status 70).
 */
import '../regexp-engine.js'; // linear-time fallback for user regular expressions, set once per process
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT, UsageError } from './io.js';
import { listCommand } from './list-command.js';
import { runCommand } from './run-command.js';
import { validateCommand, VALIDATE_FORMATS, type ValidateFormat } from './validate-command.js';
import { TEST_HELP, testCommand } from './test-command.js';
import { VIEW_HELP, viewCommand } from './view-command.js';

// The AWS SDK (loaded for tasks that call AWS services) warns once per process that its releases
// after January 2027 need Node.js 22. Stepwise supports Node.js 20; the notice would only clutter
// a run's stderr, so the command line turns it off unless the user decided otherwise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `Usage: stepwise <command> [options]

AWS Step Functions, self-hosted: run and validate Amazon States Language definitions.

Commands:
  validate FILE...            check definitions as ValidateStateMachineDefinition does
                              (--format text, json or github: problems with line and column)
  run FILE [options]          run one execution in memory and print its output
  test [FILE|FOLDER...]       run state machine tests (*.sfn-test.yaml|yml|json) with mocks;
                              --junit FILE, --coverage (see stepwise test --help)
  view FILE [--port N]        show a recording (run --record) in the web console, served on
                              127.0.0.1 until Ctrl-C (see stepwise view --help)
  serve [options]             the Step Functions API server (see stepwise serve --help)
  backup FILE [--db PATH]     copy a server's database to FILE while it serves (see stepwise backup --help)
  schedules list              what starts executions on a running server: its schedules,
  rules list                  its event rules and their targets, or its HTTP routes
  routes list                 (--endpoint URL, default http://127.0.0.1:8083 or
                              STEPWISE_ENDPOINT; --json for JSON). Manage schedules and rules
                              with the AWS CLI: aws scheduler|events … --endpoint-url URL

Options of run:
  -i, --input JSON|@FILE      execution input: JSON text, @file.json, or @- for stdin (default {})
      --history               print the execution history as a table before the output
      --history-format F      table (default) or jsonl (GetExecutionHistory events, one per line)
      --mock-config FILE      a Step Functions Local MockConfigFile ...
      --test-case NAME        ... and the test case to use from it
      --state-machine-name N  the state machine's name (default: FILE without .asl.json)
      --execution-name NAME   the execution's name (default: a random UUID)
      --wait-time-scale N     multiply Wait durations and retry intervals by N (0: no waiting)
      --virtual-time          run on virtual time: Waits, retries and timeouts pass at once, and
                              the history shows the times they would have had
      --handlers FILE         an ES module exporting task handlers by state name or resource ARN
      --state-machine FILE    a state machine that states:startExecution tasks may start, named
                              after its file (repeatable)
      --config FILE           the project configuration: functions, connections, endpoints,
                              buckets, routes (default: STEPWISE_CONFIG, else ./stepwise.config.json)
      --route NAME=TARGET     send one state's (or resource ARN's) tasks to TARGET: function:NAME,
                              url:URL, return:JSON, throw:ERROR[:CAUSE] or aws (repeatable)
      --lambda-endpoint URL   a Lambda API for functions the configuration does not declare
      --record OUT.json       write the execution (definition, status, whole history) to
                              OUT.json, whatever its outcome; stepwise view OUT.json shows it

General:
  -h, --help                  this help
  -v, --version               the version

Exit status: 0 succeeded (or valid), 1 execution failed (or invalid definition for validate),
2 usage or input error, 3 execution timed out, 4 execution aborted.

Examples:
  stepwise validate examples/*.asl.json
  stepwise run examples/hello-world.asl.json --input @examples/hello-world.input.json --history
  stepwise run examples/hello-world.asl.json --record hello.json && stepwise view hello.json
`;

const RUN_OPTIONS = {
  input: { type: 'string', short: 'i' },
  history: { type: 'boolean' },
  'history-format': { type: 'string' },
  'mock-config': { type: 'string' },
  'test-case': { type: 'string' },
  'state-machine-name': { type: 'string' },
  'execution-name': { type: 'string' },
  'wait-time-scale': { type: 'string' },
  'virtual-time': { type: 'boolean' },
  handlers: { type: 'string' },
  'state-machine': { type: 'string', multiple: true },
  config: { type: 'string' },
  route: { type: 'string', multiple: true },
  'lambda-endpoint': { type: 'string' },
  record: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const VIEW_OPTIONS = {
  port: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const LIST_OPTIONS = {
  endpoint: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const HELP_ONLY = { help: { type: 'boolean', short: 'h' } } satisfies ParseArgsConfig['options'];

/** Whether the command has finished (see the 'exit' handler at the end). */
let settled = false;

const out = (line: string) => void process.stdout.write(line + '\n');
const err = (line: string) => void process.stderr.write(line + '\n');

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      err(HELP);
      return EXIT.USAGE;
    case '-h':
    case '--help':
    case 'help':
      out(HELP);
      return EXIT.SUCCEEDED;
    case '-v':
    case '--version':
      out(version());
      return EXIT.SUCCEEDED;
    case 'validate': {
      const { values, positionals } = parse(rest, { ...HELP_ONLY, format: { type: 'string' } });
      if (values.help) return help();
      const format = values.format ?? 'text';
      if (!(VALIDATE_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be ${VALIDATE_FORMATS.join(', ')}, not '${format}'`);
      return validateCommand(positionals, out, err, format as ValidateFormat);
    }
    case 'run':
      return run(rest);
    case 'test': {
      const { values, positionals } = parse(rest, { ...HELP_ONLY, junit: { type: 'string' }, coverage: { type: 'boolean' }, 'coverage-dir': { type: 'string' }, record: { type: 'string' } });
      if (values.help) {
        out(TEST_HELP);
        return EXIT.SUCCEEDED;
      }
      return testCommand({ paths: positionals, junit: values.junit, coverage: values.coverage, coverageDir: values['coverage-dir'], record: values.record }, { out, err });
    }
    case 'serve': {
      const { SERVE_HELP, serveCommand } = await serverCommand<{ SERVE_HELP: string; serveCommand(args: readonly string[], err: (line: string) => void): Promise<number> }>('serve');
      if (rest.includes('--help') || rest.includes('-h')) {
        out(SERVE_HELP);
        return EXIT.SUCCEEDED;
      }
      return serveCommand(rest, err);
    }
    case 'backup':
      return (await serverCommand<{ backupCommand(args: readonly string[], out: (line: string) => void): Promise<number> }>('backup')).backupCommand(rest, out);
    case 'view': {
      const { values, positionals } = parse(rest, VIEW_OPTIONS);
      if (values.help) {
        out(VIEW_HELP);
        return EXIT.SUCCEEDED;
      }
      if (positionals.length !== 1) throw new UsageError(`view needs exactly one recording FILE (got ${positionals.length}); see stepwise view --help`);
      return viewCommand({ file: positionals[0]!, ...(values.port !== undefined ? { port: values.port } : {}) }, { out, err });
    }
    case 'schedules':
    case 'rules':
    case 'routes': {
      const { values, positionals } = parse(rest, LIST_OPTIONS);
      if (values.help) return help();
      if (positionals.length !== 1 || positionals[0] !== 'list') throw new UsageError(`${command} has one subcommand: stepwise ${command} list [--endpoint URL] [--json]`);
      const endpoint = values.endpoint ?? process.env.STEPWISE_ENDPOINT ?? 'http://127.0.0.1:8083';
      if (!/^https?:\/\/[^/]/.test(endpoint)) throw new UsageError(`--endpoint must be an http(s) URL, got '${endpoint}'`);
      return listCommand({ kind: command, endpoint, json: values.json ?? false }, out);
    }
    default:
      throw new UsageError(`unknown command '${command}' (commands: validate, run, test, view, serve, backup, schedules, rules, routes; see stepwise --help)`);
  }
}

/** The packages only the server needs, which stepwise-sfn-server installs and stepwise-sfn does not. */
const SERVER_PACKAGES = ['better-sqlite3', 'pg', 'pino', 'prom-client', '@smithy/signature-v4', '@smithy/protocol-http', '@smithy/hash-node'];

/**
 * A command of the server package (serve, backup), loaded when used. The stepwise-sfn package
 * (engine, testing, this command line) is built without these modules and their native and
 * server dependencies (packages/stepwise-sfn), so its `stepwise` says where they are instead.
 */
async function serverCommand<T>(name: 'serve' | 'backup'): Promise<T> {
  // Not a literal: a literal would make the stepwise-sfn build compile the server in.
  const specifier = `./${name}-command.js`;
  try {
    return (await import(specifier)) as T;
  } catch (e) {
    const message = e instanceof Error ? e.message : '';
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    const missing = SERVER_PACKAGES.find((name) => message.includes(`'${name}'`));
    if (missing !== undefined) {
      throw new UsageError(`stepwise ${name} needs the package ${missing}, which is not installed here (an optional or native dependency whose install failed?): reinstall stepwise-sfn-server, or npm install ${missing}`);
    }
    if (message.includes(`${name}-command.js`)) {
      throw new UsageError(`stepwise ${name} is part of the server package, not of stepwise-sfn (the engine, testing API and command line for tests): npm install --global stepwise-sfn-server`);
    }
    throw e;
  }
}

async function run(rest: readonly string[]): Promise<number> {
  const { values, positionals } = parse(rest, RUN_OPTIONS);
  if (values.help) return help();
  if (positionals.length !== 1) throw new UsageError(`run needs exactly one FILE (got ${positionals.length}); see stepwise --help`);
  // Ctrl-C stops the execution the way StopExecution would (status ABORTED); a second one quits.
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      settled = true;
      process.exit(130);
    }
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await runCommand(
      {
        file: positionals[0]!,
        input: values.input,
        history: values.history,
        historyFormat: values['history-format'],
        mockConfig: values['mock-config'],
        testCase: values['test-case'],
        stateMachineName: values['state-machine-name'],
        executionName: values['execution-name'],
        waitTimeScale: values['wait-time-scale'],
        virtualTime: values['virtual-time'],
        handlers: values.handlers,
        stateMachines: values['state-machine'],
        config: values.config,
        routes: values.route,
        lambdaEndpoint: values['lambda-endpoint'],
        record: values.record,
      },
      { out, err },
      controller.signal,
    );
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (e) {
    // parseArgs' messages are already user-facing ("Unknown option '--x'…").
    throw new UsageError((e as Error).message);
  }
}

function help(): number {
  out(HELP);
  return EXIT.SUCCEEDED;
}

function version(): string {
  // dist/cli/main.js and src/cli/main.ts both sit two levels below the package root.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

// Should the event loop ever empty while a command is still pending (a promise that nothing
// will settle), Node would exit with status 0 and no output; report it as the bug it is.
process.on('exit', () => {
  if (settled) return;
  err('stepwise: internal error (please report it): the command stopped making progress before it finished');
  process.exitCode = EXIT.INTERNAL;
});

main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (e: unknown) => {
    settled = true;
    if (e instanceof UsageError) {
      err(`stepwise: ${e.message}`);
      process.exitCode = EXIT.USAGE;
    } else {
      err(`stepwise: internal error (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exitCode = EXIT.INTERNAL;
    }
  },
);
