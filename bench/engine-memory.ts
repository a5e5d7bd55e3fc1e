/**
 * Engine memory stays flat however long the run: Trend metrics live in HDR histograms, never in
 * sample arrays. Runs the engine (in a child process each, so runs do not share a heap) for a
 * small and a large number of requests and compares the peak RSS (parent and worker threads).
 *   node --import tsx bench/engine-memory.ts [--small 100000] [--large 2000000] [--vus 64]
 * Prints RSS after each and large ÷ small (goal <= 1.2).
 *
 * `--classic` instead runs the classic script (`http.get(); sleep(1)`, synchronous style, mode auto:
 * rewritten into awaits, issue 16) with 1,000 and then 5,000 VUs (`--classic-vus 1000,5000`) for
 * `--seconds 30` each, and prints the peak RSS (goal <= 300 MiB at 1,000 VUs), MiB per VU and the
 * mode the engine chose.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { onExit, runQuiet, Scripts, startServerProcess } from './engine-bench-lib.ts';

const { values } = parseArgs({
  options: {
    small: { type: 'string', default: '100000' },
    large: { type: 'string', default: '2000000' },
    vus: { type: 'string', default: '64' },
    child: { type: 'string' },
    url: { type: 'string' },
    classic: { type: 'boolean', default: false },
    'classic-vus': { type: 'string', default: '1000,5000' },
    seconds: { type: 'string', default: '30' },
  },
});

const SCRIPT = `import http from 'k6/http';
export const options = { discardResponseBodies: true };
export default async function () { await http.asyncRequest('GET', __ENV.URL, null, { tags: { name: 'home' } }); }
`;

const CLASSIC = `import http from 'k6/http';
import { sleep } from 'k6';
export default function () { http.get(__ENV.URL); sleep(1); }
`;

/** Child mode: `--child classic:N` runs the classic script with N VUs for --seconds. */
async function classicChild(vus: number, url: string): Promise<void> {
  const scripts = new Scripts();
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 250);
  try {
    const r = await runQuiet({
      script: scripts.write('classic.js', CLASSIC),
      env: { URL: url },
      flags: { vus, duration: `${values.seconds}s` },
    });
    clearInterval(timer);
    const mode = /running on threads/.test(r.stderr) ? 'sync (fallback)' : 'async (rewritten)';
    process.stdout.write(
      JSON.stringify({
        requests: r.values('http_reqs').count ?? 0,
        iterations: r.values('iterations').count ?? 0,
        peakRss: peak,
        seconds: Number(values.seconds),
        exitCode: r.exitCode,
        mode,
      }) + '\n',
    );
  } finally {
    clearInterval(timer);
    scripts.dispose();
  }
}

/** Child mode: run N requests, sample RSS every 250 ms, print JSON. */
async function child(requests: number, url: string): Promise<void> {
  const scripts = new Scripts();
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 250);
  const t0 = Date.now();
  try {
    const r = await runQuiet({
      script: scripts.write('memory.js', SCRIPT),
      env: { URL: url },
      flags: { vus: Number(values.vus), iterations: requests },
    });
    clearInterval(timer);
    process.stdout.write(
      JSON.stringify({
        requests: r.values('http_reqs').count ?? 0,
        peakRss: peak,
        seconds: (Date.now() - t0) / 1000,
        exitCode: r.exitCode,
      }) + '\n',
    );
  } finally {
    clearInterval(timer);
    scripts.dispose();
  }
}

interface ChildResult {
  requests: number;
  iterations?: number;
  peakRss: number;
  seconds: number;
  mode?: string;
}

function runChild(requests: number | string, url: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--child',
        String(requests),
        '--url',
        url,
        '--vus',
        values.vus!,
        '--seconds',
        values.seconds!,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`child exited ${code}`)),
    );
  });
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

if (values.child?.startsWith('classic:')) {
  await classicChild(Number(values.child.slice(8)), values.url!);
} else if (values.child) {
  await child(Number(values.child), values.url!);
} else if (values.classic) {
  const server = await startServerProcess();
  onExit(() => server.close());
  try {
    console.log(
      `engine-memory --classic: http.get(); sleep(1), synchronous style, mode auto, ${values.seconds} s per run`,
    );
    for (const n of values['classic-vus']!.split(',').map(Number)) {
      const r = await runChild(`classic:${n}`, server.url);
      const perVu = r.peakRss / 1024 / 1024 / n;
      console.log(
        `  ${n} VUs: ${r.mode}, ${r.iterations} iterations, ${r.requests} requests, peak RSS ${mb(r.peakRss)} (${perVu.toFixed(3)} MiB per VU)`,
      );
    }
  } finally {
    await server.close();
  }
} else {
  const server = await startServerProcess();
  onExit(() => server.close());
  try {
    console.log(`engine-memory: ${values.vus} VUs, async GET, ${values.small} then ${values.large} requests`);
    const small = await runChild(Number(values.small), server.url);
    console.log(`  after ${small.requests} requests: peak RSS ${mb(small.peakRss)} (${small.seconds.toFixed(0)} s)`);
    const large = await runChild(Number(values.large), server.url);
    console.log(`  after ${large.requests} requests: peak RSS ${mb(large.peakRss)} (${large.seconds.toFixed(0)} s)`);
    console.log(`RSS ratio large / small: ${(large.peakRss / small.peakRss).toFixed(2)} (goal <= 1.2)`);
  } finally {
    await server.close();
  }
}
