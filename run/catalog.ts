/**
 * The scenario catalog: for each scenario, what the run must bring up.
 * - `script`: the services the k6 script itself talks to (through k6/x/redis, k6/x/sql, k6/x/kafka);
 * - `target`: whether the script drives the service under test (then the target's own services,
 *   TARGET_SERVICES, are started too, unless `--target URL` points at the user's service);
 * - `stub`: who needs the mock LLM: 'target' (started only with the reference target),
 *   'script' (the script streams from it directly), or false.
 */
import type { UserServiceSpec } from './user-service.ts';

export type Service = 'redis' | 'postgres' | 'kafka';

export interface ScenarioEntry {
  name: string;
  /** One line for `run --help` and the README. */
  summary: string;
  script: Service[];
  target: boolean;
  stub: 'target' | 'script' | false;
  /** A user script (absolute path) instead of scripts/<name>.ts: a config's scenario or `run ./script.ts`. */
  scriptFile?: string;
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
}

/** What the reference target needs: the queue (Redis), the store (PostgreSQL), the outbox relay (Kafka). */
export const TARGET_SERVICES: readonly Service[] = ['redis', 'postgres', 'kafka'];

const entries: ScenarioEntry[] = [
  {
    name: 'load',
    summary: 'sustained arrival rate through the end-to-end pipeline (§6.1)',
    script: [],
    target: true,
    stub: 'target',
  },
  {
    name: 'stress',
    summary: 'concurrent operations, then a ramp to find the knee (§6.2)',
    script: [],
    target: true,
    stub: 'target',
  },
  {
    name: 'endurance',
    summary: 'mixed quick/detailed/batch workloads, degradation over time (§6.3)',
    script: [],
    target: true,
    stub: 'target',
  },
  { name: 'spike', summary: 'a sudden jump in arrival rate, and recovery', script: [], target: true, stub: 'target' },
  {
    name: 'redis',
    summary: 'Redis operations through k6/x/redis (§4.1)',
    script: ['redis'],
    target: false,
    stub: false,
  },
  {
    name: 'queue',
    summary: 'enqueue and retrieve through the queue (§4.1)',
    script: ['redis'],
    target: true,
    stub: 'target',
  },
  {
    name: 'batch',
    summary: 'the batch endpoint, per-request latency (§4.1)',
    script: [],
    target: true,
    stub: 'target',
  },
  {
    name: 'bulk',
    summary: 'bulk workflows and database integrity (§7.2)',
    script: ['postgres'],
    target: true,
    stub: 'target',
  },
  {
    name: 'outbox',
    summary: 'business operation + outbox event consumed from Kafka (§8)',
    script: ['kafka', 'postgres'],
    target: true,
    stub: 'target',
  },
  {
    name: 'llm-stream',
    summary: 'streaming from the LLM: TTFT, ITL, TPOT, tokens/s',
    script: [],
    target: false,
    stub: 'script',
  },
];

export const SCENARIOS: ReadonlyMap<string, ScenarioEntry> = new Map(entries.map((e) => [e.name, e]));

export const SCENARIO_NAMES: readonly string[] = entries.map((e) => e.name);

/** The services to bring up: the script's own, plus the target's when the kit starts the target. */
export function servicesFor(entry: ScenarioEntry, ownTarget: boolean): Service[] {
  const set = new Set<Service>(entry.script);
  if (entry.target && !ownTarget) for (const s of TARGET_SERVICES) set.add(s);
  return TARGET_SERVICES.filter((s) => set.has(s));
}
