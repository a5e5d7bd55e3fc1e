/**
 * The one colour decision of the kit (every command that colours asks here):
 * `--no-color` or a non-empty NO_COLOR → never; else a non-empty FORCE_COLOR other than "0" →
 * always, even through a pipe; else only when the stream is a terminal.
 */
export interface ColorContext {
  /** The stream the coloured text goes to. */
  stream?: { isTTY?: boolean };
  /** A `--no-color` flag (or k6's `noColor` option) was given. */
  noColor?: boolean;
  /** The environment to read NO_COLOR and FORCE_COLOR from (default: process.env). */
  env?: Record<string, string | undefined>;
}

export function shouldColor(ctx: ColorContext = {}): boolean {
  const env = ctx.env ?? process.env;
  if (ctx.noColor || (env.NO_COLOR ?? '') !== '') return false;
  const force = env.FORCE_COLOR ?? '';
  if (force !== '' && force !== '0') return true;
  return Boolean(ctx.stream?.isTTY);
}
