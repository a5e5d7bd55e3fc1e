/**
 * k6/secrets and --secret-source (issue 17), from k6's docs (using-k6/secret-source,
 * javascript-api/k6-secrets): file, mock and url sources, named sources and `default`, the
 * async get(), k6's redaction of secret values in log lines (whichever VU fetched them, in sync
 * mode too, where each VU is a thread), the url source's rate limiter, and the exit codes of a bad
 * flag (255, `cloud` 104). Each script runs under the engine's CLI and, with K6_BIN set, under a
 * real k6 with the same flags (helpers/k6-parity.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { K6_BIN, logMessages, runBoth, runEngine, runK6, SUMMARY_TO_FILE, type Outcome } from './helpers/k6-parity.ts';
import { engineArgs } from '../../run/engine-select.ts';
import { toRunOptions, type CliRunOptions } from '../../run/cli-run.ts';
import { RunConfigError } from '../../run/errors.ts';

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

/** Reads a secret in the init context (top-level await), as k6 allows. */
const IN_INIT = `import secrets from 'k6/secrets';

const cool = await secrets.get('cool');
console.log('init got ' + cool);

export const options = { vus: 2, iterations: 2 };

export default function () {
  console.log('iteration has ' + cool);
}
${SUMMARY_TO_FILE}`;

/** Reads more url secrets than the limiter's burst: each VU two keys of its own, then one setup() fetched. */
const LIMITED = `import secrets from 'k6/secrets';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 1 } } };

export async function setup() {
  await secrets.get('common');
}

export default async function () {
  for (const key of ['a' + __VU, 'b' + __VU, 'common']) console.log(key + ' is ' + (await secrets.get(key)));
}
${SUMMARY_TO_FILE}`;

/**
 * Secrets a VU logs without having fetched them: setup()'s (handed over as data) and one that VU 1
 * fetched, logged by VU 2 once VU 1 said so through the flag server (the order is causal, not timed).
 */
const CROSS_VU = `import http from 'k6/http';
import { sleep } from 'k6';
import exec from 'k6/execution';
import secrets from 'k6/secrets';

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 1 } } };

export async function setup() {
  return { fromSetup: await secrets.get('cool') };
}

export default async function (data) {
  console.log('setup gave ' + data.fromSetup);
  if (exec.vu.idInTest === 1) {
    await secrets.get('else');
    http.get(__ENV.FLAG_URL + '?set=1');
  } else {
    for (let i = 0; i < 600 && http.get(__ENV.FLAG_URL).body !== 'set'; i++) sleep(0.05);
    console.log('vu 2 saw else-value-77');
  }
}
${SUMMARY_TO_FILE}`;

let dir = '';
let server: Server;
let base = '';
const asked: string[] = [];
/** Requests to /limited/<run>/<key>, with when they came (performance.now() of this process). */
const limitedAsks: Record<string, Array<{ key: string; at: number }>> = {};
const flags = new Set<string>();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k6-secrets-'));
  writeFileSync(join(dir, 'script.js'), SCRIPT);
  writeFileSync(join(dir, 'limited.js'), LIMITED);
  writeFileSync(join(dir, 'in-init.js'), IN_INIT);
  writeFileSync(join(dir, 'cross-vu.js'), CROSS_VU);
  writeFileSync(join(dir, 'main.secret'), 'cool=some-cool-value\nelse=source-value\n');
  writeFileSync(join(dir, 'other.secret'), 'else=the-other-else\n');
  writeFileSync(join(dir, 'broken.secret'), 'no equals sign here\n');
  server = createServer((req, res) => {
    const limited = /^\/limited\/(\w+)\/(\w+)$/.exec(req.url!);
    if (limited) {
      (limitedAsks[limited[1]!] ??= []).push({ key: limited[2]!, at: performance.now() });
      return void res.writeHead(200).end(`value-of-${limited[2]}`);
    }
    const flag = /^\/flag\/(\w+)(\?set=1)?$/.exec(req.url!);
    if (flag) {
      if (flag[2]) flags.add(flag[1]!);
      return void res.writeHead(200).end(flags.has(flag[1]!) ? 'set' : 'unset');
    }
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

  it('reads a secret in the init context, fetched once for the whole run and redacted', async () => {
    const flag = `--secret-source=url=urlTemplate=${base}/secrets/{key},headers.Authorization=Bearer t0ken,responsePath=data.value`;
    const outcomes: Record<string, Outcome> = {};
    for (const [who, mode] of [
      ['engine async', 'async'],
      ['engine sync', 'sync'],
    ] as const) {
      asked.length = 0;
      outcomes[who] = await runEngine('in-init.js', ['--mode', mode, flag], dir);
      assert.equal(asked.length, 1, `${who}: ${asked.join(', ')}`); // every VU's init and thread reuse it
    }
    if (K6_BIN) {
      asked.length = 0;
      outcomes.k6 = await runK6('in-init.js', [flag], dir);
      assert.equal(asked.length, 1, `k6: ${asked.join(', ')}`);
    }
    for (const [who, o] of Object.entries(outcomes)) {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      const logs = logMessages(o.stderr);
      assert.ok(logs.includes('init got ***SECRET_REDACTED***'), `${who}: ${logs.join(' | ')}`);
      assert.equal(logs.filter((l) => l === 'iteration has ***SECRET_REDACTED***').length, 2, who);
      assert.ok(!o.stderr.includes('from-url-42'), `${who} leaked the secret`);
    }
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

  it('exits 255 before loading the script, naming the flag, on a source k6 does not have (env), a missing file, a line without = or a bad url option', async () => {
    const bad: Array<[string, RegExp]> = [
      ['--secret-source=env', /no secret source for type "env"/],
      ['--secret-source=file=nofile.secret', /open nofile\.secret: no such file or directory/],
      ['--secret-source=file=broken.secret', /parsing "no equals sign here", needs =/],
      [`--secret-source=url=urlTemplate=${base}/{key},requestsBurst=0`, /requestsBurst must be greater than 0/],
      [`--secret-source=url=urlTemplate=${base}/{key},requestsPerMinuteLimit=many`, /invalid requestsPerMinuteLimit/],
    ];
    for (const [flag, reason] of bad) {
      // no-such-script.js: k6 checks the flags before it reads the script, and so does the engine.
      const r = await runBoth('no-such-script.js', [flag], dir);
      each(r, (o, who) => {
        assert.equal(o.exitCode, 255, `${who} ${flag}: ${o.stderr}`);
        assert.match(o.stderr.replaceAll('\\"', '"'), reason, `${who} ${flag}`); // k6 logs it quoted
      });
      assert.ok(r.engine.stderr.includes(`${flag}:`), `the engine names the flag: ${r.engine.stderr}`);
    }
  });

  it('refuses the cloud source as invalid configuration (104), as k6 does', async () => {
    const r = await runBoth('script.js', ['--secret-source=cloud'], dir);
    each(r, (o, who) => {
      assert.equal(o.exitCode, 104, `${who}: ${o.stderr}`);
      assert.match(o.stderr, /'cloud' is not a valid value for --secret-source/, who);
    });
  });

  it('shows mock values and url headers of a bad flag as ***', async () => {
    const r = await runEngine('script.js', ['--secret-source=mock=cool=hush-77,stray'], dir);
    assert.equal(r.exitCode, 255, r.stderr);
    assert.match(r.stderr, /--secret-source=mock=cool=\*\*\*,stray: parsing "stray", needs =/);
    assert.ok(!r.stderr.includes('hush-77'), r.stderr);
  });

  it("waits for the url source's rate limiter, one limiter and one cache for the whole run (sync mode: a thread per VU)", async () => {
    // 120 a minute, bursts of 1: a token every 500 ms. setup() fetches `common`, each VU two keys
    // of its own and `common` again (cached): 5 requests, the 5th at least 4 tokens after the 1st
    // when the limiter is the run's; VU threads with limiters of their own would take ~1 s.
    const flag = (id: string) =>
      `--secret-source=url=urlTemplate=${base}/limited/${id}/{key},requestsPerMinuteLimit=120,requestsBurst=1,maxRetries=0`;
    const ids: Record<string, string> = { 'engine sync': 'esync', 'engine async': 'easync', k6: 'k6' };
    const outcomes: Record<string, Outcome> = {
      'engine sync': await runEngine('limited.js', ['--mode', 'sync', flag('esync')], dir),
      'engine async': await runEngine('limited.js', ['--mode', 'async', flag('easync')], dir),
    };
    if (K6_BIN) outcomes.k6 = await runK6('limited.js', [flag('k6')], dir);
    for (const [who, o] of Object.entries(outcomes)) {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      const logs = logMessages(o.stderr);
      assert.equal(
        logs.filter((l) => / is \*\*\*SECRET_REDACTED\*\*\*$/.test(l)).length,
        6,
        `${who}: ${logs.join(' | ')}`,
      );
      const asks = limitedAsks[ids[who]!] ?? [];
      assert.deepEqual(asks.map((a) => a.key).sort(), ['a1', 'a2', 'b1', 'b2', 'common'], who);
      const span = asks.at(-1)!.at - asks[0]!.at;
      assert.ok(span >= 1500, `${who}: 5 requests over ${span.toFixed(0)} ms, expected >= 1500 (4 tokens of 500 ms)`);
    }
  });

  it('redacts, on every VU thread, the secrets setup() and other VUs fetched (sync mode)', async () => {
    const flag = '--secret-source=mock=cool=cool-value-1,else=else-value-77';
    const outcomes: Record<string, Outcome> = {
      engine: await runEngine('cross-vu.js', ['--mode', 'sync', flag], dir, { FLAG_URL: `${base}/flag/engine` }),
    };
    if (K6_BIN) outcomes.k6 = await runK6('cross-vu.js', [flag], dir, { FLAG_URL: `${base}/flag/k6` });
    for (const [who, o] of Object.entries(outcomes)) {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      const logs = logMessages(o.stderr);
      assert.equal(
        logs.filter((l) => l === 'setup gave ***SECRET_REDACTED***').length,
        2,
        `${who}: ${logs.join(' | ')}`,
      );
      assert.ok(logs.includes('vu 2 saw ***SECRET_REDACTED***'), `${who}: ${logs.join(' | ')}`);
      assert.ok(
        !o.stderr.includes('cool-value-1') && !o.stderr.includes('else-value-77'),
        `${who} leaked: ${o.stderr}`,
      );
    }
  });
});

const RUN_FLAGS: CliRunOptions = {
  engine: 'node',
  infra: 'external',
  env: [],
  results: 'results',
  build: true,
  progress: 'auto',
};

describe('run forwards --secret-source to the engine', () => {
  it("stops with the kit's bad-input code 104 on a bad --secret-source, naming it, before anything starts", () => {
    assert.throws(
      () => toRunOptions('load', { ...RUN_FLAGS, secretSource: ['env', 'mock=k=hush,stray'] }),
      (err: unknown) => {
        assert.ok(err instanceof RunConfigError, String(err));
        assert.equal(err.exitCode, 104);
        assert.match(err.message, /--secret-source=env: no secret source for type "env"/);
        assert.match(err.message, /--secret-source=mock=k=\*\*\*,stray: parsing "stray", needs =/);
        assert.doesNotMatch(err.message, /hush/);
        return true;
      },
    );
  });

  it('leaves the flags to the k6 binary with --engine k6 (a k6 built with xk6 may have more sources)', () => {
    const opts = toRunOptions('load', { ...RUN_FLAGS, engine: 'k6', secretSource: ['vault=addr=x'] });
    assert.deepEqual(opts.secretSources, ['vault=addr=x']);
  });

  it('keeps every --secret-source of `run` in its options, in order', () => {
    const opts = toRunOptions('load', {
      ...RUN_FLAGS,
      secretSource: [`file=${join(dir, 'main.secret')}`, 'mock=k=v'],
    });
    assert.deepEqual(opts.secretSources, [`file=${join(dir, 'main.secret')}`, 'mock=k=v']);
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
