/**
 * The WebSocket metrics k6 defines for k6/websockets and k6/ws (k6 v2.2.0 metrics/builtin.go), and
 * the tags k6 puts on them: the VU's, `url` and `name` (the URL, or params.tags.name), `status`
 * (101 when upgraded) and `subproto` when one was agreed, then params.tags.
 */
import type { VuContext } from './api.ts';

export function defineWsMetrics(vu: VuContext): void {
  vu.metrics.define('ws_sessions', 'counter');
  vu.metrics.define('ws_msgs_sent', 'counter');
  vu.metrics.define('ws_msgs_received', 'counter');
  vu.metrics.define('ws_ping', 'trend', 'time');
  vu.metrics.define('ws_session_duration', 'trend', 'time');
  vu.metrics.define('ws_connecting', 'trend', 'time');
}

export function wsTags(
  vu: VuContext,
  url: string,
  userTags: Record<string, string> | undefined,
): Record<string, string> {
  const name = userTags?.name;
  return { ...vu.currentTags(), ...(userTags ?? {}), url: name ?? url, name: name ?? url };
}
