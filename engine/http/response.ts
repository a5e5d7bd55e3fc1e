/** k6's http Response object, built from the transport's WireResponse. */
import { STATUS_CODES } from 'node:http';
import type { WireHop, WireResponse } from './wire.ts';
import { parseHTML, type Selection } from '../modules/html.ts';
import type { Ocsp } from './ocsp.ts';
import { responseCookies, sentCookies, type RequestCookie, type ResponseCookie } from './cookies.ts';

/** The request as a Response shows it; `cookies` are the name/value pairs its Cookie header carried. */
export interface RequestView {
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyText: string;
  cookies?: ReadonlyArray<[string, string]>;
}

const NO_OCSP: Ocsp = {
  produced_at: 0,
  this_update: 0,
  next_update: 0,
  revoked_at: 0,
  revocation_reason: '',
  status: '',
};

export class K6Response {
  readonly status: number;
  readonly status_text: string;
  readonly body: string | ArrayBuffer | null;
  readonly timings: WireHop['timings'];
  readonly url: string;
  readonly proto: string;
  readonly error: string;
  readonly error_code: number;
  readonly remote_ip: string;
  readonly remote_port: number;
  readonly tls_version: string;
  readonly tls_cipher_suite: string;
  /** k6's OCSP details of the stapled response (ocsp.ts); status "unknown" without one, "" over plain http. */
  readonly ocsp: Ocsp;
  private readonly req: RequestView;
  /** The last hop: its headers are built when first read. */
  private readonly last: WireHop;
  private readonly setCookies: string[] | undefined;
  private parsedCookies: Record<string, ResponseCookie[]> | null = null;

  constructor(wire: WireResponse, req: RequestView) {
    const last = wire.hops[wire.hops.length - 1]!;
    this.status = last.status;
    // HTTP/2 has no reason phrase: Go shows the standard one.
    this.status_text = last.status ? `${last.status} ${last.statusText || STATUS_CODES[last.status] || ''}` : '';
    const b = wire.body;
    this.body =
      b instanceof Uint8Array ? (b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer) : b;
    this.last = last;
    this.timings = last.timings;
    this.url = last.url;
    this.proto = last.proto;
    this.tls_version = last.tlsVersion;
    this.tls_cipher_suite = last.tlsCipherSuite;
    this.ocsp = last.ocsp ? (JSON.parse(last.ocsp) as Ocsp) : NO_OCSP;
    this.error = last.error;
    this.error_code = last.errorCode;
    this.remote_ip = wire.remoteIp;
    this.remote_port = wire.remotePort;
    this.req = req;
    this.setCookies = last.setCookies;
  }

  /** The (last) response's headers, canonical names, repeated ones joined with ", ". */
  get headers(): Record<string, string> {
    return this.last.headers;
  }

  /** The cookies the (last) response set: `{ name: [{ name, value, domain, path, http_only, secure, max_age, expires }] }`. */
  get cookies(): Record<string, ResponseCookie[]> {
    return (this.parsedCookies ??= responseCookies(this.setCookies));
  }

  /** The request as k6 shows it (built on first access). */
  get request(): {
    method: string;
    url: string;
    headers: Record<string, string[]>;
    body: string;
    cookies: Record<string, RequestCookie[]>;
  } {
    const headers: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(this.req.headers)) headers[k] = [v];
    return {
      method: this.req.method,
      url: this.req.url,
      headers,
      body: this.req.bodyText,
      cookies: sentCookies(this.req.cookies ?? []),
    };
  }

  /** Parses the body as JSON; `selector` is a dotted path like "data.items.0.id" (a subset of k6's gjson). */
  json(selector?: string): unknown {
    if (typeof this.body !== 'string')
      throw new Error(
        `the response body is not text (responseType ${this.body === null ? '"none"' : '"binary"'}); cannot parse JSON`,
      );
    let value: unknown;
    try {
      value = JSON.parse(this.body);
    } catch (err) {
      throw new Error(`cannot parse the response body of ${this.url} as JSON: ${(err as Error).message}`);
    }
    if (!selector) return value;
    for (const part of selector.split('.')) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  }

  /** The body as a k6/html Selection (URLs of its elements resolve against this response's URL); `selector` finds in it. */
  html(selector?: string): Selection {
    if (typeof this.body !== 'string')
      throw new Error(
        `the response body is not text (responseType ${this.body === null ? '"none"' : '"binary"'}); cannot parse HTML`,
      );
    const doc = parseHTML(this.body, this.url);
    return selector === undefined ? doc : doc.find(selector);
  }
}
