/**
 * aiperf (NVIDIA's LLM benchmark CLI, from the Python package index) as the peer of
 * bench/llm-peers.ts: installed once into a venv under the kit's cache
 * (`<cache>/peers/aiperf-<version>/`, pinned version, staged and renamed into place, reused
 * while its `.complete` marker is there), given a tokenizer written here that needs no
 * network, and run against the stub's OpenAI-compatible chat endpoint.
 *
 * The tokenizer: aiperf counts output tokens by re-tokenizing the streamed text (its
 * `--tokenizer` takes a Hugging Face id, a local directory, or `builtin`, tiktoken's
 * o200k_base). A local directory holding a `tokenizer.json` (a WordLevel model over the stub's
 * own vocabulary, mock-llm/text.ts: each word one token, each `.` and `,` one token) and a
 * `tokenizer_config.json` (PreTrainedTokenizerFast) counts exactly what the stub sends, so
 * aiperf's output lengths and its tokens/s are the stub's. Each run checks that aiperf counted
 * the configured output length on every request.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../infra/setup/detect.ts';
import { VOCAB } from '../mock-llm/text.ts';

export const AIPERF_VERSION = '0.13.0';

/** Written last into the staged venv: a venv without it is incomplete. */
const MARKER = '.complete';

export interface PeerFigures {
  ttftP50: number;
  ttftP99: number;
  itlP50: number;
  itlP99: number;
  tokensPerS: number;
  requests: number;
  /** Every measured request's TTFT and every gap (ms), from the client's per-request export. */
  samples: { ttft: number[]; itl: number[] };
}

const venvDir = (): string => join(cacheDir(), 'peers', `aiperf-${AIPERF_VERSION}`);

/**
 * The venv's python, installing aiperf first when the cache has none; `installMs` is the
 * install's duration, null when the cached venv was reused. The venv's entry-point scripts
 * name the staging path in their shebang, so aiperf is run as `python -m aiperf`.
 */
export function ensureAiperf(pythonCmd: string): { python: string; installMs: number | null } {
  const venv = venvDir();
  const python = join(venv, 'bin', 'python3');
  if (existsSync(join(venv, MARKER))) return { python, installMs: null };
  const started = performance.now();
  rmSync(venv, { recursive: true, force: true });
  const stage = `${venv}.tmp-${process.pid}`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(cacheDir(), 'peers'), { recursive: true });
  const run = (cmd: string, args: string[]): void => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 1_800_000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      rmSync(stage, { recursive: true, force: true });
      throw new Error(
        `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal ?? r.error?.message}):\n${r.stdout}\n${r.stderr}`,
      );
    }
  };
  console.log(`installing aiperf ${AIPERF_VERSION} into ${venv} (once; about 1.2 GB) ...`);
  run(pythonCmd, ['-m', 'venv', stage]);
  run(join(stage, 'bin', 'pip'), ['install', '--quiet', '--no-input', `aiperf==${AIPERF_VERSION}`]);
  writeFileSync(join(stage, MARKER), `aiperf ${AIPERF_VERSION}\n`);
  try {
    renameSync(stage, venv);
  } catch {
    rmSync(stage, { recursive: true, force: true }); // another run finished first: use its venv
  }
  return { python, installMs: performance.now() - started };
}

/** Writes the stub's vocabulary as a Hugging Face tokenizer directory under `dir`; returns its path. */
export function writeStubTokenizer(dir: string): string {
  const out = join(dir, 'stub-tokenizer');
  mkdirSync(out, { recursive: true });
  const vocab: Record<string, number> = { '[UNK]': 0 };
  for (const piece of VOCAB) {
    const word = piece.trim();
    if (!(word in vocab)) vocab[word] = Object.keys(vocab).length;
  }
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      { id: 0, content: '[UNK]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    ],
    normalizer: null,
    // Split at whitespace, then each punctuation mark on its own: "data., the" is data . , the.
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Isolated' }],
    },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  };
  writeFileSync(join(out, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(
    join(out, 'tokenizer_config.json'),
    JSON.stringify({ tokenizer_class: 'PreTrainedTokenizerFast', unk_token: '[UNK]', model_max_length: 1_000_000 }),
  );
  return out;
}

export interface AiperfRun {
  python: string;
  tokenizer: string;
  url: string;
  model: string;
  concurrency: number;
  inputTokens: number;
  outputTokens: number;
  warmupS: number;
  durationS: number;
  /** Artifacts (aiperf's JSON summary, its console output) go here. */
  dir: string;
}

/** The aiperf command line of one run (printed once by the bench, so it can be rerun by hand). */
export function aiperfArgs(r: AiperfRun): string[] {
  return [
    '-m',
    'aiperf',
    'profile',
    ...['--model', r.model, '--url', r.url, '--endpoint-type', 'chat', '--streaming'],
    ...['--tokenizer', r.tokenizer, '--concurrency', String(r.concurrency)],
    ...['--warmup-duration', String(r.warmupS), '--benchmark-duration', String(r.durationS)],
    ...['--benchmark-grace-period', '10'],
    ...['--prompt-input-tokens-mean', String(r.inputTokens), '--prompt-input-tokens-stddev', '0'],
    ...['--prompt-output-tokens-mean', String(r.outputTokens), '--prompt-output-tokens-stddev', '0'],
    ...['--extra-inputs', 'ignore_eos:true', '--random-seed', '1'],
    // No /metrics scraping or GPU probing beside the stub: aiperf's client alone is measured.
    // `records` (aiperf's default) also writes profile_export.jsonl: each request's TTFT and gaps.
    ...['--no-server-metrics', '--no-gpu-telemetry', '--ui', 'none', '--export-level', 'records'],
    ...['--output-artifact-dir', r.dir],
  ];
}

interface Stat {
  p50: number;
  p99: number;
  min: number;
  max: number;
  avg: number;
  count: number;
}

/** Runs aiperf once and reads its JSON summary: TTFT, per-gap ITL (`inter_chunk_latency`), output tokens/s. */
export async function runAiperf(r: AiperfRun): Promise<PeerFigures> {
  mkdirSync(r.dir, { recursive: true });
  const log = join(r.dir, 'console.txt');
  const code = await new Promise<number | null>((res, rej) => {
    // aiperf writes its dataset's memory-mapped files to the system temp dir and leaves them there:
    // into the run's own directory instead, which the bench removes.
    const env = { ...process.env, AIPERF_DATASET_MMAP_BASE_PATH: r.dir };
    const child = spawn(r.python, aiperfArgs(r), { cwd: r.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', rej);
    child.on('close', (c) => {
      writeFileSync(log, out);
      res(c);
    });
  });
  const summary = join(r.dir, 'profile_export_aiperf.json');
  if (code !== 0 || !existsSync(summary))
    throw new Error(`aiperf exited ${code}; its output: ${log}\n${readFileSync(log, 'utf8').slice(-3000)}`);
  const j = JSON.parse(readFileSync(summary, 'utf8')) as Record<string, Stat & { avg: number }>;
  const osl = j.output_sequence_length!;
  if (osl.min !== r.outputTokens || osl.max !== r.outputTokens)
    throw new Error(
      `aiperf counted ${osl.min}..${osl.max} output tokens per request, the stub sent ${r.outputTokens}: the tokenizer does not match the stub's`,
    );
  // The profiling phase's records are the samples of the summary's statistics: checked by count.
  const samples: PeerFigures['samples'] = { ttft: [], itl: [] };
  for (const line of readFileSync(join(r.dir, 'profile_export.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const rec = JSON.parse(line) as {
      metadata: { benchmark_phase: string };
      metrics: Record<string, { value: number | number[] } | undefined>;
    };
    if (rec.metadata.benchmark_phase !== 'profiling') continue;
    const ttft = rec.metrics.time_to_first_token?.value;
    const gaps = rec.metrics.inter_chunk_latency?.value;
    if (typeof ttft === 'number') samples.ttft.push(ttft);
    if (Array.isArray(gaps)) samples.itl.push(...gaps);
  }
  if (samples.ttft.length !== j.time_to_first_token!.count || samples.itl.length !== j.inter_chunk_latency!.count)
    throw new Error(
      `aiperf's profile_export.jsonl holds ${samples.ttft.length} TTFTs and ${samples.itl.length} gaps, its summary counts ${j.time_to_first_token!.count} and ${j.inter_chunk_latency!.count}`,
    );
  return {
    samples,
    ttftP50: j.time_to_first_token!.p50,
    ttftP99: j.time_to_first_token!.p99,
    itlP50: j.inter_chunk_latency!.p50,
    itlP99: j.inter_chunk_latency!.p99,
    tokensPerS: j.output_token_throughput!.avg,
    requests: j.request_count!.avg,
  };
}
