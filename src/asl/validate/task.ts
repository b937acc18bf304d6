/**
 * Task states: the Resource to call, its timeouts and the credentials to call it with.
 */
import { checkNumberField, checkReferencePath, checkStringField, stateUses } from './common.js';
import type { StateContext } from './context.js';
import { at, messages } from './diagnostics.js';
import { checkDynamicValue } from './payload.js';
import { checkAllowedFields, checkExclusive, checkRequired, checkType, has, isInteger, isObject } from './values.js';

const MAX_TIMEOUT_SECONDS = 99999999;

export function checkTask(sc: StateContext): void {
  const { diagnostics: d, state, location } = sc;
  if (checkRequired(d, state, ['Resource'], location)) checkResource(sc, state.Resource, at(location, 'Resource'));

  for (const field of ['TimeoutSeconds', 'HeartbeatSeconds']) {
    if (sc.language === 'JSONPath') checkExclusive(d, state, [field, `${field}Path`], location);
    if (stateUses(sc, field)) checkNumberField(sc, state, field, location, { min: 1, max: MAX_TIMEOUT_SECONDS }, true);
    if (stateUses(sc, `${field}Path`)) checkReferencePath(d, state[`${field}Path`], at(location, `${field}Path`));
  }
  // Compared only when both are valid on their own, so that one mistake is reported once.
  const { TimeoutSeconds: timeout, HeartbeatSeconds: heartbeat } = state;
  if (inRange(timeout) && inRange(heartbeat) && heartbeat >= timeout) {
    d.schema(messages.heartbeatNotBelowTimeout, at(location, 'HeartbeatSeconds'));
  }

  if (stateUses(sc, 'Credentials')) checkCredentials(sc, state.Credentials, at(location, 'Credentials'));
}

function inRange(seconds: unknown): seconds is number {
  return isInteger(seconds) && seconds >= 1 && seconds <= MAX_TIMEOUT_SECONDS;
}

/** Resource names an integration or a Lambda/activity ARN; AWS only takes ARNs it knows. */
function checkResource(sc: StateContext, value: unknown, location: string): void {
  const d = sc.diagnostics;
  if (!checkType(d, value, 'STRING', location)) return;
  const resource = value as string;
  if (!sc.machine.options.allowUnknownResources) {
    const problem = resourceProblem(resource);
    if (problem === 'not-arn') d.schema(messages.invalidResourceArn, location);
    else if (problem === 'unknown') d.schema(messages.unrecognisedResource(resource), location);
  }
  if (sc.machine.options.stateMachineType === 'EXPRESS') {
    const pattern = integrationPattern(resource);
    if (pattern !== undefined) d.schema(messages.expressIntegration(pattern), location);
  }
}

/**
 * `arn:partition:service:region:account:resource`. Step Functions' own integrations
 * (`arn:aws:states:::lambda:invoke`, `arn:aws:states:::aws-sdk:s3:getObject.waitForTaskToken`)
 * have no region nor account and name a service and an action.
 */
function resourceProblem(resource: string): 'not-arn' | 'unknown' | undefined {
  const parts = resource.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[1] === '' || parts[2] === '' || parts.slice(5).join(':') === '') {
    return 'not-arn';
  }
  if (parts[2] === 'states' && parts[3] === '' && parts[4] === '') {
    const [service, action] = [parts[5], parts.slice(6).join(':')];
    if (!/^[a-z0-9-]+$/.test(service!) || !/^[A-Za-z0-9_.:-]+$/.test(action)) return 'unknown';
  }
  return undefined;
}

/** The integration pattern suffix of a Resource, if it is one an Express machine refuses. */
function integrationPattern(resource: string): string | undefined {
  if (/\.sync(:\d+)?$/.test(resource)) return '.sync';
  if (resource.endsWith('.waitForTaskToken')) return '.waitForTaskToken';
  return undefined;
}

/** Credentials: the role to assume, as `RoleArn` or (JSONPath) `RoleArn.$`. */
function checkCredentials(sc: StateContext, value: unknown, location: string): void {
  const d = sc.diagnostics;
  if (!checkType(d, value, 'OBJECT', location) || !isObject(value)) return;
  const allowed = sc.language === 'JSONPath' ? ['RoleArn', 'RoleArn.$'] : ['RoleArn'];
  checkAllowedFields(d, value, new Set(allowed), location);
  const present = checkExclusive(d, value, allowed, location);
  if (!allowed.some((field) => has(value, field))) d.schema(messages.requiredButMissing('RoleArn'), location);
  if (present === 'RoleArn') checkStringField(sc, value, 'RoleArn', location);
  if (present === 'RoleArn.$') checkDynamicValue(d, 'RoleArn.$', value['RoleArn.$'], at(location, 'RoleArn.$'));
}
