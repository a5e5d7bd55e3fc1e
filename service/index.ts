/** The target room's entry: start the reference service in-process or as a child, and its shared names. */
export { startTarget, type RunningTarget, type StartOptions } from './service.ts';
export { spawnTarget, type SpawnedTarget, type SpawnOptions } from './spawn.ts';
export {
  loadConfigFromEnv,
  configToEnv,
  resolveConfig,
  TARGET_ENV_NAMES,
  type TargetConfig,
  type ResolvedConfig,
} from './config.ts';
export {
  KIT_TABLES,
  KIT_TOPICS,
  EVENT_TYPES,
  DEFAULT_TOPIC,
  DEFAULT_QUEUE_KEY,
  AGGREGATE_TYPE,
  type EventType,
} from './constants.ts';
export { toEnvelope, type EventEnvelope } from './relay.ts';
export { TargetConfigError, TargetStartError } from './errors.ts';

/** Publish lag of one consumed event: broker time (the Kafka message timestamp) minus occurred_at, in ms. */
export function publishLagMs(envelope: { occurred_at: string }, brokerTimestampMs: number): number {
  return brokerTimestampMs - Date.parse(envelope.occurred_at);
}
