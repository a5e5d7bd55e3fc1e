/**
 * The built-in HTTP metrics of one response, one set per hop (k6 emits each redirect's request):
 * http_reqs, http_req_duration and its phases, http_req_failed, data_sent, data_received,
 * tagged with k6's system tags (method, url, name, status, proto, expected_response, error, error_code)
 * over the VU's tags, then the request's own tags.
 */
import type { SampleSink, Tags } from '../metrics/api.ts';
import type { ResponseCallback } from './request-builder.ts';
import type { WireResponse } from './wire.ts';

export function emitHttpMetrics(
  sink: SampleSink,
  base: Tags,
  wire: WireResponse,
  userTags: Record<string, string> | undefined,
  name: string | undefined,
  callback: ResponseCallback | null,
): void {
  for (const hop of wire.hops) {
    const tags: Record<string, string> = { ...base };
    tags.method = hop.method;
    tags.url = hop.url;
    tags.name = name ?? hop.url;
    tags.status = String(hop.status);
    tags.proto = hop.proto;
    if (hop.errorCode) tags.error_code = String(hop.errorCode);
    if (hop.error) tags.error = hop.error;
    const expected = callback ? callback(hop.status) : true;
    if (callback) tags.expected_response = expected ? 'true' : 'false';
    if (userTags) Object.assign(tags, userTags);
    const t = hop.timings;
    const time = hop.startTime;
    sink.add('http_reqs', 1, tags, time);
    sink.add('http_req_duration', t.duration, tags, time);
    sink.add('http_req_blocked', t.blocked, tags, time);
    sink.add('http_req_connecting', t.connecting, tags, time);
    sink.add('http_req_tls_handshaking', t.tls_handshaking, tags, time);
    sink.add('http_req_sending', t.sending, tags, time);
    sink.add('http_req_waiting', t.waiting, tags, time);
    sink.add('http_req_receiving', t.receiving, tags, time);
    if (callback) sink.add('http_req_failed', expected ? 0 : 1, tags, time);
    sink.add('data_sent', hop.sentBytes, base, time);
    sink.add('data_received', hop.receivedBytes, base, time);
  }
}
