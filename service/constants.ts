/**
 * Names shared with the scenarios and the orchestrator: the tables to truncate and the
 * topics to recreate between scenarios, the event types the relay publishes.
 */

/** Kafka topic of the request events (KAFKA_TOPIC overrides it). */
export const DEFAULT_TOPIC = 'llm.requests.events';

/** The tables the kit truncates between scenarios (children first). */
export const KIT_TABLES = ['outbox_events', 'llm_requests'] as const;

/** The topics the kit recreates between scenarios. */
export const KIT_TOPICS = [DEFAULT_TOPIC] as const;

/** Redis keys the target owns (the queue stream); FLUSHDB also clears them. */
export const DEFAULT_QUEUE_KEY = 'llm:requests:queue';
export const DEFAULT_QUEUE_GROUP = 'llm-workers';

export const EVENT_TYPES = {
  created: 'llm.request.created.v1',
  completed: 'llm.request.completed.v1',
  failed: 'llm.request.failed.v1',
} as const;

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

export const AGGREGATE_TYPE = 'llm_request';

export const REQUEST_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const MODES = ['quick', 'detailed'] as const;
export type Mode = (typeof MODES)[number];

/** max_tokens when the request does not give one. */
export const DEFAULT_MAX_TOKENS: Record<Mode, number> = { quick: 256, detailed: 1024 };

/** The roles one target process can play; all three by default. */
export const ROLES = ['api', 'worker', 'relay'] as const;
export type Role = (typeof ROLES)[number];

/** Key of the PostgreSQL advisory locks (migrations; the single relay owner). */
export const MIGRATION_LOCK_KEY = 0x6b366d31; // 'k6m1'
export const RELAY_LOCK_KEY = 0x6b367231; // 'k6r1'
export const SWEEP_LOCK_KEY = 0x6b367331; // 'k6s1'
