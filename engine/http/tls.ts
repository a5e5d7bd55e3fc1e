/**
 * TLS as k6/http does it: the `tlsVersion` ("tls1.2", or { min, max }) and `tlsCipherSuites`
 * options (k6's lib/tlsconfig.go names, which are Go's), `insecureSkipTLSVerify`, and what a
 * response reports of its connection: `tls_version` ("tls1.3"), `tls_cipher_suite` (Go's name of
 * the suite), `proto` ("HTTP/2.0" when ALPN chose h2, else "HTTP/1.1").
 *
 * Node's TLS speaks OpenSSL names: `ciphers` takes OpenSSL names for TLS 1.2 suites and IANA
 * names for TLS 1.3 ones; `getCipher().standardName` answers the IANA name, which is Go's name
 * but for the two CHACHA20 suites of TLS 1.2 (Go drops their "_SHA256").
 */
import type { TLSSocket } from 'node:tls';
import { parseOcsp } from './ocsp.ts';

/** What the transport needs to open TLS connections (structured-clone safe: it goes to the I/O thread). */
export interface TlsOptions {
  insecureSkipTLSVerify: boolean;
  /** Node's names ("TLSv1.2"); undefined = Node's default. */
  minVersion?: string;
  maxVersion?: string;
  /** The OpenSSL cipher list: Go's defaults, or options.tlsCipherSuites; undefined = Node's default. */
  ciphers?: string;
}

/** k6's TLS version names -> Node's. */
const VERSIONS: Readonly<Record<string, string>> = {
  'tls1.0': 'TLSv1',
  'tls1.1': 'TLSv1.1',
  'tls1.2': 'TLSv1.2',
  'tls1.3': 'TLSv1.3',
};
const K6_VERSION: Readonly<Record<string, string>> = {
  TLSv1: 'tls1.0',
  'TLSv1.1': 'tls1.1',
  'TLSv1.2': 'tls1.2',
  'TLSv1.3': 'tls1.3',
};

/** k6's (Go's) cipher suite names -> OpenSSL's (TLS 1.3 suites keep their IANA name in Node's list). */
const SUITES: Readonly<Record<string, string>> = {
  TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
};

/** IANA names Go spells differently. */
const GO_NAME: Readonly<Record<string, string>> = {
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
};

/** Go's TLS 1.3 suites in its order of preference (with AES hardware, as on any x86-64/arm64 server). */
const TLS13 = new Set(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);

/**
 * Go's default TLS 1.0-1.2 suites, in its order (crypto/tls cipherSuitesPreferenceOrder, without
 * the RSA key exchange suites Go 1.22 dropped from the defaults). A server that honours the
 * client's preference then picks what it would pick for k6.
 */
const GO_DEFAULT_TLS12 = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES256-SHA',
];

/** Reads the TLS options of a script's options; pushes one problem per bad field. */
export function tlsOptions(raw: Record<string, unknown>, problems: string[]): TlsOptions {
  const out: TlsOptions = {
    insecureSkipTLSVerify: raw.insecureSkipTLSVerify === true,
    ciphers: [...TLS13, ...GO_DEFAULT_TLS12].join(':'),
  };
  const version = (v: unknown, field: string): string | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'string' && VERSIONS[v]) return VERSIONS[v];
    problems.push(
      `options.${field}: unknown TLS version ${JSON.stringify(v)}; expected one of ${Object.keys(VERSIONS).join(', ')}`,
    );
    return undefined;
  };
  const tv = raw.tlsVersion;
  if (typeof tv === 'object' && tv !== null && !Array.isArray(tv)) {
    const { min, max } = tv as { min?: unknown; max?: unknown };
    out.minVersion = version(min, 'tlsVersion.min');
    out.maxVersion = version(max, 'tlsVersion.max');
  } else if (tv !== undefined) {
    out.minVersion = out.maxVersion = version(tv, 'tlsVersion');
  }
  const suites = raw.tlsCipherSuites;
  if (suites !== undefined && suites !== null) {
    if (!Array.isArray(suites)) {
      problems.push(`options.tlsCipherSuites: expected an array of cipher suite names, got ${JSON.stringify(suites)}`);
    } else {
      const names: string[] = [];
      for (const s of suites) {
        if (typeof s === 'string' && SUITES[s]) names.push(s);
        else problems.push(`options.tlsCipherSuites: unknown cipher suite ${JSON.stringify(s)}`);
      }
      // As Go: the list limits TLS 1.0-1.2 suites only; TLS 1.3's are always on.
      const legacy = names.filter((n) => !TLS13.has(n)).map((n) => SUITES[n]!);
      if (legacy.length > 0) out.ciphers = [...TLS13, ...legacy].join(':');
    }
  }
  return out;
}

/** The TLS options of a connector (undici's buildConnector passes them on to tls.connect). */
export function connectorTls(o: TlsOptions): Record<string, unknown> {
  // requestOCSP: Go's client always asks for a stapled OCSP response (status_request)
  const out: Record<string, unknown> = { rejectUnauthorized: !o.insecureSkipTLSVerify, requestOCSP: true };
  if (o.minVersion) out.minVersion = o.minVersion;
  if (o.maxVersion) out.maxVersion = o.maxVersion;
  if (o.ciphers) out.ciphers = o.ciphers;
  return out;
}

/** What a connection reports of itself in each of its responses. */
export interface ConnInfo {
  proto: string;
  tlsVersion: string;
  tlsCipherSuite: string;
  /** k6's Response.ocsp as JSON (ocsp.ts); '' over plain http. */
  ocsp: string;
}

export const PLAIN_HTTP: ConnInfo = { proto: 'HTTP/1.1', tlsVersion: '', tlsCipherSuite: '', ocsp: '' };

/** A TLS socket's protocol, version, suite and stapled OCSP response as k6 names them. */
export function tlsInfo(socket: TLSSocket, ocspDer: Buffer | null): ConnInfo {
  const cipher = socket.getCipher?.();
  const iana = cipher?.standardName ?? '';
  return {
    proto: socket.alpnProtocol === 'h2' ? 'HTTP/2.0' : 'HTTP/1.1',
    tlsVersion: K6_VERSION[socket.getProtocol?.() ?? ''] ?? '',
    tlsCipherSuite: GO_NAME[iana] ?? iana,
    ocsp: JSON.stringify(parseOcsp(ocspDer)),
  };
}
