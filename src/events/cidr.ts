/**
 * IPv4 / IPv6 CIDR parsing and containment for the `cidr` event-pattern operator. Addresses are
 * held as bigint so both families share one comparison. Pure, no node:net.
 */
export interface Cidr {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  // event-ruler also accepts a bare address, meaning the single host.
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseIp(addressText);
  if (!address) return undefined;
  const bits = address.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > bits) return undefined;
  }
  return { family: address.family, network: address.value & mask(bits, prefix), prefix };
}

export function cidrContains(cidr: Cidr, addressText: string): boolean {
  const address = parseIp(addressText);
  if (!address || address.family !== cidr.family) return false;
  const bits = cidr.family === 4 ? 32 : 128;
  return (address.value & mask(bits, cidr.prefix)) === cidr.network;
}

function mask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  if (text.length > 45) return undefined;
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tail = '';
  const gap = text.indexOf('::');
  if (gap !== -1) {
    if (text.indexOf('::', gap + 1) !== -1) return undefined;
    head = text.slice(0, gap);
    tail = text.slice(gap + 2);
  }
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (::ffff:10.0.0.1) counts as two groups.
  const expand = (groups: string[]): string[] | undefined => {
    const last = groups[groups.length - 1];
    if (last?.includes('.')) {
      const v4 = parseIpv4(last);
      if (v4 === undefined) return undefined;
      return [...groups.slice(0, -1), (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    }
    return groups;
  };
  const h = gap === -1 ? expand(headGroups) : headGroups;
  const t = gap === -1 ? [] : expand(tailGroups);
  if (!h || !t) return undefined;
  const missing = 8 - h.length - t.length;
  if (gap === -1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...h, ...Array<string>(gap === -1 ? 0 : missing).fill('0'), ...t];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}
