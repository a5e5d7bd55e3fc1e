/**
 * `k6/x/redis` — grafana/xk6-redis's `Client` on ioredis.
 *
 * Same API shape as the extension: `new redis.Client(url | options)`, every command a
 * method returning a promise, the same argument order, the same resolved values (numbers
 * for integer replies, booleans for EXPIRE/PERSIST/HSETNX/SISMEMBER) and the same
 * rejections (a missing key on GET, LPOP, HGET... rejects with `redis: nil`, as go-redis
 * does). Like the extension it defines no metrics of its own (scripts time operations with
 * their own Trends), but its traffic counts in k6's `data_sent` / `data_received`: xk6-redis
 * dials through k6's network layer, which counts every byte of the connection; here the
 * socket's byte counters are read after each command and the difference is added with the
 * VU's tags (k6 adds its totals once per iteration; the sums are the same). Commands issued together (`Promise.all`) share one round trip through ioredis's
 * auto-pipelining, the closest thing to a pipeline the extension's API offers.
 *
 * The connection opens at the first command (lazily, as the extension does) and is closed
 * when the VU shuts down.
 */
import type { Socket } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import type { VuContext } from '../api.ts';
import { describe, ExtensionError, requireAsyncMode } from './support.ts';

const MODULE = 'k6/x/redis';

/** Options object of xk6-redis (the URL form is a string). */
export interface ClientOptions {
  socket?: {
    host?: string;
    port?: number;
    tls?: unknown;
    dialTimeout?: number;
    readTimeout?: number;
    writeTimeout?: number;
  };
  username?: string;
  password?: string;
  clientName?: string;
  database?: number;
  masterName?: string;
  cluster?: unknown;
  /** The older xk6-redis shape: `{ addrs: ['host:port'], db }`. */
  addrs?: string[];
  db?: number;
}

type Scalar = string | number | boolean;

function badArgument(message: string): ExtensionError {
  return new ExtensionError('X_REDIS_BAD_ARGUMENT', `${MODULE}: ${message}`);
}

function checkScalars(method: string, values: unknown[]): Scalar[] {
  values.forEach((v, i) => {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw badArgument(`Client.${method}: value ${i + 1} must be a string, number or boolean, got ${describe(v)}`);
    }
  });
  return values as Scalar[];
}

function checkKey(method: string, key: unknown): string {
  if (typeof key !== 'string' || key === '')
    throw badArgument(`Client.${method}: key must be a non-empty string, got ${describe(key)}`);
  return key;
}

/** `del('a', 'b')` and `del(['a', 'b'])` are both seen in xk6-redis scripts. */
function keyList(method: string, keys: unknown[]): string[] {
  const flat = keys.flat();
  if (flat.length === 0) throw badArgument(`Client.${method}: needs at least one key`);
  return flat.map((k) => checkKey(method, k));
}

/** go-redis rejects a nil reply with `redis: nil`; xk6-redis passes that on. */
function nonNil<T>(value: T | null): T {
  if (value === null) throw new ExtensionError('X_REDIS_NIL', 'redis: nil');
  return value;
}

export function toIoredisOptions(arg: unknown): { url?: string; options: RedisOptions } {
  const base: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: 2, enableAutoPipelining: true };
  if (typeof arg === 'string') {
    if (!/^rediss?:\/\//.test(arg))
      throw badArgument(`new Client(url): url must look like redis://host:port[/db], got "${arg}"`);
    return { url: arg, options: base };
  }
  if (arg === null || typeof arg !== 'object')
    throw badArgument(`new Client(): needs a URL string or an options object, got ${describe(arg)}`);
  const o = arg as ClientOptions;
  if (o.cluster !== undefined || o.masterName !== undefined) {
    throw badArgument(
      "new Client(): cluster and sentinel options are not supported by the kit's engine (single node only)",
    );
  }
  let host = o.socket?.host;
  let port = o.socket?.port;
  if (o.addrs !== undefined) {
    if (!Array.isArray(o.addrs) || o.addrs.length !== 1)
      throw badArgument('new Client(): addrs must hold exactly one "host:port" (single node only)');
    const [h, p] = String(o.addrs[0]).split(':');
    host = h;
    port = Number(p ?? 6379);
  }
  if (typeof host !== 'string' || host === '')
    throw badArgument('new Client(): options.socket.host must be a non-empty string');
  const options: RedisOptions = {
    ...base,
    host,
    port: port ?? 6379,
    username: o.username,
    password: o.password,
    connectionName: o.clientName,
    db: o.database ?? o.db ?? 0,
  };
  if (o.socket?.dialTimeout !== undefined) options.connectTimeout = o.socket.dialTimeout * 1000;
  if (o.socket?.readTimeout !== undefined && o.socket.readTimeout > 0)
    options.commandTimeout = o.socket.readTimeout * 1000;
  if (o.socket?.tls) options.tls = o.socket.tls as RedisOptions['tls'];
  return { options };
}

/** Adds the bytes a client's connection moved since the last call to data_sent / data_received. */
class IoMeter {
  #stream: Socket | null = null;
  #sent = 0;
  #read = 0;

  constructor(private readonly vu: VuContext) {}

  flush(redis: Redis): void {
    const stream = redis.stream as Socket | undefined;
    if (!stream || this.vu.phase() === 'init') return;
    if (stream !== this.#stream) {
      this.#stream = stream;
      this.#sent = 0;
      this.#read = 0;
    }
    const sent = stream.bytesWritten - this.#sent;
    const read = stream.bytesRead - this.#read;
    this.#sent += sent;
    this.#read += read;
    if (sent <= 0 && read <= 0) return;
    const tags = this.vu.currentTags();
    const time = Date.now();
    if (sent > 0) this.vu.metrics.add('data_sent', sent, tags, time);
    if (read > 0) this.vu.metrics.add('data_received', read, tags, time);
  }
}

export function createModule(vu: VuContext): Record<string, unknown> {
  class Client {
    readonly #redis: Redis;
    readonly #io = new IoMeter(vu);

    constructor(arg: string | ClientOptions) {
      requireAsyncMode(vu, MODULE, 'new Client()');
      const { url, options } = toIoredisOptions(arg);
      this.#redis = url ? new Redis(url, options) : new Redis(options);
      // Errors surface as rejected command promises; the emitter must not crash the VU.
      this.#redis.on('error', () => {});
      const redis = this.#redis;
      vu.onClose(async () => {
        if (redis.status === 'end' || redis.status === 'wait') {
          redis.disconnect();
          return;
        }
        await redis.quit().catch(() => redis.disconnect());
      });
    }

    #run<T>(method: string, fn: (r: Redis) => Promise<T>): Promise<T> {
      try {
        requireAsyncMode(vu, MODULE, `Client.${method}()`);
        return fn(this.#redis).finally(() => this.#io.flush(this.#redis));
      } catch (error) {
        return Promise.reject(error);
      }
    }

    set(key: string, value: Scalar, expiration = 0) {
      return this.#run('set', (r) => {
        const [v] = checkScalars('set', [value]);
        return expiration > 0
          ? r.set(checkKey('set', key), String(v), 'EX', expiration)
          : r.set(checkKey('set', key), String(v));
      });
    }
    get(key: string) {
      return this.#run('get', async (r) => nonNil(await r.get(checkKey('get', key))));
    }
    getSet(key: string, value: Scalar) {
      return this.#run(
        'getSet',
        async (r) => (await r.getset(checkKey('getSet', key), String(checkScalars('getSet', [value])[0]))) ?? '',
      );
    }
    del(...keys: Array<string | string[]>) {
      return this.#run('del', (r) => r.del(...keyList('del', keys)));
    }
    getDel(key: string) {
      return this.#run('getDel', async (r) => nonNil(await r.getdel(checkKey('getDel', key))));
    }
    exists(...keys: Array<string | string[]>) {
      return this.#run('exists', (r) => r.exists(...keyList('exists', keys)));
    }
    incr(key: string) {
      return this.#run('incr', (r) => r.incr(checkKey('incr', key)));
    }
    incrBy(key: string, n: number) {
      return this.#run('incrBy', (r) => r.incrby(checkKey('incrBy', key), n));
    }
    decr(key: string) {
      return this.#run('decr', (r) => r.decr(checkKey('decr', key)));
    }
    decrBy(key: string, n: number) {
      return this.#run('decrBy', (r) => r.decrby(checkKey('decrBy', key), n));
    }
    randomKey() {
      return this.#run('randomKey', async (r) => nonNil(await r.randomkey()));
    }
    mget(...keys: Array<string | string[]>) {
      return this.#run('mget', (r) => r.mget(...keyList('mget', keys)));
    }
    expire(key: string, seconds: number) {
      return this.#run('expire', async (r) => (await r.expire(checkKey('expire', key), seconds)) === 1);
    }
    ttl(key: string) {
      return this.#run('ttl', (r) => r.ttl(checkKey('ttl', key)));
    }
    persist(key: string) {
      return this.#run('persist', async (r) => (await r.persist(checkKey('persist', key))) === 1);
    }
    lpush(key: string, ...values: Scalar[]) {
      return this.#run('lpush', (r) => r.lpush(checkKey('lpush', key), ...checkScalars('lpush', values).map(String)));
    }
    rpush(key: string, ...values: Scalar[]) {
      return this.#run('rpush', (r) => r.rpush(checkKey('rpush', key), ...checkScalars('rpush', values).map(String)));
    }
    lpop(key: string) {
      return this.#run('lpop', async (r) => nonNil(await r.lpop(checkKey('lpop', key))));
    }
    rpop(key: string) {
      return this.#run('rpop', async (r) => nonNil(await r.rpop(checkKey('rpop', key))));
    }
    lrange(key: string, start: number, stop: number) {
      return this.#run('lrange', (r) => r.lrange(checkKey('lrange', key), start, stop));
    }
    lindex(key: string, index: number) {
      return this.#run('lindex', async (r) => nonNil(await r.lindex(checkKey('lindex', key), index)));
    }
    lset(key: string, index: number, element: string) {
      return this.#run('lset', (r) => r.lset(checkKey('lset', key), index, element));
    }
    lrem(key: string, count: number, value: string) {
      return this.#run('lrem', (r) => r.lrem(checkKey('lrem', key), count, value));
    }
    llen(key: string) {
      return this.#run('llen', (r) => r.llen(checkKey('llen', key)));
    }
    hset(key: string, field: string, value: Scalar) {
      return this.#run('hset', (r) => r.hset(checkKey('hset', key), field, String(checkScalars('hset', [value])[0])));
    }
    hsetnx(key: string, field: string, value: string) {
      return this.#run('hsetnx', async (r) => (await r.hsetnx(checkKey('hsetnx', key), field, value)) === 1);
    }
    hget(key: string, field: string) {
      return this.#run('hget', async (r) => nonNil(await r.hget(checkKey('hget', key), field)));
    }
    hdel(key: string, ...fields: Array<string | string[]>) {
      return this.#run('hdel', (r) => r.hdel(checkKey('hdel', key), ...fields.flat()));
    }
    hgetall(key: string) {
      return this.#run('hgetall', (r) => r.hgetall(checkKey('hgetall', key)));
    }
    hkeys(key: string) {
      return this.#run('hkeys', (r) => r.hkeys(checkKey('hkeys', key)));
    }
    hvals(key: string) {
      return this.#run('hvals', (r) => r.hvals(checkKey('hvals', key)));
    }
    hlen(key: string) {
      return this.#run('hlen', (r) => r.hlen(checkKey('hlen', key)));
    }
    hincrby(key: string, field: string, n: number) {
      return this.#run('hincrby', (r) => r.hincrby(checkKey('hincrby', key), field, n));
    }
    sadd(key: string, ...members: Scalar[]) {
      return this.#run('sadd', (r) => r.sadd(checkKey('sadd', key), ...checkScalars('sadd', members).map(String)));
    }
    srem(key: string, ...members: Scalar[]) {
      return this.#run('srem', (r) => r.srem(checkKey('srem', key), ...checkScalars('srem', members).map(String)));
    }
    sismember(key: string, member: Scalar) {
      return this.#run('sismember', async (r) => (await r.sismember(checkKey('sismember', key), String(member))) === 1);
    }
    smembers(key: string) {
      return this.#run('smembers', (r) => r.smembers(checkKey('smembers', key)));
    }
    srandmember(key: string) {
      return this.#run('srandmember', async (r) => nonNil(await r.srandmember(checkKey('srandmember', key))));
    }
    spop(key: string) {
      return this.#run('spop', async (r) => nonNil(await r.spop(checkKey('spop', key))));
    }
    /** Any command the client has no method for: `sendCommand('XADD', key, '*', 'f', 'v')`. */
    sendCommand(command: string, ...args: Scalar[]) {
      return this.#run('sendCommand', (r) => {
        if (typeof command !== 'string' || command === '')
          throw badArgument('Client.sendCommand: command must be a non-empty string');
        return r.call(command, ...checkScalars('sendCommand', args).map(String));
      });
    }
  }

  return { default: { Client }, Client };
}
