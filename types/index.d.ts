/**
 * The k6 extension modules the kit's scenarios use, declared with each extension's own
 * API: one reference for all of them. In a project of your own:
 *   "compilerOptions": { "types": ["k6", "k6-llm-perf/types"] }
 */
/// <reference path="./k6-x-redis.d.ts" />
/// <reference path="./k6-x-kafka.d.ts" />
/// <reference path="./k6-x-sql.d.ts" />
/// <reference path="./k6-x-sse.d.ts" />
