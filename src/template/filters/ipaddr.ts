/** ansible.utils.ipaddr basics for IPv4 (and address validation for IPv6): the queries K3s playbooks use. */
import type { FilterFn } from '../runtime/env.js';
import { TemplateRuntimeError } from '../runtime/env.js';
import { num, pyStr } from '../runtime/values.js';

interface V4 {
  ip: number;
  prefix: number;
  /** The value had an explicit "/prefix" or netmask. */
  hasPrefix: boolean;
}

function parseIp(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function parseV4(value: unknown): V4 | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return { ip: value, prefix: 32, hasPrefix: false };
  if (typeof value !== 'string') return undefined;
  const [addr, pfx, ...rest] = value.trim().split('/');
  if (rest.length || addr === undefined) return undefined;
  const ip = parseIp(addr);
  if (ip === undefined) return undefined;
  if (pfx === undefined) return { ip, prefix: 32, hasPrefix: false };
  if (/^\d{1,2}$/.test(pfx) && Number(pfx) <= 32) return { ip, prefix: Number(pfx), hasPrefix: true };
  const mask = parseIp(pfx);
  if (mask === undefined) return undefined;
  const bits = mask.toString(2).padStart(32, '0');
  if (!/^1*0*$/.test(bits)) return undefined;
  return { ip, prefix: bits.indexOf('0') < 0 ? 32 : bits.indexOf('0'), hasPrefix: true };
}

function isV6(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const [addr, pfx] = value.split('/');
  if (pfx !== undefined && !(/^\d{1,3}$/.test(pfx) && Number(pfx) <= 128)) return false;
  if (!addr || !/^[0-9a-fA-F:.]+$/.test(addr) || !addr.includes(':')) return false;
  const dbl = addr.split('::').length - 1;
  if (dbl > 1) return false;
  const groups = addr.split(':').filter((g) => g !== '');
  return groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) && (dbl === 1 ? groups.length < 8 : groups.length === 8);
}

export function ipStr(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function network(v: V4): number {
  return (v.ip & maskOf(v.prefix)) >>> 0;
}

function broadcast(v: V4): number {
  return (network(v) | (~maskOf(v.prefix) >>> 0)) >>> 0;
}

function size(v: V4): number {
  return Math.pow(2, 32 - v.prefix);
}

function queryV4(v: V4, original: string, query: string): unknown {
  const net = network(v);
  switch (query) {
    case '':
      return original;
    case 'address':
    case 'ip':
      return ipStr(v.ip);
    case 'network':
      return ipStr(net);
    case 'netmask':
      return ipStr(maskOf(v.prefix));
    case 'hostmask':
      return ipStr(~maskOf(v.prefix) >>> 0);
    case 'prefix':
      return v.prefix;
    case 'broadcast':
      return v.prefix >= 31 ? null : ipStr(broadcast(v));
    case 'size':
      return size(v);
    case 'net':
      return v.hasPrefix && v.ip === net ? `${ipStr(net)}/${v.prefix}` : null;
    case 'host':
      return v.prefix === 32 || (v.ip !== net && v.ip !== broadcast(v)) || v.prefix >= 31 ? `${ipStr(v.ip)}/${v.prefix}` : null;
    case 'network/prefix':
    case 'subnet':
    case 'cidr':
      return `${ipStr(net)}/${v.prefix}`;
    case 'host/prefix':
      return v.ip !== net || v.prefix >= 31 ? `${ipStr(v.ip)}/${v.prefix}` : null;
    case 'address/prefix':
    case 'gateway':
    case 'router':
      return v.ip !== net || v.prefix >= 31 ? `${ipStr(v.ip)}/${v.prefix}` : null;
    case 'ipv4':
    case 'version4':
      return original;
    case 'ipv6':
      return false;
    case 'version':
      return 4;
    case 'int':
      return `${v.ip}/${v.prefix}`;
    case 'private': {
      const a = v.ip >>> 24;
      const b = (v.ip >>> 16) & 255;
      return a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) ? original : null;
    }
    case 'public': {
      const a = v.ip >>> 24;
      const b = (v.ip >>> 16) & 255;
      return a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || a === 127 ? null : original;
    }
    case 'revdns':
      return ipStr(v.ip).split('.').reverse().join('.') + '.in-addr.arpa.';
    case 'first_usable':
      return v.prefix >= 31 ? ipStr(net) : ipStr(net + 1);
    case 'last_usable':
      return v.prefix >= 31 ? ipStr(broadcast(v)) : ipStr(broadcast(v) - 1);
  }
  if (/^-?\d+$/.test(query)) {
    const n = Number(query);
    const idx = n >= 0 ? net + n : broadcast(v) + 1 + n;
    if (n >= size(v) || -n > size(v)) return false;
    return `${ipStr(idx)}/${v.prefix}`;
  }
  // A network as the query: the value when it lies inside that network, else None
  // (ansible.utils `'10.245.1.7' | ipaddr('10.245.0.0/16')`).
  const within = parseV4(query);
  if (within?.hasPrefix) {
    const inside = v.prefix >= within.prefix && network({ ...v, prefix: within.prefix }) === network(within);
    return inside ? original : null;
  }
  throw new TemplateRuntimeError(`Unknown ipaddr query: ${query}`);
}

function ipaddr(value: unknown, query: string, version?: 4 | 6): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const x of value) {
      const r = ipaddr(x, query, version);
      if (r !== false && r !== null) out.push(r);
    }
    return out;
  }
  const v4 = parseV4(value);
  if (v4) {
    if (version === 6) return false;
    return queryV4(v4, pyStr(value), query);
  }
  if (isV6(value)) {
    if (version === 4) return false;
    if (['', 'address', 'ipv6', 'version6'].includes(query)) return query === 'address' ? pyStr(value).split('/')[0] : value;
    if (query === 'version') return 6;
    if (query === 'prefix') return Number(pyStr(value).split('/')[1] ?? 128);
    if (query === 'ipv4') return false;
    throw new TemplateRuntimeError(`ipaddr query '${query}' is not supported for IPv6 by philote`);
  }
  return false;
}

export const IP_FILTERS: Record<string, FilterFn> = {
  ipaddr: (_s, v, a) => ipaddr(v, a[0] === undefined ? '' : pyStr(a[0])),
  ipv4: (_s, v, a) => ipaddr(v, a[0] === undefined ? '' : pyStr(a[0]), 4),
  ipv6: (_s, v, a) => ipaddr(v, a[0] === undefined ? '' : pyStr(a[0]), 6),
  ipwrap: (_s, v) => (isV6(v) ? `[${pyStr(v)}]` : v),
  nthhost: (_s, v, a) => {
    const p = parseV4(v);
    if (!p) return false;
    const n = num(a[0]);
    const net = network(p);
    if (n >= size(p) || -n > size(p)) return false;
    return ipStr(n >= 0 ? net + n : broadcast(p) + 1 + n);
  },
  ipmath: (_s, v, a) => {
    const p = parseV4(v);
    if (!p) throw new TemplateRuntimeError(`You must pass a valid IP address; ${pyStr(v)} is invalid`);
    return ipStr((p.ip + num(a[0])) >>> 0);
  },
  network_in_usable: (_s, v, a) => {
    const net = parseV4(v);
    const ip = parseV4(a[0]);
    if (!net || !ip) return false;
    return ip.ip > network(net) && ip.ip < broadcast(net);
  },
  network_in_network: (_s, v, a) => {
    const net = parseV4(v);
    const sub = parseV4(a[0]);
    if (!net || !sub) return false;
    return network(sub) >= network(net) && broadcast(sub) <= broadcast(net);
  },
  ipsubnet: (_s, v, a) => {
    const p = parseV4(v);
    if (!p) return false;
    if (a[0] === undefined) return `${ipStr(network(p))}/${p.prefix}`;
    const newPrefix = num(a[0]);
    if (newPrefix < p.prefix) return false;
    if (a[1] === undefined) return Math.pow(2, newPrefix - p.prefix);
    const idx = num(a[1]);
    return `${ipStr(network(p) + idx * Math.pow(2, 32 - newPrefix))}/${newPrefix}`;
  },
};
