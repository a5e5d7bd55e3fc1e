/**
 * The structured-clone-safe request/response of the engine's HTTP transport: what k6/http sends
 * to it (directly in async mode, over a MessagePort to the I/O thread in sync mode) and gets back.
 */
export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array | null;
  /** Total time allowed, ms (k6 `timeout`, default 60s). */
  timeoutMs: number;
  /** 'none' discards the body (k6 responseType "none" / discardResponseBodies). */
  responseType: 'text' | 'binary' | 'none';
}

export interface WireTimings {
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  duration: number;
}

/** One request on the wire: a redirect chain has one hop per request. */
export interface WireHop {
  method: string;
  url: string;
  status: number;
  statusText: string;
  /** "HTTP/1.1" or "HTTP/2.0"; '' when the request failed before a connection. */
  proto: string;
  /** k6's tls_version ("tls1.3") and tls_cipher_suite (Go's name); '' over plain http. */
  tlsVersion: string;
  tlsCipherSuite: string;
  /** k6's Response.ocsp as JSON; '' over plain http or when the request failed. */
  ocsp: string;
  headers: Record<string, string>;
  timings: WireTimings;
  sentBytes: number;
  receivedBytes: number;
  /** k6's error text and code; '' and 0 when none. */
  error: string;
  errorCode: number;
  /** Epoch ms at the start of the hop. */
  startTime: number;
  /**
   * Each Set-Cookie header of the response, when it has any (`headers` joins them with ", ", which
   * a cookie's Expires date makes ambiguous).
   */
  setCookies?: string[];
}

export interface WireResponse {
  hops: WireHop[];
  body: string | Uint8Array | null;
  remoteIp: string;
  remotePort: number;
}
