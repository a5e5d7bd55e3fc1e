/**
 * Per-service options a run may ask for (a config's `services.<name>`): a version, a container
 * image, and the few server settings the providers apply. The local provider runs the servers
 * installed on the machine, so a version there is a check (installed.ts), never a download.
 */
import type { ServiceName } from './types.ts';
import { IMAGES } from './versions.ts';

export interface ServiceOptions {
  redis?: { version?: string; image?: string };
  postgres?: {
    version?: string;
    image?: string;
    /** Server settings (`postgres -c name=value`), after the kit's own so that they win. */
    settings?: Record<string, string>;
  };
  kafka?: {
    /** The Apache Kafka version (the local broker's jars); with testcontainers give `image` instead. */
    version?: string;
    image?: string;
    /** The broker's num.partitions: partitions of an auto-created topic (default 1). */
    partitions?: number;
    /** The broker JVM's heap, e.g. 512m (default 512m). */
    heap?: string;
  };
}

/**
 * The container image of a service: `image` when given, else the pinned one with the version as its
 * tag (`redis:7.2-alpine`, `postgres:15-alpine`). Kafka's pinned image (cp-kafka) is tagged by
 * Confluent Platform version, not by Kafka's: a Kafka version without an image is a problem (null).
 */
export function imageOf(service: ServiceName, options: ServiceOptions = {}): string | null {
  const o = options[service];
  if (o?.image) return o.image;
  if (!o?.version) return IMAGES[service];
  if (service === 'kafka') return null;
  return `${IMAGES[service].split(':')[0]}:${o.version}-alpine`;
}
