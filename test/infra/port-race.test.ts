/**
 * A local server whose port another process took between the pick and the bind is started again
 * on new ports (infra/lifecycle/ports.ts retryPortRace, used by the local provider for ports it
 * picked itself); any other failure is not retried.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InfraError } from '../../infra/index.ts';
import { PORT_RACE_ATTEMPTS, retryPortRace, saysPortTaken } from '../../infra/lifecycle/ports.ts';

const taken = () =>
  new InfraError('INFRA_START_FAILED', 'kafka (port 46265) exited with code 1', {
    service: 'kafka',
    logTail:
      'Caused by: org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:46265: Address already in use.',
  });
const lost = (err: unknown) => err instanceof InfraError && saysPortTaken(err.message, err.logTail);

describe('a server that lost its port to another process', () => {
  it('recognises the bind failures of redis, PostgreSQL and Kafka, and nothing else', () => {
    assert.ok(
      saysPortTaken(
        undefined,
        '# Warning: Could not create server TCP listening socket 127.0.0.1:6379: bind: Address already in use',
      ),
    );
    assert.ok(saysPortTaken('LOG:  could not bind IPv4 address "127.0.0.1": Address already in use'));
    assert.ok(saysPortTaken(taken().logTail));
    assert.ok(saysPortTaken('listen EADDRINUSE: address already in use 127.0.0.1:8080'));
    assert.equal(
      saysPortTaken('kafka did not answer within 60 s', 'java.lang.OutOfMemoryError: Java heap space'),
      false,
    );
    assert.equal(saysPortTaken(undefined, undefined), false);
  });

  it('is started again on the next attempt, and the attempt number is reported', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await retryPortRace(
      async () => {
        if (++calls < 3) throw taken();
        return 'up';
      },
      lost,
      PORT_RACE_ATTEMPTS,
      (n) => retries.push(n),
    );
    assert.equal(result, 'up');
    assert.equal(calls, 3);
    assert.deepEqual(retries, [2, 3]);
  });

  it('gives up after the last attempt with that attempt error', async () => {
    let calls = 0;
    await assert.rejects(
      retryPortRace(async () => {
        calls++;
        throw taken();
      }, lost),
      (err: unknown) => err instanceof InfraError && /Address already in use/.test(err.logTail ?? ''),
    );
    assert.equal(calls, PORT_RACE_ATTEMPTS);
  });

  it('does not retry any other failure', async () => {
    let calls = 0;
    await assert.rejects(
      retryPortRace(async () => {
        calls++;
        throw new InfraError('INFRA_START_FAILED', 'redis exited with code 1', { logTail: 'bad config' });
      }, lost),
      /redis exited/,
    );
    assert.equal(calls, 1);
  });
});
