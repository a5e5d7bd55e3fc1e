/** One secret source of a `--secret-source` flag (k6's secretsource.Source). */
export interface SecretSource {
  readonly description: string;
  /** The value of `key`; rejects with k6's message ("no value", "status code 404: ...") otherwise. */
  get(key: string): Promise<string>;
}
