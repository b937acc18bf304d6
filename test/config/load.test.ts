// Loading stepwise.config.json: a real temporary project (function folders, handler files,
// bucket folders), every rule with a failing example (path and message), every problem listed
// at once, ${env:NAME} secrets, where the file is found, and the JSON Schema kept in step with
// the loader (its property sets, and a real draft 2020-12 validator on the same samples).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigFileError,
  describeProjectConfig,
  loadProjectConfig,
  validateProjectConfig,
  type ConfigProblem,
} from '../../src/config/load.js';
import { TOP_LEVEL_KEYS } from '../../src/config/validate.js';
import { emptyProjectConfig } from '../../src/config/types.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const schema = JSON.parse(readFileSync(join(repoRoot, 'stepwise.config.schema.json'), 'utf8')) as Record<string, any>;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-config-'));
  mkdirSync(join(dir, 'functions', 'orders', 'src'), { recursive: true });
  writeFileSync(join(dir, 'functions', 'orders', 'process-order.mjs'), 'export const handler = async (event) => event;\n');
  writeFileSync(join(dir, 'functions', 'orders', 'src', 'refund.js'), 'exports.handlers = { main: async () => 1 };\n');
  mkdirSync(join(dir, 'functions', 'legacy'), { recursive: true });
  writeFileSync(join(dir, 'functions', 'legacy', 'index.cjs'), 'exports.handler = async () => 1;\n');
  mkdirSync(join(dir, 'functions', 'py', 'pkg'), { recursive: true });
  writeFileSync(join(dir, 'functions', 'py', 'app.py'), 'def handler(event, context):\n    return event\n');
  writeFileSync(join(dir, 'functions', 'py', 'pkg', 'tasks.py'), 'def run(event, context):\n    return 1\n');
  mkdirSync(join(dir, 'data', 'orders'), { recursive: true });
  mkdirSync(join(dir, 'data', 'invoices'), { recursive: true });
  writeFileSync(join(dir, 'README.txt'), 'not a folder\n');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ENV = { API_KEY: 'k-123', CLIENT_SECRET: 's3cr3t', TOKEN: 'tok' };

/** A configuration using every feature, valid in the temporary project. */
function sampleConfig(): Record<string, unknown> {
  return {
    $schema: './stepwise.config.schema.json',
    functions: {
      ProcessOrder: {
        CodeUri: 'functions/orders',
        Handler: 'process-order.handler',
        Runtime: 'nodejs22.x',
        Timeout: 30,
        MemorySize: 256,
        Environment: { Variables: { TABLE_NAME: 'orders', RETRIES: '3' } },
        ReservedConcurrentExecutions: 5,
      },
      Refund: { CodeUri: './functions/orders', Handler: 'src/refund.handlers.main' },
      Legacy: { CodeUri: 'functions/legacy', Handler: 'index.handler', Runtime: 'nodejs18.x' },
      Score: { CodeUri: 'functions/py', Handler: 'app.handler', Runtime: 'python3.13' },
      PyTask: { CodeUri: 'functions/py', Handler: 'pkg.tasks.run', Runtime: 'python3.12' },
      Remote: { Url: 'http://localhost:9000/invoke', Timeout: 10 },
      Shell: { Command: ['node', 'tool.mjs', '--json'], Environment: { Variables: { MODE: 'test' } } },
    },
    connections: {
      payments: {
        AuthorizationType: 'API_KEY',
        AuthParameters: {
          ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: '${env:API_KEY}' },
          InvocationHttpParameters: {
            HeaderParameters: [{ Key: 'Authorization', Value: 'Bearer ${env:TOKEN}', IsValueSecret: true }],
            QueryStringParameters: [{ Key: 'v', Value: '2' }],
          },
        },
      },
      'partner.api': { AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: 'svc', Password: '${env:CLIENT_SECRET}' } } },
      idp: {
        AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
        AuthParameters: {
          OAuthParameters: {
            AuthorizationEndpoint: 'http://localhost:8080/token',
            HttpMethod: 'POST',
            ClientParameters: { ClientID: 'stepwise', ClientSecret: '${env:CLIENT_SECRET}' },
            OAuthHttpParameters: { BodyParameters: [{ Key: 'scope', Value: 'orders' }] },
          },
        },
      },
    },
    endpoints: { dynamodb: 'http://localhost:8000', sqs: 'aws', 'aws-sdk:secretsmanager': 'https://localhost:4566' },
    buckets: { 'orders.example': 'data/orders', invoices: './data/invoices' },
    routes: [
      { state: 'Charge', function: 'ProcessOrder' },
      { state: 'Notify', mock: { Return: { sent: true } } },
      { state: 'Fail', mock: { Throw: { Error: 'Lambda.ServiceException', Cause: 'down' } } },
      { resource: 'arn:aws:states:::sqs:sendMessage', service: 'aws' },
      { resource: 'arn:aws:states:::http:invoke', url: 'http://localhost:9001/' },
    ],
  };
}

function problemsOf(value: unknown, env: Record<string, string | undefined> = ENV): ConfigProblem[] {
  const result = validateProjectConfig(value, dir, env);
  expect(result.config === undefined).toBe(result.problems.length > 0);
  return result.problems;
}

/** The config with `change` applied to a fresh sample. */
function withChange(change: (config: Record<string, any>) => void): Record<string, unknown> {
  const config = sampleConfig() as Record<string, any>;
  change(config);
  return config;
}

/** Expects exactly this problem (path, message fragment) and no other. */
function expectOnly(value: unknown, path: string, message: string | RegExp, env?: Record<string, string | undefined>): void {
  const problems = problemsOf(value, env);
  expect(problems).toEqual([{ path, message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message) }]);
}

describe('a valid configuration', () => {
  it('loads with absolute paths, substituted secrets and every map present', () => {
    const { config, problems } = validateProjectConfig(sampleConfig(), dir, ENV);
    expect(problems).toEqual([]);
    expect(config!.baseDir).toBe(dir);
    expect(config!.functions.ProcessOrder).toEqual({
      CodeUri: join(dir, 'functions', 'orders'),
      Handler: 'process-order.handler',
      Runtime: 'nodejs22.x',
      Timeout: 30,
      MemorySize: 256,
      Environment: { Variables: { TABLE_NAME: 'orders', RETRIES: '3' } },
      ReservedConcurrentExecutions: 5,
    });
    expect(config!.functions.Refund!.CodeUri).toBe(join(dir, 'functions', 'orders'));
    expect(config!.functions.Shell).toEqual({ Command: ['node', 'tool.mjs', '--json'], Environment: { Variables: { MODE: 'test' } } });
    expect(config!.connections.payments).toEqual({
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'k-123' },
        InvocationHttpParameters: {
          HeaderParameters: [{ Key: 'Authorization', Value: 'Bearer tok', IsValueSecret: true }],
          QueryStringParameters: [{ Key: 'v', Value: '2' }],
        },
      },
    });
    expect(config!.connections.idp!.AuthParameters.OAuthParameters!.ClientParameters.ClientSecret).toBe('s3cr3t');
    expect(config!.endpoints).toEqual({ dynamodb: 'http://localhost:8000', sqs: 'aws', 'aws-sdk:secretsmanager': 'https://localhost:4566' });
    expect(config!.buckets).toEqual({ 'orders.example': join(dir, 'data', 'orders'), invoices: join(dir, 'data', 'invoices') });
    expect(config!.routes).toHaveLength(5);
    expect(config!.routes[2]).toEqual({ state: 'Fail', mock: { Throw: { Error: 'Lambda.ServiceException', Cause: 'down' } } });
  });

  it('answers nothing for names it does not declare, even Object members', () => {
    const { config } = validateProjectConfig(sampleConfig(), dir, ENV);
    expect(config!.functions['toString']).toBeUndefined();
    expect(config!.connections['constructor']).toBeUndefined();
    expect(Object.keys(config!.functions)).toContain('ProcessOrder');
  });

  it('is the empty configuration for {}', () => {
    const { config, problems } = validateProjectConfig({}, dir, {});
    expect(problems).toEqual([]);
    expect(config).toEqual(emptyProjectConfig(dir));
  });
});

describe('top level', () => {
  it('refuses unknown properties but allows $schema', () => {
    expectOnly({ $schema: 'x', function: {} }, 'function', 'unknown property; expected one of: $schema, functions');
    expectOnly({ Functions: {} }, 'Functions', 'did you mean "functions"?');
  });

  it('wants an object', () => {
    expectOnly([], '', 'the configuration must be a JSON object, not an array');
    expectOnly(null, '', 'not null');
    expectOnly({ $schema: 3 }, '$schema', 'must be a string');
  });

  it('checks the type of every section', () => {
    const problems = problemsOf({ functions: [], connections: 'x', endpoints: 3, buckets: null, routes: {} });
    expect(problems).toEqual([
      { path: 'functions', message: 'must be an object, not an array' },
      { path: 'connections', message: 'must be an object, not a string' },
      { path: 'endpoints', message: 'must be an object, not a number' },
      { path: 'buckets', message: 'must be an object, not null' },
      { path: 'routes', message: 'must be an array of routes, not an object' },
    ]);
  });
});

describe('functions', () => {
  const fn = (name: string, value: unknown) => ({ functions: { [name]: value } });

  it('names follow Lambda: 1–64 letters, digits, - and _', () => {
    expectOnly(fn('process order', { Url: 'http://x' }), 'functions["process order"]', 'is not a Lambda function name');
    expectOnly(fn('a'.repeat(65), { Url: 'http://x' }), `functions.${'a'.repeat(65)}`, 'is not a Lambda function name');
    expect(problemsOf(fn('a'.repeat(64), { Url: 'http://x' }))).toEqual([]);
    expectOnly(fn('F', 'x'), 'functions.F', 'must be an object, not a string');
  });

  it('needs exactly one of CodeUri+Handler, Url or Command', () => {
    expectOnly(fn('F', {}), 'functions.F', 'needs exactly one of CodeUri+Handler (local code), Url or Command; it has none');
    expectOnly(fn('F', { Url: 'http://x', Command: ['x'] }), 'functions.F', 'it has Url and Command');
    expectOnly(fn('F', { CodeUri: 'functions/orders' }), 'functions.F', 'has a CodeUri but no Handler');
    expectOnly(fn('F', { Handler: 'process-order.handler' }), 'functions.F', 'has a Handler but no CodeUri');
    expect(problemsOf(fn('F', { CodeUri: 'functions/orders', Handler: 'process-order.handler', Url: 'http://x' }))).toContainEqual({
      path: 'functions.F',
      message: expect.stringContaining('it has CodeUri+Handler and Url'),
    });
  });

  it('CodeUri is a folder relative to the configuration file', () => {
    expectOnly(fn('F', { CodeUri: 'functions/missing', Handler: 'a.handler' }), 'functions.F.CodeUri', `folder does not exist: ${join(dir, 'functions', 'missing')}`);
    expectOnly(fn('F', { CodeUri: 'README.txt', Handler: 'a.handler' }), 'functions.F.CodeUri', 'must be a folder');
    expectOnly(fn('F', { CodeUri: '', Handler: 'a.handler' }), 'functions.F.CodeUri', 'must not be empty');
    expectOnly(fn('F', { CodeUri: 3, Handler: 'a.handler' }), 'functions.F.CodeUri', 'must be a string, not a number');
  });

  it('Handler is file.export and the file exists (Node.js: .mjs, .js or .cjs)', () => {
    const code = (Handler: unknown, Runtime?: string) => fn('F', { CodeUri: 'functions/orders', Handler, ...(Runtime ? { Runtime } : {}) });
    expectOnly(code('processorder'), 'functions.F.Handler', '"processorder" must be written file.export');
    expectOnly(code('process-order.'), 'functions.F.Handler', 'must be written file.export');
    expectOnly(code('process-order.my handler'), 'functions.F.Handler', 'must not contain white space');
    expectOnly(code('../legacy/index.handler'), 'functions.F.Handler', 'must name a file inside CodeUri');
    expectOnly(code('x'.repeat(129) + '.h'), 'functions.F.Handler', 'must be 1 to 128 characters');
    expectOnly(code('missing.handler'), 'functions.F.Handler', `names a file that does not exist: ${join(dir, 'functions', 'orders', 'missing')}.mjs, .js or .cjs`);
    expectOnly(code(42), 'functions.F.Handler', 'must be a string, not a number');
    expect(problemsOf(code('process-order.handler'))).toEqual([]);
    expect(problemsOf(fn('F', { CodeUri: 'functions/legacy', Handler: 'index.handler' }))).toEqual([]);
  });

  it('Python handlers are module.function with the module a .py file', () => {
    const py = (Handler: string) => fn('F', { CodeUri: 'functions/py', Handler, Runtime: 'python3.11' });
    expect(problemsOf(py('app.handler'))).toEqual([]);
    expect(problemsOf(py('pkg.tasks.run'))).toEqual([]);
    expectOnly(py('main.handler'), 'functions.F.Handler', `names a module that does not exist: ${join(dir, 'functions', 'py', 'main')}.py`);
    expectOnly(py('app.handler-v2'), 'functions.F.Handler', 'must be written module.function');
  });

  it('a wrong folder and a wrong handler syntax are both reported', () => {
    const problems = problemsOf(fn('F', { CodeUri: 'nowhere', Handler: 'nodot' }));
    expect(problems.map((p) => p.path)).toEqual(['functions.F.CodeUri', 'functions.F.Handler']);
  });

  it("Runtime is one of AWS Lambda's Node.js and Python runtimes, for local code only", () => {
    expectOnly(
      fn('F', { CodeUri: 'functions/orders', Handler: 'process-order.handler', Runtime: 'java21' }),
      'functions.F.Runtime',
      `"java21" is not supported; use one of AWS Lambda's Node.js and Python runtimes: nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x, python3.9`,
    );
    expectOnly(fn('F', { CodeUri: 'functions/orders', Handler: 'process-order.handler', Runtime: 'nodejs16.x' }), 'functions.F.Runtime', 'is not supported');
    expectOnly(fn('F', { Url: 'http://x', Runtime: 'nodejs20.x' }), 'functions.F.Runtime', 'applies only to local code (CodeUri+Handler)');
    for (const runtime of ['nodejs24.x', 'python3.9', 'python3.14']) {
      const handler = runtime.startsWith('python') ? { CodeUri: 'functions/py', Handler: 'app.handler' } : { CodeUri: 'functions/orders', Handler: 'process-order.handler' };
      expect(problemsOf(fn('F', { ...handler, Runtime: runtime }))).toEqual([]);
    }
  });

  it("Timeout is 1..900 seconds, MemorySize 128..10240 MB, ReservedConcurrentExecutions positive", () => {
    const remote = (extra: object) => fn('F', { Command: ['x'], ...extra });
    expectOnly(remote({ Timeout: 0 }), 'functions.F.Timeout', "must be between 1 and 900 (seconds, Lambda's limit), not 0");
    expectOnly(remote({ Timeout: 901 }), 'functions.F.Timeout', 'not 901');
    expectOnly(remote({ Timeout: 1.5 }), 'functions.F.Timeout', 'must be a whole number, not 1.5');
    expectOnly(remote({ Timeout: '3' }), 'functions.F.Timeout', 'must be a number, not a string');
    expectOnly(remote({ MemorySize: 64 }), 'functions.F.MemorySize', "must be between 128 and 10240 (MB, Lambda's limit), not 64");
    expectOnly(remote({ MemorySize: 10241 }), 'functions.F.MemorySize', 'not 10241');
    expectOnly(remote({ ReservedConcurrentExecutions: 0 }), 'functions.F.ReservedConcurrentExecutions', 'must be between 1 and 1000');
    expectOnly(remote({ ReservedConcurrentExecutions: -2 }), 'functions.F.ReservedConcurrentExecutions', 'not -2');
    expect(problemsOf(remote({ Timeout: 900, MemorySize: 10240, ReservedConcurrentExecutions: 1 }))).toEqual([]);
  });

  it('Environment.Variables are strings under Lambda-valid, unreserved names, 4 KB at most', () => {
    const env = (Environment: unknown) => fn('F', { Command: ['x'], Environment });
    expectOnly(env({ Variables: { PORT: 8080 } }), 'functions.F.Environment.Variables.PORT', 'must be a string, not a number');
    expectOnly(env({ Variables: { DEBUG: true } }), 'functions.F.Environment.Variables.DEBUG', 'must be a string, not a boolean');
    expectOnly(env({ Variables: { '1ST': 'x' } }), 'functions.F.Environment.Variables.1ST', 'is not a Lambda environment variable name');
    expectOnly(env({ Variables: { 'MY-VAR': 'x' } }), 'functions.F.Environment.Variables.MY-VAR', 'is not a Lambda environment variable name');
    expectOnly(env({ Variables: { AWS_REGION: 'us-east-1' } }), 'functions.F.Environment.Variables.AWS_REGION', 'is reserved: the Lambda runtime sets it');
    expectOnly(env({ Variables: { BIG: 'x'.repeat(4096) } }), 'functions.F.Environment.Variables', 'total 4099 bytes; Lambda allows at most 4 KB');
    expectOnly(env({ Variables: [] }), 'functions.F.Environment.Variables', 'must be an object of names to string values, not an array');
    expectOnly(env({ TABLE: 'x' }), 'functions.F.Environment.TABLE', 'unknown property; expected one of: Variables');
    expectOnly(env('A=1'), 'functions.F.Environment', 'must be an object with Variables, not a string');
    expectOnly(fn('F', { Url: 'http://x', Environment: { Variables: { A1: 'x' } } }), 'functions.F.Environment', 'does not apply to a function with a Url');
  });

  it('Url is an http(s) URL', () => {
    expectOnly(fn('F', { Url: 'ftp://files.example/x' }), 'functions.F.Url', 'must be an http:// or https:// URL, not "ftp:"');
    expectOnly(fn('F', { Url: 'localhost:9000' }), 'functions.F.Url', 'must be an http:// or https:// URL');
    expectOnly(fn('F', { Url: 'not a url' }), 'functions.F.Url', 'must be an absolute http:// or https:// URL, not "not a url"');
    expectOnly(fn('F', { Url: 7 }), 'functions.F.Url', 'must be a string, not a number');
  });

  it('Command is a non-empty array of strings', () => {
    expectOnly(fn('F', { Command: [] }), 'functions.F.Command', 'must not be empty: the first string is the program to run');
    expectOnly(fn('F', { Command: 'node tool.mjs' }), 'functions.F.Command', 'must be an array of strings (the program and its arguments), not a string');
    expectOnly(fn('F', { Command: ['node', 3] }), 'functions.F.Command[1]', 'must be a string, not a number');
    expectOnly(fn('F', { Command: [' ', 'x'] }), 'functions.F.Command[0]', 'must name the program to run');
  });

  it('refuses unknown properties, with a hint for the wrong case', () => {
    expectOnly(fn('F', { Url: 'http://x', timeout: 3 }), 'functions.F.timeout', 'did you mean "Timeout"?');
    expectOnly(fn('F', { Url: 'http://x', Role: 'arn:aws:iam::1:role/x' }), 'functions.F.Role', 'unknown property; expected one of: CodeUri, Handler');
  });
});

describe('connections', () => {
  const conn = (value: unknown, name = 'c') => ({ connections: { [name]: value } });
  const apiKey = (block: unknown, extra: object = {}) => conn({ AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: block, ...extra } });

  it('names follow EventBridge: 1–64 letters, digits, ., - and _', () => {
    expectOnly(conn({ AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p' } } }, 'my api'), 'connections["my api"]', 'is not an EventBridge connection name');
  });

  it('AuthorizationType is API_KEY, BASIC or OAUTH_CLIENT_CREDENTIALS', () => {
    expectOnly(conn({ AuthorizationType: 'OAUTH', AuthParameters: {} }), 'connections.c.AuthorizationType', 'must be one of API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS, not "OAUTH"');
    expectOnly(conn({ AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p' } } }), 'connections.c', 'needs an AuthorizationType');
  });

  it('AuthParameters has the block of the AuthorizationType, and only that one', () => {
    expectOnly(conn({ AuthorizationType: 'BASIC' }), 'connections.c', 'needs AuthParameters with BasicAuthParameters');
    expectOnly(conn({ AuthorizationType: 'API_KEY', AuthParameters: {} }), 'connections.c.AuthParameters', 'needs ApiKeyAuthParameters for AuthorizationType API_KEY');
    expectOnly(
      apiKey({ ApiKeyName: 'x-api-key', ApiKeyValue: 'k' }, { BasicAuthParameters: { Username: 'u', Password: 'p' } }),
      'connections.c.AuthParameters.BasicAuthParameters',
      'does not belong to AuthorizationType API_KEY',
    );
    expectOnly(conn({ AuthorizationType: 'BASIC', AuthParameters: 'user:pass' }), 'connections.c.AuthParameters', 'must be an object, not a string');
    expectOnly(apiKey({ ApiKeyName: 'x-api-key', ApiKeyValue: 'k' }, { ConnectivityParameters: {} }), 'connections.c.AuthParameters.ConnectivityParameters', 'unknown property');
  });

  it('credentials are required, 1–512 characters, without ":" or control characters', () => {
    expectOnly(apiKey({ ApiKeyName: 'x-api-key' }), 'connections.c.AuthParameters.ApiKeyAuthParameters', 'needs ApiKeyValue');
    expectOnly(apiKey({ ApiKeyName: 'x-api-key', ApiKeyValue: '' }), 'connections.c.AuthParameters.ApiKeyAuthParameters.ApiKeyValue', "with no ':' and no control characters");
    expectOnly(apiKey({ ApiKeyName: 'x-api-key', ApiKeyValue: 'a\nb' }), 'connections.c.AuthParameters.ApiKeyAuthParameters.ApiKeyValue', '1 to 512 characters');
    expectOnly(apiKey({ ApiKeyName: 'x-api-key', ApiKeyValue: 'k'.repeat(513) }), 'connections.c.AuthParameters.ApiKeyAuthParameters.ApiKeyValue', '1 to 512 characters');
    expectOnly(apiKey({ ApiKeyName: 'x-api-key', ApiKeyValue: 5 }), 'connections.c.AuthParameters.ApiKeyAuthParameters.ApiKeyValue', 'must be a string, not a number');
    expectOnly(apiKey('key'), 'connections.c.AuthParameters.ApiKeyAuthParameters', 'must be an object with ApiKeyName and ApiKeyValue, not a string');
    expectOnly(
      conn({ AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: 'user:name', Password: 'p' } } }),
      'connections.c.AuthParameters.BasicAuthParameters.Username',
      "no ':'",
    );
  });

  it('OAuth: an http(s) endpoint, GET, POST or PUT, and the client credentials', () => {
    const oauth = (params: Record<string, unknown>) =>
      conn({
        AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
        AuthParameters: {
          OAuthParameters: { AuthorizationEndpoint: 'https://idp.example/token', HttpMethod: 'POST', ClientParameters: { ClientID: 'id', ClientSecret: 's' }, ...params },
        },
      });
    const at = 'connections.c.AuthParameters.OAuthParameters';
    expect(problemsOf(oauth({}))).toEqual([]);
    expect(problemsOf(oauth({ AuthorizationEndpoint: 'http://localhost:8080/token' }))).toEqual([]);
    expectOnly(oauth({ AuthorizationEndpoint: 'ftp://idp.example/token' }), `${at}.AuthorizationEndpoint`, 'must be an http:// or https:// URL');
    expectOnly(oauth({ HttpMethod: 'DELETE' }), `${at}.HttpMethod`, 'must be one of GET, POST, PUT');
    expectOnly(oauth({ ClientParameters: { ClientID: 'id' } }), `${at}.ClientParameters`, 'needs ClientSecret');
    expectOnly(oauth({ ClientParameters: undefined }), `${at}.ClientParameters`, 'must be an object with ClientID and ClientSecret, not undefined');
    expectOnly(oauth({ OAuthHttpParameters: { BodyParameters: {} } }), `${at}.OAuthHttpParameters.BodyParameters`, 'must be an array of {Key, Value, IsValueSecret?}, not an object');
  });

  it('InvocationHttpParameters follow ConnectionHttpParameters', () => {
    const invocation = (parameters: unknown) => apiKey({ ApiKeyName: 'x-api-key', ApiKeyValue: 'k' }, { InvocationHttpParameters: parameters });
    const at = 'connections.c.AuthParameters.InvocationHttpParameters';
    expectOnly(invocation({ HeaderParameters: [{ Key: 'bad key', Value: 'v' }] }), `${at}.HeaderParameters[0].Key`, "HTTP's header name characters");
    expectOnly(invocation({ HeaderParameters: [{ Key: 'a,b', Value: 'v' }] }), `${at}.HeaderParameters[0].Key`, "HTTP's header name characters");
    expectOnly(invocation({ HeaderParameters: [{ Key: 'X-Note', Value: 'café' }] }), `${at}.HeaderParameters[0].Value`, 'printable ASCII');
    expectOnly(invocation({ QueryStringParameters: [{ Key: 'q', Value: 'a\u0001' }] }), `${at}.QueryStringParameters[0].Value`, 'no control characters but line breaks');
    expectOnly(invocation({ BodyParameters: [{ Key: 'a', Value: 'b', IsValueSecret: 'yes' }] }), `${at}.BodyParameters[0].IsValueSecret`, 'must be true or false, not a string');
    expectOnly(invocation({ BodyParameters: [{ Key: 'a' }] }), `${at}.BodyParameters[0]`, 'needs Value');
    expectOnly(invocation({ Headers: [] }), `${at}.Headers`, 'unknown property; expected one of: HeaderParameters, QueryStringParameters, BodyParameters');
    expectOnly(invocation({ HeaderParameters: Array.from({ length: 101 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }), `${at}.HeaderParameters`, 'EventBridge allows at most 100');
  });

  it('${env:NAME} is replaced by the variable, inside any string of AuthParameters', () => {
    const { config } = validateProjectConfig(
      apiKey({ ApiKeyName: '${env:HEADER}', ApiKeyValue: 'pre-${env:A}-${env:B}' }, { InvocationHttpParameters: { QueryStringParameters: [{ Key: 'k', Value: '${env:A}' }] } }),
      dir,
      { HEADER: 'x-key', A: '1', B: '$&2' },
    );
    expect(config!.connections.c!.AuthParameters.ApiKeyAuthParameters).toEqual({ ApiKeyName: 'x-key', ApiKeyValue: 'pre-1-$&2' });
    expect(config!.connections.c!.AuthParameters.InvocationHttpParameters!.QueryStringParameters).toEqual([{ Key: 'k', Value: '1' }]);
  });

  it('a variable that is not set is a problem (each one named)', () => {
    const problems = problemsOf(apiKey({ ApiKeyName: 'x-api-key', ApiKeyValue: '${env:MISSING_ONE}${env:MISSING_TWO}' }), {});
    expect(problems).toEqual([
      { path: 'connections.c.AuthParameters.ApiKeyAuthParameters.ApiKeyValue', message: 'environment variable MISSING_ONE is not set' },
      { path: 'connections.c.AuthParameters.ApiKeyAuthParameters.ApiKeyValue', message: 'environment variable MISSING_TWO is not set' },
    ]);
    expectOnly(apiKey({ ApiKeyName: 'x-api-key', ApiKeyValue: '${env:}' }), 'connections.c.AuthParameters.ApiKeyAuthParameters.ApiKeyValue', 'needs an environment variable name');
    expectOnly(apiKey({ ApiKeyName: 'x-api-key', ApiKeyValue: '${env:API_KEY' }), 'connections.c.AuthParameters.ApiKeyAuthParameters.ApiKeyValue', 'without its closing }');
  });

  it('never quotes a secret in a problem', () => {
    const secret = 'hunter2:with-colon';
    const problems = problemsOf(apiKey({ ApiKeyName: 'x-api-key', ApiKeyValue: '${env:SECRET}' }, { InvocationHttpParameters: { HeaderParameters: [{ Key: 'X', Value: '${env:SECRET}\u0007' }] } }), { SECRET: secret });
    expect(problems).toHaveLength(2);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });
});

describe('endpoints', () => {
  it('maps an SDK service id to an http(s) URL or "aws"', () => {
    expect(problemsOf({ endpoints: { lambda: 'http://127.0.0.1:3001', s3: 'aws', 'aws-sdk:sfn': 'https://x.example' } })).toEqual([]);
    expectOnly({ endpoints: { dynamodb: 'localhost:8000' } }, 'endpoints.dynamodb', 'must be an http:// or https:// URL');
    expectOnly({ endpoints: { dynamodb: 'AWS' } }, 'endpoints.dynamodb', '(or "aws" for the real service)');
    expectOnly({ endpoints: { dynamodb: 8000 } }, 'endpoints.dynamodb', 'must be an http(s) URL or "aws" (the real service), not a number');
    expectOnly({ endpoints: { DynamoDB: 'http://localhost:8000' } }, 'endpoints.DynamoDB', 'is not an AWS SDK service id');
  });
});

describe('buckets', () => {
  it('names follow S3', () => {
    const cases: Array<[string, string]> = [
      ['ab', 'must be 3 to 63 characters long'],
      ['a'.repeat(64), 'must be 3 to 63 characters long'],
      ['My-Bucket', 'may contain only lowercase letters, digits, dots (.) and hyphens (-)'],
      ['under_score', 'may contain only lowercase letters'],
      ['-orders', 'must begin and end with a letter or digit'],
      ['orders.', 'must begin and end with a letter or digit'],
      ['my..bucket', 'must not contain two adjacent dots'],
      ['192.168.5.4', 'must not be formatted as an IP address'],
      ['xn--orders', 'must not start with "xn--"'],
      ['sthree-orders', 'must not start with "sthree-"'],
      ['orders-s3alias', 'must not end with "-s3alias"'],
      ['orders--ol-s3', 'must not end with "--ol-s3"'],
    ];
    for (const [name, message] of cases) {
      expectOnly({ buckets: { [name]: 'data/orders' } }, expect.any(String) as unknown as string, `bucket name ${JSON.stringify(name)} ${message}`);
    }
    expectOnly({ buckets: { 'my..bucket': 'data/orders' } }, 'buckets["my..bucket"]', 'two adjacent dots');
  });

  it('folders are relative to the configuration file, must exist, and are not shared', () => {
    expectOnly({ buckets: { orders: 'data/missing' } }, 'buckets.orders', `folder does not exist: ${join(dir, 'data', 'missing')} (bucket folders are relative to the configuration file's folder and are not created)`);
    expectOnly({ buckets: { orders: 'README.txt' } }, 'buckets.orders', 'must be a folder');
    expectOnly({ buckets: { orders: 3 } }, 'buckets.orders', 'not a number');
    expectOnly({ buckets: { orders: 'data/orders', archive: './data/orders/' } }, 'buckets.archive', 'uses the same folder as bucket "orders"');
  });
});

describe('routes', () => {
  const functions = { Work: { Url: 'http://localhost:9000' } };
  const route = (value: unknown) => ({ functions, routes: [value] });

  it('matches exactly one of state or resource', () => {
    expectOnly(route({ function: 'Work' }), 'routes[0]', 'needs exactly one of state (a Task state\'s name) or resource (a Task\'s resource ARN); it has neither');
    expectOnly(route({ state: 'A', resource: 'arn:aws:states:::sqs:sendMessage', function: 'Work' }), 'routes[0]', 'it has both');
    expectOnly(route({ resource: 'sqs:sendMessage', function: 'Work' }), 'routes[0].resource', 'must be a Task resource ARN');
    expectOnly(route({ state: '', function: 'Work' }), 'routes[0].state', 'must not be empty');
  });

  it('has exactly one target', () => {
    expectOnly(route({ state: 'A' }), 'routes[0]', 'needs exactly one target: function, url, mock or service; it has none');
    expectOnly(route({ state: 'A', function: 'Work', service: 'aws' }), 'routes[0]', 'it has function and service');
  });

  it('function names a declared function', () => {
    expectOnly(route({ state: 'A', function: 'Missing' }), 'routes[0].function', 'names no function of "functions": "Missing"');
    expectOnly(route({ state: 'A', function: 'constructor' }), 'routes[0].function', 'names no function of "functions"');
  });

  it('url is http(s), service is "aws", mock is {Return} or {Throw}', () => {
    expectOnly(route({ state: 'A', url: 'file:///tmp/x' }), 'routes[0].url', 'must be an http:// or https:// URL');
    expectOnly(route({ state: 'A', service: 'local' }), 'routes[0].service', 'must be "aws" (the built-in integration), not "local"');
    expectOnly(route({ state: 'A', mock: {} }), 'routes[0].mock', 'needs exactly one of Return (the task\'s result) or Throw ({"Error", "Cause"}); it has neither');
    expectOnly(route({ state: 'A', mock: { Return: 1, Throw: {} } }), 'routes[0].mock', 'it has both');
    expectOnly(route({ state: 'A', mock: { Throw: 'Boom' } }), 'routes[0].mock.Throw', 'must be an object, not a string');
    expectOnly(route({ state: 'A', mock: { Throw: { Error: 'E', Message: 'm' } } }), 'routes[0].mock.Throw.Message', 'unknown property; expected one of: Error, Cause');
    expectOnly(route({ state: 'A', mock: { Throw: { Cause: 5 } } }), 'routes[0].mock.Throw.Cause', 'must be a string, not a number');
    expect(problemsOf(route({ state: 'A', mock: { return: 1 } }))).toEqual([
      { path: 'routes[0].mock.return', message: expect.stringContaining('did you mean "Return"?') },
      { path: 'routes[0].mock', message: expect.stringContaining('it has neither') },
    ]);
    expect(problemsOf(route({ state: 'A', mock: { Return: null } }))).toEqual([]);
    expect(problemsOf(route({ state: 'A', mock: { Throw: {} } }))).toEqual([]);
  });

  it('routes a state or resource once', () => {
    const problems = problemsOf({ functions, routes: [{ state: 'A', function: 'Work' }, { state: 'B', service: 'aws' }, { state: 'A', service: 'aws' }] });
    expect(problems).toEqual([{ path: 'routes[2]', message: 'routes state "A" again; routes[0] already does' }]);
  });

  it('every route is an object with known properties', () => {
    expectOnly({ routes: ['A'] }, 'routes[0]', 'must be an object, not a string');
    expectOnly(route({ state: 'A', service: 'aws', Function: 'Work' }), 'routes[0].Function', 'did you mean "function"?');
  });
});

describe('a configuration with many problems', () => {
  const messy = {
    extra: true,
    functions: {
      'bad name': { Url: 'http://x' },
      NoKind: {},
      Slow: { Command: ['x'], Timeout: 901, MemorySize: 1, Environment: { Variables: { NUM: 1 } } },
      Local: { CodeUri: 'functions/nowhere', Handler: 'index' },
    },
    connections: { c: { AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: '${env:NOPE}' } } } },
    endpoints: { sqs: 'queue' },
    buckets: { B: 'data/orders' },
    routes: [{ state: 'A', function: 'Ghost' }, { mock: { Return: 1 } }],
  };
  const expected = [
    'extra',
    'functions["bad name"]',
    'functions.NoKind',
    'functions.Slow.Timeout',
    'functions.Slow.MemorySize',
    'functions.Slow.Environment.Variables.NUM',
    'functions.Local.CodeUri',
    'functions.Local.Handler',
    'connections.c.AuthParameters.ApiKeyAuthParameters.ApiKeyValue',
    'endpoints.sqs',
    'buckets.B',
    'routes[0].function',
    'routes[1]',
  ];

  it('lists every one of them, in the order of the file', () => {
    expect(problemsOf(messy, {}).map((p) => p.path)).toEqual(expected);
  });

  it('the loader throws them all in one error, one line each: "<file>: <path>: <message>"', () => {
    const file = join(dir, 'messy.json');
    writeFileSync(file, JSON.stringify(messy, null, 2));
    let error: unknown;
    try {
      loadProjectConfig({ file, cwd: dir, env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigFileError);
    const { problems, message } = error as ConfigFileError;
    expect(problems.map((p) => p.path)).toEqual(expected);
    const lines = message.split('\n');
    expect(lines).toHaveLength(expected.length);
    expect(lines[0]).toBe(`${file}: extra: unknown property; expected one of: $schema, functions, connections, endpoints, buckets, routes, httpTriggers`);
    expect(lines[8]).toBe(`${file}: connections.c.AuthParameters.ApiKeyAuthParameters.ApiKeyValue: environment variable NOPE is not set`);
  });
});

describe('JSON syntax errors', () => {
  const loadText = (text: string): ConfigFileError => {
    const file = join(dir, 'syntax.json');
    writeFileSync(file, text);
    try {
      loadProjectConfig({ file, env: {} });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigFileError);
      return e as ConfigFileError;
    }
    throw new Error('the file loaded');
  };

  it.each([
    ['{\n  "functions": {},\n}\n', 3, 1, "a trailing comma before '}' is not allowed in JSON"],
    ['{\n  "routes": [1, 2,]\n}', 2, 19, "a trailing comma before ']' is not allowed in JSON"],
    ['{\n  "functions": {}\n  "routes": []\n}', 3, 3, "unexpected '\"': ',' or '}' expected after a property value"],
    ['{ functions: {} }', 1, 3, "unexpected 'f': a property name in double quotes expected"],
    ["{ 'functions': {} }", 1, 3, "unexpected ''': a property name in double quotes expected"],
    ['{ "a" 1 }', 1, 7, "unexpected '1': ':' expected after the property name"],
    ['{ "a": }', 1, 8, "unexpected '}': a value expected"],
    ['{ "a": 01 }', 1, 9, 'numbers must not have leading zeros in JSON'],
    ['{ "a": "x\n" }', 1, 10, 'unterminated string'],
    ['{ "a": "\\q" }', 1, 9, 'invalid escape in a string: \\q'],
    ['{ "a": [1, 2 }', 1, 14, "unexpected '}': ',' or ']' expected after an array element"],
    ['{ "a": 1 } x', 1, 12, "unexpected 'x' after the end of the JSON value"],
    ['{ "a": tru }', 1, 8, "unexpected word 'tru': a value expected"],
    ['{ "a": 1.}', 1, 10, "a digit expected after '.' in a number"],
    ['{ "a": [1,\n', 2, 1, "unexpected end of the file (']' expected)"],
    ['', 1, 1, 'unexpected end of the file'],
  ])('%j: line %i, column %i', (text, line, column, message) => {
    const error = loadText(text);
    const expected = `invalid JSON at line ${line}, column ${column}: ${message}`;
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]!.path).toBe('');
    expect(error.problems[0]!.message.slice(0, expected.length)).toBe(expected);
    expect(error.message).toBe(`${join(dir, 'syntax.json')}: ${error.problems[0]!.message}`);
  });

  it('survives deep nesting and accepts a byte order mark', () => {
    expect(loadText('['.repeat(200_000)).problems[0]!.message).toMatch(/^invalid JSON at line 1, column 200001: unexpected end of the file/);
    const file = join(dir, 'bom.json');
    writeFileSync(file, '\uFEFF{"routes": []}');
    expect(loadProjectConfig({ file, env: {} }).routes).toEqual([]);
  });

  it('refuses a file that is not UTF-8', () => {
    const file = join(dir, 'latin1.json');
    writeFileSync(file, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
    expect(() => loadProjectConfig({ file, env: {} })).toThrow(`${file}: is not UTF-8 text`);
  });
});

describe('finding the file', () => {
  let project: string;
  const write = (path: string, config: object) => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify(config));
  };
  /** Each candidate file routes state "A" to a mock returning its own name. */
  const marked = (name: string) => ({ routes: [{ state: 'A', mock: { Return: name } }] });
  const which = (config: ReturnType<typeof loadProjectConfig>) => config.routes[0]?.mock?.Return;

  beforeAll(() => {
    project = join(dir, 'project');
    write(join(project, 'stepwise.config.json'), marked('cwd'));
    write(join(project, 'conf', 'explicit.json'), marked('explicit'));
    write(join(project, 'conf', 'from-env.json'), marked('env'));
    // CodeUri resolves against the file's folder, not the working folder.
    mkdirSync(join(project, 'conf', 'fn'), { recursive: true });
    writeFileSync(join(project, 'conf', 'fn', 'index.js'), 'exports.handler = async () => 1;\n');
    write(join(project, 'conf', 'with-code.json'), { functions: { F: { CodeUri: 'fn', Handler: 'index.handler' } } });
  });

  it('explicit file > STEPWISE_CONFIG > ./stepwise.config.json > nothing', () => {
    const env = { STEPWISE_CONFIG: 'conf/from-env.json' };
    const explicit = loadProjectConfig({ file: 'conf/explicit.json', cwd: project, env });
    expect(which(explicit)).toBe('explicit');
    expect(explicit.file).toBe(join(project, 'conf', 'explicit.json'));
    expect(explicit.baseDir).toBe(join(project, 'conf'));

    const fromEnv = loadProjectConfig({ cwd: project, env });
    expect(which(fromEnv)).toBe('env');
    expect(fromEnv.file).toBe(join(project, 'conf', 'from-env.json'));

    const implicit = loadProjectConfig({ cwd: project, env: {} });
    expect(which(implicit)).toBe('cwd');
    expect(implicit.file).toBe(join(project, 'stepwise.config.json'));
    expect(implicit.baseDir).toBe(project);

    expect(loadProjectConfig({ cwd: project, env: { STEPWISE_CONFIG: '' } }).file).toBe(join(project, 'stepwise.config.json'));

    const none = loadProjectConfig({ cwd: join(project, 'conf'), env: {} });
    expect(none).toEqual(emptyProjectConfig(join(project, 'conf')));
    expect(none.file).toBeUndefined();
  });

  it('resolves CodeUri against the configuration file, not the working folder', () => {
    const config = loadProjectConfig({ file: join(project, 'conf', 'with-code.json'), cwd: dir, env: {} });
    expect(config.functions.F!.CodeUri).toBe(join(project, 'conf', 'fn'));
  });

  it('a named file must exist and be a file', () => {
    expect(() => loadProjectConfig({ file: 'missing.json', cwd: project, env: {} })).toThrow(`${join(project, 'missing.json')}: the configuration file does not exist`);
    expect(() => loadProjectConfig({ cwd: project, env: { STEPWISE_CONFIG: 'gone.json' } })).toThrow(`${join(project, 'gone.json')}: the configuration file does not exist`);
    expect(() => loadProjectConfig({ file: 'conf', cwd: project, env: {} })).toThrow(`${join(project, 'conf')}: is not a file`);
    expect(() => loadProjectConfig({ file: '', cwd: project, env: {} })).toThrow(ConfigFileError);
  });
});

describe('describeProjectConfig', () => {
  it('counts what is configured, in one line, without secrets', () => {
    const { config } = validateProjectConfig(sampleConfig(), dir, ENV);
    const line = describeProjectConfig(config!);
    expect(line).toBe('7 functions, 3 connections, 3 endpoints, 2 buckets, 5 routes');
    expect(line).not.toContain('s3cr3t');
  });

  it('uses the singular for one and leaves out what is absent', () => {
    const { config } = validateProjectConfig({ functions: { F: { Url: 'http://x' } }, routes: [{ state: 'A', function: 'F' }] }, dir, {});
    expect(describeProjectConfig(config!)).toBe('1 function, 1 route');
    expect(describeProjectConfig(emptyProjectConfig(dir))).toBe('nothing configured');
  });
});

describe('stepwise.config.schema.json', () => {
  it('is a draft 2020-12 schema with an $id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof schema.$id).toBe('string');
    expect(schema.additionalProperties).toBe(false);
  });

  it('has the top-level properties the loader accepts', () => {
    expect(Object.keys(schema.properties).sort()).toEqual([...TOP_LEVEL_KEYS].sort());
  });

  it('describes every property', () => {
    const undocumented: string[] = [];
    const visit = (node: unknown, at: string): void => {
      if (typeof node !== 'object' || node === null) return;
      if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${at}/${i}`));
      const record = node as Record<string, unknown>;
      if (typeof record.properties === 'object' && record.properties !== null) {
        for (const [name, property] of Object.entries(record.properties as Record<string, Record<string, unknown>>)) {
          const target = typeof property.$ref === 'string' ? schema.$defs[property.$ref.replace('#/$defs/', '')] : property;
          if (typeof property.description !== 'string' && typeof target?.description !== 'string') undocumented.push(`${at}/properties/${name}`);
        }
      }
      // Conditions (if/then/else/not) restate properties; the definitions are elsewhere.
      for (const [key, value] of Object.entries(record)) {
        if (!['properties', 'if', 'then', 'else', 'not'].includes(key)) visit(value, `${at}/${key}`);
      }
      if (typeof record.properties === 'object') for (const [name, value] of Object.entries(record.properties as object)) visit(value, `${at}/properties/${name}`);
    };
    visit(schema, '#');
    expect(undocumented).toEqual([]);
    for (const [name, definition] of Object.entries(schema.$defs as Record<string, { description?: string }>)) {
      expect(typeof definition.description, `$defs/${name}`).toBe('string');
    }
  });

  it('says that secrets belong in the environment', () => {
    expect(schema.properties.connections.description).toMatch(/Secrets belong in the environment/);
    expect(schema.$defs.authParameters.description).toMatch(/\$\{env:NAME\}/);
  });

  it('lists the same properties as the loader accepts, object by object', () => {
    const unknownPaths = (config: unknown) => problemsOf(config).filter((p) => p.message.startsWith('unknown property')).map((p) => p.path);
    const sections: Array<[string, Record<string, unknown>, (extra: Record<string, unknown>) => unknown, string]> = [
      ['function', schema.$defs.function.properties, (extra) => ({ functions: { F: { Url: 'http://x', ...extra } } }), 'functions.F'],
      ['route', schema.$defs.route.properties, (extra) => ({ routes: [{ state: 'A', service: 'aws', ...extra }] }), 'routes[0]'],
      ['mock', schema.$defs.mock.properties, (extra) => ({ routes: [{ state: 'A', mock: { Return: 1, ...extra } }] }), 'routes[0].mock'],
      ['connection', schema.$defs.connection.properties, (extra) => ({ connections: { c: { AuthorizationType: 'BASIC', ...extra } } }), 'connections.c'],
      ['authParameters', schema.$defs.authParameters.properties, (extra) => ({ connections: { c: { AuthorizationType: 'BASIC', AuthParameters: extra } } }), 'connections.c.AuthParameters'],
      [
        'httpParameters',
        schema.$defs.httpParameters.properties,
        (extra) => ({ connections: { c: { AuthorizationType: 'BASIC', AuthParameters: { InvocationHttpParameters: extra } } } }),
        'connections.c.AuthParameters.InvocationHttpParameters',
      ],
      [
        'httpParameter',
        schema.$defs.httpParameter.properties,
        (extra) => ({ connections: { c: { AuthorizationType: 'BASIC', AuthParameters: { InvocationHttpParameters: { BodyParameters: [extra] } } } } }),
        'connections.c.AuthParameters.InvocationHttpParameters.BodyParameters[0]',
      ],
    ];
    for (const [name, properties, build, at] of sections) {
      const allKeys = Object.fromEntries(Object.keys(properties).map((key) => [key, null]));
      expect(unknownPaths(build(allKeys)), `schema $defs/${name} names a property the loader refuses`).toEqual([]);
      expect(unknownPaths(build({ NotInSchema: 1 })), `the loader accepts a property $defs/${name} lacks`).toEqual([`${at}.NotInSchema`]);
    }
    const oauthKeys = Object.keys(schema.$defs.authParameters.properties.OAuthParameters.properties);
    expect(oauthKeys.sort()).toEqual(['AuthorizationEndpoint', 'ClientParameters', 'HttpMethod', 'OAuthHttpParameters']);
  });

  describe('with a draft 2020-12 validator (ajv, installed for asl-validator)', () => {
    type Validate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };
    let validate: Validate;

    beforeAll(async () => {
      // Not a dependency of Stepwise: the dev dependency aws-local-stepfunctions brings it.
      const require = createRequire(import.meta.url);
      const { default: Ajv2020 } = (await import(require.resolve('ajv/dist/2020'))) as { default: new (options: object) => { compile(schema: object): Validate } };
      // Ajv's own strictness rules (not JSON Schema's) are off; unknown keywords still fail.
      validate = new Ajv2020({ strict: false, strictSchema: true, allErrors: true }).compile(schema);
    });

    it('accepts the sample configuration the loader accepts', () => {
      expect(validate(sampleConfig()), JSON.stringify(validate.errors)).toBe(true);
    });

    it.each([
      ['two kinds of function', (c: any) => (c.functions.Remote.Command = ['x'])],
      ['CodeUri without Handler', (c: any) => delete c.functions.Legacy.Handler],
      ['a Runtime AWS does not list', (c: any) => (c.functions.Legacy.Runtime = 'nodejs16.x')],
      ['Timeout 901', (c: any) => (c.functions.Remote.Timeout = 901)],
      ['MemorySize 64', (c: any) => (c.functions.Remote.MemorySize = 64)],
      ['ReservedConcurrentExecutions 0', (c: any) => (c.functions.ProcessOrder.ReservedConcurrentExecutions = 0)],
      ['a number in Environment.Variables', (c: any) => (c.functions.Shell.Environment.Variables.N = 1)],
      ['a reserved variable', (c: any) => (c.functions.Shell.Environment.Variables.AWS_REGION = 'x')],
      ['an empty Command', (c: any) => (c.functions.Shell.Command = [])],
      ['a function name with a space', (c: any) => (c.functions['Process Order'] = { Url: 'http://x' })],
      ['a block of another AuthorizationType', (c: any) => (c.connections.payments.AuthParameters.BasicAuthParameters = { Username: 'u', Password: 'p' })],
      ['no block for the AuthorizationType', (c: any) => delete c.connections.idp.AuthParameters.OAuthParameters],
      ['HttpMethod DELETE', (c: any) => (c.connections.idp.AuthParameters.OAuthParameters.HttpMethod = 'DELETE')],
      ['a ":" in a credential', (c: any) => (c.connections['partner.api'].AuthParameters.BasicAuthParameters.Username = 'a:b')],
      ['an endpoint that is no URL', (c: any) => (c.endpoints.dynamodb = 'localhost:8000')],
      ['an IP address as a bucket name', (c: any) => (c.buckets['192.168.5.4'] = 'data/orders')],
      ['a bucket name with ..', (c: any) => (c.buckets['a..b'] = 'data/orders')],
      ['a route with both state and resource', (c: any) => (c.routes[0].resource = 'arn:aws:states:::sqs:sendMessage')],
      ['a route with two targets', (c: any) => (c.routes[0].service = 'aws')],
      ['a route with no target', (c: any) => delete c.routes[0].function],
      ['a mock with Return and Throw', (c: any) => (c.routes[1].mock.Throw = {})],
      ['service "gcp"', (c: any) => (c.routes[3].service = 'gcp')],
      ['an unknown top-level property', (c: any) => (c.function = {})],
    ])('refuses, as the loader does: %s', (_name, change) => {
      const config = withChange(change);
      expect(validate(config)).toBe(false);
      expect(problemsOf(config).length).toBeGreaterThan(0);
    });

    it('accepts ${env:NAME} where a credential goes, as the loader does', () => {
      const config = withChange((c) => (c.connections['partner.api'].AuthParameters.BasicAuthParameters.Username = '${env:TOKEN}'));
      expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
      expect(problemsOf(config)).toEqual([]);
    });
  });
});
