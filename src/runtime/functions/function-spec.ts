/**
 * A function declaration (SAM's fields, src/config/types.ts) resolved once into what runs it,
 * with Lambda's defaults: Timeout 3 s, MemorySize 128 MB, and Stepwise's default of 10
 * executions at once. The configuration loader validates the values; they are clamped here
 * again so that no value can make a timer, a heap or a pool unbounded.
 */
import type { FunctionConfig } from '../../config/types.js';

interface Common {
  readonly name: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Most invocations at once (ReservedConcurrentExecutions); more wait in order. */
  readonly concurrency: number;
  readonly variables: Readonly<Record<string, string>>;
}

export interface CodeSpec extends Common {
  readonly kind: 'node' | 'python';
  readonly codeUri: string;
  readonly handler: string;
  /** As declared (`nodejs20.x`, `python3.12`): AWS_EXECUTION_ENV and version-specific behaviour. */
  readonly runtime: string;
}

export interface CommandSpec extends Common {
  readonly kind: 'command';
  readonly argv: readonly string[];
}

export interface UrlSpec extends Common {
  readonly kind: 'url';
  readonly url: string;
}

/** A declaration that cannot run; every invocation answers why. */
export interface UnrunnableSpec extends Common {
  readonly kind: 'unrunnable';
  readonly errorType: string;
  readonly reason: string;
}

export type FunctionSpec = CodeSpec | CommandSpec | UrlSpec | UnrunnableSpec;

export const DEFAULT_RUNTIME = 'nodejs20.x';

function clamp(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, value));
}

export function functionSpec(name: string, config: FunctionConfig): FunctionSpec {
  const common: Common = {
    name,
    // Lambda: 1…900 s (fractions are kept: the error message prints two decimals anyway).
    timeoutSeconds: clamp(config.Timeout, 3, 0.001, 900),
    memoryMb: Math.round(clamp(config.MemorySize, 128, 128, 10_240)),
    // 0 would throttle every call in Lambda; locally a function always gets at least one slot.
    concurrency: Math.round(clamp(config.ReservedConcurrentExecutions, 10, 1, 1_000)),
    variables: config.Environment?.Variables ?? {},
  };
  if (config.Command !== undefined) {
    if (config.Command.length === 0) return { ...common, kind: 'unrunnable', errorType: 'Runtime.InvalidEntrypoint', reason: `Function '${name}' has an empty Command.` };
    return { ...common, kind: 'command', argv: config.Command };
  }
  if (config.Url !== undefined) return { ...common, kind: 'url', url: config.Url };
  const runtime = config.Runtime ?? DEFAULT_RUNTIME;
  const kind = runtime.startsWith('nodejs') ? 'node' : runtime.startsWith('python3') ? 'python' : undefined;
  if (kind === undefined) {
    return { ...common, kind: 'unrunnable', errorType: 'Stepwise.UnsupportedRuntime', reason: `Runtime '${runtime}' of function '${name}' cannot run locally: use a nodejs*.x or python3.x runtime, a Command or a Url.` };
  }
  if (config.CodeUri === undefined || config.Handler === undefined) {
    return { ...common, kind: 'unrunnable', errorType: 'Runtime.InvalidEntrypoint', reason: `Function '${name}' needs CodeUri and Handler (or a Command or a Url).` };
  }
  return { ...common, kind, codeUri: config.CodeUri, handler: config.Handler, runtime };
}

/** The major version of a `nodejs<N>.x` runtime (NaN when it has none). */
export function nodeMajor(runtime: string): number {
  const match = /^nodejs(\d+)/.exec(runtime);
  return match ? Number(match[1]) : Number.NaN;
}
