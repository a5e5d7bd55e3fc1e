/**
 * Engine memory stays flat however long the run: Trend metrics live in HDR histograms, never in
 * sample arrays. Runs the engine (in a child process each, so runs do not share a heap) for a
 * small and a large number of requests and compares the peak RSS (parent and worker threads).
 *   node --import tsx bench/engine-memory.ts [--small 100000] [--large 2000000] [--vus 64]
 * Prints RSS after each and large ÷ small (goal <= 1.2).
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
  },
});

const SCRIPT = `import http from 'k6/http';
export const options = { discardResponseBodies: true };
export default async function () { await http.asyncRequest('GET', __ENV.URL, null, { tags: { name: 'home' } }); }
`;

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

function runChild(requests: number, url: string): Promise<{ requests: number; peakRss: number; seconds: number }> {
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

if (values.child) {
  await child(Number(values.child), values.url!);
} else {
  const server = await startServerProcess();
  onExit(() => server.close());
  try {
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
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
