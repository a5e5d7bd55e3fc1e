/**
 * The shape of `k6-llm-perf.config.ts` (the package's public `defineConfig`), mirrored by
 * run/config.schema.json which validates it at load time. Paths are relative to the config file.
 * Placeholders usable in the service's command, env, url, readyUrl, migrate and seed:
 * `{{postgres.url}}`, `{{redis.url}}`, `{{kafka.brokers}}`, `{{llm.url}}`, `{{port}}`.
 */
export type ServiceName = 'redis' | 'postgres' | 'kafka';

/**
 * A service's version and options. The local provider runs what is installed: a `version` that is
 * not the installed one (nor a prefix of it: "7" matches 7.0.15) fails before anything starts
 * (exit 104). With testcontainers the version is the image tag (`redis:<version>-alpine`,
 * `postgres:<version>-alpine`), or `image` names one. `--infra external`: not checked.
 */
export interface InfraServiceConfig {
  version?: string;
  /** The container image (testcontainers). */
  image?: string;
}

export interface PostgresConfig extends InfraServiceConfig {
  /** Server settings (`postgres -c name=value`), after the kit's own (fsync=off, max_connections=200, ...). */
  settings?: Record<string, string | number | boolean>;
}

export interface KafkaConfig extends InfraServiceConfig {
  /** The broker's num.partitions: partitions of an auto-created topic. Default 1. */
  partitions?: number;
  /** The broker JVM's heap, e.g. '1g'. Default 512m. */
  heap?: string;
}

export interface ServiceConfig {
  /** A shell command that starts the service under test (run from `cwd`, in its own process group). */
  command?: string;
  /** Default: the config file's folder. */
  cwd?: string;
  /** Extra environment of the service (and of migrate/seed), placeholders filled. */
  env?: Record<string, string>;
  /** The base URL the scripts get as BASE_URL. Default `http://127.0.0.1:{{port}}`. */
  url?: string;
  /** Polled until it answers below 400. Default: `url`. */
  readyUrl?: string;
  /** Start timeout in milliseconds. Default 60000. */
  timeout?: number;
  /** Use a service already answering at readyUrl (local development). Default false. */
  reuseExisting?: boolean;
  /** Run before the service starts (e.g. database migrations); a failure ends the run with exit 112. */
  migrate?: string;
  /** Run after migrate, before the service starts. */
  seed?: string;
}

export interface ScenarioConfig {
  /** The k6 script (TypeScript or JavaScript), bundled with esbuild like the kit's own. */
  script: string;
  /** Its threshold file (schema: thresholds/schema.json of the package). */
  thresholds: string;
  /** Services the script itself talks to (through k6/x/redis, k6/x/sql, k6/x/kafka). */
  services?: ServiceName[];
  /** Extra __ENV of the script. */
  env?: Record<string, string>;
  description?: string;
  /** False: the scenario does not drive the service under test (it is not started for it). Default true. */
  service?: boolean;
  /** The script itself calls the mock LLM (LLM_URL), so it is started even with `--target URL`. Default false. */
  mockLlm?: boolean;
}

export interface KitConfig {
  /** The infrastructure, started for every scenario: `true`, or its version and options. Provider: --infra. */
  services?: {
    redis?: boolean | InfraServiceConfig;
    postgres?: boolean | PostgresConfig;
    kafka?: boolean | KafkaConfig;
  };
  /** The mock LLM: `true`, or options. Seed 42 and performance mode (no simulated errors) by default. */
  mockLlm?:
    | boolean
    | {
        enabled?: boolean;
        seed?: number;
        /** False: the stub's simulated errors (its config's error rates) stay on. Default true. */
        performanceMode?: boolean;
        /** A mock LLM config file: latency model, error rates, models (docs/mock-llm.md). */
        config?: string;
      };
  /**
   * The service under test: a command the kit starts, or a URL it reaches; or `'reference'`, the kit's
   * reference service, which brings its own Redis, PostgreSQL, Kafka and mock LLM (none of them with
   * `--target URL`, which replaces it).
   */
  service?: ServiceConfig | 'reference';
  /** Isolation between scenarios of `run all` (default: flush Redis, nothing else). */
  reset?: { redis?: boolean; tables?: string[]; topics?: string[] };
  scenarios: Record<string, ScenarioConfig>;
}

/** Identity, for types and editor completion: `export default defineConfig({ ... })`. */
export function defineConfig(config: KitConfig): KitConfig {
  return config;
}
