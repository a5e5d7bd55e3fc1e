/**
 * Remote modules: `import { randomIntBetween } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js'`,
 * as k6 allows (http:// and https://). An esbuild plugin (load-script.ts) fetches each URL once per
 * bundling, at start, and keeps a copy on disk: `<cache>/remote-modules/<sha256 of the URL>.js`, the
 * cache being `$K6_LLM_PERF_CACHE` or `$XDG_CACHE_HOME/k6-llm-perf` (default `~/.cache/k6-llm-perf`).
 * When the fetch fails (offline, a server down, a status other than 2xx) the cached copy is used,
 * with a warning; with no copy either, bundling fails with an error naming the URL.
 * Inside a remote module, relative imports resolve against its URL and `k6`/`k6/*` stay external.
 * Over https:// the server's certificate must chain to a trusted CA: Node's root store plus
 * `SSL_CERT_FILE` / `SSL_CERT_DIR`, which Go (so k6) honours (trusted-cas.ts); a TLS failure names
 * its reason.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';
import { Agent, fetch } from 'undici';
import { trustedCas } from './trusted-cas.ts';

const NAMESPACE = 'remote';
const FETCH_TIMEOUT_MS = 30_000;

export function remoteModuleCacheDir(): string {
  const base =
    process.env.K6_LLM_PERF_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'k6-llm-perf');
  return join(base, 'remote-modules');
}

export interface RemoteModulesOptions {
  /** Where copies are kept (default remoteModuleCacheDir()). */
  readonly cacheDir?: string;
  /** Receives the warning printed when a cached copy stands in for a failed fetch. */
  readonly warn: (message: string) => void;
}

function cacheFile(dir: string, url: string): string {
  return join(dir, `${createHash('sha256').update(url).digest('hex')}.js`);
}

async function download(url: string, ca: readonly string[]): Promise<string> {
  // One connection per module (there are few): nothing is left open once bundling is done.
  const dispatcher = new Agent({ connect: { ca: [...ca] } });
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow', dispatcher });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`HTTP status ${res.status}`);
    }
    return await res.text();
  } finally {
    await dispatcher.close();
  }
}

/** OpenSSL's and Node's codes of a certificate that does not chain to a trusted CA. */
const UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

function reason(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const code = e.cause?.code;
  if (code && (UNKNOWN_CA.has(code) || /CERT|TLS|SSL/.test(code))) {
    const hint = UNKNOWN_CA.has(code)
      ? ": the server's certificate does not chain to a trusted CA (Node's root store, plus SSL_CERT_FILE / SSL_CERT_DIR when set)"
      : '';
    return `TLS: ${e.cause?.message ?? code} (${code})${hint}`;
  }
  return code ?? e.cause?.message ?? e.message;
}

/** Fetches `url` (or falls back to its cached copy); the text of the module. */
async function load(url: string, dir: string, ca: readonly string[], warn: (m: string) => void): Promise<string> {
  const file = cacheFile(dir, url);
  try {
    const text = await download(url, ca);
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
    return text;
  } catch (err) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new Error(`cannot fetch remote module ${url}: ${reason(err)} (and no cached copy in ${dir})`);
    }
    const when = statSync(file).mtime.toISOString();
    warn(`cannot fetch remote module ${url}: ${reason(err)}; using the copy cached at ${when}`);
    return text;
  }
}

/** The esbuild plugin. One instance per bundling: each URL is fetched once. */
export function remoteModules(o: RemoteModulesOptions): Plugin {
  const dir = o.cacheDir ?? remoteModuleCacheDir();
  const loaded = new Map<string, Promise<string>>();
  let ca: readonly string[] | undefined;
  const cas = (): readonly string[] => {
    if (ca) return ca;
    const trusted = trustedCas();
    for (const w of trusted.warnings) o.warn(w);
    return (ca = trusted.ca);
  };
  return {
    name: 'k6-remote-modules',
    setup(build) {
      build.onResolve({ filter: /^https?:\/\// }, (args) => ({ path: args.path, namespace: NAMESPACE }));
      build.onResolve({ filter: /^k6(\/|$)/, namespace: NAMESPACE }, (args) => ({ path: args.path, external: true }));
      build.onResolve({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        if (/^\.{0,2}\//.test(args.path)) return { path: new URL(args.path, args.importer).href, namespace: NAMESPACE };
        return {
          errors: [
            { text: `remote module ${args.importer} imports "${args.path}", which is not a URL or a k6 module` },
          ],
        };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, async (args) => {
        let p = loaded.get(args.path);
        if (!p) loaded.set(args.path, (p = load(args.path, dir, cas(), o.warn)));
        try {
          return { contents: await p, loader: 'js' };
        } catch (err) {
          return { errors: [{ text: (err as Error).message }] };
        }
      });
    },
  };
}
