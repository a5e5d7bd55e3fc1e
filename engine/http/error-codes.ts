/**
 * k6's HTTP error codes (k6 docs "Error codes"; k6 `lib/netext/httpext/error_codes.go`),
 * mapped from Node/undici errors. 4xx/5xx responses get 1000 + status, as in k6.
 */
export const K6_ERROR = {
  GENERIC: 1000,
  INVALID_URL: 1020,
  REQUEST_TIMEOUT: 1050,
  DNS_GENERIC: 1100,
  DNS_NO_IP: 1101,
  TCP_GENERIC: 1200,
  TCP_BROKEN_PIPE: 1201,
  TCP_DIAL: 1210,
  TCP_DIAL_TIMEOUT: 1211,
  TCP_DIAL_REFUSED: 1212,
  TCP_RESET: 1220,
  TLS_GENERIC: 1300,
  X509_UNKNOWN_AUTHORITY: 1310,
  X509_HOSTNAME: 1311,
} as const;

/** The code and k6-like message of a transport error. */
export function classify(err: unknown, url: string): { code: number; message: string } {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  const host = safeHost(url);
  switch (code) {
    case 'ECONNREFUSED':
      return { code: K6_ERROR.TCP_DIAL_REFUSED, message: `dial tcp ${host}: connect: connection refused` };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { code: K6_ERROR.TCP_DIAL_TIMEOUT, message: `dial tcp ${host}: i/o timeout` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code: K6_ERROR.DNS_NO_IP, message: `lookup ${host}: no such host` };
    case 'ECONNRESET':
      return { code: K6_ERROR.TCP_RESET, message: `read tcp ${host}: read: connection reset by peer` };
    case 'EPIPE':
      return { code: K6_ERROR.TCP_BROKEN_PIPE, message: `write tcp ${host}: write: broken pipe` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return { code: K6_ERROR.TCP_DIAL, message: `dial tcp ${host}: ${e.message ?? code}` };
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return { code: K6_ERROR.GENERIC, message: `${e.message ?? 'socket error'} (${host})` };
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return { code: K6_ERROR.X509_UNKNOWN_AUTHORITY, message: 'x509: unknown authority' };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { code: K6_ERROR.X509_HOSTNAME, message: "x509: certificate doesn't match hostname" };
    case 'ERR_INVALID_URL':
    case 'UND_ERR_INVALID_ARG':
      return { code: K6_ERROR.INVALID_URL, message: `invalid URL ${JSON.stringify(url)}: ${e.message ?? ''}` };
    default:
      if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /certificate|SSL|TLS/i.test(e?.message ?? '')) {
        return { code: K6_ERROR.TLS_GENERIC, message: e.message ?? 'tls error' };
      }
      return { code: K6_ERROR.GENERIC, message: e?.message ?? String(err) };
  }
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
}

export function statusErrorCode(status: number): number {
  return status >= 400 && status < 600 ? 1000 + status : 0;
}
