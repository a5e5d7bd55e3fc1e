/**
 * k6 coverage (issue 17): the HTTP options `batch`, `batchPerHost` and `noVUConnectionReuse`, run
 * by the engine (async and sync mode) against a local server that counts the requests in flight
 * and the connections, and with K6_BIN set, by that real k6 with the same assertions (run the
 * suite inside a private network namespace, as /work/notes/k6note.md says).
 *
 * The server holds the requests of a path until as many as its `gate` are in flight (or a second
 * passed), then answers all it holds 100 ms later: a client honouring a limit of 6 reaches exactly
 * 6 in flight, however slow the machine; one sending more at once shows more. Counts are asserted,
 * no timing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './helpers/run.ts';
import { consolidate } from '../../engine/options/consolidate.ts';
import { makeCert, startH2Counter, type H2Counter } from './helpers/coverage-servers.ts';

/** What the server saw of one path prefix (one test script). */
interface Seen {
  requests: number;
  inflight: number;
  maxInflight: number;
  /** Connections (sockets) that carried requests of this prefix. */
  sockets: Set<Socket>;
  held: Array<() => void>;
  timer: NodeJS.Timeout | null;
  /** The gate is reached: the held requests are answered in a moment. */
  soon: boolean;
}

const seen = new Map<string, Seen>();
const openSockets = new Set<Socket>();
let server: Server;
let base = '';
let dir = '';
let h2c: H2Counter;

function stats(prefix: string): Seen {
  let s = seen.get(prefix);
  if (s === undefined) {
    s = { requests: 0, inflight: 0, maxInflight: 0, sockets: new Set(), held: [], timer: null, soon: false };
    seen.set(prefix, s);
  }
  return s;
}

/** `/<prefix>/<index>?gate=n`: answers `<index>` once n requests of the prefix are in flight (or after 1 s). */
function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const [, prefix = '', index = ''] = url.pathname.split('/');
  const s = stats(prefix);
  s.requests++;
  s.sockets.add(req.socket);
  s.inflight++;
  s.maxInflight = Math.max(s.maxInflight, s.inflight);
  const answer = () => {
    s.inflight--;
    res.end(index);
  };
  const gate = Number(url.searchParams.get('gate') ?? '1');
  s.held.push(answer);
  const flush = () => {
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    s.soon = false;
    for (const a of s.held.splice(0)) a();
  };
  if (s.held.length >= gate) {
    // answered a moment later: a client over its limit shows its extra requests by then
    if (s.soon) return;
    if (s.timer) clearTimeout(s.timer);
    s.timer = setTimeout(flush, 100);
    s.soon = true;
  } else s.timer ??= setTimeout(flush, 1000);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k6-coverage-http-options-'));
  server = createServer(handle);
  server.on('connection', (sock: Socket) => {
    openSockets.add(sock);
    sock.on('close', () => openSockets.delete(sock));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  h2c = await startH2Counter(makeCert(dir), 1);
});

after(async () => {
  for (const s of seen.values()) if (s.timer) clearTimeout(s.timer);
  for (const sock of openSockets) sock.destroy();
  await new Promise((resolve) => server.close(resolve));
  await h2c?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A batch of 30 requests to one host; prints whether the responses came back in the caller's order and keys. */
const batchScript = (prefix: string, options: string) => `import http from 'k6/http';
export const options = { iterations: 1, vus: 1, ${options} };
export default function () {
  const reqs = [];
  for (let i = 0; i < 30; i++) reqs.push(['GET', __ENV.BASE + '/${prefix}/' + i + '?gate=' + __ENV.GATE]);
  const res = http.batch(reqs);
  const inOrder = res.every((r, i) => r.status === 200 && r.body === String(i));
  const keyed = http.batch({ first: __ENV.BASE + '/${prefix}k/a', second: __ENV.BASE + '/${prefix}k/b' });
  const byKey = keyed.first.body === 'a' && keyed.second.body === 'b';
  console.log('R ' + JSON.stringify({ inOrder, byKey }));
}
`;

/** One VU, 3 iterations of 2 requests in a row; prints each request's http_req_connecting > 0. */
const reuseScript = (prefix: string, noVUConnectionReuse: boolean) => `import http from 'k6/http';
export const options = { iterations: 3, vus: 1, noVUConnectionReuse: ${noVUConnectionReuse} };
export default function () {
  const a = http.get(__ENV.BASE + '/${prefix}/a');
  const b = http.get(__ENV.BASE + '/${prefix}/b');
  console.log('R ' + JSON.stringify({ dialed: [a.timings.connecting > 0, b.timings.connecting > 0] }));
}
`;

/** The same over HTTP/2 (the counting h2 server of coverage-servers.ts). */
const h2ReuseScript = `import http from 'k6/http';
export const options = { iterations: 3, vus: 1, noVUConnectionReuse: true, insecureSkipTLSVerify: true };
export default function () {
  const a = http.get(__ENV.H2C + '/item/a');
  const b = http.get(__ENV.H2C + '/item/b');
  console.log('R ' + JSON.stringify({ proto: [a.proto, b.proto], sessions: [a.json().session, b.json().session] }));
}
`;

interface Outcome {
  exitCode: number;
  /** The scripts' `R` lines, in order. */
  lines: Array<Record<string, unknown>>;
  log: string;
}

const rLines = (text: string): Array<Record<string, unknown>> =>
  [...text.matchAll(/R (\{[^\n]*\})/g)].map((m) => JSON.parse(m[1]!.replaceAll('\\"', '"')) as Record<string, unknown>);

function write(name: string, text: string): string {
  const file = join(dir, `${name}.js`);
  writeFileSync(file, text);
  return file;
}

async function engine(
  name: string,
  text: string,
  env: Record<string, string>,
  mode: 'async' | 'sync',
): Promise<Outcome> {
  const r = await run(write(`${name}-${mode}`, text), { env, mode, workers: 1, noSummary: true });
  return { exitCode: r.exitCode, lines: rLines(r.stderr), log: r.stderr };
}

async function k6(name: string, text: string, env: Record<string, string>): Promise<Outcome> {
  const file = write(`${name}-k6`, text);
  return new Promise((resolve) => {
    execFile(
      process.env.K6_BIN!,
      ['run', '-q', file],
      { env: { ...process.env, ...env, K6_NO_USAGE_REPORT: 'true', K6_AUTO_EXTENSION_RESOLUTION: 'false' } },
      (err, _stdout, stderr) =>
        resolve({ exitCode: err ? ((err as { code?: number }).code ?? 1) : 0, lines: rLines(stderr), log: stderr }),
    );
  });
}

const RUNNERS: Array<[string, string, (name: string, text: string, env: Record<string, string>) => Promise<Outcome>]> =
  [
    ['engine (async mode)', 'ea', (n, t, e) => engine(n, t, e, 'async')],
    ['engine (sync mode)', 'es', (n, t, e) => engine(n, t, e, 'sync')],
  ];
if (process.env.K6_BIN) RUNNERS.push(['real k6 (K6_BIN)', 'k6', k6]);
else it('runs the k6 half only with K6_BIN set', { skip: 'K6_BIN is not set (CI has no k6)' }, () => undefined);

for (const [who, tag, runner] of RUNNERS) {
  describe(`k6 HTTP options: ${who}`, () => {
    it('sends at most batchPerHost (default 6) requests of a batch to one host at once', async () => {
      const o = await runner('batch-default', batchScript(`${tag}def`, ''), { BASE: base, GATE: '6' });
      assert.equal(o.exitCode, 0, o.log);
      assert.deepEqual(o.lines, [{ inOrder: true, byKey: true }], o.log);
      const s = stats(`${tag}def`);
      assert.equal(s.requests, 30);
      assert.equal(s.maxInflight, 6, `${s.maxInflight} requests in flight at once`);
    });

    it('sends at most batch requests at once with batchPerHost 0 and batch 10', async () => {
      const o = await runner('batch-10', batchScript(`${tag}b10`, 'batch: 10, batchPerHost: 0'), {
        BASE: base,
        GATE: '10',
      });
      assert.equal(o.exitCode, 0, o.log);
      assert.deepEqual(o.lines, [{ inOrder: true, byKey: true }], o.log);
      const s = stats(`${tag}b10`);
      assert.equal(s.requests, 30);
      assert.equal(s.maxInflight, 10, `${s.maxInflight} requests in flight at once`);
    });

    it('closes the connections after each iteration with noVUConnectionReuse, reusing them within one', async () => {
      const o = await runner('no-vu-reuse', reuseScript(`${tag}nvr`, true), { BASE: base });
      assert.equal(o.exitCode, 0, o.log);
      assert.equal(stats(`${tag}nvr`).requests, 6);
      assert.equal(stats(`${tag}nvr`).sockets.size, 3);
      assert.deepEqual(
        o.lines.map((l) => l.dialed),
        [
          [true, false],
          [true, false],
          [true, false],
        ],
      );
    });

    it('closes the HTTP/2 session after each iteration with noVUConnectionReuse, one per iteration', async () => {
      h2c.reset();
      const o = await runner('no-vu-reuse-h2', h2ReuseScript, { H2C: h2c.url });
      await h2c.settled();
      const c = h2c.counts();
      assert.equal(o.exitCode, 0, o.log);
      assert.equal(o.lines.length, 3, o.log);
      for (const l of o.lines) {
        assert.deepEqual(l.proto, ['HTTP/2.0', 'HTTP/2.0']);
        const [a, b] = l.sessions as number[];
        assert.equal(a, b, 'both requests of an iteration on one session');
      }
      assert.equal(new Set(o.lines.map((l) => (l.sessions as number[])[0])).size, 3, JSON.stringify(o.lines));
      assert.deepEqual([c.sessionsUsed, c.streams], [3, 6], JSON.stringify(c));
    });

    it('keeps the connection across iterations without it', async () => {
      const o = await runner('vu-reuse', reuseScript(`${tag}vr`, false), { BASE: base });
      assert.equal(o.exitCode, 0, o.log);
      assert.equal(stats(`${tag}vr`).requests, 6);
      assert.equal(stats(`${tag}vr`).sockets.size, 1);
      assert.deepEqual(
        o.lines.map((l) => l.dialed),
        [
          [true, false],
          [false, false],
          [false, false],
        ],
      );
    });
  });
}

describe('k6 HTTP options: validation', () => {
  it('takes batch and batchPerHost (defaults 20 and 6) and noVUConnectionReuse', () => {
    assert.deepEqual(consolidate([{}]).options.batchLimits, { batch: 20, batchPerHost: 6 });
    const ok = consolidate([{ batch: 3, batchPerHost: 0, noVUConnectionReuse: true }]);
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.options.transport.batchLimits, { batch: 3, batchPerHost: 0 });
    assert.equal(ok.options.transport.noVUConnectionReuse, true);
  });

  it('names a bad batch, batchPerHost or noVUConnectionReuse', () => {
    const bad = consolidate([{ batch: 0, batchPerHost: -1, noVUConnectionReuse: 'yes' }]).problems.join('\n');
    assert.match(bad, /options\.batch: expected an integer >= 1, got 0/);
    assert.match(bad, /options\.batchPerHost: expected an integer >= 0, got -1/);
    assert.match(bad, /options\.noVUConnectionReuse: expected true or false, got "yes"/);
    assert.match(
      consolidate([{ batch: 2.5 }]).problems.join('\n'),
      /options\.batch: expected an integer >= 1, got 2\.5/,
    );
    assert.match(consolidate([{ batchPerHost: '6' }]).problems.join('\n'), /options\.batchPerHost: .* got "6"/);
  });
});
