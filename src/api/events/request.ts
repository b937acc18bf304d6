/**
 * What every AWSEvents action shares: its error (`__type` and message, as EventBridge answers),
 * the request's members read with EventBridge's constraints, and the context an action gets.
 * Validation messages follow AWS's generated form ("1 validation error detected: Value … at
 * '…' failed to satisfy constraint: …"); member names in them are lower camel case, as AWS's are.
 */
import type { ApiContext } from '../context.js';
import type { EventBus } from '../../runtime/event-bus.js';
import { InvalidPageToken } from '../../store/errors.js';

export class EventsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** What an action is given: the API context, and the bus (absent where only TestEventPattern is served). */
export interface EventsContext {
  readonly ctx: ApiContext;
  readonly bus: EventBus;
}

export type Request = Readonly<Record<string, unknown>>;

/** EventBridge's name pattern for rules, targets, connections and API destinations. */
export const NAME = /^[.\-_A-Za-z0-9]+$/;
/** EventBusName: a name or an event bus ARN. */
export const BUS_NAME = /^(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/.\-_A-Za-z0-9]+$/;

function member(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function validation(message: string): EventsError {
  return new EventsError('ValidationException', message);
}

function constraint(value: unknown, name: string, rule: string): EventsError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return validation(`1 validation error detected: Value '${shown}' at '${member(name)}' failed to satisfy constraint: ${rule}`);
}

export interface StringRule {
  readonly min?: number;
  readonly max: number;
  readonly pattern?: RegExp;
}

export function optionalString(request: Request, name: string, rule: StringRule): string | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new EventsError('SerializationException', `${name} must be a string.`);
  if (value.length < (rule.min ?? 0)) throw constraint(value, name, `Member must have length greater than or equal to ${rule.min}`);
  if (value.length > rule.max) throw constraint(value.slice(0, 100), name, `Member must have length less than or equal to ${rule.max}`);
  if (rule.pattern && !rule.pattern.test(value)) throw constraint(value, name, `Member must satisfy regular expression pattern: ${rule.pattern.source.replace(/^\^|\$$/g, '')}`);
  return value;
}

export function requiredString(request: Request, name: string, rule: StringRule): string {
  const value = optionalString(request, name, rule);
  if (value === undefined) throw validation(`1 validation error detected: Value null at '${member(name)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

export function optionalInteger(request: Request, name: string, min: number, max: number): number | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new EventsError('SerializationException', `${name} must be an integer.`);
  if (value < min) throw constraint(value, name, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw constraint(value, name, `Member must have value less than or equal to ${max}`);
  return value;
}

export function requiredList(request: Request, name: string, min: number, max: number): readonly unknown[] {
  const value = request[name];
  if (value === undefined || value === null) throw validation(`1 validation error detected: Value null at '${member(name)}' failed to satisfy constraint: Member must not be null`);
  if (!Array.isArray(value)) throw new EventsError('SerializationException', `${name} must be a list.`);
  if (value.length < min) throw constraint(value, name, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw validation(`1 validation error detected: Value '[…]' at '${member(name)}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  return value;
}

/** Limit (1..100) and NextToken of a listing; a token from elsewhere is refused as AWS does. */
export function pageOf(request: Request, defaultLimit = 100): { limit: number; nextToken?: string } {
  const limit = optionalInteger(request, 'Limit', 1, 100) ?? defaultLimit;
  const nextToken = optionalString(request, 'NextToken', { min: 1, max: 2048 });
  return { limit, ...(nextToken !== undefined ? { nextToken } : {}) };
}

/** Runs a store listing, turning a foreign page token into AWS's answer for it. */
export async function listing<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof InvalidPageToken) throw validation('The NextToken provided is invalid.');
    throw e;
  }
}

/** Epoch seconds, as AWS JSON 1.1 carries timestamps. */
export function seconds(ms: number): number {
  return ms / 1000;
}
