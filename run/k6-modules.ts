/**
 * `--engine k6`: before anything starts, checks that the k6 binary has every `k6/x/*` module the
 * bundle imports, and is new enough for the k6 modules of BUILTIN_SINCE it imports (k6/secrets,
 * k6/websockets, k6/experimental/fs, csv, streams). A k6 built without one fails only once the script is loaded (after Redis,
 * PostgreSQL, Kafka and the target are up) with "unknown module"; here the run stops at once
 * (RunConfigError, exit 104), naming the module and printing an `xk6 build` command that makes
 * a k6 of the binary's major version with the kit's extensions.
 *
 * What the binary has comes from `k6 version` (k6 >= 0.50 lists its extensions). As a real
 * xk6 build (k6 v1.8.1, named k6-v1.8.1-xk6) prints it:
 *
 *     k6-v1.8.1-xk6 v1.8.1 (go1.26.8, linux/amd64)
 *     Extensions:
 *       github.com/grafana/xk6-redis v0.3.6, k6/x/redis [js]
 *       github.com/grafana/xk6-sql v1.0.6, k6/x/sql/driver/postgres [js]
 *
 * The first word is the executable's file name (cobra's), not always "k6"; then one line per
 * registered name: `  <Go module> <version>, <import or output name> [<type>]` (the Go module
 * shown is where the registration is, so the postgres driver shows as xk6-sql).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { EngineSpec } from './engine-select.ts';
import { RunConfigError, messageOf } from './errors.ts';

/** What `k6 version` says about a binary. */
export interface K6Build {
  /** e.g. "v1.8.1"; "" when the first line has no version. */
  version: string;
  major: number;
  minor: number;
  /** The JS modules its extensions register (`k6/x/redis`, ...). */
  modules: Set<string>;
}

const VERSION_LINE = /^\S+ v?(\d+)\.(\d+)\.(\d+)(\S*) \(/;
const EXTENSION_LINE = /^\s+(\S+) (\S+), (\S+) \[js\]\s*$/;

/** Reads the text of `k6 version`; throws on text that is not k6's. */
export function parseK6Version(text: string): K6Build {
  const lines = text.split(/\r?\n/);
  const m = VERSION_LINE.exec(lines[0]?.trim() ?? '');
  if (!m)
    throw new Error(
      `expected a first line such as "k6 v1.8.1 (go1.26.8, linux/amd64)", got ${JSON.stringify(lines[0] ?? '')}`,
    );
  const modules = new Set<string>();
  for (const line of lines.slice(1)) {
    const ext = EXTENSION_LINE.exec(line);
    if (ext) modules.add(ext[3]!);
  }
  return { version: `v${m[1]}.${m[2]}.${m[3]}${m[4]}`, major: Number(m[1]), minor: Number(m[2]), modules };
}

/** The `k6/x/*` modules a script imports (static `import ... from`, `import "..."`, dynamic `import()`, `require()`). */
export function importedXModules(source: string): string[] {
  const found = new Set<string>();
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](k6\/x\/[^"'\s]+)["']/g;
  for (const m of source.matchAll(pattern)) found.add(m[1]!);
  return [...found].sort();
}

/**
 * k6's own modules that the Node engine also implements and that not every k6 has: the first k6
 * release whose internal/js/jsmodules.go registers each (read from k6's tags). `k6/ws` is in every
 * k6 this check reads (>= v0.50).
 */
export const BUILTIN_SINCE: Readonly<Record<string, string>> = {
  'k6/experimental/fs': 'v0.48.0',
  'k6/experimental/streams': 'v0.51.0',
  'k6/experimental/csv': 'v0.54.0',
  'k6/secrets': 'v0.58.0',
  'k6/websockets': 'v1.6.0',
};

/** The modules of BUILTIN_SINCE a script imports (the same import forms as importedXModules). */
export function importedBuiltinModules(source: string): string[] {
  const found = new Set<string>();
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](k6\/[^"'\s]+)["']/g;
  for (const m of source.matchAll(pattern)) if (BUILTIN_SINCE[m[1]!]) found.add(m[1]!);
  return [...found].sort();
}

/** -1, 0, 1 as version a (v1.2.3) is older, the same, newer than b; pre-release suffixes are ignored. */
function compareVersions(a: string, b: string): number {
  const parts = (v: string) => (/^v?(\d+)\.(\d+)\.(\d+)/.exec(v) ?? [0, 0, 0, 0]).slice(1).map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i]! !== y[i]!) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}

/** One `--with` of xk6 build: a Go module at a version that is built on one k6 major version. */
interface Extension {
  module: string;
  version: string;
  note?: string;
}

/** The extensions the kit's scenarios use, pinned per k6 major version (unpinned `--with`s mix majors). */
const EXTENSIONS: Record<1 | 2, Record<string, Extension | null>> = {
  1: {
    'k6/x/redis': { module: 'github.com/grafana/xk6-redis', version: 'v0.3.6' },
    'k6/x/kafka': { module: 'github.com/mostafa/xk6-kafka/v2', version: 'v2.1.0' },
    'k6/x/sql': { module: 'github.com/grafana/xk6-sql', version: 'v1.0.6' },
    'k6/x/sql/driver/postgres': { module: 'github.com/grafana/xk6-sql-driver-postgres', version: 'v0.1.2' },
    'k6/x/sse': { module: 'github.com/phymbert/xk6-sse', version: 'v0.1.12' },
  },
  2: {
    'k6/x/redis': { module: 'github.com/grafana/xk6-redis', version: 'v0.4.3' },
    'k6/x/kafka': {
      module: 'github.com/mostafa/xk6-kafka/v3',
      version: 'v3.0.0-20260609151344-98593c3d495a',
      note: 'xk6-kafka for k6 v2 is unreleased: a commit of its branch chore/k6-v2-0-0-upgrade',
    },
    'k6/x/sql': { module: 'github.com/grafana/xk6-sql', version: 'v1.2.1' },
    'k6/x/sql/driver/postgres': { module: 'github.com/grafana/xk6-sql-driver-postgres', version: 'v0.3.1' },
    'k6/x/sse': null,
  },
};

/** The oldest k6 of each major that all of its pinned extensions build with, and the newest one known. */
const K6_FLOOR: Record<1 | 2, { minor: number; version: string; newest: string }> = {
  1: { minor: 7, version: 'v1.7.1', newest: 'v1.8.1' },
  2: { minor: 1, version: 'v2.1.0', newest: 'v2.2.0' },
};

/**
 * The `xk6 build` command of a k6 of major `major` (1 or 2) with every extension the kit uses
 * that exists for it, at `version` when that is new enough for them. CGO: xk6-kafka needs it.
 */
export function xk6BuildCommand(major: 1 | 2, version?: string, minor?: number): string {
  const floor = K6_FLOOR[major];
  const k6 =
    version && minor !== undefined && minor >= floor.minor && /^v\d+\.\d+\.\d+$/.test(version) ? version : floor.newest;
  const withs = Object.values(EXTENSIONS[major])
    .filter((e): e is Extension => e !== null)
    .map((e) => `  --with ${e.module}@${e.version}`);
  return [
    `CGO_ENABLED=1 xk6 build ${k6} --output ./k6 \\`,
    ...withs.map((w, i) => (i < withs.length - 1 ? `${w} \\` : w)),
  ].join('\n');
}

function runVersion(command: string): string {
  try {
    return execFileSync(command, ['version'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
      env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
    }).toString();
  } catch (err) {
    throw new RunConfigError([`--engine k6: \`${command} version\` failed: ${messageOf(err).split('\n')[0]}`], {
      cause: err,
    });
  }
}

/** The advice for the modules `build` lacks: which k6 to build, and how. */
function advice(build: K6Build, missing: string[]): string[] {
  const major: 1 | 2 = build.major >= 2 ? 2 : 1;
  const none = missing.filter((m) => EXTENSIONS[major][m] === null);
  const notes = missing.map((m) => EXTENSIONS[major][m]?.note).filter((n): n is string => !!n);
  if (major === 2 && none.length) {
    return [
      `${none.join(', ')} has no extension release for k6 v2 (xk6-sse is built on k6 v1 only); build a k6 v1 with all of the kit's extensions:`,
      xk6BuildCommand(1),
    ];
  }
  const sameMajor = build.major === major;
  const head = sameMajor
    ? `build a k6 ${build.version} with the kit's extensions (versions pinned to k6 v${major}; unpinned --with flags mix k6 v1 and v2 builds):`
    : `k6 ${build.version} is older than k6 v1; build a k6 v1 with the kit's extensions:`;
  return [
    head,
    xk6BuildCommand(major, sameMajor ? build.version : undefined, sameMajor ? build.minor : undefined),
    ...notes.map((n) => `(${n})`),
  ];
}

/**
 * Throws RunConfigError (exit 104) when `engine` is a k6 binary that lacks a `k6/x/*` module
 * the bundle at `bundlePath` imports; does nothing for the Node engine. Runs `k6 version` once.
 * k6 older than v0.50 does not list its extensions: it is not checked.
 */
export function checkK6Modules(engine: EngineSpec, bundlePath: string): void {
  if (engine.kind !== 'k6') return;
  let source: string;
  try {
    source = readFileSync(bundlePath, 'utf8');
  } catch (err) {
    throw new RunConfigError(
      [`--engine k6: cannot read the bundle ${bundlePath} to see which k6/x modules it needs: ${messageOf(err)}`],
      { cause: err },
    );
  }
  const needed = importedXModules(source);
  const builtins = importedBuiltinModules(source);
  if (needed.length === 0 && builtins.length === 0) return;
  const text = runVersion(engine.command);
  let build: K6Build;
  try {
    build = parseK6Version(text);
  } catch (err) {
    throw new RunConfigError([`--engine k6: \`${engine.command} version\`: ${messageOf(err)}`], { cause: err });
  }
  if (build.major === 0 && build.minor < 50) return;
  const tooOld = builtins.filter((m) => compareVersions(build.version, BUILTIN_SINCE[m]!) < 0);
  if (tooOld.length > 0) {
    throw new RunConfigError([
      `--engine k6: ${engine.command} is k6 ${build.version}, which lacks ` +
        tooOld.map((m) => `${m} (k6 ${BUILTIN_SINCE[m]} and later)`).join(', ') +
        `, which ${relative(process.cwd(), bundlePath) || bundlePath} imports. Nothing was started. ` +
        'Use a newer k6 (K6_BIN=...) or --engine node.',
    ]);
  }
  const missing = needed.filter((m) => !build.modules.has(m));
  if (missing.length === 0) return;
  const has = build.modules.size ? [...build.modules].sort().join(', ') : 'no k6/x modules';
  throw new RunConfigError([
    `--engine k6: ${engine.command} (k6 ${build.version}, with ${has}) lacks ${missing.join(', ')}, ` +
      `which ${relative(process.cwd(), bundlePath) || bundlePath} imports. ` +
      `Nothing was started. ${advice(build, missing).join('\n')}\nthen run with K6_BIN=./k6 (or --engine node).`,
  ]);
}
