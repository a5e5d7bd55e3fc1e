/**
 * `k6/x/sql` — grafana/xk6-sql's `open(driver, dataSourceName)`, `db.exec`, `db.query`,
 * `db.close` on node-postgres, for the postgres driver (`k6/x/sql/driver/postgres`).
 *
 * The extension is synchronous in k6; here `exec`, `query` and `close` return promises,
 * so scripts `await` them. Rows are plain objects keyed by column name. Values map as the
 * Go driver maps them where it matters to a script: bigint/int8 (COUNT(*), SUM of ints)
 * as a number when it fits in 2^53, else a string; numeric as a string; timestamps as
 * Date; json/jsonb parsed. `lastInsertId()` is unsupported by PostgreSQL's Go driver too
 * (use RETURNING with `query`). One small pool per database handle; the VU closes it.
 */
import pg from 'pg';
import type { VuContext } from '../api.ts';
import { POSTGRES_DRIVER } from './sql-driver-postgres.ts';
import { describe, ExtensionError, requireAsyncMode } from './support.ts';

const MODULE = 'k6/x/sql';
const INT8_OID = 20;

function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
} as pg.CustomTypesConfig;

export interface Result {
  rowsAffected(): number;
  lastInsertId(): number;
}

function badArgument(message: string): ExtensionError {
  return new ExtensionError('X_SQL_BAD_ARGUMENT', `${MODULE}: ${message}`);
}

function checkQuery(method: string, query: unknown): string {
  if (typeof query !== 'string' || query.trim() === '')
    throw badArgument(`${method}: query must be a non-empty string, got ${describe(query)}`);
  return query;
}

const toParams = (args: unknown[]) => args.map((a) => (a === undefined ? null : a));

/**
 * The driver id, as the script's `import driver from 'k6/x/sql/driver/postgres'` hands it
 * over: the symbol itself, or — when a CommonJS interop gives the default import the whole
 * module object — that object, whose `default` is the symbol.
 */
function isPostgresDriver(driver: unknown): boolean {
  if (driver === POSTGRES_DRIVER) return true;
  return typeof driver === 'object' && driver !== null && (driver as { default?: unknown }).default === POSTGRES_DRIVER;
}

export function createModule(vu: VuContext): Record<string, unknown> {
  class Database {
    readonly #pool: pg.Pool;
    #closed = false;

    constructor(pool: pg.Pool) {
      this.#pool = pool;
    }

    #check(method: string): void {
      requireAsyncMode(vu, MODULE, `db.${method}()`);
      if (this.#closed) throw new ExtensionError('X_SQL_CLOSED', `${MODULE}: db.${method}() on a closed database`);
    }

    /** Runs a statement; resolves with a Result (`rowsAffected()`). */
    async exec(query: string, ...args: unknown[]): Promise<Result> {
      this.#check('exec');
      const result = await this.#run('exec', checkQuery('db.exec', query), args);
      const affected = result.rowCount ?? 0;
      return {
        rowsAffected: () => affected,
        lastInsertId: () => {
          throw new ExtensionError(
            'X_SQL_UNSUPPORTED',
            `${MODULE}: lastInsertId is not supported by the postgres driver; use INSERT ... RETURNING with db.query`,
          );
        },
      };
    }

    /** Runs a query; resolves with its rows as plain objects. */
    async query(query: string, ...args: unknown[]): Promise<Array<Record<string, unknown>>> {
      this.#check('query');
      const result = await this.#run('query', checkQuery('db.query', query), args);
      return result.rows.map((row: Record<string, unknown>) => ({ ...row }));
    }

    async #run(method: string, text: string, args: unknown[]): Promise<pg.QueryResult> {
      try {
        return await this.#pool.query({ text, values: toParams(args), types });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new ExtensionError('X_SQL_QUERY', `${MODULE}: db.${method} failed: ${message}`, { cause: error });
      }
    }

    async close(): Promise<void> {
      if (this.#closed) return;
      this.#closed = true;
      await this.#pool.end();
    }
  }

  /** `sql.open(driver, url)`: the driver is the default export of k6/x/sql/driver/postgres. */
  function open(driver: unknown, dataSourceName: string): Database {
    requireAsyncMode(vu, MODULE, 'open()');
    if (!isPostgresDriver(driver)) {
      throw badArgument(
        "open(driver, dataSourceName): driver must be the default export of k6/x/sql/driver/postgres (the only driver of the kit's engine)",
      );
    }
    if (typeof dataSourceName !== 'string' || !/^postgres(ql)?:\/\//.test(dataSourceName)) {
      throw badArgument('open(driver, dataSourceName): dataSourceName must be a postgres:// URL');
    }
    const pool = new pg.Pool({ connectionString: dataSourceName, max: 4, idleTimeoutMillis: 10_000 });
    pool.on('error', () => {}); // idle-client errors surface on the next query instead
    const db = new Database(pool);
    vu.onClose(() => db.close().catch(() => {}));
    return db;
  }

  return { default: { open }, open };
}
