/** The action of `k8s`: validate, bundle, build the manifests, write them (both or neither). */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleScenario } from '../run/bundle.ts';
import { SCENARIO_NAMES, kitCatalog } from '../run/catalog.ts';
import { RunConfigError } from '../run/errors.ts';
import { checkUrl, parseEnvPairs } from '../run/options.ts';
import { KIT_ROOT } from '../run/results-dir.ts';
import { checkExpression } from '../run/threshold-eval.ts';
import { k6ThresholdOptions, loadThresholdFile } from '../run/thresholds-file.ts';

/** The flags of `k8s` (cli/k8s.ts defines them). */
export interface K8sFlags {
  parallelism: string;
  target?: string;
  env: string[];
  name?: string;
  namespace?: string;
  image?: string;
  arg: string[];
  thresholds?: string;
  out?: string;
  build: boolean;
}
import { buildManifests, checkInput, CONFIGMAP_LIMIT, toYaml, type ManifestInput } from './manifest.ts';

export async function prepareK8s(scenario: string, f: K8sFlags): Promise<{ input: ManifestInput; out: string }> {
  const entry = kitCatalog().entries.get(scenario);
  if (!entry)
    throw new RunConfigError([
      `scenario: expected one of ${SCENARIO_NAMES.join(', ')}, got ${JSON.stringify(scenario)}`,
    ]);
  const problems: string[] = [];
  const env = parseEnvPairs(f.env, problems);
  checkUrl('--target', f.target, problems);
  if (f.target) env.BASE_URL = f.target;
  const thresholds = loadThresholdFile(
    f.thresholds ?? join(KIT_ROOT, 'thresholds', `${scenario}.json`),
    checkExpression,
  );
  const bundle = readFileSync(await bundleScenario(scenario, { build: f.build }), 'utf8');
  const input: ManifestInput = {
    entry,
    bundle,
    thresholds: k6ThresholdOptions(thresholds),
    parallelism: Number(f.parallelism),
    name: f.name ?? `k6-llm-perf-${scenario}`,
    namespace: f.namespace,
    image: f.image,
    env,
    args: f.arg,
  };
  problems.push(...checkInput(input));
  if (problems.length) throw new RunConfigError(problems);
  return { input, out: f.out ?? join('k8s', scenario) };
}

/** The action of `k8s` (a KitError reaches the CLI, which prints it and exits with its code). */
export async function writeK8s(scenario: string, f: K8sFlags): Promise<number> {
  const { input, out } = await prepareK8s(scenario, f);
  const m = buildManifests(input);
  const cm = toYaml(m.configMap);
  if (Buffer.byteLength(cm) > CONFIGMAP_LIMIT) {
    throw new RunConfigError([
      `the ConfigMap would be ${Buffer.byteLength(cm)} bytes, over Kubernetes' limit of ${CONFIGMAP_LIMIT}: serve the bundle from a volumeClaim instead`,
    ]);
  }
  mkdirSync(out, { recursive: true });
  // Written beside, then renamed: a failure leaves no half-written manifest.
  const files: Array<[string, string]> = [
    ['configmap.yaml', cm],
    ['testrun.yaml', toYaml(m.testRun)],
  ];
  for (const [name, text] of files) writeFileSync(join(out, `.${name}.tmp`), text);
  for (const [name] of files) renameSync(join(out, `.${name}.tmp`), join(out, name));
  const rel = relative(process.cwd(), out) || '.';
  process.stdout.write(
    `wrote ${join(rel, 'configmap.yaml')} and ${join(rel, 'testrun.yaml')} (${input.parallelism} pod${input.parallelism > 1 ? 's' : ''}${m.extensions.length ? `, image ${input.image} with ${m.extensions.join(', ')}` : ''})\n` +
      `apply with: kubectl apply -f ${join(rel, 'configmap.yaml')} -f ${join(rel, 'testrun.yaml')}\n`,
  );
  return 0;
}
