/**
 * The endpoint placeholders of a config's service command, env, URLs and migrate/seed commands:
 * `{{postgres.url}}`, `{{redis.url}}`, `{{kafka.brokers}}` (comma-separated), `{{llm.url}}`, `{{port}}`
 * (a free port the kit picks for the service). Checked when the config loads; filled once the stack is up.
 */
import type { InfraHandle } from '../infra/index.ts';

export const PLACEHOLDERS = ['postgres.url', 'redis.url', 'kafka.brokers', 'llm.url', 'port'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PATTERN = /\{\{\s*([^}]*?)\s*\}\}/g;

/** The placeholder a name needs up: `postgres.url` needs postgres, `llm.url` the mock LLM (or --llm-url). */
export function needOf(name: Placeholder): 'postgres' | 'redis' | 'kafka' | 'llm' | null {
  return name === 'port' ? null : (name.split('.')[0] as 'postgres' | 'redis' | 'kafka' | 'llm');
}

/** The placeholders a text uses; an unknown one is a problem naming `path`. */
export function placeholdersIn(text: string, path: string, problems: string[]): Placeholder[] {
  const out: Placeholder[] = [];
  for (const m of text.matchAll(PATTERN)) {
    const name = m[1]!;
    if ((PLACEHOLDERS as readonly string[]).includes(name)) out.push(name as Placeholder);
    else
      problems.push(
        `${path}: unknown placeholder {{${name}}}; expected one of ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
      );
  }
  return out;
}

/** Replaces every placeholder with its value (all were checked at load time). */
export function fillPlaceholders(text: string, values: Partial<Record<Placeholder, string>>): string {
  return text.replace(PATTERN, (whole, name: string) => values[name as Placeholder] ?? whole);
}

/** The endpoint placeholders' values once the stack is up (`port` is the service's own, filled apart). */
export function endpointValues(infra: InfraHandle, llmUrl: string | undefined): Partial<Record<Placeholder, string>> {
  const { redis, postgres, kafka } = infra.endpoints;
  return {
    'redis.url': redis?.url,
    'postgres.url': postgres?.url,
    'kafka.brokers': kafka?.brokers.join(','),
    'llm.url': llmUrl,
  };
}
