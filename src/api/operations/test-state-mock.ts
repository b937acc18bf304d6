/**
 * TestState's `mock`: the checks AWS makes of it before the state runs.
 *
 * AWS's answers (recorded Nov 2025 - Feb 2026, LocalStack's test_state_mock_validation and
 * test_field_validation_mode snapshots; https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html):
 * - exactly one of `result` and `errorOutput` ("A test mock should have only one of the
 *   following fields: [result, errorOutput].");
 * - no `revealSecrets` with a mock;
 * - Pass, Fail and Succeed take no mock ("State type 'Pass' is not supported when a mock is
 *   specified"); Choice and Wait are refused the same way here (AWS's answer is not recorded:
 *   there is nothing a mock could answer in them);
 * - a Map's mocked result is an array (an object with a ResultWriter), a Parallel's an array
 *   with one element per branch;
 * - `fieldValidationMode` (default STRICT) checks a service integration's mocked result against
 *   the API's output model: "Mock result schema validation error: Field 'Entries' must be an
 *   array", "… Required field 'ExecutionArn' is missing", "… Field 'StorageClass' is not an
 *   expected value". Fields the model does not have are accepted in every mode.
 *
 * The models here are those of the AWS SDK for JavaScript's client packages, which carry member
 * types but neither `required` nor enums nor length and range constraints for outputs: STRICT is
 * therefore checked as PRESENT is (the types of the fields present), and enum, length and range
 * violations pass. Services whose client package is not installed are not checked. As AWS
 * documents, HTTP, API Gateway and EKS results are not checked; nor are `.sync` results (AWS
 * checks them against the polling API's model, e.g. DescribeExecution, which is not modelled
 * here), callback results (whatever SendTaskSuccess sends) or a Lambda function ARN's result.
 */
import { parseJsonText } from '../../asl/validate/json-text.js';
import { classifyResource } from '../../engine/resources.js';
import { commandShapes } from '../../integrations/aws-call.js';
import { loadClientPackage, MissingClientPackage } from '../../integrations/aws-clients.js';
import { packageFor } from '../../integrations/aws-sdk.js';
import type { Shape } from '../../integrations/aws-shapes.js';
import { validation } from '../aws-errors.js';

type Json = Record<string, unknown>;

export interface MockInput {
  result?: string;
  errorOutput?: { error?: string; cause?: string };
  fieldValidationMode?: 'STRICT' | 'PRESENT' | 'NONE';
}

/** What a mock answers: a result, or an error. */
export type MockAnswer = { readonly result: unknown } | { readonly error: string; readonly cause: string };

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** States with nothing a mock could answer. */
const UNMOCKABLE = new Set(['Pass', 'Fail', 'Succeed', 'Choice', 'Wait']);

/** The mock's answer, after AWS's checks that need only the request and the state. */
export function mockAnswer(mock: MockInput, state: Json, revealSecrets: boolean | undefined): MockAnswer {
  if ((mock.result === undefined) === (mock.errorOutput === undefined)) {
    throw validation('A test mock should have only one of the following fields: [result, errorOutput].');
  }
  if (revealSecrets === true) throw validation('TestState does not support RevealSecrets when a mock is specified.');
  if (typeof state.Type === 'string' && UNMOCKABLE.has(state.Type)) throw validation(`State type '${state.Type}' is not supported when a mock is specified`);
  if (mock.errorOutput !== undefined) {
    // Both members are optional in AWS's model; a missing name is States.TaskFailed (our choice).
    return { error: mock.errorOutput.error ?? 'States.TaskFailed', cause: mock.errorOutput.cause ?? '' };
  }
  const parsed = parseJsonText(mock.result!);
  // AWS: the result must be JSON even with fieldValidationMode NONE; its message is not recorded.
  if (!parsed.ok) throw validation('Mocked result must be valid JSON');
  const result = parsed.value;
  if (state.Type === 'Map') {
    if (state.ResultWriter !== undefined) {
      if (!isObject(result)) throw validation('Mocked result must be a JSON object.');
    } else if (!Array.isArray(result)) throw validation('Mocked result must be an array.');
  }
  if (state.Type === 'Parallel') {
    if (!Array.isArray(result)) throw validation('Mocked result must be an array.');
    const branches = Array.isArray(state.Branches) ? state.Branches.length : 0;
    if (result.length !== branches) throw validation('Mocked result must contain the same number of items as number of Parallel branches.');
  }
  return { result };
}

/** The SDK operation whose output a Task's result is, for the integrations whose result it is. */
function modelledOperation(resourceArn: unknown): { packageName: string; action: string } | undefined {
  if (typeof resourceArn !== 'string') return undefined;
  const resource = classifyResource(resourceArn);
  if (resource.kind !== 'service' || resource.pattern !== 'request-response') return undefined;
  const { service, action } = resource;
  if (service.startsWith('aws-sdk:')) return { packageName: packageFor(service.slice('aws-sdk:'.length)), action };
  const optimized: Readonly<Record<string, string>> = {
    lambda: '@aws-sdk/client-lambda',
    dynamodb: '@aws-sdk/client-dynamodb',
    sqs: '@aws-sdk/client-sqs',
    sns: '@aws-sdk/client-sns',
    events: '@aws-sdk/client-eventbridge',
    states: '@aws-sdk/client-sfn',
    s3: '@aws-sdk/client-s3',
  };
  const packageName = optimized[service];
  return packageName !== undefined ? { packageName, action } : undefined;
}

/** NormalizedSchema's members used here beyond aws-shapes.ts's Shape. */
interface ModelShape extends Shape {
  isDocumentSchema(): boolean;
  isUnitSchema(): boolean;
  isBigIntegerSchema(): boolean;
  isBigDecimalSchema(): boolean;
}

/**
 * Checks a Task's mocked result against its API's output model (see the module's comment for
 * what is and is not checked). Resolves when it passes or nothing models it.
 */
export async function checkMockedResult(state: Json, result: unknown, mode: MockInput['fieldValidationMode']): Promise<void> {
  if (mode === 'NONE' || state.Type !== 'Task') return;
  const operation = modelledOperation(state.Resource);
  if (!operation) return;
  let module: Record<string, unknown>;
  try {
    module = await loadClientPackage(operation.packageName);
  } catch (e) {
    if (e instanceof MissingClientPackage) return;
    throw e;
  }
  const wanted = `${operation.action}Command`.toLowerCase();
  const name = Object.keys(module).find((key) => key.toLowerCase() === wanted);
  const Command = name !== undefined ? module[name] : undefined;
  if (typeof Command !== 'function') return;
  const output = commandShapes(operation.packageName, Command as new (input: unknown) => unknown).output as ModelShape | undefined;
  if (!output || output.isUnitSchema()) return;
  if (!isObject(result)) throw schemaError('Mock result must be a JSON object');
  checkValue(result, output, undefined);
}

function schemaError(detail: string) {
  return validation(`Mock result schema validation error: ${detail}`);
}

/** A member's name in a state machine: PascalCase; `Equals` is `EqualsValue` (aws-shapes.ts). */
function stateMachineName(member: string): string {
  if (member.toLowerCase() === 'equals') return 'EqualsValue';
  return member.charAt(0).toUpperCase() + member.slice(1);
}

function mustBe(field: string | undefined, what: string): never {
  throw schemaError(`Field '${field ?? 'result'}' must be ${what}`);
}

function checkValue(value: unknown, shape: ModelShape, field: string | undefined): void {
  if (shape.isDocumentSchema() || shape.isUnitSchema()) return;
  if (shape.isStructSchema()) {
    if (!isObject(value)) mustBe(field, 'an object');
    const members = shape.getMemberSchemas() as Record<string, ModelShape>;
    const byName = new Map(Object.entries(members).map(([member, memberShape]) => [stateMachineName(member), memberShape] as const));
    for (const [key, member] of Object.entries(value)) {
      const memberShape = byName.get(key);
      // Fields the model does not have pass in every mode (AWS: "forward compatibility").
      if (memberShape !== undefined) checkValue(member, memberShape, key);
    }
    return;
  }
  if (shape.isListSchema()) {
    if (!Array.isArray(value)) mustBe(field, 'an array');
    for (const item of value) checkValue(item, shape.getValueSchema() as ModelShape, field);
    return;
  }
  if (shape.isMapSchema()) {
    if (!isObject(value)) mustBe(field, 'an object');
    for (const item of Object.values(value)) checkValue(item, shape.getValueSchema() as ModelShape, field);
    return;
  }
  if (shape.isBlobSchema()) {
    // A payload (Lambda Invoke's Payload) is the JSON it carries, as Step Functions gives it;
    // any other blob is base64 text.
    const payload = shape.isStreaming() || shape.getMergedTraits().httpPayload !== undefined;
    if (!payload && typeof value !== 'string') mustBe(field, 'a string');
    return;
  }
  if (shape.isStringSchema() || shape.isTimestampSchema()) {
    if (typeof value !== 'string') mustBe(field, 'a string');
    return;
  }
  if (shape.isNumericSchema() || shape.isBigIntegerSchema() || shape.isBigDecimalSchema()) {
    if (typeof value !== 'number') mustBe(field, 'a number');
    return;
  }
  if (shape.isBooleanSchema() && typeof value !== 'boolean') mustBe(field, 'a boolean');
}
