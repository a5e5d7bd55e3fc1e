import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IMAGES, probeContainerRuntime, startInfra } from '../../infra/index.ts';
import { ping } from '../../infra/services/redis/local-redis.ts';

// Runs where a container runtime answers (testcontainers' own check); reported as skipped, with why, elsewhere.
const runtime = await probeContainerRuntime();
const skip = runtime.available ? false : `no container runtime answers here (${runtime.detail})`;

describe('testcontainers provider', () => {
  it(`starts ${IMAGES.redis} and answers PING at the endpoint it hands back`, { skip }, async () => {
    await using infra = await startInfra({ provider: 'testcontainers', services: ['redis'], progress: 'plain' });
    assert.equal(infra.provider, 'testcontainers');
    const url = new URL(infra.endpoints.redis!.url);
    await ping(Number(url.port), url.hostname);
  });

  it('is what auto picks when a runtime answers', { skip }, async () => {
    await using infra = await startInfra({ provider: 'auto', services: [], progress: 'silent' });
    assert.equal(infra.provider, 'testcontainers');
  });
});
