/**
 * Lays a FlowGraph out top to bottom. Text is measured with a canvas so nodes and edge labels
 * fit their text; Map/Parallel groups are laid out inside out.
 *
 * Two engines: ELK's layered algorithm (in a Web Worker) for ordinary machines, which routes
 * edges and places labels best; and fast-layout.ts for large ones (over LARGE_GRAPH states),
 * because ELK needs seconds there (500 states: 1.5–2.5 s when its code is cold) and the page
 * must draw in well under one.
 */
import ELK, { type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import { fastLayout, type FastEdge, type FastNode } from './fast-layout.js';
import type { FlowEdge, FlowGraph, FlowNode } from './model.js';

export const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
export const NAME_FONT = `600 13px ${FONT_FAMILY}`;
export const DETAIL_FONT = `11px ${FONT_FAMILY}`;
export const LABEL_FONT = `11px ${FONT_FAMILY}`;
export const GROUP_FONT = `600 12px ${FONT_FAMILY}`;

/** Above this many states the fast engine is used. */
export const LARGE_GRAPH = 150;

const NODE_HEIGHT = 48;
const NODE_MIN_WIDTH = 110;
const NODE_MAX_TEXT = 250;
/** Left padding, and room on the right for the status glyph. */
const NODE_PADDING_X = 12 + 26;
const TERMINAL_SIZE = { width: 64, height: 30 };
const PROXY_HEIGHT = 26;
const GROUP_HEADER = 40;
const BRANCH_HEADER = 26;
const LABEL_HEIGHT = 16;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedNode extends Box {
  readonly node: FlowNode;
  /** The name as drawn (shortened to fit). */
  readonly displayName: string;
  readonly displayDetail?: string;
  readonly isGroup: boolean;
  /** How deeply nested: 0 for top-level states. */
  readonly depth: number;
}

export interface PlacedEdge {
  readonly edge: FlowEdge;
  readonly points: { x: number; y: number }[];
  readonly label?: Box & { text: string };
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  /** Groups before their children, so painting in order puts children on top. */
  readonly nodes: PlacedNode[];
  readonly edges: PlacedEdge[];
  readonly engine: 'elk' | 'fast';
}

/** What both engines need: every node's size and text, every edge's label size. */
interface Prepared {
  readonly info: Map<string, { node: FlowNode; displayName: string; displayDetail?: string; depth: number; width: number; height: number }>;
  readonly edges: Map<string, { edge: FlowEdge; label?: { text: string; width: number; height: number } }>;
}

let elk: InstanceType<typeof ELK> | undefined;
function engine(): InstanceType<typeof ELK> {
  elk ??= new ELK({ workerUrl: elkWorkerUrl });
  return elk;
}

export async function layoutGraph(graph: FlowGraph): Promise<GraphLayout> {
  const prepared: Prepared = { info: new Map(), edges: new Map() };
  const visit = (node: FlowNode, depth: number) => {
    prepareNode(node, depth, prepared);
    node.children?.forEach((child) => visit(child, depth + 1));
    node.edges?.forEach((edge) => prepareEdge(edge, prepared));
  };
  graph.children.forEach((child) => visit(child, 0));
  graph.edges.forEach((edge) => prepareEdge(edge, prepared));
  return chooseEngine(graph) === 'fast' ? layoutFast(graph, prepared) : layoutElk(graph, prepared);
}

/** The fast engine for large graphs and wherever ELK would draw proxies (fast puts them beside their state); `?layout=elk|fast` in the page URL forces one. */
function chooseEngine(graph: FlowGraph): 'elk' | 'fast' {
  const forced = typeof location === 'undefined' ? null : new URLSearchParams(location.search).get('layout');
  if (forced === 'elk' || forced === 'fast') return forced;
  return graph.stateCount > LARGE_GRAPH || hasProxies(graph.children) ? 'fast' : 'elk';
}

function hasProxies(nodes: readonly FlowNode[]): boolean {
  return nodes.some((n) => n.kind === 'proxy' || (n.children !== undefined && hasProxies(n.children)));
}

function prepareNode(node: FlowNode, depth: number, prepared: Prepared): void {
  const set = (displayName: string, width: number, height: number, displayDetail?: string): void => {
    prepared.info.set(node.id, { node, displayName, depth, width, height, ...(displayDetail !== undefined ? { displayDetail } : {}) });
  };
  if (node.kind === 'start' || node.kind === 'end') return set(node.name, TERMINAL_SIZE.width, TERMINAL_SIZE.height);
  if (node.kind === 'proxy') {
    const displayName = fitText(node.name, LABEL_FONT, 180);
    return set(displayName, Math.ceil(measureText(`↪ ${displayName}`, LABEL_FONT)) + 20, PROXY_HEIGHT);
  }
  if (node.children) {
    const displayName = fitText(node.name, GROUP_FONT, NODE_MAX_TEXT);
    const typeText = node.kind === 'branch' ? '' : node.detail ? `${node.stateType} · ${node.detail}` : (node.stateType ?? '');
    // Room for the glyph, the name and the type on the header line.
    const minWidth = measureText(displayName, GROUP_FONT) + (typeText ? measureText(typeText, DETAIL_FONT) + 60 : 24);
    return set(displayName, Math.ceil(minWidth), (node.kind === 'branch' ? BRANCH_HEADER : GROUP_HEADER) + 20);
  }
  const displayName = fitText(node.name, NAME_FONT, NODE_MAX_TEXT);
  const subtitle = node.detail ? `${node.stateType} · ${node.detail}` : (node.stateType ?? '');
  const displayDetail = fitText(subtitle, DETAIL_FONT, NODE_MAX_TEXT);
  const width = Math.max(NODE_MIN_WIDTH, Math.ceil(Math.max(measureText(displayName, NAME_FONT), measureText(displayDetail, DETAIL_FONT))) + NODE_PADDING_X);
  set(displayName, width, NODE_HEIGHT, displayDetail);
}

function prepareEdge(edge: FlowEdge, prepared: Prepared): void {
  prepared.edges.set(edge.id, { edge, ...(edge.label ? { label: { text: edge.label, width: Math.ceil(measureText(edge.label, LABEL_FONT)) + 8, height: LABEL_HEIGHT } } : {}) });
}

function groupPadding(node: FlowNode) {
  return { top: node.kind === 'branch' ? BRANCH_HEADER : GROUP_HEADER, left: 14, bottom: 14, right: 14 };
}

/** Collects placed nodes (groups before their children) from absolute boxes. */
function collect(graph: FlowGraph, prepared: Prepared, boxOf: (id: string) => Box | undefined): PlacedNode[] {
  const nodes: PlacedNode[] = [];
  const visit = (node: FlowNode) => {
    const info = prepared.info.get(node.id);
    const box = boxOf(node.id);
    if (info && box) {
      nodes.push({
        node,
        displayName: info.displayName,
        ...(info.displayDetail !== undefined ? { displayDetail: info.displayDetail } : {}),
        isGroup: node.children !== undefined,
        depth: info.depth,
        ...box,
      });
    }
    node.children?.forEach(visit);
  };
  graph.children.forEach(visit);
  return nodes;
}

function layoutFast(graph: FlowGraph, prepared: Prepared): GraphLayout {
  const toFastEdge = (edge: FlowEdge): FastEdge => {
    // A proxy sits right beside its state; its errors are in its tooltip, not on the edge.
    if (prepared.info.get(edge.target)?.node.kind === 'proxy') return { id: edge.id, source: edge.source, target: edge.target, weak: true, beside: true };
    const label = prepared.edges.get(edge.id)?.label;
    return { id: edge.id, source: edge.source, target: edge.target, weak: edge.kind === 'catch', ...(label ? { label: { width: label.width, height: label.height } } : {}) };
  };
  const toFastNode = (node: FlowNode): FastNode => {
    const info = prepared.info.get(node.id)!;
    if (!node.children) return { id: node.id, width: info.width, height: info.height };
    return { id: node.id, width: info.width, height: info.height, minWidth: info.width, padding: groupPadding(node), children: node.children.map(toFastNode), edges: (node.edges ?? []).map(toFastEdge) };
  };
  const result = fastLayout({ children: graph.children.map(toFastNode), edges: graph.edges.map(toFastEdge) });
  const edges: PlacedEdge[] = [];
  for (const [id, placed] of result.edges) {
    const info = prepared.edges.get(id);
    if (!info) continue;
    edges.push({ edge: info.edge, points: placed.points, ...(placed.label && info.label ? { label: { ...placed.label, text: info.label.text } } : {}) });
  }
  return { width: result.width, height: result.height, nodes: collect(graph, prepared, (id) => result.boxes.get(id)), edges, engine: 'fast' };
}

async function layoutElk(graph: FlowGraph, prepared: Prepared): Promise<GraphLayout> {
  // Every level (the top and each group) is laid out on its own: each needs the options.
  const levelOptions: Record<string, string> = {
    'elk.algorithm': 'layered',
    'elk.direction': 'DOWN',
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.layered.spacing.nodeNodeBetweenLayers': '36',
    'elk.layered.spacing.edgeNodeBetweenLayers': '18',
    'elk.spacing.nodeNode': '28',
    'elk.spacing.edgeNode': '16',
    'elk.spacing.edgeEdge': '12',
    'elk.spacing.edgeLabel': '3',
    'elk.edgeLabels.placement': 'CENTER',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    // Unconnected nodes (Parallel branches, unreachable states) side by side in one layer.
    'elk.separateConnectedComponents': 'false',
  };
  const toElkEdge = (edge: FlowEdge): ElkExtendedEdge => {
    const label = prepared.edges.get(edge.id)?.label;
    return {
      id: edge.id,
      sources: [edge.source],
      targets: [edge.target],
      labels: label ? [{ id: `${edge.id}:label`, text: label.text, width: label.width, height: label.height }] : [],
      // The main line straight; Catch edges give way.
      ...(edge.kind === 'catch' ? {} : { layoutOptions: { 'elk.layered.priority.straightness': '10' } }),
    };
  };
  const toElkNode = (node: FlowNode): ElkNode => {
    const info = prepared.info.get(node.id)!;
    if (!node.children) return { id: node.id, width: info.width, height: info.height };
    const pad = groupPadding(node);
    return {
      id: node.id,
      layoutOptions: {
        ...levelOptions,
        'elk.padding': `[top=${pad.top},left=${pad.left},bottom=${pad.bottom},right=${pad.right}]`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${info.width}, ${info.height})`,
        ...(node.stateType === 'Parallel' ? { 'elk.spacing.nodeNode': '20' } : {}),
      },
      children: node.children.map(toElkNode),
      edges: (node.edges ?? []).map(toElkEdge),
    };
  };
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      ...levelOptions,
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
      // Absolute coordinates for every shape and edge, whatever group holds it.
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
    },
    children: graph.children.map(toElkNode),
    edges: graph.edges.map(toElkEdge),
  };

  const laid = await engine().layout(root);
  const boxes = new Map<string, Box>();
  const edges: PlacedEdge[] = [];
  const walk = (elkNode: ElkNode) => {
    for (const child of elkNode.children ?? []) {
      boxes.set(child.id, { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? 0 });
      walk(child);
    }
    for (const edge of elkNode.edges ?? []) {
      const info = prepared.edges.get(edge.id);
      if (!info) continue;
      const points: { x: number; y: number }[] = [];
      for (const section of edge.sections ?? []) points.push(section.startPoint, ...(section.bendPoints ?? []), section.endPoint);
      const label = edge.labels?.[0];
      edges.push({
        edge: info.edge,
        points,
        ...(label && info.label ? { label: { x: label.x ?? 0, y: label.y ?? 0, width: label.width ?? 0, height: label.height ?? 0, text: info.label.text } } : {}),
      });
    }
  };
  walk(laid);
  return { width: laid.width ?? 0, height: laid.height ?? 0, nodes: collect(graph, prepared, (id) => boxes.get(id)), edges, engine: 'elk' };
}

let context: CanvasRenderingContext2D | null | undefined;
const widthCache = new Map<string, number>();

/** The width of text in a CSS font, from a canvas (an estimate where there is none). */
export function measureText(text: string, font: string): number {
  const key = `${font}\u0000${text}`;
  const cached = widthCache.get(key);
  if (cached !== undefined) return cached;
  context ??= typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  let width: number;
  if (context) {
    context.font = font;
    width = context.measureText(text).width;
  } else {
    width = text.length * (font.includes('13px') ? 7.5 : 6.5);
  }
  if (widthCache.size > 20_000) widthCache.clear();
  widthCache.set(key, width);
  return width;
}

/** The text, shortened with an ellipsis to fit maxWidth. */
export function fitText(text: string, font: string, maxWidth: number): string {
  if (measureText(text, font) <= maxWidth) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measureText(`${text.slice(0, mid)}…`, font) <= maxWidth) low = mid;
    else high = mid - 1;
  }
  return `${text.slice(0, low)}…`;
}
