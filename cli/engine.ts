/**
 * `k6-llm-perf engine run <script>`: k6's `run` with k6's flags (and a few of the kit's own).
 * The heavy engine modules load inside the action.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { RunFlags } from '../engine/run/cli-action.ts';

const collect = (value: string, prev: string[] = []) => [...prev, value];

export function register(program: Command): void {
  const engine = program
    .command('engine')
    .description('The k6-compatible Node engine (runs k6 scripts without the k6 binary).');
  engine
    .command('run')
    .description('Run a k6 script or bundle, like `k6 run`.')
    .argument('<script>', 'the k6 script (a bundle from dist/scripts/, or a .js/.ts file)')
    .option('-u, --vus <n>', 'number of VUs (k6 --vus)')
    .option('-d, --duration <duration>', 'test duration, e.g. 30s (k6 --duration)')
    .option('-i, --iterations <n>', 'total iterations shared by the VUs (k6 --iterations)')
    .option('-s, --stage <duration:target>', 'a ramping stage, repeatable, e.g. -s 30s:10 -s 1m:0', collect)
    .option('-e, --env <KEY=VALUE>', 'an __ENV variable, repeatable', collect)
    .option(
      '--secret-source <type=config>',
      'a k6 secret source for k6/secrets, repeatable: file=<path>, mock=k=v,..., url=urlTemplate=<url with {key}>; name=<n> and default items as in k6',
      collect,
    )
    .option('-c, --config <file>', 'k6 JSON config file (options such as thresholds, scenarios)')
    .option('--summary-export <file>', "write the end-of-test summary in k6's --summary-export shape")
    .option('--summary-trend-stats <stats>', 'trend stats in the summary, e.g. avg,p(95),p(99.9)')
    .option('--no-thresholds', "don't evaluate thresholds")
    .option('-q, --quiet', 'no banner and no progress line')
    .option('-v, --verbose', 'print what loading the script cost (bundle, blocking-call rewrite, cache hit)')
    .option('--no-summary', "don't print the end-of-test summary")
    .option('--execution-segment <segment>', "this instance's part of the test, e.g. 0:1/2")
    .option('--execution-segment-sequence <seq>', 'all the segments of the test, e.g. 0,1/2,1')
    .addOption(
      new Option(
        '--mode <mode>',
        'async: many VUs per thread, blocking calls compiled into awaits (exit 107 when the script cannot be rewritten); sync: one thread per VU; auto: async when the rewrite succeeds, else sync with one line saying why',
      )
        .choices(['auto', 'async', 'sync'])
        .default('auto'),
    )
    .option('--workers <n>', 'worker threads (default: cores - 1 in async mode, at least 1; 1 in sync mode)')
    .option('--timeseries-export <file>', 'write per-second time series (docs/results.md format)')
    .option('--hdr-export <file>', 'write encoded HDR histograms of every Trend (docs/results.md format)')
    .option(
      '--samples-export <file>',
      'write how many samples every metric and threshold submetric got (docs/results.md format)',
    )
    .option('--part-export <file>', "write this process's share of a segmented test, for `engine merge`")
    .action(async (script: string, flags: RunFlags) => {
      const { runCli } = await import('../engine/run/cli-action.ts');
      process.exitCode = await runCli(script, flags);
    });
  engine
    .command('version')
    .description("Print the engine's version, like `k6 version`.")
    .action(async () => {
      const { engineVersionLine } = await import('./version.ts');
      process.stdout.write(engineVersionLine() + '\n');
    });
  engine
    .command('merge')
    .description(
      'One summary and verdict from the part files of a test split with --execution-segment over several processes or machines (exact percentiles; exit 99 on a threshold breach).',
    )
    .argument('<parts...>', 'part files written by `engine run --part-export`')
    .option('--summary-export <file>', "write the merged summary in k6's --summary-export shape")
    .option('--hdr-export <file>', 'write the merged HDR histograms (docs/results.md format)')
    .option('--samples-export <file>', 'write the merged sample counts (docs/results.md format)')
    .option('--no-summary', "don't print the merged summary")
    .action(
      async (
        parts: string[],
        flags: { summaryExport?: string; hdrExport?: string; samplesExport?: string; summary: boolean },
      ) => {
        const { mergeCli } = await import('../engine/run/merge.ts');
        process.exitCode = mergeCli(parts, flags);
      },
    );
}

export type { RunFlags };
