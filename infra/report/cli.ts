import type { Command } from 'commander';

/** Registers this room's commands on the root CLI (placeholder until the room lands). */
export function register(_program: Command): void {}
