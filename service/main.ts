/**
 * The `k6-llm-perf target` process: config from the environment (flags override),
 * one readiness line on stdout, graceful shutdown on SIGINT/SIGTERM (a second signal
 * forces the exit).
 */
import { ExitCode } from '../engine/exit-codes.ts';
import { loadConfigFromEnv, type TargetConfig } from './config.ts';
import { TargetConfigError } from './errors.ts';
import { stderrLogger } from './log.ts';
import { startTarget } from './service.ts';

export interface CliOptions {
  port?: string;
  roles?: string;
}

export async function runTargetCli(opts: CliOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const overrides: Record<string, string> = {};
  if (opts.port !== undefined) overrides.PORT = opts.port;
  if (opts.roles !== undefined) overrides.TARGET_ROLES = opts.roles;
  let config: TargetConfig;
  try {
    config = loadConfigFromEnv({ ...env, ...overrides });
  } catch (err) {
    // A bad flag is reported under the flag's name, not the variable it overrides.
    if (err instanceof TargetConfigError && err.variable === 'PORT' && opts.port !== undefined) {
      throw new TargetConfigError('--port', err.message.slice('PORT: '.length));
    }
    if (err instanceof TargetConfigError && err.variable === 'TARGET_ROLES' && opts.roles !== undefined) {
      throw new TargetConfigError('--roles', err.message.slice('TARGET_ROLES: '.length));
    }
    throw err;
  }
  const target = await startTarget(config, { log: stderrLogger });
  process.stdout.write(`target listening on ${target.url}\n`);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      stderrLogger('warn', `second ${signal}: exiting now`);
      process.exit(ExitCode.EXTERNAL_ABORT);
    }
    stderrLogger('info', `${signal}: shutting down`);
    target.stop().then(
      () => process.exit(0),
      (err) => {
        stderrLogger('error', 'shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
