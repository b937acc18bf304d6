/** Formatting shared by the pages: dates (epoch seconds from the API), durations, JSON. */

export function formatDate(epochSeconds: number | undefined): string {
  if (epochSeconds === undefined) return '—';
  const date = new Date(epochSeconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 3 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

/** Pretty JSON for display; text that is not JSON is shown as it is. */
export function prettyJson(text: string | undefined): string {
  if (text === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** An event's details for display: JSON strings inside (input, output…) shown as JSON. */
export function expandJsonFields(value: unknown): unknown {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
      try {
        return JSON.parse(trimmed);
      } catch {
        return value;
      }
    }
    return value;
  }
  if (Array.isArray(value)) return value.map(expandJsonFields);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandJsonFields(v)]));
  }
  return value;
}

/** The last part of an ARN (`…:stateMachine:Orders` → `Orders`; versions keep `:3`). */
export function arnName(arn: string): string {
  const parts = arn.split(':');
  const kind = parts[5];
  if (kind === 'stateMachine' && parts.length > 7) return parts.slice(6).join(':');
  return parts[parts.length - 1] ?? arn;
}

/** Longer texts are shown cut until asked for (laying out 10,000 lines makes every update slow)… */
const JSON_BLOCK_LIMIT = 20_000;
/**
 * …and so are texts of more lines than this: a JSON block shows ~20 lines at a time, and laying
 * out a thousand lines of an execution's input and output took ~60 ms of the page's first render.
 */
const JSON_BLOCK_LINES = 200;

/** Where to cut a JSON block's text for display, or undefined when it is short enough to show whole. */
export function jsonBlockCut(text: string): number | undefined {
  let cut = Math.min(text.length, JSON_BLOCK_LIMIT);
  let newline = -1;
  for (let line = 1; line <= JSON_BLOCK_LINES; line++) {
    newline = text.indexOf('\n', newline + 1);
    if (newline === -1 || newline >= cut) break;
    if (line === JSON_BLOCK_LINES) cut = newline;
  }
  return cut < text.length ? cut : undefined;
}
