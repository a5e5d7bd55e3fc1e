/**
 * A conformance suite with its own server and one script per mode: registers the node:test hooks
 * that start the server on 127.0.0.1 and write the scripts into a temp dir before the suite's tests,
 * and close and remove both after them. The fields are filled in by the `before` hook.
 */
import { after, before } from 'node:test';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Mode = 'async' | 'sync';

export interface ModeScripts {
  /** http://127.0.0.1:port of the suite's server. */
  base: string;
  dir: string;
  files: Record<Mode, string>;
}

export function modeScripts(
  name: string,
  handler: RequestListener,
  script: (mode: Mode) => string,
  prepare?: (dir: string) => void,
): ModeScripts {
  const fx: ModeScripts = { base: '', dir: '', files: { async: '', sync: '' } };
  let server: Server;
  before(async () => {
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fx.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fx.dir = mkdtempSync(join(tmpdir(), `k6-${name}-`));
    prepare?.(fx.dir);
    for (const mode of ['async', 'sync'] as const) {
      fx.files[mode] = join(fx.dir, `${name}-${mode}.js`);
      writeFileSync(fx.files[mode], script(mode));
    }
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(fx.dir, { recursive: true, force: true });
  });
  return fx;
}
