/**
 * The environment a function's process gets: Lambda's runtime variables, the function's own
 * `Environment.Variables`, and from the server only what a function in Lambda would have too.
 *
 * Why not the server's whole environment: it holds what the server alone may see (the secrets
 * that connections reference as `${env:NAME}`, database URLs, tokens) and settings of the
 * server's own Node.js (NODE_OPTIONS could preload code into the function). Lambda gives a
 * function only its configured variables plus its execution role's credentials; the server's
 * AWS credential variables stand in for that role here, so the AWS SDK inside a function reaches
 * AWS (or the local emulators the AWS_ENDPOINT_URL variables name) as the server's own calls do.
 * PATH and HOME pass so that `python3`, commands and tools such as the AWS config files resolve.
 */
import { randomBytes } from 'node:crypto';
import type { FunctionSpec } from './function-spec.js';

/** Copied from the server's environment when set (see above). */
const PASSED_THROUGH = [
  'PATH',
  'HOME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_ENDPOINT_URL',
] as const;

export const DEFAULT_REGION = 'us-east-1';
/** Step Functions Local's account, for ARNs when the caller names none. */
export const DEFAULT_ACCOUNT_ID = '123456789012';

export function functionArn(name: string, region = DEFAULT_REGION, accountId = DEFAULT_ACCOUNT_ID): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
}

/** Lambda's log stream name for one execution environment: `2024/05/01/[$LATEST]<32 hex digits>`. */
export function logStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export interface EnvironmentContext {
  readonly region: string;
  /** The folder Lambda calls the runtime's (LAMBDA_RUNTIME_DIR): where the host program is. */
  readonly runtimeDir: string;
  readonly serverEnv?: Readonly<Record<string, string | undefined>>;
}

export function functionEnvironment(spec: FunctionSpec, context: EnvironmentContext): Record<string, string> {
  const serverEnv = context.serverEnv ?? process.env;
  // Lambda's unreserved defaults: a function may set its own TZ and LANG.
  const env: Record<string, string> = { TZ: ':UTC', LANG: 'en_US.UTF-8' };
  for (const name of PASSED_THROUGH) {
    const value = serverEnv[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(serverEnv)) {
    if (name.startsWith('AWS_ENDPOINT_URL_') && value !== undefined) env[name] = value;
  }
  // Lambda reserves the credential variables; locally they are how a function is given other
  // credentials than the server's, so the function's own variables win over those.
  Object.assign(env, spec.variables);
  // Lambda's reserved variables, which a function cannot override.
  Object.assign(env, {
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(),
    AWS_REGION: context.region,
    AWS_DEFAULT_REGION: context.region,
    LAMBDA_RUNTIME_DIR: context.runtimeDir,
  });
  if (spec.kind === 'node' || spec.kind === 'python') {
    Object.assign(env, {
      _HANDLER: spec.handler,
      AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
      LAMBDA_TASK_ROOT: spec.codeUri,
    });
  }
  return env;
}
