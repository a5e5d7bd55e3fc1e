/**
 * A request's hops when cookies are in play. k6/http follows redirects itself, one transport call
 * per hop, so that the cookie jar, which lives on the VU's thread, is applied between hops in both
 * modes: each hop's Set-Cookie is stored in the jar, and
 * the next hop sends the jar's cookies for its URL (a login answering 302 + Set-Cookie is followed
 * by a request carrying the new session cookie, as in k6).
 *
 * Requests without cookies and answers without Set-Cookie or redirect never make a chain: the
 * caller checks `needsChain` (a couple of field reads) and uses the built request as it is.
 */
import { cookieHeader, type CookieJar } from './cookies.ts';
import { digestAuthorization, parseDigestChallenge } from './auth.ts';
import type { BuiltRequest } from './request-builder.ts';
import type { WireHop, WireRequest, WireResponse } from './wire.ts';

function isRedirect(status: number): boolean {
  return status > 300 && status < 309 && (status < 304 || status > 306); // 301, 302, 303, 307, 308
}

/** Whether a first answer needs the chain: it sets cookies, it is a redirect to follow, or a digest challenge. */
export function needsChain(built: BuiltRequest, wire: WireResponse): boolean {
  const hop = wire.hops[0]!;
  return (
    hop.setCookies !== undefined ||
    (built.digest !== undefined && hop.status === 401) ||
    (built.redirects > 0 && isRedirect(hop.status) && hop.headers['Location'] !== undefined && !hop.error)
  );
}

/** Whether the first request must carry cookies (a chain from the start). */
export function sendsCookies(built: BuiltRequest, jar: CookieJar): boolean {
  return built.cookies !== undefined || jar.filled;
}

function cookieKey(headers: Record<string, string>): string | undefined {
  for (const k in headers) if (k.toLowerCase() === 'cookie') return k;
  return undefined;
}

export class HopChain {
  readonly hops: WireHop[] = [];
  /** The first hop's request as sent, and the cookies it carried (res.request). */
  readonly first: WireRequest;
  firstSent: Array<[string, string]> = [];
  private last: WireResponse | null = null;
  private left: number;
  /** Whether the digest challenge was answered already (k6 answers the first request's only). */
  private digestSent = false;

  /** `sent`: the first request when it already went out as built (no cookies); otherwise the chain makes it. */
  constructor(
    private readonly built: BuiltRequest,
    private readonly jar: CookieJar,
    sent?: WireRequest,
  ) {
    this.left = built.redirects;
    this.first = sent ?? this.hop(built.wire, built.wire.url, true);
  }

  /** The request of one hop: `base` with the Cookie header for `url`. */
  private hop(base: WireRequest, url: string, first: boolean): WireRequest {
    const { header, sent } = cookieHeader(this.jar, this.built.cookies, url);
    if (first) this.firstSent = sent;
    if (header === '' && first) return base;
    const headers = { ...base.headers };
    const key = cookieKey(headers);
    if (key !== undefined && !first) delete headers[key]; // as k6: a redirect's Cookie header comes from the jar only
    if (header !== '') {
      if (key !== undefined && first && headers[key]) headers[key] = `${headers[key]}; ${header}`;
      else headers[key !== undefined && first ? key : 'Cookie'] = header;
    }
    return { ...base, url, headers };
  }

  /**
   * Takes a hop's answer: stores its cookies in the jar, and returns the next hop's request, or
   * null when the chain ends (not a redirect, an error, or the redirect limit reached).
   */
  next(wire: WireResponse, req: WireRequest): WireRequest | null {
    const hop = wire.hops[0]!;
    this.hops.push(hop);
    this.last = wire;
    if (hop.setCookies !== undefined) this.jar.storeResponse(hop.url, hop.setCookies);
    if (this.built.digest !== undefined && !this.digestSent && hop.status === 401 && !hop.error) {
      this.digestSent = true;
      const challenge = parseDigestChallenge(hop.headers['Www-Authenticate']);
      if (challenge === null) return null;
      const u = new URL(req.url);
      const authorization = digestAuthorization(challenge, req.method, u.pathname + u.search, this.built.digest);
      return { ...req, headers: { ...req.headers, Authorization: authorization } };
    }
    const location = hop.headers['Location'];
    if (hop.error || !isRedirect(hop.status) || location === undefined || this.left <= 0) return null;
    this.left--;
    let url: string;
    try {
      url = new URL(location, hop.url).toString();
    } catch {
      return null;
    }
    let base = req;
    if (hop.status === 303 || ((hop.status === 301 || hop.status === 302) && req.method === 'POST')) {
      const headers = { ...req.headers };
      delete headers['Content-Type'];
      delete headers['Content-Length'];
      base = { ...req, method: 'GET', body: null, headers };
    }
    return this.hop(base, url, false);
  }

  /** Every hop so far, with the last one's body and peer. */
  response(): WireResponse {
    const last = this.last!;
    return { hops: this.hops, body: last.body, remoteIp: last.remoteIp, remotePort: last.remotePort };
  }
}
