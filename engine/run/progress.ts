/**
 * The live progress line (stderr, only on a TTY and without --quiet): elapsed time, VUs, and per
 * scenario its progress, iterations and dropped iterations. Redrawn in place once a second.
 */
import type { Writable } from 'node:stream';
import type { BaseConfig } from '../executors/base-config.ts';
import { formatDuration } from '../options/duration.ts';
import type { Progress } from '../scheduler/protocol.ts';

export class ProgressLine {
  private lines = 0;

  constructor(
    private readonly out: Writable,
    private readonly scenarios: readonly BaseConfig[],
  ) {}

  static render(elapsedMs: number, parts: readonly Progress[], scenarios: readonly BaseConfig[]): string[] {
    const vus = parts.reduce((s, p) => s + p.vusActive, 0);
    const max = parts.reduce((s, p) => s + p.vusMax, 0);
    let done = 0;
    let interrupted = 0;
    const rows = scenarios.map((c) => {
      let it = 0;
      let dropped = 0;
      let active = 0;
      let prog = 0;
      for (const p of parts) {
        const s = p.scenarios[c.name];
        if (!s) continue;
        it += s.iterations;
        dropped += s.dropped;
        active += s.activeVus;
        prog = Math.max(prog, s.progress);
        interrupted += s.interrupted;
      }
      done += it;
      const pct = `${Math.round(prog * 100)}%`.padStart(4);
      return `${c.name.padEnd(12)} [${pct} ] ${active} running, ${it} iterations${dropped ? `, ${dropped} dropped` : ''}`;
    });
    return [
      `running (${formatDuration(elapsedMs)}), ${vus}/${max} VUs, ${done} complete and ${interrupted} interrupted iterations`,
      ...rows,
    ];
  }

  draw(elapsedMs: number, parts: readonly Progress[]): void {
    const text = ProgressLine.render(elapsedMs, parts, this.scenarios);
    const up = this.lines > 0 ? `\x1b[${this.lines}F` : '';
    this.out.write(up + text.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    this.lines = text.length;
  }
}
