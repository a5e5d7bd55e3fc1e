/**
 * Which phase of a timeline a moment falls in, for tagging samples by phase (spike),
 * stage (stress) or window (endurance). Pure, no k6 import.
 */

/**
 * The phase a moment belongs to: `stages` are consecutive [name, ms]
 * spans from `startMs`; past the last one the last name is kept.
 */
export function phaseAt(stages: Array<[string, number]>, startMs: number, nowMs: number = Date.now()): string {
  let end = startMs;
  for (const [name, ms] of stages) {
    end += ms;
    if (nowMs < end) return name;
  }
  return stages[stages.length - 1]![0];
}
