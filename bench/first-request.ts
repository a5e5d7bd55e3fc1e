/**
 * The `http_reqs: ['rate>100']` threshold of k6's examples/localhost.js: one VU, one iteration of
 * three GETs of http://localhost:8080/, so the rate (http_reqs ÷ the time from setup() start to
 * teardown() end, k6's definition) is decided by what the first requests cost: loading the HTTP
 * client, resolving `localhost`, opening the connection.
 *   unshare -n sh -c 'ip link set lo up; exec "$@"' _ env K6_NO_USAGE_REPORT=true \
 *     node --import tsx bench/first-request.ts [--runs 10] [--before <checkout>] [--k6 <k6 binary>]
 * Port 8080 must be free (the script's URL is fixed): run it in a private network namespace.
 * Each run is a fresh process (`engine run`, `k6 run`), the sides interleaved run by run: this
 * checkout's engine, `--before`'s engine (another checkout of the kit, e.g. the base commit) and
 * the k6 binary (`--k6`, or K6_BIN). Prints each side's passes of rate>100 and its median rate, the
 * engine's median against k6's, and the load average before and after.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    before: { type: 'string' },
    k6: { type: 'string' },
  },
});
const runs = Number(values.runs);
const k6Bin = values.k6 ?? process.env.K6_BIN;

/** grafana/k6 examples/localhost.js as it is (its thresholds included), then a handleSummary that writes the rate. */
const LOCALHOST_JS = `import { group, check } from "k6";
import http from "k6/http";

export let options = {
	thresholds: {
		'http_req_duration{kind:html}': ["avg<=10"],
		'http_req_duration{kind:css}': ["avg<=10"],
		'http_req_duration{kind:img}': ["avg<=100"],
		'http_reqs': ["rate>100"],
	}
};

export default function() {
	group("front page", function() {
		check(http.get("http://localhost:8080/", {
			tags: {'kind': 'html' },
		}), {
			"status is 200": (res) => res.status === 200,
		});
	});
	group("stylesheet", function() {
		check(http.get("http://localhost:8080/style.css", {
			tags: {'kind': 'css' },
		}), {
			"status is 200": (res) => res.status === 200,
		});
	});
	group("image", function() {
		check(http.get("http://localhost:8080/teddy.jpg", {
			tags: {'kind': 'img' },
		}), {
			"status is 200": (res) => res.status === 200,
		});
	});
}
`;

const BODIES: Record<string, [string, Buffer]> = {
  '/': [
    'text/html',
    Buffer.from(
      '<!DOCTYPE html><html><head><link rel="stylesheet" href="/style.css"></head><body><img src="/teddy.jpg"></body></html>',
    ),
  ],
  '/style.css': ['text/css', Buffer.from('body { color: #333; }\n')],
  '/teddy.jpg': ['image/jpeg', Buffer.alloc(20_000, 0xff)],
};

interface Side {
  name: string;
  command: string;
  args: (script: string) => string[];
  rates: number[];
}

const dir = mkdtempSync(join(tmpdir(), 'first-request-'));
const server = createServer((req, res) => {
  const [type, body] = BODIES[req.url ?? '/'] ?? ['text/plain', Buffer.from('not found')];
  res.writeHead(BODIES[req.url ?? '/'] ? 200 : 404, { 'Content-Type': type, 'Content-Length': body.length });
  res.end(body);
});
try {
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(8080, '127.0.0.1', () => res());
  });
} catch (err) {
  console.error(`port 8080 is taken (${(err as Error).message}): run this in a private network namespace`);
  process.exit(1);
}

// The server's own first answers are slow (its code runs cold): not what the runs compare.
for (let i = 0; i < 20; i++)
  for (const path of Object.keys(BODIES)) await (await fetch(`http://127.0.0.1:8080${path}`)).arrayBuffer();

const engineSide = (name: string, root: string): Side => ({
  name,
  command: process.execPath,
  args: (s) => [join(root, 'bin/k6-llm-perf.js'), 'engine', 'run', '-q', s],
  rates: [],
});
const sides: Side[] = [engineSide('engine', resolve(import.meta.dirname, '..'))];
if (values.before) sides.push(engineSide('engine (--before)', resolve(values.before)));
if (k6Bin) sides.push({ name: 'k6', command: k6Bin, args: (s) => ['run', '-q', s], rates: [] });

/** One run: the script with a handleSummary that writes http_reqs' rate to a file. */
function once(side: Side, i: number): Promise<number> {
  const out = join(dir, `rate-${i}.json`);
  const script = join(dir, `localhost-${i}.js`);
  writeFileSync(
    script,
    `${LOCALHOST_JS}\nexport function handleSummary(d) { return { '${out}': JSON.stringify(d.metrics.http_reqs.values) }; }\n`,
  );
  return new Promise((res, rej) => {
    execFile(
      side.command,
      side.args(script),
      { env: { ...process.env, K6_NO_USAGE_REPORT: 'true', K6_AUTO_EXTENSION_RESOLUTION: 'false' } },
      (err, _stdout, stderr) => {
        // 99: a threshold failed, which is what this bench counts
        if (err && (err as { code?: number }).code !== 99) return rej(new Error(`${side.name}: ${stderr}`));
        res((JSON.parse(readFileSync(out, 'utf8')) as { rate: number }).rate);
      },
    );
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const loadBefore = loadavg()[0]!;
try {
  let n = 0;
  for (let r = 0; r < runs; r++) for (const side of sides) side.rates.push(await once(side, n++));
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
const loadAfter = loadavg()[0]!;

console.log(
  `examples/localhost.js, ${runs} runs per side, interleaved; load average ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}`,
);
for (const side of sides) {
  const passes = side.rates.filter((r) => r > 100).length;
  console.log(
    `${side.name.padEnd(18)} rate>100 in ${passes}/${runs}, median rate ${median(side.rates).toFixed(1)}/s  (${side.rates.map((r) => r.toFixed(0)).join(' ')})`,
  );
}
const k6 = sides.find((s) => s.name === 'k6');
if (k6) {
  for (const side of sides.filter((s) => s !== k6))
    console.log(`${side.name} median rate ÷ k6's: ${(median(side.rates) / median(k6.rates)).toFixed(2)}`);
}
