/**
 * k6/secrets: the secrets of the `--secret-source` flags (engine/secrets/). The default export
 * only, as in k6: `get(key)` (the default source) and `source(name).get(key)`, each a promise;
 * a missing key, an unknown source or no source at all rejects with k6's message. Values are
 * redacted from log lines once handed out (see engine/secrets/manager.ts).
 */
import type { ModuleFactory } from './api.ts';
import { stateOf } from '../runtime/vu-state.ts';
import { DEFAULT_SOURCE } from '../secrets/manager.ts';

export const createModule: ModuleFactory = (vu) => {
  const secrets = stateOf(vu).host.secrets;
  const sourceObject = (name: string) => ({
    get: (key: unknown): Promise<string> => secrets.get(name, String(key)),
  });
  return { default: { ...sourceObject(DEFAULT_SOURCE), source: (name: unknown) => sourceObject(String(name)) } };
};
