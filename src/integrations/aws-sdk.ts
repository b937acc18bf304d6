/**
 * AWS SDK service integrations: `arn:aws:states:::aws-sdk:<service>:<action>` for any service
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
 *
 * - `<service>` is the lower-cased service name of the AWS SDK for Java 2.x, which Step
 *   Functions runs on (`s3`, `dynamodb`, `secretsmanager`, `cloudwatchlogs`, `sfn`,
 *   `eventbridge`, `apigateway`, `acmpca`); it is answered by `@aws-sdk/client-<package>`,
 *   whose name is that service's package in the SDK for JavaScript (`secrets-manager`,
 *   `cloudwatch-logs`, …: see packageFor). Packages other than the ones Stepwise installs are
 *   loaded when first needed; a missing one fails the task with States.Runtime naming the
 *   package to install.
 * - `<action>` is the API operation in camelCase (`getObject` → GetObjectCommand); the
 *   parameters are its members, converted by the operation's model (aws-shapes.ts).
 * - The result is the operation's output, converted back (S3 GetObject's Body as text, dates as
 *   ISO text, PascalCase names) without the SDK's `$metadata`.
 * - Errors are `<ServiceName>.<Exception>` with the SDK for Java 2.x's message as the cause
 *   (aws-errors.ts): `S3.NoSuchKeyException`, `DynamoDb.ConditionalCheckFailedException`,
 *   `SecretsManager.SecretsManagerException` for an error the model does not declare.
 */
import { loadClientPackage, MissingClientPackage, type AwsClients } from './aws-clients.js';
import { commandShapes, sendBounded, type SdkClient } from './aws-call.js';
import { clientFailure, inFlightAtCrash, isServiceError, javaServiceName, sdkV2Failure } from './aws-errors.js';
import { fromSdkOutput, readStreams, ResultTooLarge, toSdkInput } from './aws-shapes.js';
import { failure, type AfterCrash, type Integration, type IntegrationCall, type IntegrationOutcome } from './integration.js';

/**
 * Packages of the SDK for JavaScript whose names split words with hyphens (from the npm
 * registry's `@aws-sdk/client-*`, 2026). A Step Functions service name is the package name
 * without its hyphens, and without a final `-service`, which the SDK for Java drops from its
 * names (`config-service` is `config`, `database-migration-service` is `databasemigration`).
 * Any other service's package is `@aws-sdk/client-<service>` (`s3`, `sqs`, `ec2`, `sfn`…).
 */
const HYPHENATED_PACKAGES =
  'acm-pca api-gateway app-mesh application-auto-scaling application-insights application-signals auto-scaling ' +
  'auto-scaling-plans backup-gateway bcm-data-exports bcm-recommended-actions bedrock-agent bedrock-agent-runtime ' +
  'bedrock-agentcore bedrock-agentcore-control bedrock-data-automation bedrock-data-automation-runtime bedrock-runtime ' +
  'chime-sdk-identity chime-sdk-media-pipelines chime-sdk-meetings chime-sdk-messaging chime-sdk-voice cloudfront-keyvaluestore ' +
  'cloudhsm-v2 cloudsearch-domain cloudwatch-events cloudwatch-logs codeguru-reviewer codestar-connections ' +
  'codestar-notifications cognito-identity cognito-identity-provider cognito-sync config-service connect-contact-lens ' +
  'cost-and-usage-report-service cost-explorer cost-optimization-hub customer-profiles data-pipeline ' +
  'database-migration-service device-farm devops-guru direct-connect directory-service docdb-elastic dynamodb-streams ' +
  'ec2-instance-connect ecr-public elastic-beanstalk elastic-inference elastic-load-balancing elastic-load-balancing-v2 ' +
  'elastic-transcoder elasticsearch-service emr-containers emr-serverless geo-maps geo-places geo-routes global-accelerator ' +
  'iot-1click-projects iot-data-plane iot-events iot-events-data iot-jobs-data-plane iot-wireless ivs-realtime ' +
  'kinesis-analytics kinesis-analytics-v2 kinesis-video kinesis-video-archived-media kinesis-video-media ' +
  'kinesis-video-signaling kinesis-video-webrtc-storage launch-wizard lex-model-building-service lex-models-v2 ' +
  'lex-runtime-service lex-runtime-v2 license-manager machine-learning marketplace-agreement marketplace-catalog ' +
  'marketplace-commerce-analytics marketplace-entitlement-service marketplace-metering mediapackage-vod mediastore-data ' +
  'medical-imaging migration-hub migration-hub-refactor-spaces migrationhub-config neptune-graph network-firewall ' +
  'partnercentral-account partnercentral-benefits partnercentral-channel partnercentral-selling payment-cryptography ' +
  'personalize-events personalize-runtime pinpoint-email pinpoint-sms-voice pinpoint-sms-voice-v2 qldb-session rds-data ' +
  'redshift-data redshift-serverless resource-explorer-2 resource-groups resource-groups-tagging-api route-53 ' +
  'route-53-domains route53-recovery-cluster route53-recovery-control-config route53-recovery-readiness ' +
  'sagemaker-a2i-runtime sagemaker-edge sagemaker-featurestore-runtime sagemaker-geospatial sagemaker-runtime ' +
  'secrets-manager service-catalog service-catalog-appregistry service-quotas signer-data snow-device-management ' +
  'ssm-contacts ssm-incidents sso-admin sso-oidc storage-gateway timestream-influxdb timestream-query timestream-write ' +
  'transcribe-streaming voice-id vpc-lattice waf-regional workspaces-instances workspaces-thin-client workspaces-web';

const PACKAGE_BY_SERVICE: ReadonlyMap<string, string> = new Map(
  HYPHENATED_PACKAGES.split(' ').map((name) => [name.replace(/-service$/, '').replace(/-/g, ''), name]),
);

/** The SDK for JavaScript package that answers a Step Functions service name. */
export function packageFor(service: string): string {
  return `@aws-sdk/client-${PACKAGE_BY_SERVICE.get(service) ?? service}`;
}

/**
 * Actions that only read, which a call in flight when the process stopped can make again (by
 * the API's naming convention: Get…, List…, Describe…, Head…, Query, Scan, BatchGet…).
 */
const READ_ONLY_ACTION = /^(get|list|describe|head|query|scan|batchGet)(?![a-z])/;

/**
 * An `aws-sdk` call waits at most this long, the SDK's retries included: a synchronous Lambda
 * Invoke, the longest-running API call, may take 15 minutes.
 */
const SDK_CALL_TIMEOUT_MS = 16 * 60_000;

/**
 * A streamed result (S3 GetObject's Body) is read up to this size. A Task's result is limited to
 * 256 KiB on AWS (the engine applies its payload limit to the converted result); this bound only
 * keeps a huge object out of memory.
 */
const MAX_STREAM_BYTES = 10 * 1024 * 1024;

type CommandClass = new (input: unknown) => unknown;

/** What one service's calls need, resolved on its first call. */
interface ServiceClient {
  readonly packageName: string;
  readonly module: Record<string, unknown>;
  readonly client: SdkClient;
  /** The SDK for Java's service name: the prefix of error names and `Service:` in causes. */
  readonly serviceName: string;
  readonly commands: Map<string, CommandClass | undefined>;
}

/** The client class a package exports (`S3Client`, `SecretsManagerClient`). */
function clientClassOf(module: Record<string, unknown>): string | undefined {
  return Object.keys(module).find((name) => name.endsWith('Client') && name !== '__Client' && typeof module[name] === 'function');
}

/** `getObject` → GetObjectCommand; failing that, the command whose name matches case aside (`getSamlProvider`). */
function commandFor(target: ServiceClient, action: string): CommandClass | undefined {
  if (target.commands.has(action)) return target.commands.get(action);
  const exact = `${action.charAt(0).toUpperCase()}${action.slice(1)}Command`;
  let found = target.module[exact];
  if (typeof found !== 'function') {
    const wanted = exact.toLowerCase();
    const name = Object.keys(target.module).find((key) => key.toLowerCase() === wanted);
    found = name !== undefined ? target.module[name] : undefined;
  }
  const command = typeof found === 'function' ? (found as CommandClass) : undefined;
  if (target.commands.size < 1000) target.commands.set(action, command);
  return command;
}

/**
 * The SDK for Java's names of common services whose name cannot be told from the package's
 * (`DynamoDb`, `CloudWatchLogs`): afterCrash needs the error prefix synchronously, before any
 * client of the service is loaded in this process.
 */
const JAVA_NAMES: Readonly<Record<string, string>> = {
  dynamodb: 'DynamoDb',
  dynamodbstreams: 'DynamoDbStreams',
  eventbridge: 'EventBridge',
  cloudwatch: 'CloudWatch',
  cloudwatchlogs: 'CloudWatchLogs',
  cloudwatchevents: 'CloudWatchEvents',
  cloudformation: 'CloudFormation',
  cloudfront: 'CloudFront',
  codebuild: 'CodeBuild',
  codepipeline: 'CodePipeline',
  elasticache: 'ElastiCache',
  opensearch: 'OpenSearch',
  sagemaker: 'SageMaker',
  sagemakerruntime: 'SageMakerRuntime',
  mediaconvert: 'MediaConvert',
  quicksight: 'QuickSight',
  xray: 'XRay',
};

/** `<Name>` for `<Name>.SdkClientException` without the client at hand: the table, else the package's words capitalised (`secrets-manager` → `SecretsManager`). */
function errorPrefixWithoutClient(service: string): string {
  const known = JAVA_NAMES[service];
  if (known !== undefined) return known;
  return packageFor(service)
    .slice('@aws-sdk/client-'.length)
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

export interface AwsSdkIntegrationOptions {
  /** Services this integration leaves to others (the server answers `aws-sdk:sfn` itself). */
  readonly exclude?: readonly string[];
}

export function createAwsSdkIntegration(clients: AwsClients, options: AwsSdkIntegrationOptions = {}): Integration {
  const exclude = new Set(options.exclude ?? []);
  const services = new Map<string, Promise<ServiceClient>>();

  function serviceClient(service: string): Promise<ServiceClient> {
    let resolving = services.get(service);
    if (!resolving) {
      resolving = (async () => {
        const packageName = packageFor(service);
        const module = await loadClientPackage(packageName);
        const clientClass = clientClassOf(module);
        if (clientClass === undefined) throw new Error(`The package '${packageName}' has no client class.`);
        const { client } = await clients.client(service, packageName, clientClass);
        const serviceId = (client as { config?: { serviceId?: unknown } }).config?.serviceId;
        const serviceName = typeof serviceId === 'string' && serviceId !== '' ? javaServiceName(serviceId) : service.charAt(0).toUpperCase() + service.slice(1);
        return { packageName, module, client, serviceName, commands: new Map() };
      })();
      // A failed load (a package installed later, say) is tried again by the next call.
      resolving.catch(() => services.delete(service));
      services.set(service, resolving);
    }
    return resolving;
  }

  async function call(call: IntegrationCall): Promise<IntegrationOutcome> {
    const service = call.service.slice('aws-sdk:'.length);
    const { arn } = call.resource;
    // Step Functions' service names are lower-case letters and digits; nothing else reaches import().
    if (!/^[a-z0-9]+$/.test(service)) return failure('States.Runtime', `The resource provided ${arn} is not recognized: no AWS SDK service is named '${service}'.`);
    let target: ServiceClient;
    try {
      target = await serviceClient(service);
    } catch (e) {
      // The package is not installed where Stepwise runs: a setup problem no Retry mends.
      if (e instanceof MissingClientPackage) return failure('States.Runtime', `${e.message} (for the resource ${arn})`);
      throw e;
    }
    const Command = commandFor(target, call.action);
    // AWS refuses such a resource when the state machine is created; at run time it can only fail.
    if (Command === undefined) return failure('States.Runtime', `The resource provided ${arn} is not recognized: ${target.packageName} has no action '${call.action}'.`);
    const parameters = call.parameters ?? {};
    if (typeof parameters !== 'object' || Array.isArray(parameters)) {
      return failure('States.Runtime', `The parameters of the resource ${arn} must be a JSON object, not ${Array.isArray(parameters) ? 'an array' : typeof parameters}.`);
    }
    const shapes = commandShapes(target.packageName, Command);
    let output: Record<string, unknown>;
    try {
      output = (await sendBounded(target.client, new Command(toSdkInput(parameters, shapes.input)), call.signal, SDK_CALL_TIMEOUT_MS)) as Record<string, unknown>;
      output = await readStreams(output, MAX_STREAM_BYTES);
    } catch (e) {
      if (e instanceof ResultTooLarge) {
        return failure('States.DataLimitExceeded', `The state/task '${call.service}' returned a result with a size exceeding the maximum number of bytes service limit.`);
      }
      const named = isServiceError(e) ? sdkV2Failure(e, target.serviceName, target.module) : clientFailure(target.serviceName, e, true);
      return failure(named.error, named.cause);
    }
    return { ok: true, output: fromSdkOutput(output, shapes.output) ?? {} };
  }

  return {
    name: 'aws-sdk',
    handles: (c) =>
      c.resource.kind === 'service' && c.service.startsWith('aws-sdk:') && !exclude.has(c.service.slice('aws-sdk:'.length)) && c.pattern !== 'sync' && c.pattern !== 'sync2',
    call,
    afterCrash(c): AfterCrash {
      if (READ_ONLY_ACTION.test(c.action)) return 'repeat';
      const service = c.service.slice('aws-sdk:'.length);
      return inFlightAtCrash(errorPrefixWithoutClient(service), service);
    },
    async close() {
      services.clear();
    },
  };
}
