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

/** The user's service under test: its readiness URL is probed, its pid watched when the kit started it. */
export interface WatchedService {
  readyUrl: string;
  pid?: number;
  logFile: string;
}

export function watchedComponents(
  infra: InfraHandle,
  stub: ChildServer | undefined,
  target: ChildServer | undefined,
  service?: WatchedService,
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
  if (service)
    out.push({
      name: 'service',
      address: new URL(service.readyUrl).host,
      ...(service.pid !== undefined ? { pid: service.pid } : {}),
      probe: httpProbe(service.readyUrl),
      logFile: service.logFile,
    });
  return out;
}

/** A child server of the run (the stub, the target): its pid, and `GET /healthz`. */
function childComponent(name: string, c: ChildServer): WatchedComponent {
  const probe = httpProbe(`${c.url}${c.healthPath ?? '/healthz'}`);
  return { name, address: new URL(c.url).host, pid: c.pid, probe, logFile: c.logFile };
}
