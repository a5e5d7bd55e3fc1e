/**
 * `k6/x/redis` — grafana/xk6-redis (k6 1.x also bundles it as `k6/experimental/redis`).
 * Promise-based under the k6 binary and under the kit's Node engine alike.
 * A missing key on get/getDel/lpop/rpop/lindex/hget/randomKey/srandmember/spop rejects
 * with `redis: nil`.
 */
declare module 'k6/x/redis' {
  type RedisValue = string | number | boolean;

  /** Socket settings of the options form. Timeouts are in seconds. */
  export interface SocketOptions {
    host: string;
    port?: number;
    tls?: { ca?: string[]; cert?: string; key?: string };
    dialTimeout?: number;
    readTimeout?: number;
    writeTimeout?: number;
    poolSize?: number;
    minIdleConns?: number;
    maxConnAge?: number;
    poolTimeout?: number;
    idleTimeout?: number;
    idleCheckFrequency?: number;
  }

  export interface Options {
    socket: SocketOptions;
    username?: string;
    password?: string;
    clientName?: string;
    database?: number;
    masterName?: string;
    sentinelUsername?: string;
    sentinelPassword?: string;
    cluster?: {
      maxRedirects?: number;
      readOnly?: boolean;
      routeByLatency?: boolean;
      routeRandomly?: boolean;
      nodes: string[] | SocketOptions[];
    };
  }

  export class Client {
    protected __brand: never;
    /** `redis[s]://[[username][:password]@][host][:port][/db-number]`, or an options object. */
    constructor(urlOrOptions: string | Options);
    set(key: string, value: RedisValue, expiration: number): Promise<string>;
    get(key: string): Promise<string>;
    getSet(key: string, value: RedisValue): Promise<string>;
    del(...keys: string[]): Promise<number>;
    del(keys: string[]): Promise<number>;
    getDel(key: string): Promise<string>;
    exists(...keys: string[]): Promise<number>;
    exists(keys: string[]): Promise<number>;
    incr(key: string): Promise<number>;
    incrBy(key: string, increment: number): Promise<number>;
    decr(key: string): Promise<number>;
    decrBy(key: string, decrement: number): Promise<number>;
    randomKey(): Promise<string>;
    mget(...keys: string[]): Promise<Array<string | null>>;
    mget(keys: string[]): Promise<Array<string | null>>;
    expire(key: string, seconds: number): Promise<boolean>;
    ttl(key: string): Promise<number>;
    persist(key: string): Promise<boolean>;
    lpush(key: string, ...values: RedisValue[]): Promise<number>;
    rpush(key: string, ...values: RedisValue[]): Promise<number>;
    lpop(key: string): Promise<string>;
    rpop(key: string): Promise<string>;
    lrange(key: string, start: number, stop: number): Promise<string[]>;
    lindex(key: string, index: number): Promise<string>;
    lset(key: string, index: number, element: string): Promise<string>;
    lrem(key: string, count: number, value: string): Promise<number>;
    llen(key: string): Promise<number>;
    hset(key: string, field: string, value: RedisValue): Promise<number>;
    hsetnx(key: string, field: string, value: string): Promise<boolean>;
    hget(key: string, field: string): Promise<string>;
    hdel(key: string, ...fields: string[]): Promise<number>;
    hgetall(key: string): Promise<Record<string, string>>;
    hkeys(key: string): Promise<string[]>;
    hvals(key: string): Promise<string[]>;
    hlen(key: string): Promise<number>;
    hincrby(key: string, field: string, increment: number): Promise<number>;
    sadd(key: string, ...members: RedisValue[]): Promise<number>;
    srem(key: string, ...members: RedisValue[]): Promise<number>;
    sismember(key: string, member: RedisValue): Promise<boolean>;
    smembers(key: string): Promise<string[]>;
    srandmember(key: string): Promise<string>;
    spop(key: string): Promise<string>;
    /** Any command without a method, e.g. `sendCommand('XADD', key, '*', 'field', 'value')`. */
    sendCommand(command: string, ...args: RedisValue[]): Promise<unknown>;
  }

  const redis: { Client: typeof Client };
  export default redis;
}
