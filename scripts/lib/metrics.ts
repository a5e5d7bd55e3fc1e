/**
 * Custom metrics shared by several scenarios, created in the init context (k6 requires
 * it). Each scenario imports only the factories it uses, so a summary lists only the
 * metrics that scenario feeds.
 */
import { Rate, Trend } from 'k6/metrics';

/** The end-to-end pipeline (§4.1): submit -> completed, and whether it got there. */
export function e2eMetrics(): { duration: Trend; success: Rate } {
  return { duration: new Trend('e2e_duration', true), success: new Rate('e2e_success') };
}
