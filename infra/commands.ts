import type { Command } from 'commander';

/** Registers the orchestrator's commands (run, infra up, compare, report, doctor). */
export function register(_program: Command): void {}
