/**
 * Authentication and authorisation of the API when a keys file is configured (src/auth/):
 * every `POST /` (Step Functions, EventBridge and Stepwise's own actions) and every Scheduler
 * REST route is signed with SigV4 by a known key, and the key's IAM policies allow the action
 * on the resources it names. Without a keys file none of this runs.
 *
 * A request passes a gate in two steps: `begin` checks the request line and headers before the
 * body is read (no signature, unknown key, a clock off by more than 5 minutes: refused at once,
 * the body never buffered); `complete` verifies the signature over the body, then the policy.
 *
 * Errors as AWS answers them. Over the JSON protocols (AWS JSON 1.0 and 1.1) the front door's
 * errors are Coral's (`com.amazon.coral.service#<Name>`), all HTTP 400 as Step Functions sends
 * them (UnrecognizedClientException and AccessDeniedException are seen with 400 from
 * Step Functions; the others follow the same framework). Over the Scheduler's REST-JSON they are
 * HTTP 403 with `x-amzn-ErrorType`, as AWS's REST front door answers them.
 *
 * Executions act with their state machine's role (`roles` in the keys file): `aws-sdk:sfn:*`
 * tasks and `states:startExecution` tasks are authorised by the role's policies; a role the
 * file does not list may do nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { evaluate, type Policy } from '../auth/policy.js';
import type { AccessKey, AuthKeys } from '../auth/keys-file.js';
import { signedUrl } from './base-path.js';
import { inspectRequest, verifySignature, type AuthFailure, type PendingVerification } from '../auth/sigv4.js';
import { busName, DEFAULT_BUS, ruleArn } from '../runtime/event-bus.js';
import type { ApiContext } from './context.js';
import { AwsError } from './errors.js';
import { EVENTS_TARGET_PREFIX } from './events-protocol.js';
import { EVENTS_ACTIONS } from './events/router.js';
import { actionOf, errorResponse, TARGET_PREFIX, type ApiResponse } from './protocol.js';
import { errorResponse as restErrorResponse } from './scheduler/protocol.js';
import { STEPWISE_TARGET_PREFIX } from './stepwise-protocol.js';

export type Gate =
  | { readonly ok: false; readonly response: ApiResponse }
  | {
      readonly ok: true;
      readonly keyId: string;
      /** The signing key (its name and policies): Stepwise's GetCallerIdentity and SimulatePolicy answer about it. */
      readonly key: AccessKey;
      readonly complete: (body: Buffer) => Promise<ApiResponse | undefined>;
    };

type Protocol = 'json1.0' | 'json1.1' | 'rest';
type Body = Readonly<Record<string, unknown>>;
/** The resources an action names, from its input (camelCase members for Step Functions). */
type Resources = (body: Body, arns: Arns) => readonly string[] | Promise<readonly string[]>;

interface Arns {
  readonly ctx: ApiContext;
  readonly states: string;
  readonly events: string;
  readonly scheduler: string;
}

const CORAL = 'com.amazon.coral.service';
/** Stepwise actions any valid key may call (stepwise-protocol.ts): they answer about the caller itself. */
const SELF_ACTIONS: ReadonlySet<string> = new Set(['GetCallerIdentity', 'SimulatePolicy']);

export class ApiAuth {
  private keys: AuthKeys;
  private readonly arns: Arns;

  constructor(
    private readonly ctx: ApiContext,
    keys: AuthKeys,
  ) {
    this.keys = keys;
    const { region, accountId } = ctx.config;
    this.arns = { ctx, states: `arn:aws:states:${region}:${accountId}`, events: `arn:aws:events:${region}:${accountId}`, scheduler: `arn:aws:scheduler:${region}:${accountId}` };
  }

  /** Replaces the keys and roles (SIGHUP): requests already past `begin` finish with the keys they began with. */
  reload(keys: AuthKeys): void {
    this.keys = keys;
  }

  /** `POST /`: the target names the service (signing name) and the action. */
  jsonApi(req: IncomingMessage, requestId: string): Gate {
    const header = req.headers['x-amz-target'];
    const target = (Array.isArray(header) ? header[0] : header) ?? '';
    let protocol: Protocol = 'json1.0';
    let services = ['states'];
    let permission: { action: string; resources: Resources } | undefined;
    if (target.startsWith(EVENTS_TARGET_PREFIX)) {
      protocol = 'json1.1';
      services = ['events'];
      const action = target.slice(EVENTS_TARGET_PREFIX.length);
      if (action === 'TestEventPattern' || Object.hasOwn(EVENTS_ACTIONS, action)) permission = { action: `events:${action}`, resources: EVENTS_RESOURCES[action] ?? everything };
    } else if (target.startsWith(STEPWISE_TARGET_PREFIX)) {
      // Stepwise's own actions are signed as Step Functions calls (the console and CLI use one client).
      services = ['states', 'stepwise'];
      const action = target.slice(STEPWISE_TARGET_PREFIX.length);
      // GetCallerIdentity and SimulatePolicy need only a valid signature, as sts:GetCallerIdentity
      // does: they tell the caller about its own key, which trying each action would tell it anyway.
      if (/^[A-Za-z]{1,64}$/.test(action) && !SELF_ACTIONS.has(action)) permission = { action: `stepwise:${action}`, resources: action === 'DescribeExecutionOrigin' ? member('executionArn') : everything };
    } else {
      const action = actionOf(target.startsWith(TARGET_PREFIX) ? target : undefined);
      if (action !== undefined) permission = { action: `states:${action}`, resources: STATES_RESOURCES[action] ?? everything };
    }
    // An action the service does not have is answered by the service (UnknownOperationException), once authenticated.
    return this.gate(req, requestId, protocol, services, permission);
  }

  /** A Scheduler REST route, once the router has matched it (`scheduler:<Action>`). */
  scheduler(req: IncomingMessage, requestId: string, route: { readonly action: string; readonly label?: string; readonly query: URLSearchParams }): Gate {
    const resources = schedulerResources(route, this.arns);
    return this.gate(req, requestId, 'rest', ['scheduler'], { action: `scheduler:${route.action}`, resources });
  }

  /**
   * What `executionArn` may call as its role (the execution's `roleArn`, else its state
   * machine's): undefined when allowed, else the AccessDeniedException to fail the task with.
   * `input` holds the API's members (either case: `StateMachineArn` or `stateMachineArn`).
   */
  async authorizeExecution(executionArn: string, action: string, input: unknown): Promise<AwsError | undefined> {
    const body: Record<string, unknown> = {};
    if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
      for (const [key, value] of Object.entries(input)) body[key.charAt(0).toLowerCase() + key.slice(1)] = value;
    }
    return this.authorizeRole((await this.roleOf(executionArn)) ?? '', executionArn, action, body);
  }

  private async roleOf(executionArn: string): Promise<string | undefined> {
    const execution = await this.ctx.store.getExecution(executionArn);
    if (execution) return execution.roleArn;
    // An EXPRESS execution lives in memory only: its state machine's role.
    const [, partition, , region, account, , machine] = executionArn.split(':');
    return (await this.ctx.store.getStateMachine(`arn:${partition}:states:${region}:${account}:stateMachine:${machine}`))?.roleArn;
  }

  /**
   * What an execution's Task may call as its state machine's role: undefined when the role's
   * policies allow `action` (`states:StartExecution`) with these API members, else AccessDenied.
   */
  async authorizeRole(roleArn: string, callerExecutionArn: string, action: string, input: Body): Promise<AwsError | undefined> {
    const policies = this.keys.roles.get(roleArn) ?? [];
    const name = action.slice(action.indexOf(':') + 1);
    const resources = await (STATES_RESOURCES[name] ?? everything)(input, this.arns);
    // AWS names the session of a role Step Functions assumed: the execution's name stands in for it.
    const session = callerExecutionArn.split(':')[7] ?? 'execution';
    const account = roleArn.split(':')[4] ?? this.ctx.config.accountId;
    const principal = `arn:aws:sts::${account}:assumed-role/${roleArn.slice(roleArn.indexOf(':role/') + ':role/'.length).split('/').pop()}/${session}`;
    return denied(policies, principal, action, resources);
  }

  private gate(req: IncomingMessage, requestId: string, protocol: Protocol, services: string[], permission: { action: string; resources: Resources } | undefined): Gate {
    const keys = this.keys;
    const inspected = inspectRequest({ method: req.method ?? 'GET', url: signedUrl(req), headers: req.headers }, keys, { region: this.ctx.config.region, services }, this.ctx.clock.now());
    if (!inspected.ok) return { ok: false, response: failureResponse(protocol, inspected.failure, requestId) };
    const pending: PendingVerification = inspected.pending;
    return {
      ok: true,
      keyId: pending.key.accessKeyId,
      key: pending.key,
      complete: async (body) => {
        const failure = await verifySignature(pending, body);
        if (failure) return failureResponse(protocol, failure, requestId);
        if (!permission) return undefined;
        const resources = await permission.resources(parseBody(body), this.arns);
        const refusal = denied(pending.key.policies, `arn:aws:iam::${this.ctx.config.accountId}:user/${pending.key.name}`, permission.action, resources);
        return refusal ? errorAnswer(protocol, refusal, requestId) : undefined;
      },
    };
  }
}

/** AWS's AccessDeniedException for an identity policy that does not allow, or explicitly denies. */
function denied(policies: readonly Policy[], principal: string, action: string, resources: readonly string[]): AwsError | undefined {
  const { decision, resource } = evaluate(policies, action, resources);
  if (decision === 'allow') return undefined;
  const why = decision === 'explicit-deny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
  return new AwsError('AccessDeniedException', `User: ${principal} is not authorized to perform: ${action} on resource: ${resource.slice(0, 2048)} ${why}`, 400);
}

function failureResponse(protocol: Protocol, failure: AuthFailure, requestId: string): ApiResponse {
  return errorAnswer(protocol, new AwsError(failure.type, failure.message, 400), requestId);
}

function errorAnswer(protocol: Protocol, error: AwsError, requestId: string): ApiResponse {
  switch (protocol) {
    case 'rest':
      return restErrorResponse(new AwsError(error.type, error.message, 403), requestId);
    case 'json1.1':
      return {
        status: error.statusCode,
        body: JSON.stringify({ __type: `${CORAL}#${error.type}`, message: error.message }),
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': error.type },
      };
    default: {
      const response = errorResponse(new AwsError(`${CORAL}#${error.type}`, error.message, error.statusCode), requestId);
      return { ...response, headers: { ...response.headers, 'x-amzn-ErrorType': error.type } };
    }
  }
}

/** The body as JSON, or `{}` when it is not an object (the action answers its own SerializationException). */
function parseBody(body: Buffer): Body {
  if (body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : {};
  } catch {
    return {};
  }
}

// ------------------------------------------------------------------------------ resources

/**
 * Actions whose Resource is `*` in AWS's service authorisation reference (List*, Validate,
 * TestState), or a request whose resource member is missing: a statement must allow `*`.
 */
const everything: Resources = () => ['*'];

const text = (body: Body, name: string): string | undefined => (typeof body[name] === 'string' && (body[name] as string).length > 0 ? (body[name] as string) : undefined);
const member = (name: string): Resources => (body) => [text(body, name) ?? '*'];
const named = (kind: 'stateMachine' | 'activity'): Resources => (body, arns) => [text(body, 'name') !== undefined ? `${arns.states}:${kind}:${text(body, 'name')}` : '*'];

/**
 * Step Functions, by action: the ARN the request names, as AWS authorises it (an alias or
 * version ARN as given: AWS's policies on the unqualified ARN do not cover qualified ones).
 */
const STATES_RESOURCES: Readonly<Record<string, Resources>> = {
  CreateActivity: named('activity'),
  CreateStateMachine: named('stateMachine'),
  CreateStateMachineAlias: (body) => {
    const routing = Array.isArray(body.routingConfiguration) ? (body.routingConfiguration[0] as Body | undefined) : undefined;
    const version = routing && typeof routing === 'object' ? text(routing, 'stateMachineVersionArn') : undefined;
    const name = text(body, 'name');
    return [version !== undefined && name !== undefined ? `${version.slice(0, version.lastIndexOf(':'))}:${name}` : '*'];
  },
  DeleteActivity: member('activityArn'),
  DescribeActivity: member('activityArn'),
  GetActivityTask: member('activityArn'),
  DeleteStateMachine: member('stateMachineArn'),
  DescribeStateMachine: member('stateMachineArn'),
  UpdateStateMachine: member('stateMachineArn'),
  PublishStateMachineVersion: member('stateMachineArn'),
  ListStateMachineVersions: member('stateMachineArn'),
  ListStateMachineAliases: member('stateMachineArn'),
  StartExecution: member('stateMachineArn'),
  StartSyncExecution: member('stateMachineArn'),
  DeleteStateMachineAlias: member('stateMachineAliasArn'),
  DescribeStateMachineAlias: member('stateMachineAliasArn'),
  UpdateStateMachineAlias: member('stateMachineAliasArn'),
  DeleteStateMachineVersion: member('stateMachineVersionArn'),
  DescribeExecution: member('executionArn'),
  DescribeStateMachineForExecution: member('executionArn'),
  GetExecutionHistory: member('executionArn'),
  StopExecution: member('executionArn'),
  RedriveExecution: member('executionArn'),
  ListMapRuns: member('executionArn'),
  DescribeMapRun: member('mapRunArn'),
  UpdateMapRun: member('mapRunArn'),
  ListExecutions: (body) => [text(body, 'stateMachineArn') ?? text(body, 'mapRunArn') ?? '*'],
  ListTagsForResource: member('resourceArn'),
  TagResource: member('resourceArn'),
  UntagResource: member('resourceArn'),
  // A task token stands for its task: an activity's tasks are the activity's, a callback's are
  // its state machine's. A token Stepwise does not hold (answered InvalidToken) is checked on `*`.
  SendTaskSuccess: taskResource,
  SendTaskFailure: taskResource,
  SendTaskHeartbeat: taskResource,
};

async function taskResource(body: Body, arns: Arns): Promise<readonly string[]> {
  const token = text(body, 'taskToken');
  if (token === undefined || token.length > 2048) return ['*'];
  const task = await arns.ctx.store.getTask(token);
  if (!task) return ['*'];
  if (task.activityArn !== undefined) return [task.activityArn];
  const [, , , region, account, , machine] = task.executionArn.split(':');
  return [`arn:aws:states:${region}:${account}:stateMachine:${machine}`];
}

const ruleOf: Resources = (body, arns) => {
  const name = text(body, 'Name') ?? text(body, 'Rule');
  const bus = text(body, 'EventBusName');
  if (name === undefined) return ['*'];
  const [region, account] = arns.events.split(':').slice(3, 5) as [string, string];
  return [ruleArn(region, account, bus === undefined ? DEFAULT_BUS : busName(bus), name)];
};
const busOf = (value: string | undefined, arns: Arns) => (value?.startsWith('arn:') ? value : `${arns.events}:event-bus/${value ?? DEFAULT_BUS}`);

/** EventBridge, by action (rules `rule/[<bus>/]<name>`, buses `event-bus/<name>`; List* and tests `*`). */
const EVENTS_RESOURCES: Readonly<Record<string, Resources>> = {
  PutRule: ruleOf,
  DescribeRule: ruleOf,
  DeleteRule: ruleOf,
  EnableRule: ruleOf,
  DisableRule: ruleOf,
  PutTargets: ruleOf,
  RemoveTargets: ruleOf,
  ListTargetsByRule: ruleOf,
  DescribeEventBus: (body, arns) => [busOf(text(body, 'Name'), arns)],
  PutEvents: (body, arns) => {
    const entries = Array.isArray(body.Entries) ? body.Entries.slice(0, 10) : [];
    const buses = new Set(entries.map((entry) => busOf(entry !== null && typeof entry === 'object' ? text(entry as Body, 'EventBusName') : undefined, arns)));
    return buses.size > 0 ? [...buses] : [busOf(undefined, arns)];
  },
  // Their ARNs end in an id Stepwise draws when they are created: the name is what a policy can know.
  CreateConnection: (body, arns) => [text(body, 'Name') !== undefined ? `${arns.events}:connection/${text(body, 'Name')}` : '*'],
  DescribeConnection: (body, arns) => [text(body, 'Name') !== undefined ? `${arns.events}:connection/${text(body, 'Name')}` : '*'],
  DeleteConnection: (body, arns) => [text(body, 'Name') !== undefined ? `${arns.events}:connection/${text(body, 'Name')}` : '*'],
  CreateApiDestination: (body, arns) => [text(body, 'Name') !== undefined ? `${arns.events}:api-destination/${text(body, 'Name')}` : '*'],
  DescribeApiDestination: (body, arns) => [text(body, 'Name') !== undefined ? `${arns.events}:api-destination/${text(body, 'Name')}` : '*'],
  DeleteApiDestination: (body, arns) => [text(body, 'Name') !== undefined ? `${arns.events}:api-destination/${text(body, 'Name')}` : '*'],
};

/** EventBridge Scheduler (schedules `schedule/<group>/<name>`, groups `schedule-group/<name>`). */
function schedulerResources(route: { readonly action: string; readonly label?: string; readonly query: URLSearchParams }, arns: Arns): Resources {
  const label = route.label;
  switch (route.action) {
    case 'GetSchedule':
    case 'DeleteSchedule':
      return () => [label === undefined ? '*' : `${arns.scheduler}:schedule/${route.query.get('groupName') || 'default'}/${label}`];
    case 'CreateSchedule':
    case 'UpdateSchedule':
      return (body) => [label === undefined ? '*' : `${arns.scheduler}:schedule/${text(body, 'GroupName') ?? 'default'}/${label}`];
    case 'CreateScheduleGroup':
    case 'GetScheduleGroup':
    case 'DeleteScheduleGroup':
      return () => [label === undefined ? '*' : `${arns.scheduler}:schedule-group/${label}`];
    case 'ListTagsForResource':
    case 'TagResource':
    case 'UntagResource':
      return () => [label ?? '*'];
    default:
      return everything;
  }
}

/** The IAM action of a Scheduler route: its method and collection, as the router matches them. */
const SCHEDULER_ACTIONS: Readonly<Record<string, string>> = {
  'GET schedules': 'ListSchedules',
  'POST schedules/{}': 'CreateSchedule',
  'GET schedules/{}': 'GetSchedule',
  'PUT schedules/{}': 'UpdateSchedule',
  'DELETE schedules/{}': 'DeleteSchedule',
  'GET schedule-groups': 'ListScheduleGroups',
  'POST schedule-groups/{}': 'CreateScheduleGroup',
  'GET schedule-groups/{}': 'GetScheduleGroup',
  'DELETE schedule-groups/{}': 'DeleteScheduleGroup',
  'GET tags/{}': 'ListTagsForResource',
  'POST tags/{}': 'TagResource',
  'DELETE tags/{}': 'UntagResource',
};

export function schedulerActionName(method: string, url: string): string {
  const path = url.split('?')[0]!;
  const segments = path.split('/').slice(1);
  return SCHEDULER_ACTIONS[`${method} ${segments[0] ?? ''}${segments.length === 2 ? '/{}' : ''}`] ?? 'Unknown';
}

/**
 * Answers a request refused before its body was read, then closes the connection. The body is
 * read and discarded first (up to `limit` bytes or 5 seconds): a client still sending when the
 * socket closes would see a reset instead of the answer.
 */
export function answerUnread(req: IncomingMessage, res: ServerResponse, response: ApiResponse, limit: number): void {
  let received = 0;
  let answered = false;
  const answer = () => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    req.off('data', count);
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(response.status, { ...response.headers, 'Content-Length': Buffer.byteLength(response.body), Connection: 'close' });
      res.end(response.body);
    }
    res.on('finish', () => req.socket.destroy());
  };
  const count = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limit) answer();
  };
  const timer = setTimeout(answer, 5000);
  if (req.complete || req.readableEnded) return answer();
  req.on('data', count);
  req.once('end', answer);
  req.once('error', answer);
  req.resume();
}
