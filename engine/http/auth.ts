/**
 * HTTP authentication as k6/http does it: credentials in the URL (`http://user:pass@host/`) are
 * sent as basic auth (Go's net/http does so for a URL with user info), or, with
 * `params.auth: "digest"`, as RFC 7616 digest auth after the server's 401 challenge (k6's
 * digestTransport: a first request, which still carries the basic header Go's client adds, then
 * the same request with an Authorization header computed from the challenge; both are requests of
 * the test, tagged with the URL without its user info).
 * Metrics never show the password: the url and name tags carry k6's "cleaned" URL
 * (`http://****:****@host/`, lib/netext/httpext/url.go).
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Credentials {
  user: string;
  pass: string;
}

/** The user info of a URL, decoded; null when it has none (the common case costs one indexOf). */
export function urlCredentials(url: string): Credentials | null {
  const at = url.indexOf('@');
  if (at < 0) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.username === '' && u.password === '') return null;
  return { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) };
}

/** k6's URL.Clean(): the user info masked as "****:****" (or "****" without a password). */
export function cleanUrl(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme < 0) return url;
  const rest = scheme + 3;
  const end = url.slice(rest).search(/[/?#]/);
  const authority = end < 0 ? url.slice(rest) : url.slice(rest, rest + end);
  const at = authority.lastIndexOf('@');
  if (at < 0) return url;
  const mask = authority.slice(0, at).includes(':') ? '****:****' : '****';
  return url.slice(0, rest) + mask + url.slice(rest + at);
}

/** The URL without its user info (what goes on the wire). */
export function stripCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}

export function basicAuthorization(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.user}:${c.pass}`, 'utf8').toString('base64');
}

/** A parsed `WWW-Authenticate: Digest ...` challenge: its parameters, names lower-cased. */
export type DigestChallenge = Record<string, string>;

/** The Digest challenge of a WWW-Authenticate header value, or null when it offers none. */
export function parseDigestChallenge(header: string | undefined): DigestChallenge | null {
  if (header === undefined) return null;
  const start = header.search(/(^|[\s,])Digest\s/i);
  if (start < 0) return null;
  const params: DigestChallenge = {};
  // name=token or name="quoted \"string\"", comma separated
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  re.lastIndex = header.indexOf('Digest', start) + 6;
  for (let m = re.exec(header); m !== null; m = re.exec(header)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return params.nonce === undefined ? null : params;
}

const HASHES: Readonly<Record<string, string>> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

/**
 * The Authorization header answering `ch` (RFC 7616 section 3.4): qop "auth" when offered (else
 * the RFC 2069 form), the "-sess" algorithms, nonce count 1 (a new challenge per request, as k6).
 */
export function digestAuthorization(
  ch: DigestChallenge,
  method: string,
  uri: string,
  c: Credentials,
  cnonce = randomBytes(8).toString('hex'),
): string {
  const algorithm = ch.algorithm ?? 'MD5';
  const sess = /-sess$/i.test(algorithm);
  const base = algorithm.replace(/-sess$/i, '').toUpperCase();
  const hashName = HASHES[base];
  if (hashName === undefined)
    throw new Error(`digest auth: unsupported algorithm "${algorithm}" in the server's challenge`);
  const h = (s: string) => createHash(hashName).update(s, 'utf8').digest('hex');
  const realm = ch.realm ?? '';
  const nonce = ch.nonce!;
  let ha1 = h(`${c.user}:${realm}:${c.pass}`);
  if (sess) ha1 = h(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const qops = (ch.qop ?? '').split(',').map((q) => q.trim());
  const qop = qops.includes('auth') ? 'auth' : '';
  const nc = '00000001';
  const response = qop ? h(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : h(`${ha1}:${nonce}:${ha2}`);
  const q = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const parts = [
    `username=${q(c.user)}`,
    `realm=${q(realm)}`,
    `nonce=${q(nonce)}`,
    `uri=${q(uri)}`,
    `algorithm=${algorithm}`,
    `response=${q(response)}`,
  ];
  if (ch.opaque !== undefined) parts.push(`opaque=${q(ch.opaque)}`);
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${q(cnonce)}`);
  return 'Digest ' + parts.join(', ');
}
