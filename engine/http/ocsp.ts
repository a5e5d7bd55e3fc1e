/**
 * k6's Response.ocsp from a stapled OCSP response (RFC 6960), as lib/netext/tls.go fills it from
 * Go's ocsp.ParseResponse: status, revocation reason, and the times as Unix seconds. Without a
 * stapled response (or one that does not parse) the status is "unknown" and the rest zero.
 * The signature is not verified (k6 passes no issuer either). As from Go, a parsed response's
 * absent times are Go's zero time in Unix seconds and its reason "unspecified" unless revoked with one.
 *
 * The DER it reads:
 *   OCSPResponse ::= SEQ { responseStatus ENUM, responseBytes [0] EXPLICIT SEQ { OID, OCTET STRING } }
 *   BasicOCSPResponse ::= SEQ { tbsResponseData ResponseData, ... }
 *   ResponseData ::= SEQ { version [0] EXPLICIT OPTIONAL, responderID [1]|[2], producedAt GeneralizedTime,
 *                          responses SEQ OF SingleResponse, ... }
 *   SingleResponse ::= SEQ { certID SEQ, certStatus good [0] | revoked [1] { revocationTime,
 *                            revocationReason [0] EXPLICIT ENUM OPTIONAL } | unknown [2],
 *                            thisUpdate GeneralizedTime, nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL }
 */

export interface Ocsp {
  produced_at: number;
  this_update: number;
  next_update: number;
  revoked_at: number;
  revocation_reason: string;
  status: string;
}

/** RFC 5280 CRLReason values, k6's names (7 is unused). */
const REASONS = [
  'unspecified',
  'key_compromise',
  'ca_compromise',
  'affiliation_changed',
  'superseded',
  'cessation_of_operation',
  'certificate_hold',
  '',
  'remove_from_crl',
  'privilege_withdrawn',
  'aa_compromise',
];

/** time.Time{}.Unix() in Go. */
const GO_ZERO_TIME = -62135596800;

export const UNKNOWN_OCSP: Readonly<Ocsp> = {
  produced_at: 0,
  this_update: 0,
  next_update: 0,
  revoked_at: 0,
  revocation_reason: '',
  status: 'unknown',
};

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** The DER element at `at` of `b` (its tag and content range). */
function tlv(b: Uint8Array, at: number): Tlv {
  const tag = b[at]!;
  let len = b[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  if (start + len > b.length) throw new Error('truncated DER');
  return { tag, start, end: start + len };
}

function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = t.start; at < t.end;) {
    const c = tlv(b, at);
    out.push(c);
    at = c.end;
  }
  return out;
}

/** A GeneralizedTime ("20261206134200Z") as Unix seconds. */
function time(b: Uint8Array, t: Tlv): number {
  const s = Buffer.from(b.subarray(t.start, t.end)).toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(s);
  if (m === null) throw new Error(`bad GeneralizedTime ${s}`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000;
}

/** The OCSP details of a stapled response (DER); UNKNOWN_OCSP when there is none or it does not parse. */
export function parseOcsp(der: Uint8Array | null | undefined): Ocsp {
  if (!der || der.length === 0) return { ...UNKNOWN_OCSP };
  try {
    const top = children(der, tlv(der, 0));
    if (der[top[0]!.start] !== 0 || top[1] === undefined) return { ...UNKNOWN_OCSP }; // not "successful"
    const responseBytes = children(der, children(der, top[1])[0]!);
    const basic = der.subarray(responseBytes[1]!.start, responseBytes[1]!.end);
    const tbs = children(basic, children(basic, tlv(basic, 0))[0]!);
    let i = tbs[0]!.tag === 0xa0 ? 1 : 0; // optional version
    i++; // responderID
    const out: Ocsp = {
      produced_at: time(basic, tbs[i++]!),
      this_update: GO_ZERO_TIME,
      next_update: GO_ZERO_TIME,
      revoked_at: GO_ZERO_TIME,
      revocation_reason: 'unspecified',
      status: 'unknown',
    };
    const single = children(basic, children(basic, tbs[i]!)[0]!);
    const status = single[1]!;
    if (status.tag === 0x80) out.status = 'good';
    else if (status.tag === 0xa1) {
      out.status = 'revoked';
      const info = children(basic, status);
      out.revoked_at = time(basic, info[0]!);
      if (info[1]?.tag === 0xa0) out.revocation_reason = REASONS[basic[children(basic, info[1])[0]!.start]!] ?? '';
    }
    out.this_update = time(basic, single[2]!);
    if (single[3]?.tag === 0xa0) out.next_update = time(basic, children(basic, single[3])[0]!);
    return out;
  } catch {
    return { ...UNKNOWN_OCSP };
  }
}
