/**
 * k6-operator manifests for a scenario: a ConfigMap holding the bundle and a k6 config file (the
 * scenario's thresholds), and a TestRun that runs it on `parallelism` k6 pods, each with an equal
 * execution segment (the operator assigns them). Pure: the CLI (cli.ts) reads files and writes YAML.
 */
import { stringify } from 'yaml';
import type { ScenarioEntry } from '../run/scenario-entry.ts';

/** Kubernetes object names (DNS-1123 labels): what `metadata.name` accepts here. */
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A ConfigMap's data may not exceed 1 MiB. */
export const CONFIGMAP_LIMIT = 1_048_576;

export interface ManifestInput {
  entry: ScenarioEntry;
  /** The bundle's text (dist/scripts/<scenario>.js). */
  bundle: string;
  /** k6 `options.thresholds`. */
  thresholds: object;
  parallelism: number;
  name: string;
  namespace?: string;
  /** The k6 runner image; required when the bundle imports k6/x/* extensions. */
  image?: string;
  /** __ENV of every runner (BASE_URL, REDIS_URL, ...). */
  env: Record<string, string>;
  /** Extra k6 `run` arguments. */
  args: string[];
}

export interface Manifests {
  configMap: object;
  testRun: object;
  /** The extensions the bundle imports (the runner image must have them). */
  extensions: string[];
}

/** The env each kind of scenario needs, and why (named in the error when missing). */
function requiredEnv(entry: ScenarioEntry): Array<[string, string]> {
  const need: Array<[string, string]> = [];
  if (entry.target) need.push(['BASE_URL', '--target: the URL of the service under test, as the pods reach it']);
  if (entry.stub === 'script') need.push(['LLM_URL', '-e LLM_URL=...: the LLM endpoint the script streams from']);
  if (entry.script.includes('redis')) need.push(['REDIS_URL', '-e REDIS_URL=redis://...']);
  if (entry.script.includes('postgres')) need.push(['DATABASE_URL', '-e DATABASE_URL=postgres://...?sslmode=disable']);
  if (entry.script.includes('kafka')) need.push(['KAFKA_BROKERS', '-e KAFKA_BROKERS=host:9092,...']);
  return need;
}

/** The k6/x/* modules a bundle imports. */
export function extensionsOf(bundle: string): string[] {
  const found = new Set<string>();
  for (const m of bundle.matchAll(/(?:from|import|require\()\s*["'](k6\/x\/[^"']+)["']/g)) found.add(m[1]!);
  return [...found].sort();
}

/** Every problem with the input, each naming the flag and what it expects. */
export function checkInput(i: ManifestInput): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(i.parallelism) || i.parallelism < 1)
    problems.push(`--parallelism: expected an integer >= 1, got ${i.parallelism}`);
  if (!NAME.test(i.name) || i.name.length > 63)
    problems.push(
      `--name: expected a Kubernetes name (lowercase letters, digits and '-', at most 63), got ${JSON.stringify(i.name)}`,
    );
  if (i.namespace !== undefined && (!NAME.test(i.namespace) || i.namespace.length > 63))
    problems.push(`--namespace: expected a Kubernetes name, got ${JSON.stringify(i.namespace)}`);
  for (const [key, how] of requiredEnv(i.entry)) {
    if (!i.env[key]) problems.push(`scenario ${i.entry.name} needs ${key} in the cluster: ${how}`);
  }
  const ext = extensionsOf(i.bundle);
  if (ext.length > 0 && !i.image) {
    problems.push(
      `--image: scenario ${i.entry.name} imports ${ext.join(', ')}; give a k6 runner image built with xk6 and those extensions (the stock grafana/k6 image has none)`,
    );
  }
  return problems;
}

export function buildManifests(i: ManifestInput): Manifests {
  const file = `${i.entry.name}.js`;
  const config = JSON.stringify({ thresholds: i.thresholds }, null, 2) + '\n';
  const meta = (name: string) => ({
    name,
    ...(i.namespace ? { namespace: i.namespace } : {}),
    labels: { 'app.kubernetes.io/managed-by': 'k6-llm-perf', 'k6-llm-perf/scenario': i.entry.name },
  });
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(`${i.name}-script`),
    data: { [file]: i.bundle, 'config.json': config },
  };
  // Plain words only: the operator splits `arguments` on spaces.
  const args = ['--config', '/test/config.json', '--tag', `testid=${i.name}`, ...i.args];
  const runner: Record<string, unknown> = { env: Object.entries(i.env).map(([name, value]) => ({ name, value })) };
  if (i.image) runner.image = i.image;
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: meta(i.name),
    spec: {
      parallelism: i.parallelism,
      script: { configMap: { name: `${i.name}-script`, file } },
      arguments: args.join(' '),
      runner,
    },
  };
  return { configMap, testRun, extensions: extensionsOf(i.bundle) };
}

export function toYaml(o: object): string {
  return stringify(o, { lineWidth: 0 });
}
