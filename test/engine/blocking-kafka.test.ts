/**
 * Issue 24 with k6/x/kafka: Writer.produce, Reader.consume and Connection calls unawaited inside
 * async functions (synchronous in k6 with xk6-kafka) run in order against a real Kafka broker
 * (local provider, started once).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInfra, type InfraHandle } from '../../infra/index.ts';
import { run, SCRIPTS } from './helpers/run.ts';

describe('blocking k6/x/kafka calls in async functions', () => {
  let infra: InfraHandle;

  before(async () => {
    infra = await startInfra({ provider: 'local', services: ['kafka'], progress: 'silent' });
  });
  after(async () => {
    await infra?.down();
  });

  it('produce, consume and createTopic are each done before the next statement', async () => {
    const env = {
      KAFKA_BROKERS: infra.endpoints.kafka!.brokers.join(','),
      TOPIC: `blocking-${process.pid}-${Date.now()}`,
    };
    const r = await run(`${SCRIPTS}blocking/kafka-sync-style.js`, { mode: 'async', env });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.values('iterations').count, 3);
    assert.equal(r.values('checks').passes, 4, r.stderr);
    assert.equal(r.values('checks').fails, 0);
  });
});
