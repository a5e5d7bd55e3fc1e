#!/usr/bin/env node
// Entry of the k6-llm-perf CLI. The kit is written in TypeScript and runs from source
// through tsx's loader, registered here so that the command works from any directory.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
