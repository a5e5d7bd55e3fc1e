/**
 * k6/x/redis against a real redis-server (local provider, started once for the file).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startInfra, type InfraHandle } from '../../../infra/index.ts';
import { createModule } from '../../../engine/modules/x/redis.ts';
import { fakeVu, type FakeVu } from './fake-vu.ts';

// The module's Client, typed loosely: scripts see it through types/k6-x-redis.d.ts.
type Client = Record<string, (...args: unknown[]) => Promise<unknown>>;
type ClientCtor = new (arg: unknown) => Client;

describe('k6/x/redis', () => {
  let infra: InfraHandle;
  let url: string;
  let vu: FakeVu;
  let client: Client;
  let raw: Redis;

  before(async () => {
    infra = await startInfra({ provider: 'local', services: ['redis'], progress: 'silent' });
    url = infra.endpoints.redis!.url;
    vu = fakeVu();
    const Ctor = (createModule(vu) as { Client: ClientCtor }).Client;
    client = new Ctor(url);
    raw = new Redis(url);
  });

  after(async () => {
    await vu?.close();
    raw?.disconnect();
    await infra?.down();
  });

  const Client = (v: FakeVu) => (createModule(v) as { Client: ClientCtor }).Client;

  it('resolves set with OK and get with the stored value', async () => {
    assert.equal(await client.set!('t:a', 'hello', 0), 'OK');
    assert.equal(await client.get!('t:a'), 'hello');
  });

  it('rejects get of a missing key with redis: nil, as go-redis does', async () => {
    await assert.rejects(client.get!('t:missing'), /redis: nil/);
  });

  it('sets a time to live when set is given an expiration in seconds', async () => {
    await client.set!('t:ttl', 'v', 30);
    const ttl = (await client.ttl!('t:ttl')) as number;
    assert.ok(ttl > 0 && ttl <= 30, `ttl ${ttl}`);
  });

  it('resolves incr, incrBy and decr with numbers', async () => {
    assert.equal(await client.incr!('t:n'), 1);
    assert.equal(await client.incrBy!('t:n', 5), 6);
    assert.equal(await client.decr!('t:n'), 5);
  });

  it('keeps list order through rpush, lrange and lpop', async () => {
    assert.equal(await client.rpush!('t:list', 'a', 'b', 'c'), 3);
    assert.deepEqual(await client.lrange!('t:list', 0, -1), ['a', 'b', 'c']);
    assert.equal(await client.lpop!('t:list'), 'a');
    assert.equal(await client.llen!('t:list'), 2);
  });

  it('resolves expire, persist, hsetnx and sismember with booleans', async () => {
    await client.set!('t:b', '1', 0);
    assert.equal(await client.expire!('t:b', 100), true);
    assert.equal(await client.persist!('t:b'), true);
    assert.equal(await client.hsetnx!('t:h', 'f', 'v'), true);
    assert.equal(await client.hsetnx!('t:h', 'f', 'w'), false);
    await client.sadd!('t:s', 'x');
    assert.equal(await client.sismember!('t:s', 'x'), true);
  });

  it('reads hashes back with hget and hgetall', async () => {
    await client.hset!('t:hash', 'status', 'queued');
    assert.equal(await client.hget!('t:hash', 'status'), 'queued');
    assert.deepEqual(await client.hgetall!('t:hash'), { status: 'queued' });
  });

  it('deletes keys given as arguments or as one array', async () => {
    await Promise.all(['t:d1', 't:d2', 't:d3'].map((k) => client.set!(k, '1', 0)));
    assert.equal(await client.del!('t:d1'), 1);
    assert.equal(await client.del!(['t:d2', 't:d3']), 2);
    assert.equal(await raw.exists('t:d1', 't:d2', 't:d3'), 0);
  });

  it('passes any command through sendCommand', async () => {
    const id = await client.sendCommand!('XADD', 't:stream', '*', 'f', 'v');
    assert.match(String(id), /^\d+-\d+$/);
    assert.equal(await client.sendCommand!('XLEN', 't:stream'), 1);
  });

  it('rejects a value that is not a string, number or boolean, naming the method', async () => {
    await assert.rejects(
      client.set!('t:o', { a: 1 }, 0),
      /k6\/x\/redis: Client\.set: value 1 must be a string, number or boolean/,
    );
  });

  it('connects with the options form (socket host and port, database)', async () => {
    const { hostname, port } = new URL(url);
    const other = new (Client(vu))({ socket: { host: hostname, port: Number(port) }, database: 1 });
    await other.set!('t:db1', 'one', 0);
    await raw.select(1);
    assert.equal(await raw.get('t:db1'), 'one');
    await raw.select(0);
  });

  it('throws in a sync-mode VU, naming the module and asking for async functions', () => {
    const syncVu = fakeVu('sync');
    assert.throws(
      () => new (Client(syncVu))(url),
      (e: Error & { code?: string }) =>
        e.code === 'X_MODULE_NEEDS_ASYNC' && /k6\/x\/redis/.test(e.message) && /async/.test(e.message),
    );
  });

  it('counts the connection bytes of its commands in data_sent and data_received, with the VU tags', async () => {
    const own = fakeVu('async', { scenario: 'bytes' });
    const c = new (Client(own))(url);
    await c.set!('t:bytes', 'x'.repeat(1000), 0);
    assert.equal(await c.get!('t:bytes'), 'x'.repeat(1000));
    // RESP: SET t:bytes <1000 bytes> is 1035 bytes, GET t:bytes 26; the replies +OK 5 and $1000 <1000 bytes> 1009
    assert.ok(own.sum('data_sent') >= 1035 + 26, `data_sent ${own.sum('data_sent')}`);
    assert.ok(own.sum('data_received') >= 5 + 1009, `data_received ${own.sum('data_received')}`);
    const sent = own.sum('data_sent');
    await c.get!('t:bytes');
    assert.equal(own.sum('data_sent') - sent, 26, 'a GET t:bytes is 26 bytes on the wire');
    assert.ok(own.samples.filter((s) => s.name.startsWith('data_')).every((s) => s.tags.scenario === 'bytes'));
    await own.close();
  });

  it('closes its connection when the VU shuts down', async () => {
    const own = fakeVu();
    const c = new (Client(own))({
      socket: { host: new URL(url).hostname, port: Number(new URL(url).port) },
      clientName: 'k6-close-probe',
    });
    await c.set!('t:probe', '1', 0);
    const names = async () => String(await raw.call('CLIENT', 'LIST')).match(/name=k6-close-probe/g)?.length ?? 0;
    assert.equal(await names(), 1);
    await own.close();
    // The server frees a client after answering its QUIT: look again a few times (bounded).
    let left = await names();
    for (let i = 0; i < 50 && left > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await names();
    }
    assert.equal(left, 0);
  });
});
