/**
 * The secrets of one thread, as k6's secretsource.Manager keeps them: `get(source, key)` asks the
 * named source once and caches the value (a source that is also the default shares its cache);
 * every value handed out (not blank) is from then on replaced by `***SECRET_REDACTED***` in every
 * log line. Cache and redaction span the whole run, as in k6's one process: values are published
 * in the run's shared state (shared.ts) before get() resolves, and each thread reads what the
 * others published before it writes a log line.
 */
import { DEFAULT_SOURCE, makeSecretSources, type SecretSource } from './sources.ts';
import { SharedSecrets } from './shared.ts';

export const REDACTED = '***SECRET_REDACTED***';

/** What a failed get() rejects with: k6 rejects with a Go error, which prints as its bare message. */
export class SecretError extends Error {
  override toString(): string {
    return this.message;
  }
}

export class SecretsManager {
  /** Each source's id in the shared state: its position among the distinct sources (the same on every thread). */
  private readonly ids: Map<SecretSource, number>;
  private pattern: RegExp | null = null;
  /** How many values `pattern` was compiled from (the shared set only grows). */
  private compiledFrom = 0;

  constructor(
    private readonly sources: ReadonlyMap<string, SecretSource>,
    private readonly shared: SharedSecrets = SharedSecrets.create(),
  ) {
    this.ids = new Map([...new Set(sources.values())].map((s, i) => [s, i]));
  }

  /** The manager of `--secret-source` lines; throws on a bad line (the plan validated them first). */
  static fromFlags(
    lines: readonly string[] | undefined,
    env: Readonly<Record<string, string>>,
    cwd: string,
    shared: SharedSecrets = SharedSecrets.create(),
  ): SecretsManager {
    const { sources, problems } = makeSecretSources(lines ?? [], env, cwd, shared);
    if (problems.length) throw new Error(problems.join('\n'));
    return new SecretsManager(sources, shared);
  }

  async get(sourceName: string, key: string): Promise<string> {
    if (this.sources.size === 0) throw new SecretError('no secret sources are configured');
    const source = this.sources.get(sourceName);
    if (!source) throw new SecretError(`no secret source with name "${sourceName}" is configured`);
    const id = this.ids.get(source)!;
    const hit = this.shared.lookup(id, key);
    if (hit !== undefined) return hit;
    const value = await source.get(key).catch((err: unknown) => {
      throw new SecretError(err instanceof Error ? err.message : String(err));
    });
    this.shared.publish(id, key, value);
    return value;
  }

  /** `line` with every secret handed out so far, on any thread, replaced. */
  redact(line: string): string {
    this.shared.refresh();
    if (this.shared.values.size !== this.compiledFrom) this.compile();
    return this.pattern ? line.replace(this.pattern, REDACTED) : line;
  }

  private compile(): void {
    this.compiledFrom = this.shared.values.size;
    // Longest first, so that a secret containing another is redacted whole.
    const alternatives = [...this.shared.values]
      .filter((v) => v.trim() !== '')
      .sort((a, b) => b.length - a.length)
      .map(escape);
    this.pattern = alternatives.length ? new RegExp(alternatives.join('|'), 'g') : null;
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export { DEFAULT_SOURCE };
