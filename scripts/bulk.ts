/**
 * Bulk operation testing (methodology §7.2), one pattern per scenario, run one after
 * the other:
 *   single_bulk      Single Entity Bulk: realistic batches (25) of one entity type
 *   workflow         Multi-Entity Workflows: a batch, its requests followed to completion,
 *                    then the related rows checked together (request + its outbox events)
 *   concurrent_bulk  Concurrent Bulk Operations: many VUs posting batches at once
 *   constraints      Constraint Validation: a batch repeating a client_request_id inside
 *                    itself, and one reusing an existing id, are rejected whole (409) and
 *                    write nothing
 *   memory           Memory Efficiency: batch sizes growing to BATCH_MAX, while the
 *                    orchestrator samples the target's peak RSS (target_peak_rss_mb)
 * Every client_request_id is `bulk-<run id>-<pattern>-<uuid>-<i>` (§7.1). All executors
 * run a fixed number of iterations, so the rows the run must leave are known exactly:
 * teardown counts them through `k6/x/sql` and adds any difference to bulk_count_mismatch.
 *
 *   bulk_batch_duration         Trend, one POST /v1/batch (ms), tags pattern, size
 *   bulk_request_duration       Trend, batch duration / items (ms)        p95 < 150 (§4.1)
 *   bulk_success                Rate, batches answered as expected
 *   bulk_constraint_violations  Counter, a constraint check that did not hold, or a
 *                               verification that threw (check:exception)           == 0
 *   bulk_count_mismatch         Counter, rows (or created events) missing or extra == 0
 *   bulk_verified               Counter, tag verification:workflow|constraints|counts:
 *                               one sample per verification that ran to its end  >= 1 each
 * Every verification records its result, 0 included (scripts/lib/verify.ts): a count
 * that was never made fails the run instead of reading as "0 violations".
 *
 * Env: BASE_URL, DATABASE_URL (required; the database the service writes to),
 * BATCH_MAX (largest memory-pattern batch, default 100 = the reference service's limit).
 */
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import sql from 'k6/x/sql';
import driver from 'k6/x/sql/driver/postgres';
import { databaseUrl, numberEnv, SHORT } from './lib/config.ts';
import { generateUniqueRequests, uniqueSuffix, type RequestModel } from './lib/data.ts';
import { waitForAll } from './lib/poll.ts';
import { getRequest, parseJson, submitBatch, submitRequest } from './lib/requests.ts';
import { PLAN, plannedRows, scenarios } from './lib/bulk-plan.ts';
import { cleanup, verify, verifyInTeardown } from './lib/verify.ts';

const batchDuration = new Trend('bulk_batch_duration', true);
const requestDuration = new Trend('bulk_request_duration', true);
const success = new Rate('bulk_success');
const violations = new Counter('bulk_constraint_violations');
const mismatch = new Counter('bulk_count_mismatch');
const verified = new Counter('bulk_verified');

const db = sql.open(driver, databaseUrl());
const BATCH_MAX = numberEnv('BATCH_MAX', 100);
const TIMEOUT_MS = SHORT ? 10_000 : 30_000;

export const options = { scenarios: scenarios(BATCH_MAX) };

interface Setup {
  runId: string;
}

export async function setup(): Promise<Setup> {
  return { runId: uniqueSuffix() };
}

const idsOf = (requests: RequestModel[]) => requests.map((r) => r.client_request_id);

/** Posts one batch of `size` fresh requests; records its timings; returns the accepted ids (or null). */
async function postBatch(data: Setup, pattern: string, size: number): Promise<string[] | null> {
  const requests = generateUniqueRequests(size, `bulk-${data.runId}-${pattern}`);
  const tags = { pattern, size: String(size) };
  const { res, body } = await submitBatch(requests, tags);
  const ok =
    check(res, { 'batch status is 202': (r) => r.status === 202 }) &&
    check(body, { 'one item per request': (b) => b !== null && b.items.length === size });
  success.add(ok, tags);
  if (res.status === 202) {
    batchDuration.add(res.timings.duration, tags);
    requestDuration.add(res.timings.duration / size, tags);
  }
  return ok && body ? body.items.map((i) => i.id) : null;
}

export async function singleBulk(data: Setup): Promise<void> {
  await postBatch(data, 'single', PLAN.single.size);
}

export async function concurrentBulk(data: Setup): Promise<void> {
  await postBatch(data, 'concurrent', PLAN.concurrent.size);
}

export async function memory(data: Setup): Promise<void> {
  const sizes = PLAN.memory.sizes(BATCH_MAX);
  await postBatch(data, 'memory', sizes[exec.vu.iterationInScenario % sizes.length]!);
}

/** A batch, followed to completion, then each request and its outbox events read together. */
export async function workflow(data: Setup): Promise<void> {
  const ids = await postBatch(data, 'workflow', PLAN.workflow.size);
  if (!ids) return; // counted in bulk_success
  await verify({ done: verified, name: 'workflow', failures: violations }, () => verifyWorkflow(ids));
}

/** The workflow's related rows: every request completed with its result, one created and one completed event each. */
async function verifyWorkflow(ids: string[]): Promise<void> {
  const tags = { pattern: 'workflow' };
  const done = await waitForAll(ids, { timeoutMs: TIMEOUT_MS, intervalS: 0.2, tags });
  check(done, { 'every request completed': (d) => d.every((x) => x.outcome === 'completed') });
  let incomplete = 0;
  for (const id of ids) {
    const { body } = await getRequest(id, tags);
    if (
      !check(body, {
        'completed request has a result and usage': (v) => v !== null && v.result !== null && v.usage !== null,
      })
    )
      incomplete++;
  }
  const rows = await db.query(
    `SELECT event_type, count(*) AS n FROM outbox_events WHERE aggregate_id = ANY(string_to_array($1, ',')) GROUP BY event_type`,
    ids.join(','),
  );
  const count = (type: string) => Number(rows.find((r) => r.event_type === type)?.n ?? 0);
  const eventsOk = count('llm.request.created.v1') === ids.length && count('llm.request.completed.v1') === ids.length;
  check(eventsOk, { 'one created and one completed event per request': (b) => b });
  violations.add(incomplete, { ...tags, check: 'result' });
  violations.add(eventsOk ? 0 : 1, { ...tags, check: 'events' });
}

/**
 * Rows whose client_request_id is one of `ids`. Lists go in as one comma-joined text
 * parameter: a JS array is not a portable SQL parameter across xk6-sql's Go drivers.
 */
async function rowsFor(ids: string[]): Promise<number> {
  const rows = await db.query(
    "SELECT count(*) AS n FROM llm_requests WHERE client_request_id = ANY(string_to_array($1, ','))",
    ids.join(','),
  );
  return Number(rows[0]?.n ?? -1);
}

/** Expects a 409 conflict naming `index`, and no row written for `fresh`. */
async function expectRejected(what: string, requests: RequestModel[], index: number, fresh: string[]): Promise<void> {
  const tags = { pattern: 'constraints' };
  const { res } = await submitBatch(requests, tags, true);
  const conflict = check(res, {
    [`${what}: status is 409`]: (r) => r.status === 409,
    [`${what}: conflict names item ${index}`]: (r) =>
      r.status === 409 && parseJson<{ error?: { index?: number } }>(r)?.error?.index === index,
  });
  const written = await rowsFor(fresh);
  const clean = check(written, { [`${what}: nothing written`]: (n) => n === 0 });
  success.add(conflict, tags);
  violations.add(conflict ? 0 : 1, { ...tags, check: 'status' });
  violations.add(clean ? 0 : 1, { ...tags, check: 'rows' });
}

export async function constraints(data: Setup): Promise<void> {
  await verify({ done: verified, name: 'constraints', failures: violations }, () => verifyConstraints(data));
}

async function verifyConstraints(data: Setup): Promise<void> {
  const tags = { pattern: 'constraints' };
  const prefix = `bulk-${data.runId}-constraints`;
  // A duplicate inside one batch: item 3 repeats item 1.
  const dup = generateUniqueRequests(5, prefix);
  dup[3] = { ...dup[3]!, client_request_id: dup[1]!.client_request_id };
  await expectRejected('duplicate within the batch', dup, 3, idsOf(dup));
  // An id that already exists: submitted alone first (one row the run keeps), then reused at index 2.
  const [seed] = generateUniqueRequests(1, prefix);
  const first = await submitRequest(seed!, tags);
  violations.add(check(first.res, { 'seed request accepted': (r) => r.status === 202 }) ? 0 : 1, {
    ...tags,
    check: 'seed',
  });
  const reuse = generateUniqueRequests(5, prefix);
  const fresh = idsOf(reuse).filter((_, i) => i !== 2);
  reuse[2] = { ...reuse[2]!, client_request_id: seed!.client_request_id };
  await expectRejected('existing client_request_id', reuse, 2, fresh);
  const kept = check(await rowsFor([seed!.client_request_id]), {
    'the existing row is still there, once': (n) => n === 1,
  });
  violations.add(kept ? 0 : 1, { ...tags, check: 'existing' });
}

/** Exact counts: every accepted request stored once, each with its created event. */
export async function teardown(data: Setup): Promise<void> {
  try {
    await verifyInTeardown({ done: verified, name: 'counts' }, () => verifyCounts(data));
  } finally {
    await cleanup('closing the database', () => db.close());
  }
}

async function verifyCounts(data: Setup): Promise<void> {
  const pattern = `bulk-${data.runId}-%`;
  const [rows] = await db.query(
    'SELECT count(*) AS n, count(DISTINCT client_request_id) AS d FROM llm_requests WHERE client_request_id LIKE $1',
    pattern,
  );
  const [orphans] = await db.query(
    `SELECT count(*) AS n FROM llm_requests r WHERE r.client_request_id LIKE $1 AND NOT EXISTS
       (SELECT 1 FROM outbox_events e WHERE e.aggregate_id = r.id::text AND e.event_type = 'llm.request.created.v1')`,
    pattern,
  );
  const expected = plannedRows(BATCH_MAX);
  const stored = Number(rows?.n ?? 0);
  const missingEvents = Number(orphans?.n ?? 0);
  console.log(`bulk: ${stored} rows stored, ${expected} expected, ${missingEvents} without a created event`);
  mismatch.add(Math.abs(stored - expected) + (stored - Number(rows?.d ?? 0)) + missingEvents);
}
