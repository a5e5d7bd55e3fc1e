/** What the stack watch probes for one run: each started service, the stub and the reference target. */
import type { InfraHandle } from '../infra/index.ts';
import { httpProbe, kafkaProbe, postgresProbe, redisProbe, type Probe } from './probes.ts';
import type { WatchedComponent } from './watch.ts';

const PROBES: Record<string, (host: string, port: number) => Probe> = {
  redis: redisProbe,
  postgres: postgresProbe,
  kafka: kafkaProbe,
};

export interface ChildServer {
  url: string;
  pid: number;
  logFile?: string;
  /** The component's name in the watch (default: mock LLM for the LLM, target for the target). */
  name?: string;
  /** Default /healthz (the kit's own servers); llama-server answers /health. */
  healthPath?: string;
}

export function watchedComponents(
  infra: InfraHandle,
  stub: ChildServer | undefined,
  target: ChildServer | undefined,
): WatchedComponent[] {
  const out: WatchedComponent[] = infra.services.map((s) => ({
    name: s.name,
    address: `${s.host}:${s.port}`,
    // A container's pid is not ours to signal; local servers' pids are.
    ...(infra.provider === 'local' && s.pid !== undefined ? { pid: s.pid } : {}),
    probe: PROBES[s.name]!(s.host, s.port),
    logFile: s.logFile,
  }));
  if (stub) out.push(childComponent(stub.name ?? 'mock LLM', stub));
  if (target) out.push(childComponent(target.name ?? 'target', target));
  return out;
}

/** A child server of the run (the stub, the target): its pid, and `GET /healthz`. */
function childComponent(name: string, c: ChildServer): WatchedComponent {
  const probe = httpProbe(`${c.url}${c.healthPath ?? '/healthz'}`);
  return { name, address: new URL(c.url).host, pid: c.pid, probe, logFile: c.logFile };
}
