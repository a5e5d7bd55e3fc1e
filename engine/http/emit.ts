/**
 * The built-in HTTP metrics of one response, one set per hop (k6 emits each redirect's request):
 * http_reqs, http_req_duration and its phases, http_req_failed, data_sent, data_received,
 * tagged with k6's default system tags (method, url, name, status, proto, tls_version, expected_response, error,
 * error_code)
 * over the VU's tags, then the request's own tags.
 */
import type { SampleSink, Tags } from '../metrics/api.ts';
import type { ResponseCallback } from './request-builder.ts';
import type { WireHop, WireResponse } from './wire.ts';
import { cleanUrl } from './auth.ts';

/** A tag set built for one (VU tags, method, url, name, status, proto, error, expected) combination. */
interface CachedTags {
  method: string;
  name: string | undefined;
  status: number;
  proto: string;
  tlsVersion: string;
  errorCode: number;
  error: string;
  expected: number;
  tags: Tags;
}

/**
 * Tag sets by the VU's base tag object (stable until its group or tags change), then by URL:
 * a test repeats the same few requests, so the 9 samples of a response reuse one frozen object
 * instead of building a new one per request.
 */
const tagCache = new WeakMap<Tags, Map<string, CachedTags[]>>();
const PER_URL = 8;
const URLS = 2000;

function httpTags(base: Tags, hop: WireHop, name: string | undefined, expected: number): Tags {
  let byUrl = tagCache.get(base);
  if (byUrl === undefined) tagCache.set(base, (byUrl = new Map()));
  let list = byUrl.get(hop.url);
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      if (
        c.status === hop.status &&
        c.method === hop.method &&
        c.name === name &&
        c.expected === expected &&
        c.errorCode === hop.errorCode &&
        c.error === hop.error &&
        c.proto === hop.proto &&
        c.tlsVersion === hop.tlsVersion
      )
        return c.tags;
    }
  }
  const tags = buildTags(base, hop, name, expected);
  if (list === undefined) {
    if (byUrl.size >= URLS) byUrl.clear();
    byUrl.set(hop.url, (list = []));
  }
  if (list.length >= PER_URL) list.shift();
  list.push({
    method: hop.method,
    name,
    status: hop.status,
    proto: hop.proto,
    tlsVersion: hop.tlsVersion,
    errorCode: hop.errorCode,
    error: hop.error,
    expected,
    tags,
  });
  return tags;
}

/** expected: 1 / 0 as the response callback said, -1 without a callback (no expected_response tag). */
function buildTags(base: Tags, hop: WireHop, name: string | undefined, expected: number): Record<string, string> {
  const tags: Record<string, string> = { ...base };
  tags.method = hop.method;
  // k6's url and name tags never show a URL's password (URL.Clean)
  const url = hop.url.includes('@') ? cleanUrl(hop.url) : hop.url;
  tags.url = url;
  tags.name = name ?? url;
  tags.status = String(hop.status);
  if (hop.proto) tags.proto = hop.proto;
  if (hop.tlsVersion) tags.tls_version = hop.tlsVersion;
  if (hop.errorCode) tags.error_code = String(hop.errorCode);
  if (hop.error) tags.error = hop.error;
  if (expected >= 0) tags.expected_response = expected ? 'true' : 'false';
  return tags;
}

/** The samples of one hop, in this order (http_req_failed only with a response callback). */
const WITHOUT_FAILED = [
  'http_reqs',
  'http_req_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
] as const;
const WITH_FAILED = [...WITHOUT_FAILED, 'http_req_failed'] as const;
const DATA = ['data_sent', 'data_received'] as const;
/** Scratch values for one addSamples call (the sink copies them out). */
const values = new Float64Array(9);

export function emitHttpMetrics(
  sink: SampleSink,
  base: Tags,
  wire: WireResponse,
  userTags: Record<string, string> | undefined,
  name: string | undefined,
  callback: ResponseCallback | null,
  digest = false,
): void {
  const hops = wire.hops;
  for (let i = 0; i < hops.length; i++) {
    const hop = hops[i]!;
    // As k6 for params.auth "digest": the first response is expected to be the 401 challenge.
    const expected = callback ? ((digest && i === 0 ? hop.status === 401 : callback(hop.status)) ? 1 : 0) : -1;
    let tags: Tags;
    if (userTags) {
      const own = buildTags(base, hop, name, expected);
      Object.assign(own, userTags);
      tags = own;
    } else {
      tags = httpTags(base, hop, name, expected);
    }
    const t = hop.timings;
    const time = hop.startTime;
    const v = values;
    v[0] = 1;
    v[1] = t.duration;
    v[2] = t.blocked;
    v[3] = t.connecting;
    v[4] = t.tls_handshaking;
    v[5] = t.sending;
    v[6] = t.waiting;
    v[7] = t.receiving;
    v[8] = expected ? 0 : 1;
    const names = expected >= 0 ? WITH_FAILED : WITHOUT_FAILED;
    if (sink.addSamples) {
      sink.addSamples(names, v, tags, time);
    } else {
      for (let k = 0; k < names.length; k++) sink.add(names[k]!, v[k]!, tags, time);
    }
    v[0] = hop.sentBytes;
    v[1] = hop.receivedBytes;
    if (sink.addSamples) {
      sink.addSamples(DATA, v, base, time);
    } else {
      sink.add(DATA[0], v[0], base, time);
      sink.add(DATA[1], v[1], base, time);
    }
  }
}
