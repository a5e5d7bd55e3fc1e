/**
 * The target's PostgreSQL pool. pg emits 'error' on a client whose server goes away
 * (killed, restarted, the connection cut), whether the client is idle in the pool or
 * checked out (the relay holds one for good: its advisory lock lives on it). An 'error'
 * nobody listens to ends the process, and pg-pool listens only while a client is idle.
 * So every client gets a listener of its own as it connects: the loss is logged once,
 * the query in flight (if any) fails and its caller retries, and the pool replaces the
 * client once it is released.
 */
import pg from 'pg';
import { errorFields, type Logger } from '../log.ts';

export function createPool(options: pg.PoolConfig, log: Logger): pg.Pool {
  const pool = new pg.Pool(options);
  pool.on('connect', (client) => {
    let logged = false;
    client.on('error', (err) => {
      // pg may emit twice for one loss (the server's FATAL message, then the socket's end).
      if (logged) return;
      logged = true;
      log('warn', 'PostgreSQL connection lost; its queries fail until the pool reconnects', errorFields(err));
    });
  });
  // Idle clients: logged by their own listener above; pg-pool drops them from the pool.
  pool.on('error', () => {});
  return pool;
}
