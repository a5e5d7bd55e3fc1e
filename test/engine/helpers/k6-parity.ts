/**
 * Runs one k6 script the same way under the engine's CLI (`engine run`) and, when K6_BIN names a
 * real k6, under that k6: the same flags, the same working directory. Each script writes its
 * handleSummary data to the file named by __ENV.SUMMARY_OUT, so both sides are read alike
 * (data.metrics[name].values). k6 is run as /work/shared/tools/k6/README.md says (no usage
 * report, no extension download); run the test file inside `unshare -n` to keep it off the network.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../bin/k6-llm-perf.js', import.meta.url));
export const K6_BIN = process.env.K6_BIN ?? '';

export interface Outcome {
  exitCode: number;
  stderr: string;
  stdout: string;
  /** handleSummary's data.metrics, or {} when the run did not get that far. */
  metrics: Record<string, { type: string; values: Record<string, number> }>;
}

function spawnRun(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<Outcome> {
  const out = join(cwd, `summary-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: {
        ...process.env,
        K6_NO_USAGE_REPORT: 'true',
        K6_AUTO_EXTENSION_RESOLUTION: 'false',
        SUMMARY_OUT: out,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const metrics = existsSync(out)
        ? (JSON.parse(readFileSync(out, 'utf8')) as { metrics: Outcome['metrics'] }).metrics
        : {};
      rmSync(out, { force: true });
      resolve({ exitCode: code ?? -1, stdout, stderr, metrics });
    });
  });
}

/** `engine run -q <flags> <script>` in `cwd`. */
export function runEngine(script: string, flags: string[], cwd: string, env: Record<string, string> = {}) {
  return spawnRun(process.execPath, [CLI, 'engine', 'run', '-q', ...flags, script], cwd, env);
}

/** `k6 run -q <flags> <script>` in `cwd` (K6_BIN must be set). */
export function runK6(script: string, flags: string[], cwd: string, env: Record<string, string> = {}) {
  return spawnRun(K6_BIN, ['run', '-q', ...flags, script], cwd, env);
}

/** The engine's outcome, and k6's when K6_BIN is set. */
export async function runBoth(script: string, flags: string[], cwd: string, env: Record<string, string> = {}) {
  const engine = await runEngine(script, flags, cwd, env);
  const k6 = K6_BIN ? await runK6(script, flags, cwd, env) : null;
  return { engine, k6 };
}

/** The script's line that writes handleSummary's data where the helper reads it. */
export const SUMMARY_TO_FILE =
  'export function handleSummary(data) { return { [__ENV.SUMMARY_OUT]: JSON.stringify(data) }; }\n';

/** The messages of the log lines in k6's text format or the engine's (`INFO[0000] msg  k=v`). */
export function logMessages(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    const k6 = /msg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (k6) out.push(JSON.parse(`"${k6[1]}"`) as string);
    else {
      const ours = /^(?:INFO|WARN|ERRO|DEBU)\[\d+\] (.*?)(?: {2}\S+=.*)?$/.exec(line);
      if (ours) out.push(ours[1]!);
    }
  }
  return out;
}
