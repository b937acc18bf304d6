/**
 * The integrations and routes of one project configuration, for the task dispatcher: every
 * built-in integration (one module per service in src/integrations/), the local functions that
 * Lambda tasks run, and the configured routes that send one state's or one resource's tasks
 * elsewhere (a function, a URL, a fixed answer, or the real service).
 *
 * Created once per configuration (the server, a `stepwise run`, a library caller) and closed
 * with it: it owns worker processes and SDK clients.
 */
import type { ProjectConfig, RouteConfig } from '../config/types.js';
import { AwsClients, reachesAws, SFN_LOCAL_ENDPOINT_VARIABLES } from '../integrations/aws-clients.js';
import { createAwsSdkIntegration } from '../integrations/aws-sdk.js';
import { createDynamoDbIntegration } from '../integrations/dynamodb.js';
import { createEventBridgeIntegration } from '../integrations/eventbridge.js';
import { createHttpIntegration } from '../integrations/http.js';
import type { Integration, IntegrationCall, IntegrationOutcome } from '../integrations/integration.js';
import { createLambdaIntegration, hasLambdaApi } from '../integrations/lambda.js';
import { createS3Integration } from '../integrations/s3.js';
import { createSnsIntegration } from '../integrations/sns.js';
import { createSqsIntegration } from '../integrations/sqs.js';
import type { Command } from '../engine/model.js';
import { LocalFunctions } from './functions/index.js';

type InvokeTask = Extract<Command, { type: 'InvokeTask' }>;

export interface TaskIntegrationsOptions {
  readonly region: string;
  readonly accountId: string;
  /** AWS SDK services this process answers itself (the server: `sfn`), left out of the generic SDK integration. */
  readonly localSdkServices?: readonly string[];
  /** `--lambda-endpoint`: a Lambda API for functions the configuration does not declare. */
  readonly lambdaEndpoint?: string;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** Where S3 buckets live that the configuration does not map, when S3 cannot be reached (the server: beside its database). */
  readonly defaultBucketsFolder?: string;
  /** The environment endpoints and credentials are read from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What answers a task: a configured route, or a built-in integration. */
export interface TaskAnswerer {
  readonly integration: Integration;
  /** `route` when a configured route chose it (logged, shown in the console). */
  readonly via: 'route' | 'integration';
}

/** What the task dispatcher asks of the integrations (TaskIntegrations, or a wrapper of it such as TestState's). */
export interface TaskAnswerers {
  answererFor(command: InvokeTask): TaskAnswerer | undefined;
  unansweredBecause(command: InvokeTask): string | undefined;
}

export class TaskIntegrations implements TaskAnswerers {
  readonly functions: LocalFunctions;
  private readonly clients: AwsClients;
  private readonly integrations: readonly Integration[];
  private readonly lambda: Integration;
  private readonly stateRoutes = new Map<string, Integration | 'aws'>();
  private readonly resourceRoutes = new Map<string, Integration | 'aws'>();

  constructor(
    readonly config: ProjectConfig,
    private readonly options: TaskIntegrationsOptions,
  ) {
    const endpoints = options.lambdaEndpoint !== undefined && config.endpoints.lambda === undefined ? { ...config.endpoints, lambda: options.lambdaEndpoint } : config.endpoints;
    this.clients = new AwsClients({ region: options.region, endpoints, ...(options.env ? { env: options.env } : {}) });
    // Routes to URLs run as functions of their own (`Url` functions), so they share the
    // functions' timeout, size limits and error shapes.
    const routeFunctions: Record<string, { Url: string; Timeout: number }> = {};
    for (const route of config.routes) if (route.url !== undefined) routeFunctions[this.routeUrlName(route.url)] = { Url: route.url, Timeout: 60 };
    const functions = { ...config.functions, ...routeFunctions };
    this.functions = new LocalFunctions(functions, { ...(options.log ? { log: options.log } : {}), baseDir: config.baseDir });
    const { region, accountId } = options;
    this.lambda = createLambdaIntegration({ functions, local: this.functions, clients: this.clients, region, accountId });
    this.integrations = [
      this.lambda,
      createHttpIntegration({ connections: config.connections, region, accountId }),
      createS3Integration({ buckets: config.buckets, clients: this.clients, ...(options.defaultBucketsFolder !== undefined ? { defaultFolder: options.defaultBucketsFolder } : {}) }),
      createDynamoDbIntegration(this.clients),
      createSqsIntegration(this.clients),
      createSnsIntegration(this.clients),
      createEventBridgeIntegration(this.clients),
      createAwsSdkIntegration(this.clients, { exclude: options.localSdkServices ?? [] }),
    ];
    for (const route of config.routes) {
      const target = this.routeTarget(route);
      if (route.state !== undefined) this.stateRoutes.set(route.state, target);
      else if (route.resource !== undefined) this.resourceRoutes.set(route.resource, target);
    }
  }

  /**
   * What answers the task: a route for its state, else for its resource (a route to `"aws"`
   * stops the search there), else the built-in integration for its resource; undefined when
   * none does (the dispatcher then fails it or waits for an outside answer).
   */
  answererFor(command: InvokeTask): TaskAnswerer | undefined {
    const routed = this.stateRoutes.get(command.stateName) ?? this.resourceRoutes.get(command.resource.arn);
    if (routed !== undefined && routed !== 'aws') return { integration: routed, via: 'route' };
    const call = describeResource(command);
    const integration = this.integrations.find((i) => i.handles(call));
    if (!integration || this.unreachable(integration, call, command) !== undefined) return undefined;
    return { integration, via: 'integration' };
  }

  /**
   * Why no integration answers the task although one handles its resource: the AWS service
   * has no endpoint and no credentials can be found, so a call could only fail (after the SDK's
   * slow probes). The task then behaves as before integrations existed: a callback task waits
   * for its token (SendTaskSuccess can still answer it), any other fails, saying this.
   */
  unansweredBecause(command: InvokeTask): string | undefined {
    const call = describeResource(command);
    const integration = this.integrations.find((i) => i.handles(call));
    return integration ? this.unreachable(integration, call, command) : undefined;
  }

  private readonly reachable = new Map<string, boolean>();

  /** reachesAws, once per service: it looks at the environment and the ~/.aws files, which do not change under a running process. */
  private reaches(service: string): boolean {
    let known = this.reachable.get(service);
    if (known === undefined) {
      known = reachesAws(service, this.clients.settings);
      if (this.reachable.size < 1000) this.reachable.set(service, known);
    }
    return known;
  }

  private unreachable(integration: Integration, call: Pick<IntegrationCall, 'service'>, command: InvokeTask): string | undefined {
    let service: string;
    switch (integration.name) {
      case 'dynamodb':
      case 'sqs':
      case 'sns':
      case 'eventbridge':
        service = integration.name;
        break;
      case 'aws-sdk':
        service = call.service.slice('aws-sdk:'.length);
        break;
      case 's3': {
        // A mapped bucket, or (the server) the default folder for unmapped ones.
        const bucket = (command.input as { Bucket?: unknown } | null)?.Bucket;
        if (this.options.defaultBucketsFolder !== undefined || (typeof bucket === 'string' && Object.prototype.hasOwnProperty.call(this.config.buckets, bucket))) return undefined;
        service = 's3';
        break;
      }
      default:
        return undefined;
    }
    if (this.reaches(service)) return undefined;
    const variable = SFN_LOCAL_ENDPOINT_VARIABLES[service];
    return (
      `It was not sent to ${service}: no endpoint is configured for it and no AWS credentials were found ` +
      `(set "endpoints": {"${service}": URL} in stepwise.config.json${variable !== undefined ? `, ${variable}` : ''}, AWS_ENDPOINT_URL_${service.toUpperCase()}, or AWS credentials${service === 's3' ? `, or map the bucket in "buckets"` : ''}).`
    );
  }

  /** Whether functions the configuration does not declare go to a Lambda API. */
  hasLambdaApi(): boolean {
    return hasLambdaApi(this.clients.settings);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.functions.close(), ...this.integrations.map((i) => i.close?.())]);
    this.clients.close();
  }

  private readonly urlNames = new Map<string, string>();

  /** The function name a route's URL runs under: a valid Lambda name no configured function has. */
  private routeUrlName(url: string): string {
    let name = this.urlNames.get(url);
    if (name === undefined) {
      name = `stepwise-route-url-${this.urlNames.size + 1}`;
      this.urlNames.set(url, name);
    }
    return name;
  }

  private routeTarget(route: RouteConfig): Integration | 'aws' {
    if (route.service === 'aws') return 'aws';
    if (route.mock !== undefined) return mockRoute(route.mock);
    const functionName = route.function ?? (route.url !== undefined ? this.routeUrlName(route.url) : undefined);
    if (functionName === undefined) throw new TypeError('A route needs a target (function, url, mock or service).');
    return functionRoute(functionName, route.function !== undefined ? `route:function:${functionName}` : `route:url:${route.url}`, this.lambda, this.options);
  }
}

/** The service and action the integrations are chosen by. */
export function describeResource(command: Pick<InvokeTask, 'resource'>): Pick<IntegrationCall, 'resource' | 'service' | 'action' | 'pattern'> {
  const { resource } = command;
  if (resource.kind === 'service') {
    const action = resource.action.replace(/(\.sync:2|\.sync|\.waitForTaskToken)$/, '');
    return { resource, service: resource.service, action, pattern: resource.pattern };
  }
  return { resource, service: resource.kind === 'lambda' ? 'lambda' : resource.kind, action: 'invoke', pattern: 'request-response' };
}


/**
 * A route to a function: a lambda:invoke task calls it with its Payload (the answer keeps
 * lambda:invoke's shape), any other task with its whole input as the event (the answer is the
 * function's result, as for a bare function ARN).
 */
function functionRoute(functionName: string, name: string, lambda: Integration, options: TaskIntegrationsOptions): Integration {
  const functionArn = `arn:aws:lambda:${options.region}:${options.accountId}:function:${functionName}`;
  return {
    name,
    handles: () => true,
    afterCrash: (call) => lambda.afterCrash(call),
    call(call: IntegrationCall): Promise<IntegrationOutcome> {
      if (call.service === 'lambda' && call.resource.kind === 'service') {
        const parameters = call.parameters !== null && typeof call.parameters === 'object' ? (call.parameters as Record<string, unknown>) : {};
        return lambda.call({ ...call, parameters: { ...parameters, FunctionName: functionName } });
      }
      return lambda.call({ ...call, resource: { kind: 'lambda', arn: functionArn }, service: 'lambda', action: 'invoke', parameters: call.parameters });
    },
  };
}

/** A route to a fixed answer, as a MockConfigFile response gives it. */
function mockRoute(mock: NonNullable<RouteConfig['mock']>): Integration {
  const outcome: IntegrationOutcome = mock.Throw
    ? { ok: false, error: mock.Throw.Error ?? 'States.TaskFailed', cause: mock.Throw.Cause ?? '' }
    : { ok: true, output: mock.Return ?? null };
  return { name: 'route:mock', handles: () => true, afterCrash: () => 'repeat', call: () => Promise.resolve(outcome) };
}
