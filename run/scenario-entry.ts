/**
 * What one scenario needs a run to bring up: the entry the pipeline runs, whichever config declared
 * it (the kit's own k6-llm-perf.config.ts, the user's, or `run ./script.ts`).
 * - `script`: the services the k6 script itself talks to (through k6/x/redis, k6/x/sql, k6/x/kafka);
 * - `target`: whether the script drives the kit's reference service (then its own services,
 *   TARGET_SERVICES, are started too, unless `--target URL` points at the user's service);
 * - `stub`: who needs the mock LLM: 'target' (started only with the reference target),
 *   'script' (the script or the config's service calls it), or false.
 */
import type { ServiceOptions } from '../infra/index.ts';
import type { UserServiceSpec } from './user-service.ts';

export type Service = 'redis' | 'postgres' | 'kafka';

export interface ScenarioEntry {
  name: string;
  /** One line for `run --help` and the README. */
  summary: string;
  script: Service[];
  target: boolean;
  stub: 'target' | 'script' | false;
  /** The script (absolute path); none: scripts/<name>.ts of the kit (`run ./script.ts` always has one). */
  scriptFile?: string;
  /** The script is the kit's own scripts/<name>.ts: bundled to dist/scripts/<name>.js (--no-build uses it). */
  kitScript?: boolean;
  /** Its threshold file (absolute path) instead of thresholds/<name>.json. */
  thresholdsFile?: string;
  /** The scenario's own __ENV (a config's `env`); -e wins over it. */
  env?: Record<string, string>;
  /** The mock LLM's seed (default 42). */
  seed?: number;
  /** False: the stub's simulated errors stay on (default true: performance mode). */
  performanceMode?: boolean;
  /** The mock LLM's config file (latency, errors, models), absolute. */
  mockConfigFile?: string;
  /** The user's own service, started (or reached) as the config declares it. */
  service?: UserServiceSpec;
  /** Versions, images and settings of the services (a config's `services.<name>` objects). */
  infraOptions?: ServiceOptions;
  /** The config file that declared the entry, as errors name it. */
  configFile?: string;
}

/** What the reference target needs: the queue (Redis), the store (PostgreSQL), the outbox relay (Kafka). */
export const TARGET_SERVICES: readonly Service[] = ['redis', 'postgres', 'kafka'];

/** The services to bring up: the script's own, plus the target's when the kit starts the target. */
export function servicesFor(entry: ScenarioEntry, ownTarget: boolean): Service[] {
  const set = new Set<Service>(entry.script);
  if (entry.target && !ownTarget) for (const s of TARGET_SERVICES) set.add(s);
  return TARGET_SERVICES.filter((s) => set.has(s));
}
