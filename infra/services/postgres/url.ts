/**
 * The PostgreSQL URLs the kit hands out name `sslmode=disable` unless they already name an
 * sslmode. The two clients that read them disagree on the default: node-postgres (`pg`, the
 * target and the Node engine's `k6/x/sql`) connects without TLS when no sslmode is given, while
 * lib/pq (xk6-sql-driver-postgres, under a real k6) defaults to `sslmode=require` and then
 * fails every query against a server without TLS ("pq: SSL is not enabled on the server").
 * Saying `disable` makes both do the same thing; `pg` parses it as `ssl: false`.
 */

/** `url` with `sslmode=disable` added to its query, or `url` unchanged when it names an sslmode. */
export function withSslModeDisable(url: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.has('sslmode')) return url;
  parsed.searchParams.set('sslmode', 'disable');
  return parsed.toString();
}
