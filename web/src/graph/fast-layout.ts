/**
 * A fast layered ("Sugiyama") layout for large state machines, where ELK takes seconds: on a
 * 500-state definition it needs a few tens of milliseconds. Each level (the top, and each
 * Map/Parallel group, inside out) is laid out on its own:
 *
 * 1. cycles are broken by reversing the edges a depth-first search finds going back;
 * 2. layers by longest path (a labelled edge spans two layers, leaving room for its label);
 * 3. edges spanning several layers get a dummy node per layer crossed;
 * 4. order within layers: a few barycenter sweeps, ties kept in definition order;
 * 5. x: Brandes–Köpf alignment and compaction (left and right, averaged) over the main
 *    transitions, so the main line and long edges run straight; Catch proxies then sit beside
 *    their states;
 * 6. edges are routed orthogonally between layers, through their dummies.
 *
 * Coordinates are relative to each level and made absolute at the end.
 */

export interface Size {
  width: number;
  height: number;
}

export interface FastNode extends Size {
  readonly id: string;
  readonly children?: FastNode[];
  readonly edges?: FastEdge[];
  /** Groups: space around the children (top includes the header). */
  readonly padding?: { top: number; right: number; bottom: number; left: number };
  readonly minWidth?: number;
}

export interface FastEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** Catch/proxy edges pull less on the placement than the main transitions. */
  readonly weak?: boolean;
  readonly label?: Size;
  /** Place the target in the source's layer, just right of it (a Catch proxy). */
  readonly beside?: boolean;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FastLayout {
  width: number;
  height: number;
  boxes: Map<string, Box>;
  edges: Map<string, { points: { x: number; y: number }[]; label?: Box }>;
}

const NODE_SEP = 28;
const DUMMY_SEP = 12;
/** Between a state and its Catch proxy. */
const PROXY_GAP = 18;
const RANK_SEP = 36;
const MARGIN = 16;
const SWEEPS = 4;

interface LNode {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly dummy: boolean;
  /** A Catch proxy placed beside its state. */
  beside?: boolean;
  layer: number;
  order: number;
  /** Center x. */
  x: number;
  preds: LLink[];
  succs: LLink[];
}

interface LLink {
  readonly other: LNode;
  readonly weight: number;
  /** A Catch/proxy link: only followed when a node has no other. */
  readonly weak: boolean;
}

interface Chain {
  readonly edge: FastEdge;
  /** Upper node first (layering direction). */
  readonly nodes: LNode[];
  readonly reversed: boolean;
  readonly labelNode?: LNode;
}

interface LevelResult {
  width: number;
  height: number;
  /** Relative to the level's origin. */
  boxes: Map<string, Box>;
  edges: Map<string, { points: { x: number; y: number }[]; label?: Box }>;
}

export function fastLayout(root: { children: FastNode[]; edges: FastEdge[] }): FastLayout {
  const result: FastLayout = { width: 0, height: 0, boxes: new Map(), edges: new Map() };
  const level = layoutLevel(root.children, root.edges);
  place(level, MARGIN, MARGIN, result);
  result.width = level.width + 2 * MARGIN;
  result.height = level.height + 2 * MARGIN;
  return result;
}

/** Copies a level's boxes and edges into the result, shifted by (dx, dy). */
function place(level: LevelResult, dx: number, dy: number, into: FastLayout): void {
  for (const [id, box] of level.boxes) into.boxes.set(id, { x: box.x + dx, y: box.y + dy, width: box.width, height: box.height });
  for (const [id, edge] of level.edges) {
    into.edges.set(id, {
      points: edge.points.map((p) => ({ x: p.x + dx, y: p.y + dy })),
      ...(edge.label ? { label: { ...edge.label, x: edge.label.x + dx, y: edge.label.y + dy } } : {}),
    });
  }
}

function layoutLevel(items: FastNode[], edgeList: FastEdge[]): LevelResult {
  // Groups first, inside out: their size comes from their contents.
  const nested = new Map<string, LevelResult>();
  const sizes = new Map<string, Size>();
  for (const item of items) {
    if (item.children) {
      const inner = layoutLevel(item.children, item.edges ?? []);
      nested.set(item.id, inner);
      const pad = item.padding ?? { top: 0, right: 0, bottom: 0, left: 0 };
      sizes.set(item.id, {
        width: Math.max(item.minWidth ?? 0, inner.width + pad.left + pad.right),
        height: Math.max(pad.top + pad.bottom + 20, inner.height + pad.top + pad.bottom),
      });
    } else {
      sizes.set(item.id, { width: item.width, height: item.height });
    }
  }

  const nodes: LNode[] = items.map((item) => ({ id: item.id, ...sizes.get(item.id)!, dummy: false, layer: 0, order: 0, x: 0, preds: [], succs: [] }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = edgeList.filter((e) => byId.has(e.source) && byId.has(e.target));
  const selfLoops = edges.filter((e) => e.source === e.target);
  const besides = edges.filter((e) => e.beside && e.source !== e.target);
  const real = edges.filter((e) => e.source !== e.target && !e.beside);

  const reversed = findBackEdges(nodes, real, byId);
  assignLayers(nodes, real, reversed, byId);

  // Chains with dummies.
  const chains: Chain[] = [];
  for (const edge of real) {
    const isReversed = reversed.has(edge);
    let upper = byId.get(isReversed ? edge.target : edge.source)!;
    const lower = byId.get(isReversed ? edge.source : edge.target)!;
    const chainNodes = [upper];
    let labelNode: LNode | undefined;
    const weight = edge.weak ? 0.15 : 1;
    for (let layer = upper.layer + 1; layer < lower.layer; layer++) {
      const first = layer === upper.layer + 1;
      const dummy: LNode = {
        id: `${edge.id}#${layer}`,
        width: first && edge.label ? edge.label.width : 0,
        height: first && edge.label ? edge.label.height : 0,
        dummy: true,
        layer,
        order: 0,
        x: 0,
        preds: [],
        succs: [],
      };
      if (first && edge.label) labelNode = dummy;
      link(upper, dummy, first ? weight : 2, first && Boolean(edge.weak));
      chainNodes.push(dummy);
      nodes.push(dummy);
      upper = dummy;
    }
    link(upper, lower, chainNodes.length > 1 ? 2 : weight, chainNodes.length === 1 && Boolean(edge.weak));
    chainNodes.push(lower);
    chains.push({ edge, nodes: chainNodes, reversed: isReversed, ...(labelNode ? { labelNode } : {}) });
  }

  const besideOf = new Map<LNode, LNode[]>();
  for (const edge of besides) {
    const source = byId.get(edge.source)!;
    const target = byId.get(edge.target)!;
    target.layer = source.layer;
    target.beside = true;
    let list = besideOf.get(source);
    if (!list) besideOf.set(source, (list = []));
    list.push(target);
  }

  const layers = orderLayers(nodes);
  if (besideOf.size > 0) {
    // Each proxy right after its state (after the other proxies of that state).
    const placedBeside = new Set([...besideOf.values()].flat());
    for (let l = 0; l < layers.length; l++) {
      const row: LNode[] = [];
      for (const n of layers[l]!) {
        if (placedBeside.has(n)) continue;
        row.push(n, ...(besideOf.get(n) ?? []));
      }
      row.forEach((n, i) => (n.order = i));
      layers[l] = row;
    }
  }
  assignX(layers, besideOf);

  // Vertical positions: each layer as tall as its tallest node.
  const layerTop: number[] = [];
  const layerHeight: number[] = [];
  let y = 0;
  for (const layer of layers) {
    const height = layer.reduce((h, n) => Math.max(h, n.height), 0);
    layerTop.push(y);
    layerHeight.push(height);
    y += height + RANK_SEP;
  }
  const height = Math.max(0, y - RANK_SEP);

  let minX = Infinity;
  let maxX = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.x - n.width / 2);
    maxX = Math.max(maxX, n.x + n.width / 2);
  }
  if (!Number.isFinite(minX)) minX = maxX = 0;
  const shift = -minX;

  const level: LevelResult = { width: maxX - minX, height, boxes: new Map(), edges: new Map() };
  const boxOf = (n: LNode): Box => ({ x: n.x + shift - n.width / 2, y: layerTop[n.layer]! + (layerHeight[n.layer]! - n.height) / 2, width: n.width, height: n.height });
  for (const item of items) {
    const n = byId.get(item.id)!;
    const box = boxOf(n);
    level.boxes.set(item.id, box);
    const inner = nested.get(item.id);
    if (inner) {
      const pad = item.padding ?? { top: 0, right: 0, bottom: 0, left: 0 };
      // Center the contents when the header made the group wider than them.
      const extra = box.width - (inner.width + pad.left + pad.right);
      place(inner, box.x + pad.left + extra / 2, box.y + pad.top, { width: 0, height: 0, boxes: level.boxes, edges: level.edges });
    }
  }

  for (const chain of chains) {
    const points: { x: number; y: number }[] = [];
    const top = chain.nodes[0]!;
    const topBox = boxOf(top);
    const second = chain.nodes[1]!;
    const sideExit = Boolean(chain.edge.weak) && !chain.reversed && second.x + shift > topBox.x + topBox.width;
    if (sideExit) {
      // A Catch leaves from the side, clear of the main transition below the state.
      points.push({ x: topBox.x + topBox.width, y: topBox.y + topBox.height / 2 }, { x: second.x + shift, y: topBox.y + topBox.height / 2 });
    } else {
      points.push({ x: top.x + shift, y: topBox.y + topBox.height });
    }
    for (let i = 1; i < chain.nodes.length; i++) {
      const a = chain.nodes[i - 1]!;
      const b = chain.nodes[i]!;
      const bBox = boxOf(b);
      const gapTop = layerTop[a.layer]! + layerHeight[a.layer]!;
      const midY = (gapTop + layerTop[b.layer]!) / 2;
      const ax = a.x + shift;
      const bx = b.x + shift;
      if (Math.abs(ax - bx) > 0.5 && !(i === 1 && sideExit)) points.push({ x: ax, y: midY }, { x: bx, y: midY });
      if (b.dummy) points.push({ x: bx, y: layerTop[b.layer]! }, { x: bx, y: layerTop[b.layer]! + layerHeight[b.layer]! });
      else points.push({ x: bx, y: bBox.y });
    }
    const cleaned = dropCollinear(points);
    const label = chain.labelNode ? boxOf(chain.labelNode) : undefined;
    level.edges.set(chain.edge.id, { points: chain.reversed ? cleaned.reverse() : cleaned, ...(label ? { label } : {}) });
  }
  for (const edge of besides) {
    const from = boxOf(byId.get(edge.source)!);
    const to = boxOf(byId.get(edge.target)!);
    const y = from.y + from.height / 2;
    level.edges.set(edge.id, { points: [{ x: from.x + from.width, y }, { x: to.x, y }] });
  }
  for (const edge of selfLoops) {
    const box = boxOf(byId.get(edge.source)!);
    const right = box.x + box.width;
    const cy = box.y + box.height / 2;
    level.edges.set(edge.id, { points: [{ x: right, y: cy - 8 }, { x: right + 18, y: cy - 8 }, { x: right + 18, y: cy + 8 }, { x: right, y: cy + 8 }] });
  }
  return level;
}

function link(from: LNode, to: LNode, weight: number, weak: boolean): void {
  from.succs.push({ other: to, weight, weak });
  to.preds.push({ other: from, weight, weak });
}

/** Edges that a depth-first search from the sources (in definition order) finds going back. */
function findBackEdges(nodes: LNode[], edges: FastEdge[], byId: Map<string, LNode>): Set<FastEdge> {
  const out = new Map<LNode, FastEdge[]>();
  const indegree = new Map<LNode, number>();
  for (const e of edges) {
    const s = byId.get(e.source)!;
    let list = out.get(s);
    if (!list) out.set(s, (list = []));
    list.push(e);
    const t = byId.get(e.target)!;
    indegree.set(t, (indegree.get(t) ?? 0) + 1);
  }
  const state = new Map<LNode, 1 | 2>(); // 1 on the stack, 2 done
  const back = new Set<FastEdge>();
  const visit = (start: LNode) => {
    const stack: { node: LNode; next: number }[] = [{ node: start, next: 0 }];
    state.set(start, 1);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const list = out.get(frame.node) ?? [];
      if (frame.next >= list.length) {
        state.set(frame.node, 2);
        stack.pop();
        continue;
      }
      const edge = list[frame.next++]!;
      const target = byId.get(edge.target)!;
      const seen = state.get(target);
      if (seen === 1) back.add(edge);
      else if (seen === undefined) {
        state.set(target, 1);
        stack.push({ node: target, next: 0 });
      }
    }
  };
  for (const n of nodes) if (!indegree.get(n) && !state.has(n)) visit(n);
  for (const n of nodes) if (!state.has(n)) visit(n);
  return back;
}

/** Longest path from the top; a labelled edge spans at least two layers. */
function assignLayers(nodes: LNode[], edges: FastEdge[], reversed: Set<FastEdge>, byId: Map<string, LNode>): void {
  const out = new Map<LNode, { to: LNode; length: number }[]>();
  const indegree = new Map<LNode, number>();
  for (const n of nodes) indegree.set(n, 0);
  for (const e of edges) {
    const from = byId.get(reversed.has(e) ? e.target : e.source)!;
    const to = byId.get(reversed.has(e) ? e.source : e.target)!;
    let list = out.get(from);
    if (!list) out.set(from, (list = []));
    list.push({ to, length: e.label ? 2 : 1 });
    indegree.set(to, indegree.get(to)! + 1);
  }
  const queue = nodes.filter((n) => indegree.get(n) === 0);
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    for (const { to, length } of out.get(n) ?? []) {
      to.layer = Math.max(to.layer, n.layer + length);
      const left = indegree.get(to)! - 1;
      indegree.set(to, left);
      if (left === 0) queue.push(to);
    }
  }
}

function orderLayers(nodes: LNode[]): LNode[][] {
  const layers: LNode[][] = [];
  // Initial order: a depth-first walk from the top nodes, so that a chain stays together.
  const seen = new Set<LNode>();
  const walk = (start: LNode) => {
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      (layers[n.layer] ??= []).push(n);
      for (let i = n.succs.length - 1; i >= 0; i--) stack.push(n.succs[i]!.other);
    }
  };
  for (const n of nodes) if (n.preds.length === 0) walk(n);
  for (const n of nodes) walk(n);
  for (let l = 0; l < layers.length; l++) layers[l] ??= [];
  const renumber = (layer: LNode[]) => layer.forEach((n, i) => (n.order = i));
  layers.forEach(renumber);

  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const down = sweep % 2 === 0;
    const sequence = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const layer of sequence) {
      const keys = new Map<LNode, number>();
      for (const n of layer) {
        const neighbours = down ? n.preds : n.succs;
        if (neighbours.length === 0) keys.set(n, n.order);
        else {
          let sum = 0;
          let weights = 0;
          for (const { other, weight } of neighbours) {
            sum += other.order * weight;
            weights += weight;
          }
          keys.set(n, sum / weights);
        }
      }
      layer.sort((a, b) => keys.get(a)! - keys.get(b)! || a.order - b.order);
      renumber(layer);
    }
  }
  return layers;
}

function separation(a: LNode, b: LNode): number {
  return (a.width + b.width) / 2 + (a.dummy || b.dummy ? DUMMY_SEP : b.beside ? PROXY_GAP : NODE_SEP);
}

function assignX(layers: LNode[][], besideOf: Map<LNode, LNode[]>): void {
  const left = alignAndCompact(layers, false);
  const right = alignAndCompact(layers, true);
  for (const layer of layers) for (const n of layer) n.x = (left.get(n)! + right.get(n)!) / 2;

  const anchor = new Map<LNode, number>();
  for (const [source, list] of besideOf) {
    let x = source.x + source.width / 2;
    for (const n of list) {
      x += PROXY_GAP + n.width / 2;
      anchor.set(n, x);
      x += n.width / 2;
    }
  }
  // Catch proxies (and Catch label dummies) were left out of the alignment: put each beside
  // the state it hangs from, moving the others as little as possible.
  const loose = (n: LNode) => anchor.has(n) || isWeakOnly(n);
  for (const layer of layers) {
    if (!layer.some(loose)) continue;
    const desired = layer.map((n) => anchor.get(n) ?? (isWeakOnly(n) ? besideSource(n) : n.x));
    const weights = layer.map((n) => (loose(n) ? 0.01 : 1));
    const placed = fitOrdered(layer, desired, weights);
    layer.forEach((n, i) => (n.x = placed[i]!));
  }
}

/** A node reached only by Catch links (a proxy or its label), possibly through dummies. */
function isWeakOnly(n: LNode): boolean {
  return n.preds.length > 0 && n.preds.every((l) => l.weak || (l.other.dummy && isWeakOnly(l.other)));
}

function besideSource(n: LNode): number {
  const link = n.preds[0]!;
  return link.weak ? link.other.x + (link.other.width + n.width) / 2 + NODE_SEP : link.other.x;
}

/**
 * Brandes–Köpf, one direction (left, or right when mirrored): each node is aligned with the
 * median of its upper neighbours (main transitions only) unless that would cross an earlier
 * alignment, which makes the main line and long edges straight; the vertical blocks are then
 * packed sideways as tightly as the separations allow.
 */
function alignAndCompact(layers: LNode[][], mirrored: boolean): Map<LNode, number> {
  const rows = mirrored ? layers.map((layer) => [...layer].reverse()) : layers;
  const pos = new Map<LNode, number>();
  for (const row of rows) row.forEach((n, i) => pos.set(n, i));
  const root = new Map<LNode, LNode>();
  const align = new Map<LNode, LNode>();
  for (const row of rows) for (const n of row) {
    root.set(n, n);
    align.set(n, n);
  }
  for (let l = 1; l < rows.length; l++) {
    let r = -1;
    for (const v of rows[l]!) {
      const ups = v.preds.filter((link) => !link.weak).map((link) => link.other).sort((a, b) => pos.get(a)! - pos.get(b)!);
      if (ups.length === 0) continue;
      const medians = ups.length % 2 === 1 ? [ups[(ups.length - 1) / 2]!] : [ups[ups.length / 2 - 1]!, ups[ups.length / 2]!];
      for (const u of medians) {
        if (align.get(v) !== v) break;
        if (r < pos.get(u)! && align.get(u) === u) {
          align.set(u, v);
          root.set(v, root.get(u)!);
          align.set(v, root.get(v)!);
          r = pos.get(u)!;
        }
      }
    }
  }

  const sink = new Map<LNode, LNode>();
  const shift = new Map<LNode, number>();
  const x = new Map<LNode, number>();
  for (const row of rows) for (const n of row) sink.set(n, n);
  const rowOf = (n: LNode) => rows[n.layer]!;
  const placeBlock = (v: LNode): void => {
    if (x.has(v)) return;
    x.set(v, 0);
    let w = v;
    do {
      const p = pos.get(w)!;
      if (p > 0) {
        const neighbour = rowOf(w)[p - 1]!;
        const u = root.get(neighbour)!;
        placeBlock(u);
        if (sink.get(v) === v) sink.set(v, sink.get(u)!);
        const gap = separation(neighbour, w);
        if (sink.get(v) !== sink.get(u)) {
          const s = sink.get(u)!;
          shift.set(s, Math.min(shift.get(s) ?? Infinity, x.get(v)! - x.get(u)! - gap));
        } else {
          x.set(v, Math.max(x.get(v)!, x.get(u)! + gap));
        }
      }
      w = align.get(w)!;
    } while (w !== v);
  };
  for (const row of rows) for (const n of row) if (root.get(n) === n) placeBlock(n);

  const result = new Map<LNode, number>();
  for (const row of rows) {
    for (const n of row) {
      const r = root.get(n)!;
      let value = x.get(r)!;
      const s = shift.get(sink.get(r)!);
      if (s !== undefined && Number.isFinite(s)) value += s;
      result.set(n, mirrored ? -value : value);
    }
  }
  return result;
}

/**
 * Positions as close as possible (least weighted squares) to `desired`, keeping the order and
 * the separations: with offsets o_i (cumulative separations), y_i = x_i − o_i must be
 * non-decreasing, which the pool-adjacent-violators algorithm solves exactly in linear time.
 */
function fitOrdered(layer: LNode[], desired: number[], weights: number[]): number[] {
  const offsets: number[] = [0];
  for (let i = 1; i < layer.length; i++) offsets.push(offsets[i - 1]! + separation(layer[i - 1]!, layer[i]!));
  const blocks: { value: number; weight: number; count: number }[] = [];
  for (let i = 0; i < layer.length; i++) {
    blocks.push({ value: desired[i]! - offsets[i]!, weight: weights[i]!, count: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.value > blocks[blocks.length - 1]!.value) {
      const b = blocks.pop()!;
      const a = blocks[blocks.length - 1]!;
      const weight = a.weight + b.weight;
      a.value = (a.value * a.weight + b.value * b.weight) / weight;
      a.weight = weight;
      a.count += b.count;
    }
  }
  const result: number[] = [];
  for (const block of blocks) for (let k = 0; k < block.count; k++) result.push(block.value + offsets[result.length]!);
  return result;
}

function dropCollinear(points: { x: number; y: number }[]): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (last && Math.abs(last.x - p.x) < 0.01 && Math.abs(last.y - p.y) < 0.01) continue;
    const before = out[out.length - 2];
    if (last && before && ((Math.abs(before.x - last.x) < 0.01 && Math.abs(last.x - p.x) < 0.01) || (Math.abs(before.y - last.y) < 0.01 && Math.abs(last.y - p.y) < 0.01))) {
      out[out.length - 1] = p;
      continue;
    }
    out.push(p);
  }
  return out;
}
