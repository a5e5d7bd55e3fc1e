/**
 * Conformance: k6 cookies in the engine, async and sync mode, against a real server. The script
 * logs `R {"vu","iter","name","value"}` lines; each `it` checks one of them.
 *   /set?k=v      Set-Cookie k=v; Path=/ for each query parameter
 *   /echo         {"cookie": the request's Cookie header}
 *   /two          two Set-Cookie headers, one with an Expires date (which contains a comma)
 *   POST /login   302 -> /home with Set-Cookie session=abc
 *   /home         200 "welcome" with the session cookie, else 401
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { modeScripts } from './helpers/mode-scripts.ts';
import { run, type Ran } from './helpers/run.ts';

const EXPIRES = 'Wed, 21 Oct 2099 07:28:00 GMT';

function handler(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  req.resume();
  req.on('end', () => {
    if (url.pathname === '/set') {
      res.setHeader(
        'Set-Cookie',
        [...url.searchParams].map(([k, v]) => `${k}=${v}; Path=/`),
      );
      return void res.end('ok');
    }
    if (url.pathname === '/echo') return void res.end(JSON.stringify({ cookie: req.headers.cookie ?? '' }));
    if (url.pathname === '/two') {
      res.setHeader('Set-Cookie', [
        `a=1; Path=/; Expires=${EXPIRES}; HttpOnly`,
        'b=2; Path=/; Max-Age=3600; Domain=127.0.0.1',
      ]);
      return void res.end('two');
    }
    if (url.pathname === '/login' && req.method === 'POST') {
      res.writeHead(302, { Location: '/home', 'Set-Cookie': 'session=abc; Path=/; HttpOnly' });
      return void res.end();
    }
    if (url.pathname === '/home') {
      const ok = /(^|; )session=abc(;|$)/.test(req.headers.cookie ?? '');
      res.writeHead(ok ? 200 : 401);
      return void res.end(ok ? 'welcome' : 'no session');
    }
    res.writeHead(404);
    res.end();
  });
}

/** The script; ASYNC/REQ/AWAIT are filled per mode. */
const SCRIPT = `import http from 'k6/http';
import { sleep } from 'k6';
const keep = __ENV.KEEP;
export const options = {
  scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } },
  noCookiesReset: keep === '1' ? true : keep === 'bad' ? 'yes' : false,
};
const B = __ENV.BASE_URL;
function out(name, value) { console.log('R ' + JSON.stringify({ vu: __VU, iter: __ITER, name, value })); }
export default ASYNC function () {
  const echo = ASYNC (params) => JSON.parse((REQ('GET', B + '/echo', null, params)).body).cookie;
  if (__VU === 2) {
    if (__ITER === 0) { AWAIT sleep(0.3); out('vu2', AWAIT echo()); } // while VU 1 holds its cookie
    return;
  }
  if (__ITER === 1) { out('iter1', AWAIT echo()); return; }
  REQ('GET', B + '/set?vu1=yes');
  out('after-set', AWAIT echo());
  AWAIT sleep(0.6);
  const jar = http.cookieJar();
  jar.set(B + '/', 'manual', 'm1');
  out('forurl', jar.cookiesForURL(B + '/'));
  out('echo-manual', AWAIT echo());
  jar.set(B + '/', 'scoped', 's', { path: '/echo' });
  out('scoped', [jar.cookiesForURL(B + '/'), jar.cookiesForURL(B + '/echo')]);
  jar.delete(B + '/', 'manual');
  out('after-delete', jar.cookiesForURL(B + '/'));
  jar.clear(B + '/echo');
  out('after-clear', jar.cookiesForURL(B + '/echo'));
  const own = new http.CookieJar();
  own.set(B + '/', 'own', 'o');
  out('own-jar', AWAIT echo({ jar: own }));
  REQ('GET', B + '/set?viaown=1', null, { jar: own });
  out('own-stored', [own.cookiesForURL(B + '/'), jar.cookiesForURL(B + '/')]);
  jar.set(B + '/', 'c', 'jar');
  out('plain-local', AWAIT echo({ cookies: { c: 'local', x: '1' } }));
  out('replace-local', AWAIT echo({ cookies: { c: { value: 'local', replace: true } } }));
  out('local-not-stored', jar.cookiesForURL(B + '/'));
  const sent = REQ('GET', B + '/echo', null, { cookies: { c: { value: 'local', replace: true } } });
  out('request-cookies', sent.request.cookies);
  jar.clear(B + '/');
  const two = REQ('GET', B + '/two');
  out('response-cookies', two.cookies);
  out('two-sent', AWAIT echo());
  const login = REQ('POST', B + '/login', 'user=u');
  out('login', { status: login.status, url: login.url, body: login.body });
  BATCH
}
`;

/** Sync mode only (a blocking batch in async mode stalls its thread): two requests, one of them a login redirect, in one batch. */
const BATCH = `jar.clear(B + '/');
  const [l, e] = http.batch([['POST', B + '/login', 'user=u'], ['GET', B + '/echo', null, { cookies: { z: '1' } }]]);
  out('batch', [l.status, l.body, l.url, JSON.parse(e.body).cookie]);`;

function script(mode: 'async' | 'sync'): string {
  const a = mode === 'async';
  return SCRIPT.replaceAll('ASYNC', a ? 'async' : '')
    .replaceAll('AWAIT', a ? 'await' : '')
    .replaceAll('REQ(', a ? 'await http.asyncRequest(' : 'http.request(')
    .replace('BATCH', a ? '' : BATCH);
}

interface Line {
  vu: number;
  iter: number;
  name: string;
  value: unknown;
}

function lines(r: Ran): Line[] {
  return [...r.stderr.matchAll(/R (\{.*\})/g)].map((m) => JSON.parse(m[1]!) as Line);
}

const fx = modeScripts('cookies', handler, script);

for (const mode of ['async', 'sync'] as const) {
  describe(`cookies in ${mode} mode`, () => {
    let r: Ran;
    let got: (name: string) => unknown;
    before(async () => {
      r = await run(fx.files[mode], { baseUrl: fx.base, mode, noSummary: true, workers: 1 }); // both VUs on one thread in async mode
      const all = lines(r);
      got = (name) => {
        const found = all.filter((l) => l.name === name);
        assert.equal(found.length, 1, `one "${name}" line expected in:\n${r.stderr}`);
        return found[0]!.value;
      };
    });

    it('runs the script without errors', () => {
      assert.equal(r.exitCode, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /ERRO/);
    });

    it("sends a response's Set-Cookie on the VU's next request", () => {
      assert.equal(got('after-set'), 'vu1=yes');
    });

    it('empties the jar at the end of an iteration by default', () => {
      assert.equal(got('iter1'), '');
    });

    it("keeps one VU's cookies from another VU", () => {
      assert.equal(got('vu2'), '');
    });

    it('lists the cookies for a URL and sends cookies set with cookieJar().set', () => {
      assert.deepEqual(got('forurl'), { vu1: ['yes'], manual: ['m1'] });
      assert.equal(got('echo-manual'), 'vu1=yes; manual=m1');
    });

    it('scopes a cookie set with a path to that path', () => {
      assert.deepEqual(got('scoped'), [
        { vu1: ['yes'], manual: ['m1'] },
        { vu1: ['yes'], manual: ['m1'], scoped: ['s'] },
      ]);
    });

    it('deletes one cookie by name and clears every cookie of a URL', () => {
      assert.deepEqual(got('after-delete'), { vu1: ['yes'] });
      assert.deepEqual(got('after-clear'), {});
    });

    it('sends and stores the cookies of params.jar instead of the VU jar', () => {
      assert.equal(got('own-jar'), 'own=o');
      assert.deepEqual(got('own-stored'), [{ own: ['o'], viaown: ['1'] }, {}]);
    });

    it('adds params.cookies before the jar cookies and replaces a jar cookie with replace: true', () => {
      assert.equal(got('plain-local'), 'c=local; x=1; c=jar');
      assert.equal(got('replace-local'), 'c=local');
    });

    it('does not store request-local cookies in the jar', () => {
      assert.deepEqual(got('local-not-stored'), { c: ['jar'] });
    });

    it('shows the cookies sent in res.request.cookies', () => {
      assert.deepEqual(got('request-cookies'), { c: [{ name: 'c', value: 'local', replace: false }] });
    });

    it('parses every Set-Cookie of a response into Response.cookies, an Expires date included', () => {
      assert.deepEqual(got('response-cookies'), {
        a: [
          {
            name: 'a',
            value: '1',
            domain: '',
            path: '/',
            http_only: true,
            secure: false,
            max_age: 0,
            expires: Date.parse(EXPIRES),
          },
        ],
        b: [
          {
            name: 'b',
            value: '2',
            domain: '127.0.0.1',
            path: '/',
            http_only: false,
            secure: false,
            max_age: 3600,
            expires: 0,
          },
        ],
      });
    });

    it('stores both Set-Cookie headers of one response in the jar', () => {
      assert.equal(got('two-sent'), 'a=1; b=2');
    });

    it("sends a redirect's Set-Cookie on the next hop (login flow)", () => {
      assert.deepEqual(got('login'), { status: 200, url: `${fx.base}/home`, body: 'welcome' });
    });

    it('emits one http_reqs sample per hop of the redirect', () => {
      // VU 1 iteration 0: 11 requests, the login being 2 hops (+3 for the batch in sync mode); VU 1 iteration 1 and VU 2: one each.
      assert.equal(r.values('http_reqs').count, mode === 'async' ? 14 : 17);
    });

    if (mode === 'sync') {
      it('follows a redirect with its cookies inside http.batch', () => {
        assert.deepEqual(got('batch'), [200, 'welcome', `${fx.base}/home`, 'z=1']);
      });
    }
  });
}

describe('options.noCookiesReset', () => {
  for (const mode of ['async', 'sync'] as const) {
    it(`keeps a VU's cookies across iterations when true (${mode} mode)`, async () => {
      const r = await run(fx.files[mode], { baseUrl: fx.base, mode, noSummary: true, env: { KEEP: '1' } });
      assert.equal(r.exitCode, 0, r.stderr);
      const iter1 = lines(r).find((l) => l.name === 'iter1');
      // What the end of iteration 0 left: the batch of sync mode clears the jar before its login.
      assert.equal(iter1?.value, mode === 'async' ? 'a=1; b=2; session=abc' : 'session=abc');
    });
  }

  it('rejects a value that is not a boolean, naming the option', async () => {
    await assert.rejects(
      run(fx.files.async, { baseUrl: fx.base, noSummary: true, env: { KEEP: 'bad' } }),
      (err: unknown) => {
        assert.equal((err as { exitCode?: number }).exitCode, 104);
        assert.match((err as Error).message, /options\.noCookiesReset: expected true or false, got "yes"/);
        return true;
      },
    );
  });
});
