/** The x/sse JIT warm-up: it runs the module's own open() against a server of its own, and never fails a run. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModuleFactory } from '../../../engine/modules/api.ts';
import { createModule } from '../../../engine/modules/x/sse.ts';
import { warmSse } from '../../../engine/modules/x/sse-warm.ts';

describe('x/sse warm-up', () => {
  it("opens streams through the module's open() and reads their events", async () => {
    let opened = 0;
    let events = 0;
    const counting: ModuleFactory = (vu) => {
      const mod = createModule(vu) as { open: (...a: unknown[]) => Promise<unknown> };
      return {
        open: async (
          url: string,
          params: unknown,
          setup: (c: { on(t: string, f: (e: unknown) => void): void }) => void,
        ) => {
          opened++;
          return mod.open(url, params, (client: { on(t: string, f: (e: unknown) => void): void }) => {
            client.on('event', () => void events++);
            setup(client);
          });
        },
      };
    };
    assert.equal(await warmSse(counting, 20, 10_000), 20);
    assert.equal(opened, 20);
    assert.equal(events, 20 * 7); // six content chunks and [DONE] per stream
  });

  it('stops at its time budget', async () => {
    const streams = await warmSse(createModule as ModuleFactory, 1_000_000, 50);
    assert.ok(streams >= 1 && streams < 1_000_000, `${streams} streams`);
  });

  it('reports nothing warmed, without throwing, when the module fails', async () => {
    const broken: ModuleFactory = () => ({
      open: () => Promise.reject(new Error('no network')),
    });
    assert.equal(await warmSse(broken, 10, 1000), 0);
  });
});
