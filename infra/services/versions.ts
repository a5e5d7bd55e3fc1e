/**
 * Every version of every server the kit brings up, pinned here and nowhere else.
 * (infra/kafka/pom.xml repeats KAFKA_VERSION for Maven; a test checks they agree.)
 */
export const IMAGES = {
  redis: 'redis:7-alpine',
  postgres: 'postgres:16-alpine',
  kafka: 'confluentinc/cp-kafka:7.4.0',
} as const;

/** Apache Kafka broker run by the local provider (KRaft). 3.9.x speaks every protocol kafkajs 2.x uses. */
export const KAFKA_VERSION = '3.9.1';

/** Debian packages the local provider runs. */
export const DEBIAN_PACKAGES = {
  redis: ['redis-server'],
  postgres: ['postgresql'],
  kafka: ['default-jre-headless', 'maven'],
  browser: ['chromium'],
} as const;

/** Database, user and password of the local PostgreSQL (throwaway, 127.0.0.1 only). */
export const POSTGRES_CREDENTIALS = { user: 'k6', password: 'k6', database: 'k6llmperf' } as const;
