import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { EngineSpec } from '../../run/engine-select.ts';
import { RunConfigError } from '../../run/errors.ts';
import {
  checkK6Modules,
  importedBuiltinModules,
  importedXModules,
  parseK6Version,
  xk6BuildCommand,
} from '../../run/k6-modules.ts';

/** `k6 version` of real xk6 builds (build-xk6.sh of the kit's tools notes), as they print it. */
const V1_ALL = `k6-v1.8.1-xk6 v1.8.1 (go1.26.8, linux/amd64)
Extensions:
  github.com/grafana/xk6-redis v0.3.6, k6/x/redis [js]
  github.com/grafana/xk6-sql v1.0.6, k6/x/sql [js]
  github.com/grafana/xk6-sql v1.0.6, k6/x/sql/driver/postgres [js]
  github.com/mostafa/xk6-kafka/v2 v2.1.0, k6/x/kafka [js]
  github.com/phymbert/xk6-sse v0.1.12, k6/x/sse [js]
`;
const V2_NO_SSE = `k6-v2.2.0-xk6 v2.2.0 (go1.26.8, linux/amd64)
Extensions:
  github.com/grafana/xk6-redis v0.4.3, k6/x/redis [js]
  github.com/grafana/xk6-sql v1.2.1-0.20260724104103-28a14bfb605d, k6/x/sql [js]
  github.com/grafana/xk6-sql v1.2.1-0.20260724104103-28a14bfb605d, k6/x/sql/driver/postgres [js]
  github.com/mostafa/xk6-kafka/v3 v3.0.0-20260609151344-98593c3d495a, k6/x/kafka [js]
`;
const PLAIN_V1 = 'k6 v1.8.1 (commit/73b044f9f9, go1.26.8, linux/amd64)\n';

const dir = mkdtempSync(join(tmpdir(), 'k6-llm-perf-k6-modules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fake k6: a shell script that prints `text` for `k6 version` (and exits `code`). */
function fakeK6(name: string, text: string, code = 0): EngineSpec {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n[ "$1" = version ] || exit 64\ncat <<'EOF'\n${text}EOF\nexit ${code}\n`);
  chmodSync(path, 0o755);
  return { kind: 'k6', command: path, prefix: ['run'], reason: 'test' };
}

function bundle(name: string, imports: string[]): string {
  const path = join(dir, `${name}.js`);
  writeFileSync(
    path,
    `import { check } from "k6";\n${imports.map((m, i) => `import m${i} from "${m}";`).join('\n')}\nexport default function () {}\n`,
  );
  return path;
}

function problemOf(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RunConfigError, String(err));
    assert.equal(err.exitCode, 104);
    return err.problems.join('\n');
  }
  assert.fail('expected a RunConfigError');
}

describe('parseK6Version', () => {
  it('reads the version and the JS extension modules of an xk6 build', () => {
    const b = parseK6Version(V1_ALL);
    assert.equal(b.version, 'v1.8.1');
    assert.equal(b.major, 1);
    assert.deepEqual([...b.modules].sort(), [
      'k6/x/kafka',
      'k6/x/redis',
      'k6/x/sql',
      'k6/x/sql/driver/postgres',
      'k6/x/sse',
    ]);
  });

  it('reads a plain k6 as having no extension modules', () => {
    const b = parseK6Version(PLAIN_V1);
    assert.equal(b.version, 'v1.8.1');
    assert.equal(b.modules.size, 0);
  });

  it('refuses text that is not k6 version output', () => {
    assert.throws(() => parseK6Version('bash: k6: command not found\n'), /expected a first line such as "k6 v1\.8\.1/);
    assert.throws(() => parseK6Version('usage: k6 [flags]\n'), /expected a first line/);
  });
});

describe('importedXModules', () => {
  it('finds static, bare, dynamic and require imports of k6/x modules, once each, sorted', () => {
    const src = `import sql from "k6/x/sql";\nimport 'k6/x/sql/driver/postgres';\nconst r = await import("k6/x/redis");\nconst k = require('k6/x/kafka');\nimport sql2 from "k6/x/sql";\nimport http from "k6/http";`;
    assert.deepEqual(importedXModules(src), ['k6/x/kafka', 'k6/x/redis', 'k6/x/sql', 'k6/x/sql/driver/postgres']);
  });
});

describe('checkK6Modules', () => {
  it('passes when the binary has every module the bundle imports', () => {
    checkK6Modules(
      fakeK6('k6-v1-all', V1_ALL),
      bundle('outbox', ['k6/x/kafka', 'k6/x/sql', 'k6/x/sql/driver/postgres']),
    );
  });

  it('does not run k6 for a bundle that imports no k6/x module', () => {
    checkK6Modules(fakeK6('k6-broken', 'garbage\n', 3), bundle('load', []));
  });

  it('does nothing for the Node engine', () => {
    checkK6Modules({ kind: 'node', command: process.execPath, prefix: [], reason: 'test' }, join(dir, 'missing.js'));
  });

  it('stops naming the missing modules and printing a pinned xk6 build for k6 v1', () => {
    const text = problemOf(() =>
      checkK6Modules(fakeK6('k6-plain', PLAIN_V1), bundle('bulk', ['k6/x/sql', 'k6/x/sql/driver/postgres'])),
    );
    assert.match(text, /lacks k6\/x\/sql, k6\/x\/sql\/driver\/postgres, which \S*bulk\.js imports/);
    assert.match(text, /Nothing was started/);
    assert.match(text, /CGO_ENABLED=1 xk6 build v1\.8\.1 --output \.\/k6/);
    assert.match(text, /--with github\.com\/grafana\/xk6-sql@v1\.0\.6/);
    assert.match(text, /--with github\.com\/mostafa\/xk6-kafka\/v2@v2\.1\.0/);
    assert.match(text, /--with github\.com\/phymbert\/xk6-sse@v0\.1\.12/);
  });

  it('prints a k6 v2 build, without xk6-sse, when a k6 v2 lacks a module that exists for v2', () => {
    const text = problemOf(() =>
      checkK6Modules(fakeK6('k6-v2-plain', 'k6 v2.2.0 (go1.26.8, linux/amd64)\n'), bundle('redis', ['k6/x/redis'])),
    );
    assert.match(text, /k6 v2\.2\.0, with no k6\/x modules\) lacks k6\/x\/redis/);
    assert.match(text, /xk6 build v2\.2\.0/);
    assert.match(text, /--with github\.com\/grafana\/xk6-redis@v0\.4\.3/);
    assert.doesNotMatch(text, /xk6-sse/);
  });

  it('sends a k6 v2 that lacks k6/x/sse to a k6 v1 build, since xk6-sse has no k6 v2 release', () => {
    const text = problemOf(() => checkK6Modules(fakeK6('k6-v2-xk6', V2_NO_SSE), bundle('llm-stream', ['k6/x/sse'])));
    assert.match(text, /lacks k6\/x\/sse/);
    assert.match(text, /no extension release for k6 v2/);
    assert.match(text, /xk6 build v1\.8\.1/);
  });

  it('reports a k6 whose version command fails, naming the binary', () => {
    const spec = fakeK6('k6-fails', '', 2);
    const text = problemOf(() => checkK6Modules(spec, bundle('queue', ['k6/x/redis'])));
    assert.ok(text.includes(`\`${spec.command} version\` failed`), text);
  });

  it('stops a k6 older than the k6 modules the bundle imports (k6/websockets, k6/secrets), naming each and its first k6', () => {
    const old = fakeK6('k6-v1.5', 'k6 v1.5.0 (commit/abc, go1.24, linux/amd64)\n');
    const text = problemOf(() => checkK6Modules(old, bundle('ws', ['k6/websockets', 'k6/secrets', 'k6/ws'])));
    assert.match(text, /k6 v1\.5\.0, which lacks k6\/websockets \(k6 v1\.6\.0 and later\)/);
    assert.doesNotMatch(text, /k6\/secrets|k6\/ws\b/); // v0.58 has k6/secrets; every k6 has k6/ws
    const v057 = fakeK6('k6-v0.57', 'k6 v0.57.0 (commit/abc, go1.24, linux/amd64)\n');
    assert.match(
      problemOf(() => checkK6Modules(v057, bundle('sec', ['k6/secrets']))),
      /k6\/secrets \(k6 v0\.58\.0 and later\)/,
    );
    checkK6Modules(
      fakeK6('k6-v2.2', 'k6 v2.2.0 (commit/abc, go1.26, linux/amd64)\n'),
      bundle('all', [
        'k6/websockets',
        'k6/secrets',
        'k6/experimental/fs',
        'k6/experimental/csv',
        'k6/experimental/streams',
      ]),
    );
  });

  it('finds the k6 modules of a bundle that a k6 may lack', () => {
    const src =
      'import { WebSocket } from "k6/websockets";\nvar import_fs = require("k6/experimental/fs");\nimport http from "k6/http";\nimport ws from "k6/ws";';
    assert.deepEqual(importedBuiltinModules(src), ['k6/experimental/fs', 'k6/websockets']);
  });

  it('reports an unreadable bundle, naming it', () => {
    const text = problemOf(() => checkK6Modules(fakeK6('k6-v1', V1_ALL), join(dir, 'nope.js')));
    assert.match(text, /cannot read the bundle \S*nope\.js/);
  });
});

describe('xk6BuildCommand', () => {
  it('keeps a k6 version new enough for the pinned extensions and raises an older one', () => {
    assert.match(xk6BuildCommand(1, 'v1.7.1', 7), /xk6 build v1\.7\.1 /);
    assert.match(xk6BuildCommand(1, 'v1.2.0', 2), /xk6 build v1\.8\.1 /);
    assert.match(xk6BuildCommand(2, 'v2.0.0', 0), /xk6 build v2\.2\.0 /);
  });
});

describe(
  'checkK6Modules with a real k6 (K6_BIN)',
  { skip: process.env.K6_BIN ? false : 'K6_BIN is unset: no real k6 binary here' },
  () => {
    it('reads its version output and stops exactly on the scenarios whose modules it lacks', () => {
      const spec: EngineSpec = { kind: 'k6', command: process.env.K6_BIN!, prefix: ['run'], reason: 'K6_BIN' };
      for (const scenario of ['outbox', 'bulk', 'queue', 'redis', 'llm-stream']) {
        const path = bundle(
          `real-${scenario}`,
          (
            {
              outbox: ['k6/x/kafka', 'k6/x/sql', 'k6/x/sql/driver/postgres'],
              bulk: ['k6/x/sql', 'k6/x/sql/driver/postgres'],
              queue: ['k6/x/redis'],
              redis: ['k6/x/redis'],
              'llm-stream': ['k6/x/sse'],
            } as Record<string, string[]>
          )[scenario]!,
        );
        const has = parseK6Version(
          execFileSync(spec.command, ['version'], { env: { ...process.env, K6_NO_USAGE_REPORT: 'true' } }).toString(),
        ).modules;
        const lacks = importedXModules(readFileSync(path, 'utf8')).some((m) => !has.has(m));
        if (lacks) problemOf(() => checkK6Modules(spec, path));
        else checkK6Modules(spec, path);
      }
    });
  },
);
