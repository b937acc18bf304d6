/**
 * Request validation the way AWS's request framework (Coral) does it, before an operation runs:
 *
 * 1. Deserialisation: a member of the wrong JSON type is a `SerializationException` (JSON
 *    `null` counts as absent; unknown members are ignored).
 * 2. Model constraints (required, length, range, enum, pattern), all reported at once in one
 *    `ValidationException`: "2 validation errors detected: Value 'x' at 'name' failed to satisfy
 *    constraint: Member must …; Value …". Sensitive members never echo their value
 *    ("Value at 'input' failed …").
 *
 * Operations describe their input with the shapes below (transcribed from the service model)
 * and get back a plain object holding only the members that were present.
 */
import { ConstraintViolation, serialization } from './aws-errors.js';

export type Shape = StringShape | BooleanShape | NumberShape | ListShape | StructureShape | MapShape;

export interface StringShape {
  readonly kind: 'string';
  readonly min?: number;
  readonly max?: number;
  /** A limit on the UTF-8 size, reported as AWS does for payloads ("size … bytes in UTF-8 encoding"). */
  readonly maxBytes?: number;
  readonly pattern?: RegExp;
  /** The pattern as the service model spells it (quoted in the message). */
  readonly patternText?: string;
  readonly enum?: readonly string[];
  readonly sensitive?: boolean;
}
export interface BooleanShape {
  readonly kind: 'boolean';
}
export interface NumberShape {
  readonly kind: 'integer' | 'float';
  readonly min?: number;
  readonly max?: number;
}
export interface ListShape {
  readonly kind: 'list';
  readonly member: Shape;
  readonly min?: number;
  readonly max?: number;
}
export interface MapShape {
  readonly kind: 'map';
  readonly value: Shape;
}
export interface StructureShape {
  readonly kind: 'structure';
  /** The model's name for the structure (Java's toString shows it in list values). */
  readonly name: string;
  readonly members: Readonly<Record<string, Shape>>;
  readonly required?: readonly string[];
}

// ------------------------------------------------------------------------------ shape helpers

export const str = (options: Omit<StringShape, 'kind'> = {}): StringShape => ({ kind: 'string', ...options });
export const bool: BooleanShape = { kind: 'boolean' };
export const int = (options: Omit<NumberShape, 'kind'> = {}): NumberShape => ({ kind: 'integer', ...options });
export const float = (options: Omit<NumberShape, 'kind'> = {}): NumberShape => ({ kind: 'float', ...options });
export const list = (member: Shape, options: Omit<ListShape, 'kind' | 'member'> = {}): ListShape => ({ kind: 'list', member, ...options });
export const struct = (name: string, members: Record<string, Shape>, required: readonly string[] = []): StructureShape => ({ kind: 'structure', name, members, required });

/** The service model's common shapes. */
export const shapes = {
  Arn: str({ min: 1, max: 256 }),
  LongArn: str({ min: 1, max: 2000 }),
  Name: str({ min: 1, max: 80 }),
  Definition: str({ min: 1, max: 1_048_576, sensitive: true }),
  SensitiveError: str({ min: 0, max: 256, sensitive: true }),
  SensitiveCause: str({ min: 0, max: 32_768, sensitive: true }),
  VersionDescription: str({ max: 256, sensitive: true }),
  AliasDescription: str({ max: 256, sensitive: true }),
  TaskToken: str({ min: 1, max: 2048 }),
  PageToken: str({ min: 1, max: 1024 }),
  ListExecutionsPageToken: str({ min: 1, max: 3096 }),
  PageSize: int({ min: 0, max: 1000 }),
  TraceHeader: str({ min: 0, max: 256, pattern: /^[\x00-\x7f]*$/, patternText: '\\p{ASCII}*' }),
  StateMachineType: str({ enum: ['STANDARD', 'EXPRESS'] }),
  ExecutionStatus: str({ enum: ['SUCCEEDED', 'TIMED_OUT', 'PENDING_REDRIVE', 'ABORTED', 'FAILED', 'RUNNING'] }),
  ExecutionRedriveFilter: str({ enum: ['REDRIVEN', 'NOT_REDRIVEN'] }),
  IncludedData: str({ enum: ['ALL_DATA', 'METADATA_ONLY'] }),
  RevisionId: str(),
  CharacterRestrictedName: str({ min: 1, max: 80, pattern: /^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]+$/, patternText: '^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$' }),
  ClientToken: str({ min: 1, max: 64, pattern: /^[!-~]+$/, patternText: '[!-~]+' }),
} as const;

/** The member shape of a payload field (execution input, task output) with a byte limit. */
export function payload(maxBytes: number): StringShape {
  return { kind: 'string', maxBytes, sensitive: true };
}

export const TagShape = struct('Tag', { key: str({ min: 1, max: 128 }), value: str({ min: 0, max: 256 }) });
export const TagListShape = list(TagShape);
export const TagKeyListShape = list(str({ min: 1, max: 128 }));

export const LoggingConfigurationShape = struct('LoggingConfiguration', {
  level: str({ enum: ['ALL', 'ERROR', 'FATAL', 'OFF'] }),
  includeExecutionData: bool,
  destinations: list(struct('LogDestination', { cloudWatchLogsLogGroup: struct('CloudWatchLogsLogGroup', { logGroupArn: shapes.Arn }) })),
});
export const TracingConfigurationShape = struct('TracingConfiguration', { enabled: bool });
export const EncryptionConfigurationShape = struct(
  'EncryptionConfiguration',
  {
    kmsKeyId: str({ min: 1, max: 2048 }),
    kmsDataKeyReusePeriodSeconds: int({ min: 60, max: 900 }),
    type: str({ enum: ['AWS_OWNED_KEY', 'CUSTOMER_MANAGED_KMS_KEY'] }),
  },
  ['type'],
);
export const RoutingConfigurationShape = list(
  struct('RoutingConfigurationListItem', { stateMachineVersionArn: shapes.Arn, weight: int({ min: 0, max: 100 }) }, ['stateMachineVersionArn', 'weight']),
  { min: 1, max: 2 },
);

// ------------------------------------------------------------------------------ validation

/**
 * Checks `body` against `shape` and returns the members present (nulls dropped). Throws
 * SerializationException or ValidationException as AWS does.
 */
export function readInput<T = Record<string, unknown>>(body: Record<string, unknown>, shape: StructureShape): T {
  const value = deserialize(body, shape) as Record<string, unknown>;
  const violations: string[] = [];
  checkStructure(value, shape, '', violations);
  if (violations.length > 0) {
    const noun = violations.length === 1 ? 'error' : 'errors';
    throw new ConstraintViolation(`${violations.length} validation ${noun} detected: ${violations.join('; ')}`);
  }
  return value as T;
}

function token(value: unknown): string {
  if (typeof value === 'number') return 'NUMBER_VALUE';
  if (typeof value === 'string') return 'STRING_VALUE';
  if (typeof value === 'boolean') return value ? 'TRUE_VALUE' : 'FALSE_VALUE';
  return 'VALUE';
}

function mismatch(value: unknown, target: string): never {
  if (Array.isArray(value)) throw serialization('Start of list found where not expected');
  if (value !== null && typeof value === 'object') throw serialization('Start of structure or map found where not expected.');
  throw serialization(`${token(value)} cannot be converted to ${target}`);
}

function deserialize(value: unknown, shape: Shape): unknown {
  switch (shape.kind) {
    case 'string':
      return typeof value === 'string' ? value : mismatch(value, 'String');
    case 'boolean':
      return typeof value === 'boolean' ? value : mismatch(value, 'Boolean');
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value)) return mismatch(value, 'Integer');
      return Math.trunc(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? value : mismatch(value, 'Float');
    case 'list':
      if (!Array.isArray(value)) return mismatch(value, 'List');
      return value.map((item) => (item === null ? null : deserialize(item, shape.member)));
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return mismatch(value, 'Map');
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = deserialize(v, shape.value);
      return out;
    }
    case 'structure': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return mismatch(value, shape.name);
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        const v = (value as Record<string, unknown>)[name];
        if (v !== null && v !== undefined) out[name] = deserialize(v, member);
      }
      return out;
    }
  }
}

function at(base: string, name: string): string {
  return base === '' ? name : `${base}.${name}`;
}

/** How Java prints a value in a constraint message (structures as `Name(k=v, …)`). */
export function render(value: unknown, shape: Shape): string {
  if (value === null || value === undefined) return 'null';
  if (shape.kind === 'list' && Array.isArray(value)) return `[${value.map((v) => render(v, shape.member)).join(', ')}]`;
  if (shape.kind === 'structure' && typeof value === 'object') {
    const parts = Object.entries(shape.members)
      .filter(([k]) => (value as Record<string, unknown>)[k] !== undefined)
      .map(([k, s]) => `${k}=${render((value as Record<string, unknown>)[k], s)}`);
    return `${shape.name}(${parts.join(', ')})`;
  }
  if (shape.kind === 'map' && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${render(v, shape.value)}`).join(', ')}}`;
  }
  return String(value);
}

function violation(value: unknown, shape: Shape, path: string, constraint: string): string {
  const sensitive = shape.kind === 'string' && shape.sensitive === true;
  const shown = sensitive ? 'Value' : value === undefined || value === null ? 'Value null' : `Value '${render(value, shape)}'`;
  return `${shown} at '${path}' failed to satisfy constraint: ${constraint}`;
}

function checkStructure(value: Record<string, unknown>, shape: StructureShape, path: string, out: string[]): void {
  for (const [name, member] of Object.entries(shape.members)) {
    const v = value[name];
    const memberPath = at(path, name);
    if (v === undefined) {
      if (shape.required?.includes(name)) out.push(violation(undefined, member, memberPath, 'Member must not be null'));
      continue;
    }
    checkValue(v, member, memberPath, out);
  }
}

function checkValue(value: unknown, shape: Shape, path: string, out: string[]): void {
  switch (shape.kind) {
    case 'string': {
      const s = value as string;
      if (shape.maxBytes !== undefined && Buffer.byteLength(s, 'utf8') > shape.maxBytes) {
        out.push(violation(s, shape, path, `Member must have size less than or equal to ${shape.maxBytes} bytes in UTF-8 encoding`));
      } else if (shape.max !== undefined && s.length > shape.max) {
        out.push(violation(s, shape, path, `Member must have length less than or equal to ${shape.max}`));
      } else if (shape.min !== undefined && s.length < shape.min) {
        out.push(violation(s, shape, path, `Member must have length greater than or equal to ${shape.min}`));
      } else if (shape.enum && !shape.enum.includes(s)) {
        out.push(violation(s, shape, path, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`));
      } else if (shape.pattern && !shape.pattern.test(s)) {
        out.push(violation(s, shape, path, `Member must satisfy regular expression pattern: ${shape.patternText ?? shape.pattern.source}`));
      }
      return;
    }
    case 'integer':
    case 'float': {
      const n = value as number;
      if (shape.max !== undefined && n > shape.max) out.push(violation(n, shape, path, `Member must have value less than or equal to ${shape.max}`));
      else if (shape.min !== undefined && n < shape.min) out.push(violation(n, shape, path, `Member must have value greater than or equal to ${shape.min}`));
      return;
    }
    case 'list': {
      const items = value as unknown[];
      if (shape.max !== undefined && items.length > shape.max) {
        out.push(violation(items, shape, path, `Member must have length less than or equal to ${shape.max}`));
      } else if (shape.min !== undefined && items.length < shape.min) {
        out.push(violation(items, shape, path, `Member must have length greater than or equal to ${shape.min}`));
      }
      items.forEach((item, i) => {
        const itemPath = `${path}.${i + 1}.member`;
        if (item === null) out.push(violation(null, shape.member, itemPath, 'Member must not be null'));
        else checkValue(item, shape.member, itemPath, out);
      });
      return;
    }
    case 'map':
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) checkValue(v, shape.value, `${path}.${k}`, out);
      return;
    case 'structure':
      checkStructure(value as Record<string, unknown>, shape, path, out);
      return;
    case 'boolean':
      return;
  }
}
