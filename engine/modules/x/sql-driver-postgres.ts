/**
 * `k6/x/sql/driver/postgres` — grafana/xk6-sql-driver-postgres: its default export is the
 * driver id handed to `sql.open(driver, url)`. The id is a registered symbol, so the
 * `k6/x/sql` instance of any VU recognises it.
 */
import type { VuContext } from '../api.ts';

export const POSTGRES_DRIVER: unique symbol = Symbol.for('k6-llm-perf/k6/x/sql/driver/postgres');

export function createModule(_vu: VuContext): Record<string, unknown> {
  return { default: POSTGRES_DRIVER };
}
