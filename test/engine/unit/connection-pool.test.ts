/**
 * The HTTP transport's connection pool drops origins left unused past idleOriginMs (their Clients
 * destroyed), so a test reaching many distinct hosts does not hold every one it ever saw. An origin
 * with a connection in use is never dropped. Virtual clock; one real server for the reconnect case.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Connections } from '../../../engine/http/connections.ts';

let t = 0;
const pool = (): Connections => new Connections({ insecureSkipTLSVerify: false, idleOriginMs: 1000, now: () => t });

describe('connection pool: idle origins', () => {
  let server: Server;
  let origin = '';

  before(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('drops an origin unused for idleOriginMs once a new origin is reached, destroying its clients', () => {
    t = 0;
    const p = pool();
    const a = p.take('http://a.example');
    a.release();
    t = 1500;
    p.take('http://b.example').release();
    assert.equal(p.origins, 1);
    assert.equal(a.client.destroyed, true);
  });

  it('keeps an origin whose connection is still in use, however old', () => {
    t = 0;
    const p = pool();
    const a = p.take('http://a.example');
    t = 5000;
    p.take('http://b.example').release();
    assert.equal(p.origins, 2);
    assert.equal(a.client.destroyed, false);
    a.release();
  });

  it('keeps origins used within idleOriginMs', () => {
    t = 0;
    const p = pool();
    p.take('http://a.example').release();
    t = 900;
    p.take('http://b.example').release();
    t = 1400; // a: 1400 ms idle (dropped), b: 500 ms (kept)
    p.take('http://c.example').release();
    assert.equal(p.origins, 2);
  });

  it('reaches a dropped origin again on a new connection', async () => {
    t = 0;
    const p = pool();
    const first = p.take(origin);
    assert.equal(await first.client.request({ path: '/', method: 'GET' }).then((r) => r.body.text()), 'ok');
    first.release();
    t = 2000;
    p.take('http://other.example').release();
    const again = p.take(origin);
    assert.notEqual(again, first);
    assert.equal(await again.client.request({ path: '/', method: 'GET' }).then((r) => r.body.text()), 'ok');
    again.release();
    await p.destroy();
  });
});
