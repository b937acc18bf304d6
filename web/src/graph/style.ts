/**
 * Colours of the graph, as SVG presentation attributes (not CSS) so an exported SVG looks the
 * same as the page. Fills are light and text is dark (contrast ≥ 7:1); each status also has a
 * glyph, so colour is never the only cue.
 */
import type { StateStatus } from '../history/derive.js';

export interface StatusStyle {
  readonly fill: string;
  readonly stroke: string;
  readonly glyph: string;
  readonly label: string;
}

export const STATUS_STYLES: Record<StateStatus, StatusStyle> = {
  'in-progress': { fill: '#dbeafe', stroke: '#1d4ed8', glyph: '◔', label: 'In progress' },
  succeeded: { fill: '#dcfce7', stroke: '#15803d', glyph: '✓', label: 'Succeeded' },
  failed: { fill: '#fee2e2', stroke: '#b91c1c', glyph: '✕', label: 'Failed' },
  caught: { fill: '#ffedd5', stroke: '#c2410c', glyph: '!', label: 'Caught error' },
  cancelled: { fill: '#e5e7eb', stroke: '#4b5563', glyph: '⊘', label: 'Cancelled' },
  'not-reached': { fill: '#ffffff', stroke: '#6b7280', glyph: '', label: 'Not reached' },
};

/** Nodes of a definition (no execution): neutral. */
export const PLAIN_NODE = { fill: '#ffffff', stroke: '#475569' };
export const TEXT = '#111827';
export const MUTED_TEXT = '#374151';
export const EDGE = '#475569';
export const CATCH_EDGE = '#b45309';
export const SELECTED = '#7c3aed';
export const GROUP_FILL = '#f8fafc';
export const BRANCH_FILL = '#ffffff';
