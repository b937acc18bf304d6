/**
 * Hash routes (the server serves one index.html): `#/state-machines/<arn>?tab=executions`.
 * ARNs are URI-encoded path segments.
 */
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'state-machines' }
  | { page: 'create' }
  | { page: 'machine'; arn: string; tab: string }
  | { page: 'edit'; arn: string }
  | { page: 'executions'; status?: string }
  | { page: 'execution'; arn: string }
  | { page: 'activities' }
  | { page: 'triggers' }
  /** A recording: opened from a file (no `src`), or read from `src`, a file beside the console (stepwise view). */
  | { page: 'recording'; src?: string }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const [pathPart = '', queryPart = ''] = hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(queryPart);
  const segments = pathPart.split('/').filter(Boolean).map(safeDecode);
  const [first, second, third] = segments;
  if (!first || (first === 'state-machines' && !second)) return { page: 'state-machines' };
  if (first === 'state-machines' && second === 'new') return { page: 'create' };
  if (first === 'state-machines' && second && third === 'edit') return { page: 'edit', arn: second };
  if (first === 'state-machines' && second) return { page: 'machine', arn: second, tab: query.get('tab') ?? 'executions' };
  if (first === 'executions' && second) return { page: 'execution', arn: second };
  if (first === 'executions') return { page: 'executions', ...(query.get('status') ? { status: query.get('status')! } : {}) };
  if (first === 'activities') return { page: 'activities' };
  if (first === 'triggers') return { page: 'triggers' };
  if (first === 'recording') return { page: 'recording', ...(query.get('src') ? { src: query.get('src')! } : {}) };
  return { page: 'not-found', path: pathPart };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export const href = {
  stateMachines: () => '#/state-machines',
  create: () => '#/state-machines/new',
  machine: (arn: string, tab?: string) => `#/state-machines/${encodeURIComponent(arn)}${tab ? `?tab=${tab}` : ''}`,
  edit: (arn: string) => `#/state-machines/${encodeURIComponent(arn)}/edit`,
  executions: (status?: string) => `#/executions${status ? `?status=${status}` : ''}`,
  execution: (arn: string) => `#/executions/${encodeURIComponent(arn)}`,
  activities: () => '#/activities',
  triggers: () => '#/triggers',
  recording: (src?: string) => `#/recording${src ? `?src=${encodeURIComponent(src)}` : ''}`,
};

export function navigate(to: string): void {
  window.location.hash = to.replace(/^#/, '');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
