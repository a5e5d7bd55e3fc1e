/**
 * The stub's token timers alone (mock-llm/precise-clock.ts), no HTTP: STREAMS (default 1,16,64)
 * streams each re-arming a token every 20 ms for SECONDS (default 5) on the stub's scheduler,
 * with each clock the stub offers, in turn in one process:
 *
 *   node     setTimeout (the anchor)
 *   precise  the helper thread sleeping in Atomics.wait
 *   auto     the stub's default: precise while fewer than 500 timers a second are armed
 *
 * Prints how late each token fired against its due time (p1/p50/p90/p99 ms; negative is
 * early), the CPU the process used (main thread and helper) as a share of one core, and that
 * CPU over the anchor's.
 *
 * Run: node --import tsx bench/mock-llm-timers.ts
 */
import { cpus, loadavg } from 'node:os';
import { createPreciseClock, type PreciseClock } from '../mock-llm/precise-clock.ts';
import { Scheduler, realClock, type Timed } from '../mock-llm/scheduler.ts';

const STREAMS = (process.env.STREAMS ?? '1,16,64').split(',').map(Number);
const SECONDS = Number(process.env.SECONDS ?? 5);
const ITL = 20;
type Kind = 'node' | 'precise' | 'auto';

interface Result {
  late: number[];
  cpu: number;
  armed: string;
}

async function run(kind: Kind, streams: number): Promise<Result> {
  const clock: PreciseClock | null = kind === 'node' ? null : createPreciseClock(kind);
  if (kind !== 'node' && !clock) throw new Error('no helper thread could start');
  const scheduler = new Scheduler(clock ?? realClock);
  const late: number[] = [];
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  const cpu0 = process.cpuUsage();
  await new Promise<void>((done) => {
    let live = streams;
    for (let i = 0; i < streams; i++) {
      // Streams start spread over one gap, with a fractional offset each, as requests arrive.
      const token: Timed = {
        due: t0 + ITL + (ITL * i) / streams + ((i * 0.37) % 1),
        heapIndex: -1,
        fire() {
          late.push(performance.now() - token.due);
          if (token.due > end) {
            if (--live === 0) done();
            return;
          }
          token.due += ITL;
          scheduler.add(token);
        },
      };
      scheduler.add(token);
    }
  });
  const used = process.cpuUsage(cpu0);
  const cpu = (used.user + used.system) / 1000 / (performance.now() - t0);
  const armed = clock ? `${clock.armed.precise} precise / ${clock.armed.node} setTimeout` : 'setTimeout';
  await clock?.close();
  return { late, cpu, armed };
}

const quantile = (sorted: number[], p: number): number => sorted[Math.floor(p * (sorted.length - 1))]!;
const ms = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(3);

async function main(): Promise<void> {
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`token timers: streams re-arming every ${ITL} ms for ${SECONDS} s; lateness against the due time (ms)`);
  for (const streams of STREAMS) {
    console.log(`\n${streams} stream(s), ${((streams * 1000) / ITL).toFixed(0)} tokens/s`);
    let anchorCpu = NaN;
    for (const kind of ['node', 'precise', 'auto'] as const) {
      const r = await run(kind, streams);
      const s = [...r.late].sort((a, b) => a - b);
      if (kind === 'node') anchorCpu = r.cpu;
      console.log(
        `  ${kind.padEnd(8)} p1 ${ms(quantile(s, 0.01))}  p50 ${ms(quantile(s, 0.5))}  p90 ${ms(quantile(s, 0.9))}  p99 ${ms(quantile(s, 0.99))}` +
          `  CPU ${(100 * r.cpu).toFixed(1)} % of a core (${(r.cpu / anchorCpu).toFixed(2)}x node)  timers: ${r.armed}`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
