/**
 * What the signed-in key may do on a page: one Stepwise.SimulatePolicy call per page for the
 * actions its buttons perform, evaluated by the server with the key's own IAM policies. The
 * buttons a key may not use are disabled with a title saying why (the server refuses them
 * anyway: this only spares the user a form that ends in AccessDenied).
 *
 * Without a keys file everything is allowed at once. While the answer is awaited the buttons
 * are disabled ("Checking…"); if the check itself fails they are enabled, and the server decides.
 */
import { useEffect, useState } from 'react';
import { callApi } from '../api/client.js';
import { useSession } from './session.js';

export interface Check {
  /** IAM action: `states:StartExecution`. */
  readonly action: string;
  /** The ARN it acts on. */
  readonly resource: string;
}

export interface Permissions {
  /** true, false, or undefined while the server is asked. */
  allowed(action: string, resource: string): boolean | undefined;
  /** A title for a control the key may not use (undefined when it may). */
  why(action: string, resource: string): string | undefined;
}

const keyOf = (action: string, resource: string) => `${action} ${resource}`;

export function usePermissions(checks: readonly Check[]): Permissions {
  const { config, key } = useSession();
  const required = config?.authRequired === true;
  const signature = JSON.stringify(checks);
  const [answers, setAnswers] = useState<{ signature: string; allowed: ReadonlyMap<string, boolean> } | undefined>(undefined);

  useEffect(() => {
    if (!required || checks.length === 0) return;
    let current = true;
    callApi<{ results: { action: string; resource: string; allowed: boolean }[] }>('SimulatePolicy', { checks: checks.slice(0, 100) }, undefined, 'Stepwise')
      .then((answer) => current && setAnswers({ signature, allowed: new Map(answer.results.map((r) => [keyOf(r.action, r.resource), r.allowed])) }))
      .catch(() => current && setAnswers({ signature, allowed: new Map(checks.map((c) => [keyOf(c.action, c.resource), true])) }));
    return () => {
      current = false;
    };
  }, [required, signature, key?.accessKeyId]); // eslint-disable-line react-hooks/exhaustive-deps

  const allowed = (action: string, resource: string): boolean | undefined => {
    if (!required) return true;
    if (answers?.signature !== signature) return undefined;
    return answers.allowed.get(keyOf(action, resource)) ?? true;
  };
  return {
    allowed,
    why: (action, resource) => {
      const answer = allowed(action, resource);
      if (answer === undefined) return 'Checking what your access key may do…';
      return answer ? undefined : `Not allowed: your access key${key ? ` (${key.name})` : ''} may not ${action} on ${resource}`;
    },
  };
}
