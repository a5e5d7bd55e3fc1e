/**
 * URLs as k6/html's Elements read them: Go's net/url (Parse, ResolveReference, String) and
 * net.SplitHostPort, not the WHATWG URL parser. The two differ where scripts can see it: Go keeps
 * a default port (`http://h:80/` has host `h:80`), does not lower-case the host, gives the path
 * decoded, accepts a relative reference against an empty base, and fails (where WHATWG repairs)
 * on a bad percent-escape, a control character or a port that is not digits.
 *
 * Paths and fragments are kept as written (escaped) for String(), as Go's RawPath/RawFragment
 * keep them when they are valid encodings; `path` and `fragment` are their decoded forms.
 */

export interface GoURL {
  scheme: string;
  opaque: string;
  /** userinfo as written (escaped), or null when the URL has no `@`. */
  userinfo: string | null;
  username: string;
  password: string | null;
  host: string;
  /** the path as written (escaped) */
  escPath: string;
  forceQuery: boolean;
  rawQuery: string;
  /** the fragment as written (escaped) */
  escFragment: string;
}

export const EMPTY_URL: Readonly<GoURL> = Object.freeze({
  scheme: '',
  opaque: '',
  userinfo: null,
  username: '',
  password: null,
  host: '',
  escPath: '',
  forceQuery: false,
  rawQuery: '',
  escFragment: '',
});

/** Go's unescape: every `%` starts two hex digits, else the URL is invalid (null). */
export function unescape(s: string): string | null {
  if (!s.includes('%')) return s;
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return null;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else for (const b of Buffer.from(s[i]!, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Go's url.Parse; null where it returns an error. */
export function parseGoURL(raw: string): GoURL | null {
  if (/[\x00-\x1f\x7f]/.test(raw)) return null;
  const hashAt = raw.indexOf('#');
  const u: GoURL = { ...EMPTY_URL, escFragment: hashAt < 0 ? '' : raw.slice(hashAt + 1) };
  if (unescape(u.escFragment) === null) return null;
  let rest = hashAt < 0 ? raw : raw.slice(0, hashAt);
  if (rest === '*') return { ...u, escPath: '*' };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (rest.startsWith(':')) return null;
  if (scheme) {
    u.scheme = scheme[1]!.toLowerCase();
    rest = rest.slice(scheme[0].length);
  }
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) {
    u.forceQuery = true;
    rest = rest.slice(0, -1);
  } else if (rest.includes('?')) {
    u.rawQuery = rest.slice(rest.indexOf('?') + 1);
    rest = rest.slice(0, rest.indexOf('?'));
  }
  if (!rest.startsWith('/')) {
    if (u.scheme !== '') return { ...u, opaque: rest };
    const slash = rest.indexOf('/');
    if ((slash < 0 ? rest : rest.slice(0, slash)).includes(':')) return null;
  }
  if ((u.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    if (!parseAuthority(authority, u)) return null;
  }
  if (unescape(rest) === null) return null;
  u.escPath = rest;
  return u;
}

function parseAuthority(authority: string, u: GoURL): boolean {
  const at = authority.lastIndexOf('@');
  const host = authority.slice(at + 1);
  let colonPort = '';
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return false;
    colonPort = host.slice(close + 1);
  } else if (host.includes(':')) colonPort = host.slice(host.lastIndexOf(':'));
  if (colonPort !== '' && !/^:\d*$/.test(colonPort)) return false;
  const h = unescape(host);
  if (h === null) return false;
  u.host = h;
  if (at < 0) return true;
  const info = authority.slice(0, at);
  const colon = info.indexOf(':');
  const name = unescape(colon < 0 ? info : info.slice(0, colon));
  const pass = colon < 0 ? null : unescape(info.slice(colon + 1));
  if (name === null || (colon >= 0 && pass === null)) return false;
  u.userinfo = info;
  u.username = name;
  u.password = pass;
  return true;
}

/** Go's resolvePath: `ref` against `base`, dot segments removed (ported as written). */
function resolvePath(base: string, ref: string): string {
  const full = ref === '' ? base : ref[0] !== '/' ? base.slice(0, base.lastIndexOf('/') + 1) + ref : ref;
  if (full === '') return '';
  let dst = '/';
  let first = true;
  const elems = full.split('/');
  for (const elem of elems) {
    if (elem === '.') {
      first = false;
      continue;
    }
    if (elem === '..') {
      const i = dst.slice(1).lastIndexOf('/');
      dst = i >= 0 ? dst.slice(0, i + 1) : '/';
      first = dst.length === 1;
    } else {
      if (!first) dst += '/';
      dst += elem;
      first = false;
    }
  }
  const last = elems[elems.length - 1];
  if (last === '.' || last === '..') dst += '/';
  return dst.length > 1 && dst[1] === '/' ? dst.slice(1) : dst;
}

/** Go's URL.ResolveReference. */
export function resolveGoURL(base: GoURL, ref: GoURL): GoURL {
  const url: GoURL = { ...ref, scheme: ref.scheme === '' ? base.scheme : ref.scheme };
  if (ref.scheme !== '' || ref.host !== '' || ref.userinfo !== null)
    return { ...url, escPath: resolvePath(ref.escPath, '') };
  if (ref.opaque !== '') return { ...url, userinfo: null, username: '', password: null, host: '', escPath: '' };
  if (ref.escPath === '' && !ref.forceQuery && ref.rawQuery === '') {
    url.rawQuery = base.rawQuery;
    if (ref.escFragment === '') url.escFragment = base.escFragment;
  }
  if (ref.escPath === '' && base.opaque !== '')
    return { ...url, opaque: base.opaque, userinfo: null, username: '', password: null, host: '', escPath: '' };
  return {
    ...url,
    host: base.host,
    userinfo: base.userinfo,
    username: base.username,
    password: base.password,
    escPath: resolvePath(base.escPath, ref.escPath),
  };
}

/** Go's URL.String(). */
export function goURLString(u: GoURL): string {
  let s = '';
  if (u.opaque !== '') s = `${u.scheme}:${u.opaque}`;
  else {
    if (u.scheme !== '') s += u.scheme + ':';
    if (u.scheme !== '' || u.host !== '' || u.userinfo !== null) {
      if (u.host !== '' || u.escPath !== '' || u.userinfo !== null) s += '//';
      if (u.userinfo !== null) s += u.userinfo + '@';
      s += u.host;
    }
    const p = u.escPath;
    if (p !== '' && p[0] !== '/' && u.host !== '') s += '/';
    if (s === '' && (p.indexOf('/') < 0 ? p : p.slice(0, p.indexOf('/'))).includes(':')) s += './';
    s += p;
  }
  if (u.forceQuery || u.rawQuery !== '') s += '?' + u.rawQuery;
  if (u.escFragment !== '') s += '#' + u.escFragment;
  return s;
}

/** Go's net.SplitHostPort: [host, port], or null where it errs (no port, too many colons). */
export function splitHostPort(hostport: string): [string, string] | null {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return null;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 !== i) return null;
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return null;
  }
  if (hostport.slice(j).includes('[') || hostport.slice(k).includes(']')) return null;
  return [host, hostport.slice(i + 1)];
}
