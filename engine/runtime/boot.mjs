// Boot file of the engine's threads when they run from sources: registers tsx, then imports the
// TypeScript entry named in workerData.entry (execArgv `--import tsx` does not reach workers on Node 20).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
