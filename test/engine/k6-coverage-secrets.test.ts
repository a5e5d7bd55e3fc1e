/**
 * k6/secrets and --secret-source (issue 17), from k6's docs (using-k6/secret-source,
 * javascript-api/k6-secrets): file, mock and url sources, named sources and `default`, the
 * async get(), and k6's redaction of secret values in log lines. Each script runs under the
 * engine's CLI and, with K6_BIN set, under a real k6 with the same flags (helpers/k6-parity.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logMessages, runBoth, SUMMARY_TO_FILE, type Outcome } from './helpers/k6-parity.ts';
import { engineArgs } from '../../run/engine-select.ts';
import { toRunOptions } from '../../run/cli-run.ts';

const SCRIPT = `import { check } from 'k6';
import secrets from 'k6/secrets';

export const options = { vus: 1, iterations: 2 };

async function outcome(p) {
  try {
    return 'value ' + (await p);
  } catch (e) {
    return 'error ' + String(e);
  }
}

export default async function () {
  const cool = await outcome(secrets.get('cool'));
  console.log('cool: ' + cool);
  const other = await outcome(secrets.source('other').get('else'));
  console.log('other/else: ' + other);
  console.log('missing: ' + (await outcome(secrets.get('missing'))));
  check(cool, { 'cool is the expected secret': (v) => v === 'value ' + __ENV.WANT_COOL });
}
${SUMMARY_TO_FILE}`;

let dir = '';
let server: Server;
let base = '';
const asked: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k6-secrets-'));
  writeFileSync(join(dir, 'script.js'), SCRIPT);
  writeFileSync(join(dir, 'main.secret'), 'cool=some-cool-value\nelse=source-value\n');
  writeFileSync(join(dir, 'other.secret'), 'else=the-other-else\n');
  writeFileSync(join(dir, 'broken.secret'), 'no equals sign here\n');
  server = createServer((req, res) => {
    asked.push(`${req.url} ${req.headers.authorization ?? ''}`);
    if (req.headers.authorization !== 'Bearer t0ken') return void res.writeHead(403).end('forbidden');
    const key = req.url!.replace(/^\/secrets\//, '');
    if (key !== 'cool') return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { value: 'from-url-42' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function checks(o: Outcome): { passes: number; fails: number } {
  const v = o.metrics.checks?.values ?? {};
  return { passes: v.passes ?? -1, fails: v.fails ?? -1 };
}

/** The same assertions on the engine and, when there is one, on k6. */
function each(r: { engine: Outcome; k6: Outcome | null }, fn: (o: Outcome, who: string) => void): void {
  fn(r.engine, 'engine');
  if (r.k6) fn(r.k6, 'k6');
}

describe('k6/secrets with --secret-source', () => {
  it('reads a file source that is the default source because it is the only one, and redacts the value in logs', async () => {
    const r = await runBoth('script.js', ['--secret-source=file=main.secret'], dir, { WANT_COOL: 'some-cool-value' });
    each(r, (o, who) => {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.deepEqual(checks(o), { passes: 2, fails: 0 }, who);
      const logs = logMessages(o.stderr);
      assert.equal(
        logs.filter((l) => l === 'cool: value ***SECRET_REDACTED***').length,
        2,
        `${who}: ${logs.join(' | ')}`,
      );
      assert.ok(logs.includes('missing: error no value'), `${who}: ${logs.join(' | ')}`);
      assert.ok(logs.includes('other/else: error no secret source with name "other" is configured'), who);
      assert.ok(!o.stderr.includes('some-cool-value'), `${who} leaked the secret`);
    });
  });

  it('gives named sources by source(name) and the one marked default to get()', async () => {
    const flags = [
      '--secret-source=file=name=main,filename=main.secret,default',
      '--secret-source=file=name=other,other.secret',
    ];
    const r = await runBoth('script.js', flags, dir, { WANT_COOL: 'some-cool-value' });
    each(r, (o, who) => {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.deepEqual(checks(o), { passes: 2, fails: 0 }, who);
      const logs = logMessages(o.stderr);
      assert.ok(logs.includes('other/else: value ***SECRET_REDACTED***'), `${who}: ${logs.join(' | ')}`);
      assert.ok(!o.stderr.includes('the-other-else'), `${who} leaked the secret`);
    });
  });

  it('takes secrets given on the command line by the mock source', async () => {
    const r = await runBoth('script.js', ['--secret-source=mock=cool=mocked-1,else=mocked-2'], dir, {
      WANT_COOL: 'mocked-1',
    });
    each(r, (o, who) => {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.deepEqual(checks(o), { passes: 2, fails: 0 }, who);
      assert.ok(!o.stderr.includes('mocked-1'), `${who} leaked the secret`);
    });
  });

  it('fetches from a url source with a header and a responsePath, once per key (cached)', async () => {
    asked.length = 0;
    const flag = `--secret-source=url=urlTemplate=${base}/secrets/{key},headers.Authorization=Bearer t0ken,responsePath=data.value,maxRetries=0`;
    const r = await runBoth('script.js', [flag], dir, { WANT_COOL: 'from-url-42' });
    each(r, (o, who) => {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.deepEqual(checks(o), { passes: 2, fails: 0 }, who);
      const logs = logMessages(o.stderr);
      assert.ok(logs.includes('cool: value ***SECRET_REDACTED***'), `${who}: ${logs.join(' | ')}`);
      assert.ok(logs.includes('missing: error status code 404: failed to get secret'), `${who}: ${logs.join(' | ')}`);
    });
    // One VU, two iterations: each key is asked for once per run (the value is cached, an error is not).
    const perRun = r.k6 ? 2 : 1;
    assert.equal(asked.filter((a) => a === '/secrets/cool Bearer t0ken').length, perRun, asked.join(', '));
    assert.equal(asked.filter((a) => a.startsWith('/secrets/missing')).length, 2 * perRun, asked.join(', '));
  });

  it('configures the url source from K6_SECRET_SOURCE_URL_* variables', async () => {
    const r = await runBoth('script.js', ['--secret-source=url'], dir, {
      WANT_COOL: 'from-url-42',
      K6_SECRET_SOURCE_URL_URL_TEMPLATE: `${base}/secrets/{key}`,
      K6_SECRET_SOURCE_URL_HEADER_Authorization: 'Bearer t0ken',
      K6_SECRET_SOURCE_URL_RESPONSE_PATH: 'data.value',
      K6_SECRET_SOURCE_URL_MAX_RETRIES: '0',
    });
    each(r, (o, who) => {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.deepEqual(checks(o), { passes: 2, fails: 0 }, who);
    });
  });

  it('rejects get() when no source is configured, and the iteration goes on', async () => {
    const r = await runBoth('script.js', [], dir, { WANT_COOL: 'x' });
    each(r, (o, who) => {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.deepEqual(checks(o), { passes: 0, fails: 2 }, who);
      assert.ok(logMessages(o.stderr).includes('cool: error no secret sources are configured'), who);
    });
  });

  it('fails at start, naming the flag, on a source k6 does not have (env), a missing file or a line without =', async () => {
    for (const flag of [
      '--secret-source=env',
      '--secret-source=file=nofile.secret',
      '--secret-source=file=broken.secret',
    ]) {
      const r = await runBoth('script.js', [flag], dir);
      each(r, (o, who) => {
        assert.notEqual(o.exitCode, 0, `${who} ${flag}`);
        assert.deepEqual(o.metrics, {}, `${who} ${flag}: nothing ran`);
      });
      assert.equal(r.engine.exitCode, 104, r.engine.stderr);
      assert.match(r.engine.stderr, /--secret-source=/);
      assert.match(r.engine.stderr, /no secret source for type "env"|no such file or directory|needs =/);
    }
  });
});

describe('run forwards --secret-source to the engine', () => {
  it('keeps every --secret-source of `run` in its options, in order', () => {
    const opts = toRunOptions('load', {
      engine: 'node',
      infra: 'external',
      env: [],
      results: 'results',
      build: true,
      progress: 'auto',
      secretSource: ['file=a.secret', 'mock=k=v'],
    });
    assert.deepEqual(opts.secretSources, ['file=a.secret', 'mock=k=v']);
  });

  it('passes every --secret-source, in order, to the k6 binary and to the Node engine alike', () => {
    for (const kind of ['node', 'k6'] as const) {
      const args = engineArgs({
        spec: { kind, command: 'x', prefix: [], reason: 't' },
        bundle: 'b.js',
        configFile: 'c.json',
        summaryFile: 's.json',
        stats: ['avg'],
        env: {},
        secretSources: ['file=a.secret', 'mock=name=m,k=v'],
        timeseriesFile: 't',
        histogramsFile: 'h',
        samplesFile: 's',
        k6PointsFile: 'p',
        quiet: false,
      });
      assert.deepEqual(
        args.filter((a) => a.startsWith('--secret-source')),
        ['--secret-source=file=a.secret', '--secret-source=mock=name=m,k=v'],
      );
      assert.equal(args.at(-1), 'b.js');
    }
  });
});
