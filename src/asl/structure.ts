/**
 * The shape of a definition, as its states and the transitions between them: what the console
 * draws, what coverage counts and what the testing API checks names against. It reads any
 * value (a definition being typed in the console may be half-written) and skips what it cannot
 * read; validation (validate.ts) is what says why.
 */
import { escapePointerToken } from './json-positions.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One state wherever it sits: at the top, in a Parallel branch or in a Map's ItemProcessor. */
export interface StateEntry {
  readonly name: string;
  /** The state's object in the definition. */
  readonly state: Json;
  /** `Type`, or 'Unknown' when it has none. */
  readonly type: string;
  /** JSON pointer to the state, e.g. `/States/Fan out/Branches/0/States/Check`. */
  readonly pointer: string;
  /** The Parallel or Map state the state's workflow belongs to; undefined at the top. */
  readonly parent?: string;
  /** The Parallel branch (0-based) the state is in. */
  readonly branch?: number;
}

export type TransitionKind = 'start' | 'next' | 'choice' | 'default' | 'catch' | 'end';

/** A way out of a state (or into a workflow's StartAt: kind 'start', `from` undefined). */
export interface Transition {
  readonly from?: string;
  /** The state it leads to; undefined for 'end' (the workflow ends there). */
  readonly to?: string;
  readonly kind: TransitionKind;
  /** For 'choice': the rule's index in Choices; for 'catch': the Catcher's index in Catch. */
  readonly index?: number;
  /** For 'catch': the Catcher's ErrorEquals. */
  readonly errors?: readonly string[];
}

/** Every state of the definition, nested ones included, in document order. */
export function statesOf(definition: unknown): StateEntry[] {
  const out: StateEntry[] = [];
  if (isObject(definition)) collect(definition, '', undefined, undefined, out);
  return out;
}

function collect(workflow: Json, pointer: string, parent: string | undefined, branch: number | undefined, out: StateEntry[]): void {
  if (!isObject(workflow.States)) return;
  for (const [name, state] of Object.entries(workflow.States)) {
    if (!isObject(state)) continue;
    const at = `${pointer}/States/${escapePointerToken(name)}`;
    out.push({ name, state, type: typeof state.Type === 'string' ? state.Type : 'Unknown', pointer: at, ...(parent !== undefined ? { parent } : {}), ...(branch !== undefined ? { branch } : {}) });
    for (const [inner, index] of innerWorkflows(state)) collect(inner.workflow, `${at}${inner.path}`, name, index, out);
  }
}

/** A Map's ItemProcessor (or Iterator) and a Parallel's Branches, with their pointer suffixes. */
export function innerWorkflows(state: Json): Array<[{ workflow: Json; path: string }, number | undefined]> {
  if (state.Type === 'Map') {
    if (isObject(state.ItemProcessor)) return [[{ workflow: state.ItemProcessor, path: '/ItemProcessor' }, undefined]];
    if (isObject(state.Iterator)) return [[{ workflow: state.Iterator, path: '/Iterator' }, undefined]];
    return [];
  }
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
    const out: Array<[{ workflow: Json; path: string }, number | undefined]> = [];
    state.Branches.forEach((branch, index) => {
      if (isObject(branch)) out.push([{ workflow: branch, path: `/Branches/${index}` }, index]);
    });
    return out;
  }
  return [];
}

/** The ways out of one state: Next or End, each Choice rule and Default, each Catcher. */
export function transitionsOf(name: string, state: unknown): Transition[] {
  if (!isObject(state)) return [];
  const out: Transition[] = [];
  if (state.Type === 'Choice') {
    const choices = Array.isArray(state.Choices) ? state.Choices : [];
    choices.forEach((rule, index) => {
      if (isObject(rule) && typeof rule.Next === 'string') out.push({ from: name, to: rule.Next, kind: 'choice', index });
    });
    if (typeof state.Default === 'string') out.push({ from: name, to: state.Default, kind: 'default' });
  } else if (typeof state.Next === 'string') {
    out.push({ from: name, to: state.Next, kind: 'next' });
  } else if (state.End === true || state.Type === 'Succeed' || state.Type === 'Fail') {
    out.push({ from: name, kind: 'end' });
  }
  const catchers = Array.isArray(state.Catch) ? state.Catch : [];
  catchers.forEach((catcher, index) => {
    if (!isObject(catcher) || typeof catcher.Next !== 'string') return;
    const errors = Array.isArray(catcher.ErrorEquals) ? catcher.ErrorEquals.filter((e): e is string => typeof e === 'string') : [];
    out.push({ from: name, to: catcher.Next, kind: 'catch', index, errors });
  });
  return out;
}

/** Every Task state's Resource (and the state names using it), for checks on handler keys. */
export function resourcesOf(definition: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const entry of statesOf(definition)) {
    if (typeof entry.state.Resource !== 'string') continue;
    const names = out.get(entry.state.Resource) ?? [];
    names.push(entry.name);
    out.set(entry.state.Resource, names);
  }
  return out;
}
