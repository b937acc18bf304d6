/**
 * Turns a definition into the graph the console draws: every state a node, every transition an
 * edge (Next, each Choice rule, Default, each Catch), Map and Parallel states as groups holding
 * their inner workflows (a Parallel holds one group per branch). The definition may be half
 * typed in the editor, so everything is read defensively and what cannot be drawn is skipped.
 */
import { innerWorkflows, transitionsOf } from 'stepwise-sfn/asl';
import { summarizeChoiceRule } from './choice-summary.js';

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch' | 'start' | 'end';

export interface FlowEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly kind: EdgeKind;
  /** Shown on the edge (shortened). */
  readonly label?: string;
  /** The whole label, for the tooltip. */
  readonly fullLabel?: string;
}

export interface FlowNode {
  readonly id: string;
  /**
   * 'proxy': a small stand-in for a Catch target that many states share (a common error
   * handler). Drawing every such edge would run the length of the graph, side by side: the
   * proxy sits next to its source and leads to the real state when clicked.
   */
  readonly kind: 'state' | 'start' | 'end' | 'branch' | 'proxy';
  /** The state name; 'Start', 'End', or 'Branch 2'. */
  readonly name: string;
  /** Task, Pass, …; undefined for start/end/branch nodes. */
  readonly stateType?: string;
  /** A short second line: the resource of a Task, the seconds of a Wait. */
  readonly detail?: string;
  /** For proxies: the name of the state it stands for. */
  readonly proxyFor?: string;
  /** The state's own JSON. */
  readonly definition?: unknown;
  /** Set for groups (Map, Parallel, a Parallel branch). */
  readonly children?: FlowNode[];
  readonly edges?: FlowEdge[];
}

export interface FlowGraph {
  readonly children: FlowNode[];
  readonly edges: FlowEdge[];
  /** State name → node (names are unique across a valid state machine). */
  readonly byName: ReadonlyMap<string, FlowNode>;
  readonly stateCount: number;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The graph of a definition (an object parsed from JSON); an empty graph for anything else. */
export function buildFlowGraph(definition: unknown): FlowGraph {
  const byName = new Map<string, FlowNode>();
  const counter = { states: 0 };
  if (!isObject(definition) || !isObject(definition.States)) return { children: [], edges: [], byName, stateCount: 0 };

  const { nodes, edges } = buildWorkflow(definition, '', byName, counter);
  const start: FlowNode = { id: 'start', kind: 'start', name: 'Start' };
  const end: FlowNode = { id: 'end', kind: 'end', name: 'End' };
  const rootEdges = [...edges];
  const startAt = typeof definition.StartAt === 'string' ? nodes.find((n) => n.name === definition.StartAt) : undefined;
  if (startAt) rootEdges.push({ id: `start->${startAt.id}`, source: start.id, target: startAt.id, kind: 'start' });
  // A terminal state nothing leads to (a shared error handler whose Catch edges became proxies)
  // floats free instead of drawing an edge down the whole graph to End.
  const reached = new Set(rootEdges.map((e) => e.target));
  for (const node of nodes) {
    if (isTerminal(node.definition) && (reached.has(node.id) || node === startAt)) rootEdges.push({ id: `${node.id}->end`, source: node.id, target: end.id, kind: 'end' });
  }
  return { children: [start, ...nodes, end], edges: rootEdges, byName, stateCount: counter.states };
}

function isTerminal(state: unknown): boolean {
  if (!isObject(state)) return false;
  return state.End === true || state.Type === 'Succeed' || state.Type === 'Fail';
}

function buildWorkflow(
  workflow: Json,
  prefix: string,
  byName: Map<string, FlowNode>,
  counter: { states: number },
): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const states = isObject(workflow.States) ? workflow.States : {};
  const nodes: FlowNode[] = [];
  const idOf = new Map<string, string>();
  for (const name of Object.keys(states)) idOf.set(name, `${prefix}s:${name}`);

  for (const [name, state] of Object.entries(states)) {
    counter.states++;
    const node = buildStateNode(name, state, idOf.get(name)!, byName, counter);
    nodes.push(node);
    if (!byName.has(name)) byName.set(name, node);
  }

  const edges: FlowEdge[] = [];
  const add = (source: string, targetName: unknown, kind: EdgeKind, fullLabel?: string) => {
    if (typeof targetName !== 'string') return;
    const target = idOf.get(targetName);
    if (!target) return;
    const label = fullLabel === undefined ? undefined : shorten(fullLabel, 36);
    edges.push({ id: `${source}->${target}#${edges.length}`, source, target, kind, ...(label ? { label, fullLabel } : {}) });
  };
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    const id = idOf.get(name)!;
    for (const transition of transitionsOf(name, state)) {
      if (transition.kind === 'choice') {
        const rule = (state.Choices as unknown[])[transition.index!];
        add(id, transition.to, 'choice', isObject(rule) ? summarizeChoiceRule(rule) : undefined);
      } else if (transition.kind === 'default') add(id, transition.to, 'default', 'Default');
      else if (transition.kind === 'next') add(id, transition.to, 'next');
      else if (transition.kind === 'catch') {
        const errors = transition.errors ?? [];
        add(id, transition.to, 'catch', errors.length > 0 ? `Catch: ${errors.join(', ')}` : 'Catch');
      }
    }
  }
  return { nodes, edges: proxySharedCatchTargets(nodes, edges) };
}

/** A Catch target with at least this many Catch edges gets a proxy per edge. */
const SHARED_CATCH_TARGET = 3;

function proxySharedCatchTargets(nodes: FlowNode[], edges: FlowEdge[]): FlowEdge[] {
  const catchesInto = new Map<string, number>();
  for (const edge of edges) if (edge.kind === 'catch') catchesInto.set(edge.target, (catchesInto.get(edge.target) ?? 0) + 1);
  if (![...catchesInto.values()].some((n) => n >= SHARED_CATCH_TARGET)) return edges;
  const nameOf = new Map(nodes.map((n) => [n.id, n.name]));
  return edges.map((edge) => {
    if (edge.kind !== 'catch' || (catchesInto.get(edge.target) ?? 0) < SHARED_CATCH_TARGET) return edge;
    const target = nameOf.get(edge.target) ?? '';
    const proxy: FlowNode = { id: `${edge.id}=>proxy`, kind: 'proxy', name: target, proxyFor: target, ...(edge.fullLabel ? { detail: edge.fullLabel } : {}) };
    nodes.push(proxy);
    return { ...edge, id: `${edge.id}:proxy`, target: proxy.id };
  });
}

function buildStateNode(name: string, state: unknown, id: string, byName: Map<string, FlowNode>, counter: { states: number }): FlowNode {
  const type = isObject(state) && typeof state.Type === 'string' ? state.Type : 'Unknown';
  const detail = stateDetail(state);
  const base = { id, kind: 'state' as const, name, stateType: type, definition: state, ...(detail ? { detail } : {}) };
  if (!isObject(state)) return base;

  // A Map's ItemProcessor (or Iterator) and a Parallel's branches, as the language defines them.
  const inner = innerWorkflows(state);
  if (type === 'Map') {
    const processor = inner[0]?.[0].workflow;
    if (!processor) return base;
    const built = buildWorkflow(processor, `${id}/`, byName, counter);
    return { ...base, children: built.nodes, edges: built.edges };
  }
  if (type === 'Parallel' && Array.isArray(state.Branches)) {
    const branches: FlowNode[] = [];
    for (const [{ workflow }, index = 0] of inner) {
      const branchId = `${id}#${index}`;
      const built = buildWorkflow(workflow, `${branchId}/`, byName, counter);
      branches.push({ id: branchId, kind: 'branch', name: `Branch ${index + 1}`, children: built.nodes, edges: built.edges });
    }
    return { ...base, children: branches, edges: [] };
  }
  return base;
}

function stateDetail(state: unknown): string | undefined {
  if (!isObject(state)) return undefined;
  switch (state.Type) {
    case 'Task':
      return typeof state.Resource === 'string' ? shortResource(state.Resource) : undefined;
    case 'Wait':
      if (typeof state.Seconds === 'number') return `${state.Seconds} s`;
      if (typeof state.Seconds === 'string') return 'Seconds from JSONata';
      if (typeof state.SecondsPath === 'string') return `Seconds: ${state.SecondsPath}`;
      if (typeof state.Timestamp === 'string') return 'Until timestamp';
      if (typeof state.TimestampPath === 'string') return `Until ${state.TimestampPath}`;
      return undefined;
    case 'Map': {
      const processor = isObject(state.ItemProcessor) ? state.ItemProcessor : undefined;
      const config = processor && isObject(processor.ProcessorConfig) ? processor.ProcessorConfig : undefined;
      return config?.Mode === 'DISTRIBUTED' ? 'Distributed' : 'Inline';
    }
    default:
      return undefined;
  }
}

/** `arn:aws:states:::lambda:invoke` → `lambda:invoke`; `…:function:charge-card` → `charge-card`. */
export function shortResource(resource: string): string {
  const integration = /^arn:[^:]+:states:::(.+)$/.exec(resource);
  if (integration) return integration[1]!;
  const fn = /:function:([^:]+)/.exec(resource);
  if (fn) return fn[1]!;
  const activity = /:activity:([^:]+)/.exec(resource);
  if (activity) return `activity:${activity[1]}`;
  return resource.length > 40 ? `…${resource.slice(-39)}` : resource;
}

export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
