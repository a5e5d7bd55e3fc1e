/** http.batch's concurrency (engine/http/batch-limit.ts): k6's batch and batchPerHost, the caller's order kept. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostOf, runLimited, type BatchLimits } from '../../../engine/http/batch-limit.ts';

/** Runs `hosts.length` requests under `limits`, each answered on a later turn; records what was in flight. */
async function simulate(hosts: string[], limits: BatchLimits) {
  let inflight = 0;
  let maxInflight = 0;
  const byHost = new Map<string, number>();
  const maxByHost = new Map<string, number>();
  const started: number[] = [];
  const out = await runLimited(
    hosts.length,
    limits,
    (i) => hosts[i]!,
    async (i) => {
      const h = hosts[i]!;
      started.push(i);
      inflight++;
      maxInflight = Math.max(maxInflight, inflight);
      byHost.set(h, (byHost.get(h) ?? 0) + 1);
      maxByHost.set(h, Math.max(maxByHost.get(h) ?? 0, byHost.get(h)!));
      // requests of host "slow" take longer: later ones overtake them
      for (let t = 0; t < (h === 'slow' ? 5 : 1); t++) await new Promise((r) => setImmediate(r));
      inflight--;
      byHost.set(h, byHost.get(h)! - 1);
      return `${h}#${i}`;
    },
  );
  return { out, maxInflight, maxByHost: Object.fromEntries(maxByHost), started };
}

describe('runLimited (k6 batch / batchPerHost)', () => {
  it('keeps at most batch requests in flight, the results in the caller order', async () => {
    const hosts = ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b'];
    const r = await simulate(hosts, { batch: 3, batchPerHost: 2 });
    assert.deepEqual(
      r.out,
      hosts.map((h, i) => `${h}#${i}`),
    );
    assert.equal(r.maxInflight, 3);
    assert.deepEqual(r.maxByHost, { a: 2, b: 2 });
  });

  it('keeps at most batchPerHost to one host; a worker waiting for its host holds its place, as in k6', async () => {
    const hosts = ['slow', 'slow', 'slow', 'a', 'a', 'a', 'b', 'slow', 'a', 'b'];
    const r = await simulate(hosts, { batch: 4, batchPerHost: 2 });
    assert.deepEqual(
      r.out,
      hosts.map((h, i) => `${h}#${i}`),
    );
    // k6's workers take the requests in order: the one holding request 2 waits for a "slow" slot,
    // so only one worker is left for the others (lib/netext/httpext/batch.go)
    assert.deepEqual(r.maxByHost, { slow: 2, a: 1, b: 1 });
    assert.ok(r.maxInflight <= 4);
    assert.equal(r.started.length, hosts.length);
  });

  it('has no per-host limit with batchPerHost 0', async () => {
    const r = await simulate(Array(12).fill('a') as string[], { batch: 5, batchPerHost: 0 });
    assert.equal(r.maxInflight, 5);
  });

  it('sends all at once when both limits allow it', async () => {
    const r = await simulate(Array(6).fill('a') as string[], { batch: 20, batchPerHost: 0 });
    assert.equal(r.maxInflight, 6);
    assert.deepEqual(r.started, [0, 1, 2, 3, 4, 5]);
  });

  it('rejects with the first failure and starts no request after it', async () => {
    const started: number[] = [];
    await assert.rejects(
      runLimited(
        10,
        { batch: 2, batchPerHost: 0 },
        () => 'a',
        async (i) => {
          started.push(i);
          await new Promise((r) => setImmediate(r));
          if (i === 1) throw new Error('boom');
          return i;
        },
      ),
      /boom/,
    );
    await new Promise((r) => setImmediate(r));
    assert.ok(started.length < 10, `started ${started.join(',')}`);
  });

  it("counts hosts with their port, as Go's URL.Host", () => {
    assert.equal(hostOf('http://127.0.0.1:8080/x?y'), '127.0.0.1:8080');
    assert.equal(hostOf('https://example.com/'), 'example.com');
    assert.notEqual(hostOf('http://h:1/'), hostOf('http://h:2/'));
  });
});
