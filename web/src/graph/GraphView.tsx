/**
 * Draws a definition as an SVG graph: laid out automatically, zoom (wheel, buttons, +/-) and pan
 * (drag, arrow keys), states selectable by click or keyboard, coloured by status when an
 * execution is shown, exportable as an SVG file.
 *
 * Pan and zoom write the transform straight to the DOM: re-rendering a 500-state graph for
 * every pointer move would not keep up.
 *
 * Test hooks: every state is a `[data-state]` element with `data-status` and `data-type`;
 * `window.__stepwiseLayoutMs` holds the time from a definition being handed to the graph until
 * it was drawn (painted), and `window.__stepwiseLayoutCount` counts drawings.
 */
import { memo, useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import type { StateStatus } from '../history/derive.js';
import { FONT_FAMILY, layoutGraph, type GraphLayout, type PlacedEdge, type PlacedNode } from './layout.js';
import { buildFlowGraph } from './model.js';
import { BRANCH_FILL, CATCH_EDGE, EDGE, GROUP_FILL, MUTED_TEXT, PLAIN_NODE, SELECTED, STATUS_STYLES, TEXT } from './style.js';

declare global {
  interface Window {
    __stepwiseLayoutMs?: number;
    __stepwiseLayoutCount?: number;
    __stepwiseLayoutPhases?: { buildMs: number; layoutMs: number; drawMs: number; states: number; engine: string };
  }
}

export interface GraphViewProps {
  readonly definition: unknown;
  /** Execution mode: each state's status (states absent are "not reached"). */
  readonly statuses?: ReadonlyMap<string, StateStatus>;
  readonly selected?: string;
  readonly onSelect?: (name: string) => void;
  /** Names the graph for assistive technology, e.g. "Definition graph of OrderFlow". */
  readonly label: string;
  /** File name (without .svg) for the export. */
  readonly exportName?: string;
  readonly height?: number | string;
}

interface Viewport {
  x: number;
  y: number;
  k: number;
}

const MIN_ZOOM = 0.05;
const MAX_ZOOM = 4;

export function GraphView(props: GraphViewProps) {
  const { definition, statuses, selected, onSelect } = props;
  const markerId = `arrow-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const containerRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const contentRef = useRef<SVGGElement>(null);
  const view = useRef<Viewport>({ x: 0, y: 0, k: 1 });
  const [layout, setLayout] = useState<GraphLayout | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [zoomText, setZoomText] = useState('100%');
  const timing = useRef<{ start: number; built: number; laid: number; states: number; engine: string } | undefined>(undefined);
  const fittedFor = useRef<GraphLayout | undefined>(undefined);

  // Lay out whenever the definition changes; a newer definition wins over a slower older one.
  useEffect(() => {
    let current = true;
    const start = performance.now();
    const graph = buildFlowGraph(definition);
    const built = performance.now();
    layoutGraph(graph)
      .then((result) => {
        if (!current) return;
        timing.current = { start, built, laid: performance.now(), states: graph.stateCount, engine: result.engine };
        setError(undefined);
        setLayout(result);
      })
      .catch((e: unknown) => {
        if (current) setError(`The graph could not be laid out: ${(e as Error).message ?? String(e)}`);
      });
    return () => {
      current = false;
    };
  }, [definition]);

  const applyTransform = useCallback(() => {
    const { x, y, k } = view.current;
    contentRef.current?.setAttribute('transform', `translate(${x} ${y}) scale(${k})`);
    setZoomText(`${Math.round(k * 100)}%`);
  }, []);

  const fit = useCallback(() => {
    const box = containerRef.current?.getBoundingClientRect();
    if (!layout || !box || box.width === 0) return;
    const margin = 16;
    const whole = Math.min(1, (box.width - margin * 2) / layout.width, (box.height - margin * 2) / layout.height);
    // A tall graph would be unreadable when made to fit whole: fit its width, show its top.
    const k = whole >= 0.45 ? whole : Math.min(1, (box.width - margin * 2) / layout.width);
    const x = (box.width - layout.width * k) / 2;
    const y = whole >= 0.45 ? (box.height - layout.height * k) / 2 : margin;
    view.current = { x, y, k: Math.max(MIN_ZOOM, k) };
    applyTransform();
  }, [layout, applyTransform]);

  useLayoutEffect(() => {
    if (!layout || fittedFor.current === layout) return;
    fittedFor.current = layout;
    fit();
    const t = timing.current;
    if (!t) return;
    timing.current = undefined;
    // After the next frame is painted.
    requestAnimationFrame(() =>
      setTimeout(() => {
        const end = performance.now();
        window.__stepwiseLayoutMs = end - t.start;
        window.__stepwiseLayoutPhases = { buildMs: t.built - t.start, layoutMs: t.laid - t.built, drawMs: end - t.laid, states: t.states, engine: t.engine };
        window.__stepwiseLayoutCount = (window.__stepwiseLayoutCount ?? 0) + 1;
      }, 0),
    );
  }, [layout, fit]);

  const zoomBy = useCallback(
    (factor: number, cx?: number, cy?: number) => {
      const box = containerRef.current?.getBoundingClientRect();
      const px = cx ?? (box ? box.width / 2 : 0);
      const py = cy ?? (box ? box.height / 2 : 0);
      const v = view.current;
      const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, v.k * factor));
      view.current = { k, x: px - ((px - v.x) * k) / v.k, y: py - ((py - v.y) * k) / v.k };
      applyTransform();
    },
    [applyTransform],
  );

  const panBy = useCallback(
    (dx: number, dy: number) => {
      view.current = { ...view.current, x: view.current.x + dx, y: view.current.y + dy };
      applyTransform();
    },
    [applyTransform],
  );

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const box = svg.getBoundingClientRect();
      const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
      zoomBy(Math.exp(-delta * 0.0015), event.clientX - box.left, event.clientY - box.top);
    };
    svg.addEventListener('wheel', onWheel, { passive: false });
    return () => svg.removeEventListener('wheel', onWheel);
  }, [zoomBy]);

  const drag = useRef<{ x: number; y: number; moved: boolean; id: number } | undefined>(undefined);
  const suppressClick = useRef(false);
  const onPointerDown = (event: ReactPointerEvent<SVGSVGElement>) => {
    if (event.button !== 0) return;
    drag.current = { x: event.clientX, y: event.clientY, moved: false, id: event.pointerId };
    suppressClick.current = false;
  };
  const onPointerMove = (event: ReactPointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (!d || d.id !== event.pointerId) return;
    const dx = event.clientX - d.x;
    const dy = event.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return;
    if (!d.moved) {
      d.moved = true;
      svgRef.current?.setPointerCapture(event.pointerId);
    }
    d.x = event.clientX;
    d.y = event.clientY;
    panBy(dx, dy);
  };
  const onPointerUp = (event: ReactPointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (d?.moved) suppressClick.current = true;
    drag.current = undefined;
    if (svgRef.current?.hasPointerCapture(event.pointerId)) svgRef.current.releasePointerCapture(event.pointerId);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const onNode = (event.target as Element).closest?.('[data-state]') !== null;
    const step = 60;
    switch (event.key) {
      case '+':
      case '=':
        zoomBy(1.25);
        break;
      case '-':
      case '_':
        zoomBy(0.8);
        break;
      case '0':
        fit();
        break;
      case 'ArrowLeft':
        if (onNode) return;
        panBy(step, 0);
        break;
      case 'ArrowRight':
        if (onNode) return;
        panBy(-step, 0);
        break;
      case 'ArrowUp':
        if (onNode) return;
        panBy(0, step);
        break;
      case 'ArrowDown':
        if (onNode) return;
        panBy(0, -step);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  // Stable callbacks, so the memoised shapes do not all re-render on every status update.
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const select = useCallback((name: string) => {
    if (suppressClick.current) {
      suppressClick.current = false;
      return;
    }
    onSelectRef.current?.(name);
  }, []);

  const exportSvg = () => {
    const content = contentRef.current;
    const defs = svgRef.current?.querySelector('defs');
    if (!content || !layout) return;
    const clone = content.cloneNode(true) as SVGGElement;
    clone.removeAttribute('transform');
    for (const el of clone.querySelectorAll('[tabindex]')) el.removeAttribute('tabindex');
    for (const el of clone.querySelectorAll('.graph-selection')) el.remove();
    const serializer = new XMLSerializer();
    const width = Math.ceil(layout.width);
    const height = Math.ceil(layout.height);
    const text =
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family='${FONT_FAMILY}'>` +
      `<rect width="100%" height="100%" fill="#ffffff"/>` +
      (defs ? serializer.serializeToString(defs) : '') +
      serializer.serializeToString(clone) +
      `</svg>\n`;
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${(props.exportName ?? 'state-machine').replace(/[^\w.-]+/g, '_')}.svg`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  /** Brings a state into the middle of the view (from a proxy, which stands in for it). */
  const layoutRef = useRef(layout);
  layoutRef.current = layout;
  const goTo = useCallback((name: string) => {
    const target = layoutRef.current?.nodes.find((n) => n.node.kind === 'state' && n.node.name === name);
    const box = containerRef.current?.getBoundingClientRect();
    if (target && box) {
      const k = Math.max(view.current.k, 0.6);
      view.current = { k, x: box.width / 2 - (target.x + target.width / 2) * k, y: box.height / 2 - (target.y + target.height / 2) * k };
      applyTransform();
    }
    select(name);
  }, [applyTransform, select]);

  const nameOf = useMemo(() => {
    const names = new Map<string, string>();
    for (const n of layout?.nodes ?? []) names.set(n.node.id, n.node.name);
    return names;
  }, [layout]);

  return (
    <div className="graph" style={{ height: props.height ?? '100%' }}>
      <div className="graph-toolbar" role="toolbar" aria-label="Graph controls">
        <button type="button" onClick={() => zoomBy(1.25)} aria-label="Zoom in" title="Zoom in (+)">
          +
        </button>
        <button type="button" onClick={() => zoomBy(0.8)} aria-label="Zoom out" title="Zoom out (−)">
          −
        </button>
        <button type="button" onClick={fit} title="Fit (0)">
          Fit
        </button>
        <span className="graph-zoom" aria-live="polite" aria-label={`Zoom ${zoomText}`}>
          {zoomText}
        </span>
        <button type="button" onClick={exportSvg} disabled={!layout}>
          Export SVG
        </button>
        {statuses && <Legend />}
      </div>
      <div
        ref={containerRef}
        className="graph-canvas"
        tabIndex={0}
        role="group"
        aria-label={`${props.label}. Use + and − to zoom, arrow keys to pan, Tab to move between states.`}
        onKeyDown={onKeyDown}
        data-testid="graph"
        data-laid-out={layout ? 'true' : 'false'}
      >
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {!layout && !error && <p className="muted graph-placeholder">Laying out…</p>}
        <svg ref={svgRef} width="100%" height="100%" onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={onPointerUp}>
          <defs>
            <marker id={markerId} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill={EDGE} />
            </marker>
            <marker id={`${markerId}-catch`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill={CATCH_EDGE} />
            </marker>
          </defs>
          <g ref={contentRef} fontFamily={FONT_FAMILY} fontSize={11}>
            {layout?.nodes.filter((n) => n.isGroup).map((n) => <GroupShape key={n.node.id} placed={n} status={statusOf(n, statuses)} selected={selected === n.node.name && n.node.kind === 'state'} onSelect={select} />)}
            {layout?.edges.map((e) => <EdgeShape key={e.edge.id} placed={e} markerId={markerId} from={nameOf.get(e.edge.source)} to={nameOf.get(e.edge.target)} />)}
            {layout?.nodes
              .filter((n) => !n.isGroup)
              .map((n) =>
                n.node.kind === 'proxy' ? (
                  <ProxyShape key={n.node.id} placed={n} onGo={goTo} />
                ) : (
                  <NodeShape key={n.node.id} placed={n} status={statusOf(n, statuses)} selected={selected === n.node.name && n.node.kind === 'state'} onSelect={select} />
                ),
              )}
          </g>
        </svg>
      </div>
    </div>
  );
}

function statusOf(placed: PlacedNode, statuses: ReadonlyMap<string, StateStatus> | undefined): StateStatus {
  return statuses?.get(placed.node.name) ?? 'not-reached';
}

function Legend() {
  return (
    <ul className="graph-legend" aria-label="Legend">
      {(Object.keys(STATUS_STYLES) as StateStatus[]).map((status) => (
        <li key={status}>
          <svg width="14" height="14" aria-hidden="true">
            <rect x="1" y="1" width="12" height="12" rx="3" fill={STATUS_STYLES[status].fill} stroke={STATUS_STYLES[status].stroke} strokeWidth="1.5" />
          </svg>
          {STATUS_STYLES[status].glyph ? `${STATUS_STYLES[status].glyph} ` : ''}
          {STATUS_STYLES[status].label}
        </li>
      ))}
    </ul>
  );
}

interface ShapeProps {
  readonly placed: PlacedNode;
  readonly status: StateStatus;
  readonly selected: boolean;
  readonly onSelect: (name: string) => void;
}

function stateAria(placed: PlacedNode, status: StateStatus, plain: boolean): string {
  const type = placed.node.stateType ?? 'Unknown';
  return `${placed.node.name}, ${type} state${plain ? '' : `, ${STATUS_STYLES[status].label.toLowerCase()}`}`;
}

function activate(event: KeyboardEvent<SVGGElement>, name: string, onSelect: (name: string) => void) {
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    onSelect(name);
  }
}

const NodeShape = memo(function NodeShape({ placed, status, selected, onSelect }: ShapeProps) {
  const { node, x, y, width, height } = placed;
  if (node.kind === 'start' || node.kind === 'end') {
    return (
      <g transform={`translate(${x} ${y})`} data-node={node.kind} role="img" aria-label={node.name}>
        <rect width={width} height={height} rx={height / 2} fill="#1f2937" />
        <text x={width / 2} y={height / 2 + 4} textAnchor="middle" fill="#ffffff" fontWeight={600}>
          {node.name}
        </text>
      </g>
    );
  }
  const plain = status === 'not-reached';
  const colours = plain ? PLAIN_NODE : STATUS_STYLES[status];
  const glyph = STATUS_STYLES[status].glyph;
  return (
    <g
      className="graph-node"
      transform={`translate(${x} ${y})`}
      data-state={node.name}
      data-status={status}
      data-type={node.stateType}
      role="button"
      tabIndex={0}
      aria-label={stateAria(placed, status, plain)}
      aria-pressed={selected}
      onClick={() => onSelect(node.name)}
      onKeyDown={(e) => activate(e, node.name, onSelect)}
    >
      {placed.displayName !== node.name && <title>{node.name}</title>}
      {selected && <rect className="graph-selection" x={-4} y={-4} width={width + 8} height={height + 8} rx={9} fill="none" stroke={SELECTED} strokeWidth={3} />}
      <rect className="graph-node-box" width={width} height={height} rx={6} fill={colours.fill} stroke={colours.stroke} strokeWidth={plain ? 1.25 : 2} />
      <text x={12} y={20} fill={TEXT} fontSize={13} fontWeight={600}>
        {placed.displayName}
      </text>
      <text x={12} y={37} fill={MUTED_TEXT}>
        {placed.displayDetail}
      </text>
      {glyph && (
        <text x={width - 8} y={16} textAnchor="end" fill={colours.stroke} fontSize={13} fontWeight={600} aria-hidden="true">
          {glyph}
        </text>
      )}
    </g>
  );
});

/** A stand-in for a Catch target shared by many states; activating it goes to the state. */
const ProxyShape = memo(function ProxyShape({ placed, onGo }: { placed: PlacedNode; onGo: (name: string) => void }) {
  const { node, x, y, width, height } = placed;
  const target = node.proxyFor ?? node.name;
  return (
    <g
      className="graph-node graph-proxy"
      transform={`translate(${x} ${y})`}
      data-proxy-for={target}
      role="button"
      tabIndex={0}
      aria-label={`${node.detail ?? 'Catch'}, go to ${target}`}
      onClick={() => onGo(target)}
      onKeyDown={(e) => activate(e, target, onGo)}
    >
      <title>{`${node.detail ?? 'Catch'} → ${target}`}</title>
      <rect className="graph-node-box" width={width} height={height} rx={height / 2} fill="#fff7ed" stroke={CATCH_EDGE} strokeDasharray="4 3" />
      <text x={10} y={height / 2 + 4} fill="#7c2d12">
        {`↪ ${placed.displayName}`}
      </text>
    </g>
  );
});

const GroupShape = memo(function GroupShape({ placed, status, selected, onSelect }: ShapeProps) {
  const { node, x, y, width, height } = placed;
  if (node.kind === 'branch') {
    return (
      <g transform={`translate(${x} ${y})`} data-branch={node.name}>
        <rect width={width} height={height} rx={6} fill={BRANCH_FILL} stroke="#94a3b8" strokeDasharray="5 4" />
        <text x={10} y={17} fill={MUTED_TEXT}>
          {placed.displayName}
        </text>
      </g>
    );
  }
  const plain = status === 'not-reached';
  const colours = plain ? { fill: GROUP_FILL, stroke: PLAIN_NODE.stroke } : STATUS_STYLES[status];
  const glyph = STATUS_STYLES[status].glyph;
  return (
    <g
      className="graph-node graph-group"
      transform={`translate(${x} ${y})`}
      data-state={node.name}
      data-status={status}
      data-type={node.stateType}
      role="button"
      tabIndex={0}
      aria-label={stateAria(placed, status, plain)}
      aria-pressed={selected}
      onClick={(e) => {
        if (e.target === e.currentTarget || (e.target as Element).closest('[data-state]') === e.currentTarget) onSelect(node.name);
      }}
      onKeyDown={(e) => {
        if (e.target === e.currentTarget) activate(e, node.name, onSelect);
      }}
    >
      {placed.displayName !== node.name && <title>{node.name}</title>}
      {selected && <rect className="graph-selection" x={-4} y={-4} width={width + 8} height={height + 8} rx={11} fill="none" stroke={SELECTED} strokeWidth={3} />}
      <rect className="graph-node-box" width={width} height={height} rx={8} fill={plain ? GROUP_FILL : colours.fill} fillOpacity={plain ? 1 : 0.45} stroke={colours.stroke} strokeWidth={plain ? 1.25 : 2} />
      <text x={12} y={24} fill={TEXT} fontSize={12} fontWeight={600}>
        {glyph ? `${glyph} ` : ''}
        {placed.displayName}
      </text>
      <text x={width - 12} y={24} textAnchor="end" fill={MUTED_TEXT}>
        {node.detail ? `${node.stateType} · ${node.detail}` : node.stateType}
      </text>
    </g>
  );
});

const EdgeShape = memo(function EdgeShape({ placed, markerId, from, to }: { placed: PlacedEdge; markerId: string; from: string | undefined; to: string | undefined }) {
  const { edge, points, label } = placed;
  if (points.length < 2) return null;
  const isCatch = edge.kind === 'catch';
  return (
    <g className="graph-edge" data-edge-kind={edge.kind} data-from={from} data-to={to} aria-hidden="true">
      <path d={roundedPath(points, 6)} fill="none" stroke={isCatch ? CATCH_EDGE : EDGE} strokeWidth={1.5} strokeDasharray={isCatch ? '6 4' : undefined} markerEnd={`url(#${isCatch ? `${markerId}-catch` : markerId})`} />
      {label && (
        <g transform={`translate(${label.x} ${label.y})`}>
          {edge.fullLabel && edge.fullLabel !== label.text && <title>{edge.fullLabel}</title>}
          <rect width={label.width} height={label.height} rx={3} fill="#ffffff" stroke={isCatch ? '#fdba74' : '#cbd5e1'} />
          <text x={label.width / 2} y={label.height / 2 + 4} textAnchor="middle" fill={isCatch ? '#9a3412' : MUTED_TEXT}>
            {label.text}
          </text>
        </g>
      )}
    </g>
  );
});

/** A polyline with its corners rounded. */
function roundedPath(points: { x: number; y: number }[], radius: number): string {
  let d = `M ${points[0]!.x} ${points[0]!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const prev = points[i - 1]!;
    const corner = points[i]!;
    const next = points[i + 1]!;
    const r = Math.min(radius, Math.hypot(corner.x - prev.x, corner.y - prev.y) / 2, Math.hypot(next.x - corner.x, next.y - corner.y) / 2);
    const a = towards(corner, prev, r);
    const b = towards(corner, next, r);
    d += ` L ${a.x} ${a.y} Q ${corner.x} ${corner.y} ${b.x} ${b.y}`;
  }
  const last = points[points.length - 1]!;
  return `${d} L ${last.x} ${last.y}`;
}

function towards(from: { x: number; y: number }, to: { x: number; y: number }, distance: number): { x: number; y: number } {
  const length = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  return { x: from.x + ((to.x - from.x) * distance) / length, y: from.y + ((to.y - from.y) * distance) / length };
}
