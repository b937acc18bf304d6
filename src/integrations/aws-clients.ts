/**
 * AWS SDK clients for the integrations, created once per service and endpoint: the service's
 * `@aws-sdk/client-<service>` package is loaded on demand (a clear error names the package to
 * install when it is missing), credentials and region come from the SDK's standard chain.
 *
 * Endpoints, first found wins: the configuration's `endpoints` (`"aws"` there means the real
 * service, skipping the variables below), Step Functions Local's variables (`LAMBDA_ENDPOINT`,
 * `DYNAMODB_ENDPOINT`, …), the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` and `AWS_ENDPOINT_URL`.
 * A client with an endpoint and no credentials anywhere in the environment signs with a
 * placeholder key: `S3RVER`, the one key s3rver accepts; dynalite, LocalStack and SAM accept any.
 */

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The Step Functions Local variable for each service that has one (SDK service ids). */
export const SFN_LOCAL_ENDPOINT_VARIABLES: Readonly<Record<string, string>> = {
  lambda: 'LAMBDA_ENDPOINT',
  dynamodb: 'DYNAMODB_ENDPOINT',
  sqs: 'SQS_ENDPOINT',
  sns: 'SNS_ENDPOINT',
  sfn: 'STEP_FUNCTIONS_ENDPOINT',
  eventbridge: 'EVENTBRIDGE_ENDPOINT',
  batch: 'BATCH_ENDPOINT',
  ecs: 'ECS_ENDPOINT',
  glue: 'GLUE_ENDPOINT',
  sagemaker: 'SAGEMAKER_ENDPOINT',
  s3: 'S3_ENDPOINT',
};

/** What every integration that calls AWS is given. */
export interface AwsSettings {
  /** Region when the standard chain names none (the server's `--region`). */
  readonly region: string;
  /** The configuration's `endpoints`. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** The environment to read variables from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The endpoint URL for an SDK service id (`dynamodb`, `s3`, `secretsmanager`…), or undefined
 * for the SDK's default (the real service).
 */
export function endpointFor(service: string, settings: AwsSettings): string | undefined {
  const configured = settings.endpoints[service];
  if (configured !== undefined) return configured === 'aws' ? undefined : configured;
  const env = settings.env ?? process.env;
  const local = SFN_LOCAL_ENDPOINT_VARIABLES[service];
  const fromLocal = local !== undefined ? env[local] : undefined;
  if (fromLocal) return fromLocal;
  const sdkName = `AWS_ENDPOINT_URL_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  return env[sdkName] || env.AWS_ENDPOINT_URL || undefined;
}

/** Whether the environment gives the SDK's chain something to find (keys, a profile, a container or web identity). */
function hasCredentials(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(
    env.AWS_ACCESS_KEY_ID ||
      env.AWS_PROFILE ||
      env.AWS_WEB_IDENTITY_TOKEN_FILE ||
      env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ||
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
  );
}

/**
 * Whether a call to `service` has anywhere to go: an endpoint is configured, or the environment
 * gives the SDK's chain credentials (variables, a profile, or the shared ~/.aws files). Without
 * either, a call to AWS could only fail after the chain's slow probes (instance metadata).
 */
export function reachesAws(service: string, settings: AwsSettings): boolean {
  if (endpointFor(service, settings) !== undefined || settings.endpoints[service] === 'aws') return true;
  const env = settings.env ?? process.env;
  if (hasCredentials(env)) return true;
  const home = env.HOME ?? homedir();
  const files = [env.AWS_SHARED_CREDENTIALS_FILE, env.AWS_CONFIG_FILE, join(home, '.aws', 'credentials'), join(home, '.aws', 'config')];
  return files.some((file) => file !== undefined && file !== '' && existsSync(file));
}

/** Thrown when a service's client package is not installed; the message says what to install. */
export class MissingClientPackage extends Error {
  override readonly name = 'MissingClientPackage';
  constructor(readonly packageName: string) {
    super(`The AWS SDK client package '${packageName}' is not installed: run \`npm install ${packageName}\` where Stepwise runs.`);
  }
}

/** The key a client signs with when it has an endpoint and the environment no credentials (s3rver accepts no other). */
const PLACEHOLDER_KEY = 'S3RVER';

/** The configuration a client of `service` is created with. */
export function clientConfig(service: string, settings: AwsSettings): Record<string, unknown> {
  const env = settings.env ?? process.env;
  const endpoint = endpointFor(service, settings);
  return {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || settings.region,
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(endpoint !== undefined && !hasCredentials(env) ? { credentials: { accessKeyId: PLACEHOLDER_KEY, secretAccessKey: PLACEHOLDER_KEY } } : {}),
    // S3 emulators answer at http://host:port/bucket, not bucket.host.
    ...(endpoint !== undefined && service === 's3' ? { forcePathStyle: true } : {}),
    // The integration reports a failure to the task, whose Retry decides about another attempt;
    // the SDK's own retries stay as AWS's default (3 attempts).
  };
}

const packages = new Map<string, Promise<Record<string, unknown>>>();

/** Loads `@aws-sdk/client-<name>` once; rejects with MissingClientPackage when it is not installed. */
export function loadClientPackage(packageName: string): Promise<Record<string, unknown>> {
  let loading = packages.get(packageName);
  if (!loading) {
    loading = import(packageName).then(
      (mod: Record<string, unknown>) => mod,
      (e: unknown) => {
        packages.delete(packageName);
        const code = (e as { code?: string }).code;
        if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new MissingClientPackage(packageName);
        throw e;
      },
    );
    packages.set(packageName, loading);
  }
  return loading;
}

/** One client per package, client class and configuration, shared by every call. */
export class AwsClients {
  private readonly clients = new Map<string, Promise<{ send(command: unknown, options?: unknown): Promise<unknown>; destroy?(): void }>>();

  constructor(readonly settings: AwsSettings) {}

  /**
   * The client `clientClass` of `packageName` (e.g. `@aws-sdk/client-dynamodb`, `DynamoDBClient`)
   * for the SDK service id `service`, and the package (its command classes).
   */
  async client(service: string, packageName: string, clientClass: string): Promise<{ client: { send(command: unknown, options?: unknown): Promise<unknown> }; module: Record<string, unknown> }> {
    const module = await loadClientPackage(packageName);
    const key = `${packageName}#${clientClass}`;
    let client = this.clients.get(key);
    if (!client) {
      const Client = module[clientClass] as (new (config: unknown) => { send(command: unknown, options?: unknown): Promise<unknown>; destroy?(): void }) | undefined;
      if (typeof Client !== 'function') throw new Error(`The package '${packageName}' has no client class '${clientClass}'.`);
      client = Promise.resolve(new Client(clientConfig(service, this.settings)));
      this.clients.set(key, client);
    }
    return { client: await client, module };
  }

  close(): void {
    for (const client of this.clients.values()) void client.then((c) => c.destroy?.());
    this.clients.clear();
  }
}
