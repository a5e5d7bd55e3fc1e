/**
 * The stack of a capacity search, brought up ONCE for every step (DESIGN.md steps 3-5, as
 * pipeline.ts does for one run): infrastructure (or the caller's), the mock LLM when needed (or
 * --llm-url), the reference target, the user's service (or --target), and what the stack watch
 * probes. Each start registers its stop with the search's teardown.
 */
import { join } from 'node:path';
import type { InfraHandle } from '../../infra/index.ts';
import { servicesFor, type ScenarioEntry } from '../catalog.ts';
import { endpointValues } from '../placeholders.ts';
import type { RunContext, RunRecord } from '../record.ts';
import type { RunOptions } from '../options.ts';
import { infraUp, stubUp, targetUp } from '../stack.ts';
import type { Teardown } from '../teardown.ts';
import { userServiceUp } from '../user-service.ts';
import type { WatchedComponent } from '../watch.ts';
import { watchedComponents } from '../watched.ts';

export interface CapacityStack {
  infra: InfraHandle;
  baseUrl?: string;
  llmUrl?: string;
  /** The service under test's pid when the kit started it: its peak RSS is measured per step. */
  servicePid?: number;
  components: WatchedComponent[];
  /** Set when the target or the user's service exited by itself. */
  died(): string | null;
  /** What meta.json of each step says about the stack. */
  facts: Pick<RunRecord, 'infra' | 'llm' | 'target'>;
}

export async function capacityStackUp(
  opts: RunOptions,
  entry: ScenarioEntry,
  logDir: string,
  ctx: RunContext,
  teardown: Teardown,
): Promise<CapacityStack> {
  const ownTarget = opts.targetUrl !== undefined;
  const infra =
    ctx.infra ??
    (await infraUp(
      { provider: opts.infra, services: servicesFor(entry, ownTarget), logDir, progress: opts.progress, signal: ctx.signal }, // prettier-ignore
      teardown,
    ));
  const services = infra.services.map((s) => s.name);
  const needStub = opts.llmUrl === undefined && (entry.stub === 'script' || (entry.stub === 'target' && !ownTarget));
  const seed = entry.seed ?? 42;
  const performanceMode = entry.performanceMode ?? true;
  const stub = needStub
    ? await stubUp(logDir, teardown, { seed, performanceMode, ...(entry.mockConfigFile ? { configFile: entry.mockConfigFile } : {}) }) // prettier-ignore
    : undefined;
  const llmUrl = opts.llmUrl ?? stub?.url;
  const target =
    entry.target && !ownTarget
      ? await targetUp({ infra, llmUrl: llmUrl!, realProvider: opts.llmUrl !== undefined, logDir }, teardown)
      : undefined;
  const service =
    entry.service && !ownTarget
      ? await userServiceUp(entry.service, endpointValues(infra, llmUrl), logDir, teardown)
      : undefined;
  const targetChild = target ? { ...target.target, logFile: join(logDir, 'target.log') } : undefined;
  const components = watchedComponents(infra, stub, targetChild, service);
  const baseUrl = opts.targetUrl ?? target?.target.url ?? service?.url;
  const servicePid = target?.target.pid ?? service?.pid;
  return {
    infra,
    ...(baseUrl ? { baseUrl } : {}),
    ...(llmUrl ? { llmUrl } : {}),
    ...(servicePid !== undefined ? { servicePid } : {}),
    components,
    died: () => target?.died() ?? service?.died() ?? null,
    facts: {
      infra: { provider: services.length ? infra.provider : 'none', reason: infra.reason, shared: ctx.infra !== undefined, services }, // prettier-ignore
      llm: opts.llmUrl
        ? { kind: 'provider', url: opts.llmUrl }
        : needStub
          ? { kind: 'stub', url: llmUrl!, seed, performanceMode }
          : { kind: 'none' },
      target: ownTarget
        ? { kind: 'external', url: opts.targetUrl! }
        : service
          ? { kind: 'service', url: service.url, ...(service.pid !== undefined ? { pid: service.pid } : {}) }
          : target
            ? { kind: 'reference', url: target.target.url, pid: target.target.pid }
            : { kind: 'none' },
    },
  };
}
