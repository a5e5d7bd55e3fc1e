/**
 * The bulk scenario's fixed plan (methodology §7.2): VUs, iterations and batch sizes per
 * pattern, the executors built from it, and the number of rows the run must leave.
 * Every executor runs a fixed number of iterations, which is what makes the final
 * count exact. PROFILE=short shrinks the plan so the whole run takes about 15 s.
 */
import { SHORT } from './config.ts';

export const PLAN = {
  single: { vus: 1, iterations: SHORT ? 4 : 20, size: 25 },
  workflow: { vus: 2, iterations: SHORT ? 1 : 5, size: 5 },
  concurrent: { vus: SHORT ? 5 : 10, iterations: SHORT ? 2 : 10, size: 20 },
  constraints: { vus: 1, iterations: 1 },
  memory: {
    vus: 1,
    rounds: SHORT ? 1 : 3,
    /** Growing sizes up to the service's batch limit. */
    sizes: (max: number): number[] => [10, 25, 50, max].filter((s, i, all) => s <= max && all.indexOf(s) === i),
  },
} as const;

/** Rows the run leaves: every accepted batch item, plus the constraint scenario's one seed request. */
export function plannedRows(batchMax: number): number {
  const p = PLAN;
  const sizes = p.memory.sizes(batchMax);
  return (
    p.single.vus * p.single.iterations * p.single.size +
    p.workflow.vus * p.workflow.iterations * p.workflow.size +
    p.concurrent.vus * p.concurrent.iterations * p.concurrent.size +
    p.constraints.iterations * 1 +
    p.memory.rounds * sizes.reduce((a, b) => a + b, 0)
  );
}

/** The executors, one after the other (startTime), each bounded by a generous maxDuration. */
export function scenarios(batchMax: number): Record<string, object> {
  const p = PLAN;
  const slot = SHORT ? [0, 3, 7, 10, 12] : [0, 15, 45, 75, 85];
  const maxDuration = SHORT ? '30s' : '2m';
  const per = (exec: string, vus: number, iterations: number, i: number) => ({
    executor: 'per-vu-iterations',
    exec,
    vus,
    iterations,
    maxDuration,
    startTime: `${slot[i]}s`,
    tags: { pattern: exec },
  });
  return {
    single_bulk: per('singleBulk', p.single.vus, p.single.iterations, 0),
    workflow: per('workflow', p.workflow.vus, p.workflow.iterations, 1),
    concurrent_bulk: per('concurrentBulk', p.concurrent.vus, p.concurrent.iterations, 2),
    constraints: per('constraints', p.constraints.vus, p.constraints.iterations, 3),
    memory: per('memory', p.memory.vus, p.memory.rounds * p.memory.sizes(batchMax).length, 4),
  };
}
