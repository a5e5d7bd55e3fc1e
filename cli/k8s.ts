/**
 * `k6-llm-perf k8s <scenario> --parallelism N`: writes the k6-operator manifests of a scenario
 * (configmap.yaml with the bundle and thresholds, testrun.yaml) for a Kubernetes cluster.
 */
import type { Command } from 'commander';
import type { K8sFlags } from '../k8s/write.ts';

const collect = (value: string, prev: string[] = []) => [...prev, value];

export function register(program: Command): void {
  program
    .command('k8s')
    .description(
      'Write k6-operator manifests (ConfigMap with the bundle and thresholds, TestRun) to run a scenario on N k6 pods in a Kubernetes cluster.',
    )
    .argument('<scenario>', 'a scenario name (see `run --help`)')
    .option('--parallelism <n>', 'k6 pods; the operator gives each an equal execution segment', '1')
    .option('--target <url>', "the service under test's base URL as the pods reach it (BASE_URL)")
    .option(
      '-e, --env <KEY=VALUE>',
      'an __ENV variable of every pod, repeatable (REDIS_URL, DATABASE_URL, KAFKA_BROKERS, LLM_URL, ...)',
      collect,
      [],
    )
    .option('--name <name>', 'TestRun name (default k6-llm-perf-<scenario>)')
    .option('--namespace <ns>', 'namespace of both objects')
    .option('--image <image>', 'k6 runner image (needed when the scenario uses k6/x/* extensions: a k6 built with xk6)')
    .option(
      '--arg <arg>',
      'an extra k6 run argument, repeatable (e.g. --arg=--out --arg=experimental-prometheus-rw)',
      collect,
      [],
    )
    .option('--thresholds <file>', 'threshold file (default thresholds/<scenario>.json)')
    .option('--out <dir>', 'where the two YAML files go (default k8s/<scenario>)')
    .option('--no-build', 'use dist/scripts/<scenario>.js as built')
    .addHelpText(
      'after',
      '\nExit codes: 0 written, 104 bad flags or missing environment (every problem listed), 107 the bundle does not build.',
    )
    .action(async (scenario: string, flags: K8sFlags) => {
      const { writeK8s } = await import('../k8s/write.ts');
      process.exitCode = await writeK8s(scenario, flags);
    });
}
