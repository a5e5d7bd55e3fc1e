/**
 * `k6/x/sql` — grafana/xk6-sql, and its PostgreSQL driver module
 * `k6/x/sql/driver/postgres` (grafana/xk6-sql-driver-postgres).
 *
 * Under the k6 binary `exec`, `query` and `close` return their value directly; under the
 * kit's Node engine they return a promise. Scripts `await` them, which is right in both.
 */
declare module 'k6/x/sql' {
  /** The value itself under k6, a promise of it under the kit's Node engine. */
  export type Awaitable<T> = T | Promise<T>;

  /** One row: a property per column. */
  export interface Row {
    [column: string]: unknown;
  }

  /** What an executed statement did. */
  export interface Result {
    /** Rows inserted, updated or deleted. */
    rowsAffected(): number;
    /** Unsupported by the PostgreSQL driver: use INSERT ... RETURNING with query(). */
    lastInsertId(): number;
  }

  /** A handle on a pool of connections. */
  export interface Database {
    exec(query: string, ...args: unknown[]): Awaitable<Result>;
    query(query: string, ...args: unknown[]): Awaitable<Row[]>;
    close(): Awaitable<void>;
  }

  /** Opens a database: the driver is the default export of a driver module. */
  export function open(driverID: symbol, dataSourceName: string): Database;

  const sql: { open: typeof open };
  export default sql;
}

declare module 'k6/x/sql/driver/postgres' {
  /** The driver id to pass to `sql.open(driver, 'postgres://user:pass@host:port/db?sslmode=disable')`. */
  const driver: symbol;
  export default driver;
}
