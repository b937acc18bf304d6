/**
 * State machine coverage: which states, transitions, Choice rules and Catchers the runs of a
 * definition exercised, counted from the engine's history events. What exists comes from
 * asl/structure.ts (the same reading of a definition the console draws); what happened comes
 * from the `*StateEntered` / `*StateExited` events, grouped by the frame (root, Parallel branch,
 * Map iteration) that recorded them.
 *
 * Which way a state was left is read from its Exited event: the engine notes the Choice rule
 * (`choiceRule`, -1 for Default) and the Catcher (`catcher`) there, so two rules leading to the
 * same state still count apart. Events without those notes (a history recorded elsewhere) fall
 * back on the next state entered in the same frame.
 *
 * Distributed Map iterations run as child executions whose events are not in the parent's
 * history, so the states of a DISTRIBUTED ItemProcessor show as never entered.
 *
 * Pure: no IO. The text summary and the lcov report are strings for the caller to print or write.
 */
import type { EventDetails, HistoryEvent } from '../engine/events.js';
import { innerWorkflows, statesOf, transitionsOf, type StateEntry, type Transition } from '../asl/structure.js';
import { JsonPositions, lineAndColumn } from '../asl/json-positions.js';

/** The 1-based line of a JSON pointer into the definition, in the file lcov names (SF). */
export type LineLocator = (pointer: string) => number | undefined;

/** Where a definition comes from: how reports name it and where its lines are. */
export interface CoverageSource {
  /** How the text summary names the state machine; default: `file`, else 'state machine'. */
  readonly name?: string;
  /** The file lcov's `SF:` names. Runs added with the same file (or name) are counted together. */
  readonly file?: string;
  /** Lines of the definition's parts in `file`; without it every part is at line 1. */
  readonly lineOf?: LineLocator;
}

export interface StateCoverage {
  readonly name: string;
  readonly type: string;
  readonly pointer: string;
  /** The Parallel or Map state whose workflow the state is in; undefined at the top. */
  readonly parent?: string;
  readonly line: number;
  /** How many times the state was entered. */
  readonly hits: number;
}

export interface TransitionCoverage extends Transition {
  /** JSON pointer to where the transition is written (`/States/Check/Choices/1`, `/StartAt`). */
  readonly pointer: string;
  /** JSON pointer to the state it leaves; undefined for StartAt. */
  readonly fromPointer?: string;
  readonly line: number;
  readonly hits: number;
  /** A short description for people: `Check → Ship (Choices[0])`. */
  readonly label: string;
  /** How many times the state the transition leaves was entered (its lcov "block" ran). */
  readonly fromHits: number;
}

export interface CoverageCount {
  readonly covered: number;
  readonly total: number;
  /** 0–100, two decimals; 100 when there is nothing to cover (as Istanbul counts it). */
  readonly percent: number;
}

export interface CoverageTotals {
  readonly states: CoverageCount;
  readonly transitions: CoverageCount;
  readonly choiceRules: CoverageCount;
  readonly catchers: CoverageCount;
}

export interface MachineCoverage {
  readonly name: string;
  readonly file?: string;
  /** The runs (executions) counted. */
  readonly runs: number;
  readonly states: readonly StateCoverage[];
  /** Every transition: StartAt of each workflow, Next, End, Choice rules, Default, Catchers. */
  readonly transitions: readonly TransitionCoverage[];
  /** The Choice rules and Defaults (each a branch). */
  readonly choiceRules: readonly TransitionCoverage[];
  readonly catchers: readonly TransitionCoverage[];
  readonly totals: CoverageTotals;
}

export interface CoverageReport {
  readonly machines: readonly MachineCoverage[];
  /** Over every state machine. */
  readonly totals: CoverageTotals;
}

/** Collects runs of any number of definitions; `report()` may be called at any time. */
export class Coverage {
  private readonly machines = new Map<string, MachineTally>();

  /**
   * Counts one run (its history events, in order) of `definition`. Runs added under the same
   * source file (or name) add up; the definition of the first one is the one counted against.
   * An empty `events` registers the definition without counting a run, so a state machine no
   * test ran still shows as 0%.
   */
  add(definition: unknown, events: readonly HistoryEvent[], source: CoverageSource = {}): void {
    const key = source.file ?? source.name ?? 'state machine';
    let tally = this.machines.get(key);
    if (!tally) this.machines.set(key, (tally = new MachineTally(definition, source)));
    if (events.length > 0) tally.count(events);
  }

  report(): CoverageReport {
    const machines = [...this.machines.values()].map((tally) => tally.report());
    return { machines, totals: sumTotals(machines.map((m) => m.totals)) };
  }
}

/** Lines of a definition's parts in its JSON text; `base` is where the definition sits in it (e.g. `/definition`). */
export function jsonLineLocator(text: string, base = ''): LineLocator {
  const positions = new JsonPositions(text);
  return (pointer) => {
    const range = positions.locate(`${base}${pointer}`);
    return range ? lineAndColumn(text, range.from).line : undefined;
  };
}

// ------------------------------------------------------------------ counting

interface Workflow {
  readonly startAt: string | undefined;
  /** State name → index in MachineTally.states. */
  readonly states: Map<string, number>;
  /** Index of the StartAt transition in MachineTally.transitions. */
  startTransition?: number;
}

/** A state left in a way its Exited event does not say: the next state entered tells. */
interface PendingExit {
  readonly candidates: readonly number[];
}

/** Frame bookkeeping of one run. */
interface FrameState {
  readonly workflow: string;
  pending?: PendingExit;
  /** The last state left for another one: the next state entered is not a new start. */
  continuing: boolean;
}

const KIND_PREFERENCE: Record<Transition['kind'], number> = { next: 0, choice: 1, default: 2, catch: 3, end: 4, start: 5 };

class MachineTally {
  private readonly name: string;
  private readonly file: string | undefined;
  private readonly lineOf: LineLocator;
  private readonly states: StateEntry[];
  private readonly stateHits: number[];
  private readonly transitions: Array<Transition & { pointer: string; fromState?: number }> = [];
  private readonly transitionHits: number[] = [];
  /** Transition indexes leaving each state (by state index). */
  private readonly outgoing: number[][];
  private readonly workflows = new Map<string, Workflow>();
  private runs = 0;

  constructor(definition: unknown, source: CoverageSource) {
    this.name = source.name ?? source.file ?? 'state machine';
    this.file = source.file;
    this.lineOf = source.lineOf ?? (() => undefined);
    this.states = statesOf(definition);
    this.stateHits = this.states.map(() => 0);
    this.outgoing = this.states.map(() => []);
    this.indexWorkflows(definition);
    this.indexTransitions();
  }

  private indexWorkflows(definition: unknown): void {
    const startAtOf = (workflow: unknown): string | undefined => {
      const startAt = typeof workflow === 'object' && workflow !== null ? (workflow as { StartAt?: unknown }).StartAt : undefined;
      return typeof startAt === 'string' ? startAt : undefined;
    };
    this.workflows.set('', { startAt: startAtOf(definition), states: new Map() });
    for (const entry of this.states) {
      for (const [inner] of innerWorkflows(entry.state)) this.workflows.set(`${entry.pointer}${inner.path}`, { startAt: startAtOf(inner.workflow), states: new Map() });
    }
    this.states.forEach((entry, index) => {
      const workflow = this.workflows.get(workflowPointerOf(entry));
      // First one wins: a duplicate name in one workflow is invalid, and validation says so.
      if (workflow && !workflow.states.has(entry.name)) workflow.states.set(entry.name, index);
    });
  }

  /** In document order: a workflow's StartAt just before its first state, then each state's ways out. */
  private indexTransitions(): void {
    const add = (transition: Transition, pointer: string, from?: number) => {
      const index = this.transitions.push({ ...transition, pointer, ...(from !== undefined ? { fromState: from } : {}) }) - 1;
      this.transitionHits.push(0);
      if (from !== undefined) this.outgoing[from]!.push(index);
      return index;
    };
    this.states.forEach((entry, stateIndex) => {
      const pointer = workflowPointerOf(entry);
      const workflow = this.workflows.get(pointer);
      if (workflow && workflow.startTransition === undefined && workflow.startAt !== undefined) {
        workflow.startTransition = add({ to: workflow.startAt, kind: 'start' }, `${pointer}/StartAt`);
      }
      for (const transition of transitionsOf(entry.name, entry.state)) add(transition, transitionPointer(entry, transition), stateIndex);
    });
  }

  count(events: readonly HistoryEvent[]): void {
    this.runs++;
    const frames = new Map<string, FrameState>([['', { workflow: '', continuing: false }]]);
    for (const event of events) {
      const entered = event.type.endsWith('StateEntered');
      if (!entered && !event.type.endsWith('StateExited')) continue;
      const name = event.details?.name;
      if (name === undefined) continue;
      const frame = this.frame(event.frame, frames);
      if (!frame) continue;
      const workflow = this.workflows.get(frame.workflow)!;
      const state = workflow.states.get(name);
      // A state the definition does not have: the events are of another definition; skip them.
      if (state === undefined) continue;
      if (entered) this.entered(frame, workflow, state);
      else this.exited(frame, state, event.details!);
    }
    // A frame that ended while a state's way out was undecided ended there: its End.
    for (const frame of frames.values()) if (frame.pending) this.settle(frame, undefined);
  }

  private entered(frame: FrameState, workflow: Workflow, state: number): void {
    this.stateHits[state]!++;
    const name = this.states[state]!.name;
    const continued = frame.pending ? this.settle(frame, name) : frame.continuing;
    if (!continued && name === workflow.startAt && workflow.startTransition !== undefined) this.transitionHits[workflow.startTransition]!++;
    frame.continuing = false;
    // A Fail state ends its workflow as it is entered; it has no Exited event.
    if (this.states[state]!.type === 'Fail') this.hitKind(state, 'end');
  }

  private exited(frame: FrameState, state: number, details: EventDetails): void {
    const outgoing = this.outgoing[state]!;
    let taken: number | undefined;
    if (details.catcher !== undefined) taken = outgoing.find((t) => this.transitions[t]!.kind === 'catch' && this.transitions[t]!.index === details.catcher);
    else if (details.choiceRule === -1) taken = outgoing.find((t) => this.transitions[t]!.kind === 'default');
    else if (details.choiceRule !== undefined) taken = outgoing.find((t) => this.transitions[t]!.kind === 'choice' && this.transitions[t]!.index === details.choiceRule);
    else {
      // Not noted (a history from elsewhere, or a normal exit of a state that has Catchers):
      // with one way out that is it, else the state entered next in this frame decides.
      if (outgoing.length === 1) taken = outgoing[0];
      else if (outgoing.length > 1) {
        frame.pending = { candidates: outgoing };
        return;
      }
    }
    if (taken === undefined) return;
    this.transitionHits[taken]!++;
    frame.continuing = this.transitions[taken]!.kind !== 'end';
  }

  /** Decides a pending exit by the state entered next (`undefined`: the frame ended); whether it led there. */
  private settle(frame: FrameState, next: string | undefined): boolean {
    const candidates = frame.pending!.candidates;
    frame.pending = undefined;
    const byPreference = [...candidates].sort((a, b) => KIND_PREFERENCE[this.transitions[a]!.kind] - KIND_PREFERENCE[this.transitions[b]!.kind]);
    const led = next === undefined ? undefined : byPreference.find((t) => this.transitions[t]!.to === next);
    if (led !== undefined) {
      this.transitionHits[led]!++;
      return true;
    }
    const end = byPreference.find((t) => this.transitions[t]!.kind === 'end');
    if (end !== undefined) this.transitionHits[end]!++;
    return false;
  }

  private hitKind(state: number, kind: Transition['kind']): void {
    const index = this.outgoing[state]!.find((t) => this.transitions[t]!.kind === kind);
    if (index !== undefined) this.transitionHits[index]!++;
  }

  /**
   * The frame of an event. Child frames are named `<parent frame>/<state>#<index>` (the Parallel
   * branch or Map iteration); state names may hold '/' and '#' themselves, so the parent is the
   * longest known frame whose workflow has a Parallel or Map state of the name in between.
   */
  private frame(id: string, frames: Map<string, FrameState>): FrameState | undefined {
    const known = frames.get(id);
    if (known) return known;
    const match = /#(\d+)$/.exec(id);
    if (!match) return undefined;
    const rest = id.slice(0, match.index);
    const branch = Number(match[1]);
    for (let slash = rest.lastIndexOf('/'); slash >= 0; slash = slash === 0 ? -1 : rest.lastIndexOf('/', slash - 1)) {
      const parent = frames.get(rest.slice(0, slash));
      if (!parent) continue;
      const owner = this.workflows.get(parent.workflow)!.states.get(rest.slice(slash + 1));
      if (owner === undefined) continue;
      const entry = this.states[owner]!;
      const inner = innerWorkflows(entry.state).find(([, index]) => entry.type !== 'Parallel' || index === branch);
      if (!inner) continue;
      const frame: FrameState = { workflow: `${entry.pointer}${inner[0].path}`, continuing: false };
      frames.set(id, frame);
      return frame;
    }
    return undefined;
  }

  report(): MachineCoverage {
    const line = (pointer: string) => this.lineOf(pointer) ?? 1;
    const states: StateCoverage[] = this.states.map((entry, index) => ({
      name: entry.name,
      type: entry.type,
      pointer: entry.pointer,
      ...(entry.parent !== undefined ? { parent: entry.parent } : {}),
      line: line(entry.pointer),
      hits: this.stateHits[index]!,
    }));
    const transitions: TransitionCoverage[] = this.transitions.map(({ fromState, ...transition }, index) => ({
      ...transition,
      ...(fromState !== undefined ? { fromPointer: this.states[fromState]!.pointer } : {}),
      line: line(transition.pointer),
      hits: this.transitionHits[index]!,
      label: labelOf(transition),
      // StartAt leaves no state: its "block" is the workflow, run as often as the machine ran (at the top).
      fromHits: fromState === undefined ? this.runs : this.stateHits[fromState]!,
    }));
    const choiceRules = transitions.filter((t) => t.kind === 'choice' || t.kind === 'default');
    const catchers = transitions.filter((t) => t.kind === 'catch');
    return {
      name: this.name,
      ...(this.file !== undefined ? { file: this.file } : {}),
      runs: this.runs,
      states,
      transitions,
      choiceRules,
      catchers,
      totals: { states: countOf(states), transitions: countOf(transitions), choiceRules: countOf(choiceRules), catchers: countOf(catchers) },
    };
  }
}

function workflowPointerOf(entry: StateEntry): string {
  return entry.pointer.slice(0, entry.pointer.lastIndexOf('/States/'));
}

function transitionPointer(entry: StateEntry, transition: Transition): string {
  switch (transition.kind) {
    case 'choice':
      return `${entry.pointer}/Choices/${transition.index}`;
    case 'default':
      return `${entry.pointer}/Default`;
    case 'catch':
      return `${entry.pointer}/Catch/${transition.index}`;
    case 'next':
      return `${entry.pointer}/Next`;
    default:
      // End: true, or a Succeed/Fail state, which ends by its type.
      return entry.state.End === true ? `${entry.pointer}/End` : entry.pointer;
  }
}

function labelOf(t: Transition): string {
  switch (t.kind) {
    case 'start':
      return `StartAt → ${t.to}`;
    case 'end':
      return `${t.from} → (end)`;
    case 'next':
      return `${t.from} → ${t.to}`;
    case 'choice':
      return `${t.from} → ${t.to} (Choices[${t.index}])`;
    case 'default':
      return `${t.from} → ${t.to} (Default)`;
    case 'catch':
      return `${t.from} → ${t.to} (Catch[${t.index}]${t.errors?.length ? `: ${t.errors.join(', ')}` : ''})`;
  }
}

function countOf(items: ReadonlyArray<{ readonly hits: number }>): CoverageCount {
  const covered = items.filter((item) => item.hits > 0).length;
  return count(covered, items.length);
}

function count(covered: number, total: number): CoverageCount {
  // Rounded down, as Istanbul does, so 99.999% never shows as 100; integer arithmetic first keeps 57% from becoming 56.99.
  return { covered, total, percent: total === 0 ? 100 : Math.floor((covered * 10_000) / total) / 100 };
}

function sumTotals(totals: readonly CoverageTotals[]): CoverageTotals {
  const sum = (key: keyof CoverageTotals) =>
    count(
      totals.reduce((n, t) => n + t[key].covered, 0),
      totals.reduce((n, t) => n + t[key].total, 0),
    );
  return { states: sum('states'), transitions: sum('transitions'), choiceRules: sum('choiceRules'), catchers: sum('catchers') };
}

// ------------------------------------------------------------------ reports

const COLUMNS = ['% States', '% Transitions', '% Choice rules', '% Catchers'] as const;

/**
 * A table in the manner of Istanbul's text summary: one row per state machine and one for all
 * of them, then the transitions never taken. A column with nothing to cover shows '-'.
 */
export function formatCoverageSummary(report: CoverageReport): string[] {
  const rows: string[][] = [['All state machines', ...percents(report.totals), '']];
  for (const m of report.machines) {
    const never = m.states.filter((s) => s.hits === 0).map((s) => s.name);
    rows.push([` ${m.name}`, ...percents(m.totals), never.join(', ')]);
  }
  const header = ['File', ...COLUMNS, 'States never entered'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  const out = [rule, line(header), rule, ...rows.map(line), rule];
  for (const m of report.machines) {
    const untaken = m.transitions.filter((t) => t.hits === 0);
    if (untaken.length === 0) continue;
    out.push(`${m.name}: transitions never taken: ${untaken.map((t) => t.label).join('; ')}`);
  }
  return out;
}

function percents(totals: CoverageTotals): string[] {
  return [totals.states, totals.transitions, totals.choiceRules, totals.catchers].map((c) => (c.total === 0 ? '-' : String(c.percent)));
}

/**
 * The lcov tracefile genhtml, Codecov and coverage gutters read: each state is a line (`DA`) at
 * its key, each Choice rule, Default and Catcher a branch (`BRDA`) at its own line, one block
 * per state. A state machine without a file is named by its name.
 */
export function formatLcov(report: CoverageReport, testName = ''): string {
  const out: string[] = [];
  for (const m of report.machines) {
    out.push(`TN:${lcovSafe(testName)}`, `SF:${lcovSafe(m.file ?? m.name)}`);
    const blocks = new Map<string, number>();
    let branches = 0;
    let branchesHit = 0;
    for (const t of [...m.choiceRules, ...m.catchers].sort((a, b) => a.line - b.line || a.pointer.localeCompare(b.pointer))) {
      // One block per state and kind (its Choice rules, or its Catchers), numbered in order of appearance.
      const blockKey = `${t.fromPointer}\u0000${t.kind === 'catch' ? 'catch' : 'choice'}`;
      if (!blocks.has(blockKey)) blocks.set(blockKey, blocks.size);
      // The Default is the branch after the last rule.
      const branch = t.kind === 'default' ? m.choiceRules.filter((r) => r.fromPointer === t.fromPointer && r.kind === 'choice').length : t.index;
      // '-': the state never ran, so the branch could not be taken (lcov's "block not executed").
      out.push(`BRDA:${t.line},${blocks.get(blockKey)},${branch},${t.fromHits === 0 ? '-' : t.hits}`);
      branches++;
      if (t.hits > 0) branchesHit++;
    }
    out.push(`BRF:${branches}`, `BRH:${branchesHit}`);
    // States sharing a line (a definition written on one line) make one lcov line; it counts
    // as hit only if every state on it was entered, so no unentered state hides behind another.
    const lines = new Map<number, number>();
    for (const s of m.states) lines.set(s.line, Math.min(lines.get(s.line) ?? Infinity, s.hits));
    const sorted = [...lines].sort(([a], [b]) => a - b);
    for (const [line, hits] of sorted) out.push(`DA:${line},${hits}`);
    out.push(`LF:${sorted.length}`, `LH:${sorted.filter(([, hits]) => hits > 0).length}`, 'end_of_record');
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** lcov records are lines: a newline in a name would start a bogus record. */
function lcovSafe(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}
