/**
 * The AWS SDKs and CLI send StartSyncExecution and TestState to `sync-<endpoint host>` (a host
 * prefix in Step Functions' API model). With the endpoint `http://localhost:8083` that is
 * `sync-localhost`, which works with the clients' default settings once the machine's hosts
 * file maps it to loopback (README: "StartSyncExecution and TestState").
 *
 * The server then accepts that Host without `--allowed-host`: a name the hosts file pins to
 * loopback cannot be rebound by DNS (or LLMNR, mDNS) to another machine, so it is as safe as
 * `localhost`. Only the hosts file counts, read once at start-up; a DNS answer would not do,
 * since whoever answers DNS on the network could rebind it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SYNC_LOCALHOST = 'sync-localhost';

/** The machine's hosts file: /etc/hosts, or Windows's under %SystemRoot%. */
export function hostsFilePath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  return platform === 'win32' ? join(env.SystemRoot ?? 'C:\\Windows', 'System32', 'drivers', 'etc', 'hosts') : '/etc/hosts';
}

/** Whether the hosts file's text maps `name` to loopback addresses only (and at least one). */
export function hostsFileMapsToLoopback(text: string, name: string): boolean {
  let found = false;
  for (const raw of text.split(/\r?\n/)) {
    const [address, ...names] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (address === undefined || address === '' || !names.some((n) => n.toLowerCase() === name)) continue;
    if (!(/^127(\.\d{1,3}){3}$/.test(address) || address === '::1')) return false;
    found = true;
  }
  return found;
}

/** `sync-localhost` when this machine's hosts file pins it to loopback, for the Host check. */
export function hostsPinnedToLoopback(path: string = hostsFilePath()): string[] {
  try {
    return hostsFileMapsToLoopback(readFileSync(path, 'utf8'), SYNC_LOCALHOST) ? [SYNC_LOCALHOST] : [];
  } catch {
    return []; // no readable hosts file: nothing is pinned
  }
}
