/**
 * The secrets of one thread, as k6's secretsource.Manager keeps them: `get(source, key)` asks the
 * named source once and caches the value (a source that is also the default shares its cache);
 * every value handed out (not blank) is from then on replaced by `***SECRET_REDACTED***` in every
 * log line this thread writes. A value fetched on another worker thread is redacted there.
 */
import { DEFAULT_SOURCE, makeSecretSources, type SecretSource } from './sources.ts';

export const REDACTED = '***SECRET_REDACTED***';

/** What a failed get() rejects with: k6 rejects with a Go error, which prints as its bare message. */
export class SecretError extends Error {
  override toString(): string {
    return this.message;
  }
}

export class SecretsManager {
  private readonly caches = new Map<SecretSource, Map<string, string>>();
  private readonly values = new Set<string>();
  private pattern: RegExp | null = null;

  constructor(private readonly sources: ReadonlyMap<string, SecretSource>) {}

  /** The manager of `--secret-source` lines; throws on a bad line (the plan validated them first). */
  static fromFlags(
    lines: readonly string[] | undefined,
    env: Readonly<Record<string, string>>,
    cwd: string,
  ): SecretsManager {
    const { sources, problems } = makeSecretSources(lines ?? [], env, cwd);
    if (problems.length) throw new Error(problems.join('\n'));
    return new SecretsManager(sources);
  }

  async get(sourceName: string, key: string): Promise<string> {
    if (this.sources.size === 0) throw new SecretError('no secret sources are configured');
    const source = this.sources.get(sourceName);
    if (!source) throw new SecretError(`no secret source with name "${sourceName}" is configured`);
    let cache = this.caches.get(source);
    if (!cache) this.caches.set(source, (cache = new Map()));
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = await source.get(key).catch((err: unknown) => {
      throw new SecretError(err instanceof Error ? err.message : String(err));
    });
    cache.set(key, value);
    this.remember(value);
    return value;
  }

  private remember(value: string): void {
    if (value.trim() === '' || this.values.has(value)) return;
    this.values.add(value);
    // Longest first, so that a secret containing another is redacted whole.
    const alternatives = [...this.values].sort((a, b) => b.length - a.length).map(escape);
    this.pattern = new RegExp(alternatives.join('|'), 'g');
  }

  /** `line` with every secret handed out so far replaced. */
  redact(line: string): string {
    return this.pattern ? line.replace(this.pattern, REDACTED) : line;
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export { DEFAULT_SOURCE };
