/**
 * k6's DNS resolution for the HTTP transport (k6 options `dns: { ttl, select, policy }`, default
 * `{ ttl: "5m", select: "random", policy: "preferIPv4" }`, as lib/types/dns.go and lib/netext's
 * resolver): a host name is resolved through the system resolver (getaddrinfo) once, its
 * addresses cached for `ttl`, and each new connection gets ONE address of them: the IPv4 ones (or
 * IPv6 ones) the policy keeps, then the first, a random one, or the next in turn (`select`).
 * `ttl: "0"` resolves on every connection; `"inf"` caches for the whole test.
 *
 * `DnsCache.lookup` has the shape of net.connect's `lookup` option, so undici's connector passes
 * it on to the socket: the socket's own `lookup` event still marks the end of resolution.
 */
import { lookup as systemLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { parseDuration } from '../options/duration.ts';

export type DnsSelect = 'first' | 'random' | 'roundRobin';
export type DnsPolicy = 'preferIPv4' | 'preferIPv6' | 'onlyIPv4' | 'onlyIPv6' | 'any';

/** The `dns` option, parsed (structured-clone safe: it goes to the I/O thread). */
export interface DnsOptions {
  /** How long an answer stays cached, ms: 0 = no cache, Infinity = the whole test ("inf"). */
  ttlMs: number;
  select: DnsSelect;
  policy: DnsPolicy;
}

export const DEFAULT_DNS: DnsOptions = { ttlMs: 5 * 60_000, select: 'random', policy: 'preferIPv4' };
const SELECTS: readonly DnsSelect[] = ['first', 'random', 'roundRobin'];
const POLICIES: readonly DnsPolicy[] = ['preferIPv4', 'preferIPv6', 'onlyIPv4', 'onlyIPv6', 'any'];

/** Reads `options.dns` (an object, or k6's `--dns` text "ttl=1m,select=first,policy=any"); one problem per bad field. */
export function dnsOptions(raw: unknown, problems: string[]): DnsOptions {
  const out: DnsOptions = { ...DEFAULT_DNS };
  if (raw === undefined || raw === null) return out;
  let fields: Record<string, unknown>;
  if (typeof raw === 'string') {
    fields = {};
    for (const part of raw.split(',')) {
      const [k, v] = part.split('=', 2);
      if (!v) problems.push(`options.dns: no value for key ${JSON.stringify(part)}`);
      else fields[k!.trim()] = v.trim();
    }
  } else if (typeof raw === 'object' && !Array.isArray(raw)) {
    fields = raw as Record<string, unknown>;
  } else {
    problems.push(`options.dns: expected an object like { ttl: "5m", select: "random", policy: "preferIPv4" }`);
    return out;
  }
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null) continue;
    if (k === 'ttl') {
      if (v === 'inf') out.ttlMs = Infinity;
      else {
        const ms = parseDuration(typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
        if (typeof ms === 'object') problems.push(`options.dns.ttl: ${ms.error}, "0" or "inf"`);
        else out.ttlMs = ms;
      }
    } else if (k === 'select') {
      if (SELECTS.includes(v as DnsSelect)) out.select = v as DnsSelect;
      else problems.push(`options.dns.select: expected one of ${SELECTS.join(', ')}, got ${JSON.stringify(v)}`);
    } else if (k === 'policy') {
      if (POLICIES.includes(v as DnsPolicy)) out.policy = v as DnsPolicy;
      else problems.push(`options.dns.policy: expected one of ${POLICIES.join(', ')}, got ${JSON.stringify(v)}`);
    } else {
      problems.push(`options.dns: unknown field ${JSON.stringify(k)}; expected ttl, select, policy`);
    }
  }
  return out;
}

type Resolve = (host: string, cb: (err: Error | null, addrs: LookupAddress[]) => void) => void;
type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

const resolveAll: Resolve = (host, cb) =>
  systemLookup(host, { all: true }, (err, addrs) => cb(err, err ? [] : (addrs as LookupAddress[])));

interface Entry {
  addrs: LookupAddress[];
  expires: number;
  next: number;
  /** Callbacks waiting for the lookup in flight (one system lookup per name, however many connect at once). */
  waiting: Array<(err: Error | null, addrs: LookupAddress[]) => void> | null;
}

/** A name's cached addresses, resolved once per ttl; `lookup` hands one address to each connection. */
export class DnsCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly o: DnsOptions = DEFAULT_DNS,
    private readonly resolve: Resolve = resolveAll,
    private readonly now: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
  ) {}

  /** net.connect's `lookup`. */
  readonly lookup = (host: string, opts: LookupOptions, cb: LookupCallback): void => {
    const family = isIP(host);
    if (family !== 0) return void cb(null, opts.all ? [{ address: host, family }] : host, family);
    this.addresses(host, (err, addrs) => {
      if (err) return cb(err, opts.all ? [] : '', 0);
      const a = this.pick(host, addrs);
      if (a === null) {
        const e = Object.assign(new Error(`lookup ${host}: no address for policy ${this.o.policy}`), {
          code: 'ENOTFOUND',
          hostname: host,
        });
        return cb(e, opts.all ? [] : '', 0);
      }
      if (opts.all) cb(null, [a]);
      else cb(null, a.address, a.family);
    });
  };

  private addresses(host: string, cb: (err: Error | null, addrs: LookupAddress[]) => void): void {
    const e = this.entries.get(host);
    if (e !== undefined) {
      if (e.waiting !== null) return void e.waiting.push(cb);
      if (this.now() < e.expires) return cb(null, e.addrs);
    }
    const entry: Entry = { addrs: [], expires: 0, next: e?.next ?? 0, waiting: [cb] };
    this.entries.set(host, entry);
    this.resolve(host, (err, addrs) => {
      const waiting = entry.waiting!;
      entry.waiting = null;
      if (err || this.o.ttlMs === 0) this.entries.delete(host);
      else {
        entry.addrs = addrs;
        entry.expires = this.now() + this.o.ttlMs;
      }
      for (const w of waiting) w(err, addrs);
    });
  }

  /** The policy's addresses, then one by `select`; null when the policy keeps none. */
  private pick(host: string, all: LookupAddress[]): LookupAddress | null {
    const v4 = all.filter((a) => a.family === 4);
    const v6 = all.filter((a) => a.family === 6);
    const p = this.o.policy;
    const kept =
      p === 'preferIPv4'
        ? v4.length > 0
          ? v4
          : v6
        : p === 'preferIPv6'
          ? v6.length > 0
            ? v6
            : v4
          : p === 'onlyIPv4'
            ? v4
            : p === 'onlyIPv6'
              ? v6
              : all;
    if (kept.length === 0) return null;
    if (this.o.select === 'first') return kept[0]!;
    if (this.o.select === 'random') return kept[Math.floor(this.random() * kept.length)]!;
    const e = this.entries.get(host);
    const i = e ? e.next++ % kept.length : 0;
    return kept[i]!;
  }
}
