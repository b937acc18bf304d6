/**
 * The project configuration, `stepwise.config.json` (or `--config FILE`, `STEPWISE_CONFIG`):
 * where Task states go when they are not mocked or handled in process. Read by `serve`, `run`
 * and the library; validated at start (src/config/load.ts), documented by
 * `stepwise.config.schema.json`.
 *
 * These are the types after loading: relative paths are resolved against the configuration
 * file's folder (as SAM resolves `CodeUri` against `template.yaml`'s), `${env:NAME}` references
 * in connection secrets are replaced by the variables' values, and every map is present (the
 * loader's maps have no prototype: looking up a name the file does not declare finds nothing).
 */

/** A function Lambda tasks can invoke, declared as AWS SAM declares `AWS::Serverless::Function`. */
export interface FunctionConfig {
  /** Folder of the code (absolute after loading). With Handler: a local function run in a worker process. */
  readonly CodeUri?: string;
  /** `file.export` (Node: `process-order.handler` → process-order.{mjs,js,cjs}; Python: `app.handler` → app.py). */
  readonly Handler?: string;
  /** `nodejs18.x`…`nodejs24.x` (default `nodejs20.x`) or `python3.9`…`python3.14`: AWS Lambda's runtimes (SUPPORTED_RUNTIMES in validate-function.ts). */
  readonly Runtime?: string;
  /** Seconds (default 3, as SAM and Lambda; at most 900). */
  readonly Timeout?: number;
  /** MB (default 128, as Lambda; 128…10240): the worker's heap limit. */
  readonly MemorySize?: number;
  /** Lambda's rules: names `[a-zA-Z][a-zA-Z0-9_]+`, not one the runtime reserves, 4 KB in all. Not with Url. */
  readonly Environment?: { readonly Variables?: Readonly<Record<string, string>> };
  /** Most invocations of this function at once (Lambda's reserved concurrency); default 10, at most 1000. */
  readonly ReservedConcurrentExecutions?: number;
  /** Instead of local code: POST the event to this URL; the response body is the result. */
  readonly Url?: string;
  /** Instead of local code: run this argv per invocation; the event on stdin, the result on stdout. */
  readonly Command?: readonly string[];
}

/** An EventBridge connection (CreateConnection's fields), for HTTP Tasks' `Authentication.ConnectionArn`. */
export interface ConnectionConfig {
  readonly AuthorizationType: 'API_KEY' | 'BASIC' | 'OAUTH_CLIENT_CREDENTIALS';
  readonly AuthParameters: ConnectionAuthParameters;
}

export interface ConnectionHttpParameter {
  readonly Key: string;
  readonly Value: string;
  readonly IsValueSecret?: boolean;
}

export interface ConnectionHttpParameters {
  readonly HeaderParameters?: readonly ConnectionHttpParameter[];
  readonly QueryStringParameters?: readonly ConnectionHttpParameter[];
  readonly BodyParameters?: readonly ConnectionHttpParameter[];
}

export interface ConnectionAuthParameters {
  readonly ApiKeyAuthParameters?: { readonly ApiKeyName: string; readonly ApiKeyValue: string };
  readonly BasicAuthParameters?: { readonly Username: string; readonly Password: string };
  readonly OAuthParameters?: {
    readonly AuthorizationEndpoint: string;
    readonly HttpMethod: 'GET' | 'POST' | 'PUT';
    readonly ClientParameters: { readonly ClientID: string; readonly ClientSecret: string };
    readonly OAuthHttpParameters?: ConnectionHttpParameters;
  };
  /** Sent with every request made through the connection. */
  readonly InvocationHttpParameters?: ConnectionHttpParameters;
}

/**
 * Where one state's or one resource's tasks go, ahead of the built-in integrations (tests route
 * a single state to a mock, a local function, an HTTP endpoint or the real service).
 * Exactly one of `state` / `resource`, and exactly one target.
 */
export interface RouteConfig {
  /** A Task state's name (any state machine). */
  readonly state?: string;
  /** A Task resource ARN, exactly as written in the definition. */
  readonly resource?: string;
  /** A function of `functions`: the task's input (or a lambda:invoke Payload) is its event. */
  readonly function?: string;
  /** POST the task's input here; the response body is the result. */
  readonly url?: string;
  /** A fixed answer, as a MockConfigFile response: `{"Return": …}` or `{"Throw": {"Error", "Cause"}}`. */
  readonly mock?: { readonly Return?: unknown; readonly Throw?: { readonly Error?: string; readonly Cause?: string } };
  /** `"aws"`: the built-in integration (the real service, or its configured endpoint). */
  readonly service?: 'aws';
}

/**
 * An HTTP request that starts an execution (a webhook, a front end), as API Gateway's Step
 * Functions integration would: `method` and `path` (with `{name}` parameters) on the server's
 * port, to a state machine (its name, or a state machine, version or alias ARN).
 */
export interface HttpTriggerConfig {
  /** GET, POST, PUT, PATCH or DELETE (default POST). */
  readonly method: string;
  /** Starts with `/`; `{name}` segments are path parameters. */
  readonly path: string;
  readonly stateMachine: string;
  /** `body` (default): the request body (JSON) is the input; `request`: {body, headers, queryStringParameters, pathParameters, httpMethod, path}. */
  readonly input: 'body' | 'request';
  /** Answer as StartSyncExecution once the execution ends (EXPRESS state machines). */
  readonly wait: boolean;
  /** The `x-api-key` header must carry this value (after `${env:NAME}` substitution). */
  readonly apiKey?: string;
  /** The request must carry a GitHub-style signature: `sha256=<hex HMAC-SHA256 of the body>` in `header`. */
  readonly hmac?: { readonly secret: string; readonly header: string };
}

export interface ProjectConfig {
  /** The configuration file (absolute), or undefined for the empty default configuration. */
  readonly file?: string;
  /** The folder relative paths resolve against. */
  readonly baseDir: string;
  readonly functions: Readonly<Record<string, FunctionConfig>>;
  readonly connections: Readonly<Record<string, ConnectionConfig>>;
  /**
   * Endpoint URL per service, by the SDK's service id (`lambda`, `dynamodb`, `sqs`, `sns`,
   * `eventbridge`, `s3`, `sfn`, or any `aws-sdk:<service>`); `"aws"` for the real service.
   */
  readonly endpoints: Readonly<Record<string, string>>;
  /** S3 buckets kept in local folders (absolute after loading): bucket name → folder. */
  readonly buckets: Readonly<Record<string, string>>;
  readonly routes: readonly RouteConfig[];
  /** HTTP requests that start executions. */
  readonly httpTriggers: readonly HttpTriggerConfig[];
}

/** The configuration with nothing configured. */
export function emptyProjectConfig(baseDir: string): ProjectConfig {
  return { baseDir, functions: {}, connections: {}, endpoints: {}, buckets: {}, routes: [], httpTriggers: [] };
}
