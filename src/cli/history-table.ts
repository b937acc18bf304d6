/**
 * `stepwise run --history`: the execution history as a compact table (what the console's
 * "Events" tab shows) or as JSON lines in GetExecutionHistory's shape for tools.
 */
import type { AwsHistoryEvent, HistoryEvent } from '../index.js';
import { preview } from './io.js';

export type HistoryFormat = 'table' | 'jsonl';

export const HISTORY_FORMATS: readonly HistoryFormat[] = ['table', 'jsonl'];

export function formatHistory(events: readonly HistoryEvent[], aws: () => readonly AwsHistoryEvent[], format: HistoryFormat): string[] {
  if (format === 'jsonl') return aws().map((e) => JSON.stringify(e));
  return historyTable(events);
}

/** One line per event: id, time since the start, type, state name, frame, a short detail. */
export function historyTable(events: readonly HistoryEvent[]): string[] {
  if (events.length === 0) return [];
  const start = events[0]!.timestamp;
  const rows = events.map((e) => [
    String(e.id),
    `+${((e.timestamp - start) / 1000).toFixed(3)}s`,
    e.type,
    e.details?.name ?? '',
    e.frame,
    detailOf(e),
  ]);
  const headers = ['id', 'elapsed', 'type', 'state', 'frame', 'detail'];
  const showFrame = events.some((e) => e.frame !== '');
  const columns = showFrame ? [0, 1, 2, 3, 4, 5] : [0, 1, 2, 3, 5];
  const widths = columns.map((c) => Math.max(headers[c]!.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    columns
      .map((c, i) => (i === columns.length - 1 ? cells[c]! : c === 0 ? cells[c]!.padStart(widths[i]!) : cells[c]!.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** The most telling detail of an event: its error, else what it produced, else what it received. */
function detailOf(e: HistoryEvent): string {
  const d = e.details;
  if (!d) return '';
  if (d.error !== undefined || d.cause !== undefined) return [d.error, d.cause].filter((x) => x !== undefined && x !== '').join(': ');
  if (d.output !== undefined) return `output ${preview(d.output, 60)}`;
  if (d.parameters !== undefined) return `parameters ${preview(d.parameters, 60)}`;
  if (d.input !== undefined) return `input ${preview(d.input, 60)}`;
  if (d.resource !== undefined) return `resource ${d.resource}`;
  if (d.index !== undefined) return `index ${d.index}`;
  if (d.length !== undefined) return `length ${d.length}`;
  return '';
}
