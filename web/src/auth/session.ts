/**
 * Who the console is and for whom it calls: the server's settings (GET console-config.json:
 * region, account, whether a key is needed) and the access key the user signed in with.
 *
 * The key is kept in `sessionStorage` only: it lives as long as the tab, is not shared with
 * other tabs, and is gone when the tab closes (never localStorage, never a cookie the server
 * would receive). Sign out, or a refusal that says the key is not (or no longer) valid, clears it.
 */
import { useSyncExternalStore } from 'react';

export interface ConsoleConfig {
  readonly region: string;
  readonly accountId: string;
  /** The server has a keys file: every call must be signed. */
  readonly authRequired: boolean;
}

export interface SignedInKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The key's name in the keys file (GetCallerIdentity). */
  readonly name: string;
  readonly arn: string;
}

export interface Session {
  /** Undefined until console-config.json is read. */
  readonly config: ConsoleConfig | undefined;
  readonly key: SignedInKey | undefined;
  /** Why the user was sent back to sign in (a refusal's message), if they were. */
  readonly signedOutBecause: string | undefined;
}

const STORAGE_KEY = 'stepwise.console.key';
/** A server that does not serve console-config.json (an older one, Vite's dev server without the proxy): calls go unsigned. */
const OPEN_SERVER: ConsoleConfig = { region: 'us-east-1', accountId: '111111111111', authRequired: false };

let session: Session = { config: undefined, key: storedKey(), signedOutBecause: undefined };
const listeners = new Set<() => void>();

function storedKey(): SignedInKey | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<SignedInKey> | null;
    if (value && typeof value.accessKeyId === 'string' && typeof value.secretAccessKey === 'string' && typeof value.name === 'string') {
      return { accessKeyId: value.accessKeyId, secretAccessKey: value.secretAccessKey, name: value.name, arn: String(value.arn ?? '') };
    }
  } catch {
    // Storage unavailable or garbled: sign in again.
  }
  return undefined;
}

function update(next: Partial<Session>): void {
  session = { ...session, ...next };
  for (const listener of listeners) listener();
}

export function currentSession(): Session {
  return session;
}

export function useSession(): Session {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => session,
  );
}

/** The page's directory (`/` or `/stepwise/` behind a proxy): the API and console-config.json live there. */
export function apiBase(): URL {
  return new URL('./', document.baseURI);
}

/** Reads console-config.json once (at start). */
export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  let config = OPEN_SERVER;
  try {
    const response = await fetch(new URL('console-config.json', apiBase()), { headers: { Accept: 'application/json' }, cache: 'no-store' });
    const value = response.ok ? ((await response.json()) as Partial<ConsoleConfig>) : undefined;
    if (value && typeof value.region === 'string' && typeof value.accountId === 'string') {
      config = { region: value.region, accountId: value.accountId, authRequired: value.authRequired === true };
    }
  } catch {
    // Not served or not JSON: the server is one without keys (see OPEN_SERVER).
  }
  update({ config });
  return config;
}

export function signIn(key: SignedInKey): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(key));
  } catch {
    // Private modes may refuse storage: the key then lasts until the page reloads.
  }
  update({ key, signedOutBecause: undefined });
}

/** Forgets the key; `because` is shown on the sign-in page (a refusal's message). */
export function signOut(because?: string): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
  update({ key: undefined, signedOutBecause: because });
}
