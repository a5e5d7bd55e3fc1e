/**
 * The certificate authorities the engine's own HTTPS fetches trust (remote modules): Node's root
 * store (Mozilla's, the system roots Go's crypto/x509 loads on Linux hold the same CAs) plus the
 * PEM certificates of `SSL_CERT_FILE` (a file) and `SSL_CERT_DIR` (directories, `:`-separated,
 * every file in them), the variables Go, and so k6, reads. Unlike Go, which reads SSL_CERT_FILE
 * *instead of* the system's bundle, the engine adds them to its roots. An unreadable file or
 * directory is skipped, as Go skips it, with a warning here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function pemsOf(file: string): string[] {
  return readFileSync(file, 'utf8').match(PEM) ?? [];
}

export interface TrustedCas {
  /** PEM certificates: the root store, then the environment's. */
  readonly ca: string[];
  /** How many certificates SSL_CERT_FILE / SSL_CERT_DIR added (0 when neither is set). */
  readonly added: number;
  /** One line per variable that named something unreadable. */
  readonly warnings: string[];
}

export function trustedCas(env: Readonly<Record<string, string | undefined>> = process.env): TrustedCas {
  const extra: string[] = [];
  const warnings: string[] = [];
  const file = env.SSL_CERT_FILE;
  if (file) {
    try {
      extra.push(...pemsOf(file));
    } catch (err) {
      warnings.push(`SSL_CERT_FILE=${file}: cannot read it (${(err as Error).message}); ignored`);
    }
  }
  for (const dir of (env.SSL_CERT_DIR ?? '').split(':').filter(Boolean)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      warnings.push(`SSL_CERT_DIR: ${dir}: cannot read it (${(err as Error).message}); ignored`);
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        if (statSync(path).isFile()) extra.push(...pemsOf(path));
      } catch {
        // a dangling link or an unreadable file in a certificate directory: Go skips it too
      }
    }
  }
  const ca = [...new Set([...rootCertificates, ...extra])];
  return { ca, added: ca.length - rootCertificates.length, warnings };
}
