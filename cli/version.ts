/** The kit's version (package.json) and the k6-like line of `engine version`. */
import { readFileSync } from 'node:fs';

export function kitVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** Like `k6 version`: `k6-llm-perf engine v0.1.0 (node v20.18.1, linux/x64)`. */
export function engineVersionLine(): string {
  return `k6-llm-perf engine v${kitVersion()} (node ${process.version}, ${process.platform}/${process.arch})`;
}
