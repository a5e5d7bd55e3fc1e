/**
 * Admin API (routed by server.ts through routes.ts), answered to loopback clients only (403 otherwise):
 *   GET  /__admin/config  the running config, plus `performanceMode`
 *   PUT  /__admin/config  a partial config merged onto the running one, and optionally
 *                         `performanceMode: true|false` (400 + every problem if invalid;
 *                         nothing changes then)
 *   GET  /__admin/stats   counters (see Stats)
 *   POST /__admin/reset   zero the counters and the occurrence table
 * Another method on these paths is 405 with `Allow`, a PUT body not sent as
 * application/json 415, both as {"error", "problems": []}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MockLlmConfigError, resolveConfig, type MockLlmConfig } from './config.ts';
import { readBody, sendJson } from './http-util.ts';
import { depthExceededAt, MAX_JSON_DEPTH } from './json-depth.ts';
import type { Stats } from './stats.ts';

export interface AdminTarget {
  config(): MockLlmConfig;
  setConfig(config: MockLlmConfig): void;
  stats(): Stats;
  reset(): void;
  readonly seed: number;
  performanceMode(): boolean;
  setPerformanceMode(on: boolean): void;
}

const ADMIN_BODY_LIMIT = 64 * 1024;

/**
 * Runs the admin operation `id` (routes.ts): the router has checked the path, the method,
 * the loopback origin and (PUT) the content type.
 */
export function handleAdmin(target: AdminTarget, id: string, req: IncomingMessage, res: ServerResponse): void {
  switch (id) {
    case 'getConfig':
      return sendJson(res, 200, JSON.stringify({ ...target.config(), performanceMode: target.performanceMode() }));
    case 'putConfig':
      return readBody(req, ADMIN_BODY_LIMIT, (r) => {
        if (!r.ok) return sendJson(res, 413, `{"error":"config body over ${ADMIN_BODY_LIMIT} bytes","problems":[]}`);
        try {
          putConfig(target, r.text, res);
        } catch (err) {
          console.error(`mock-llm: PUT /__admin/config failed: ${(err as Error)?.stack ?? String(err)}`);
          if (res.headersSent) return void res.destroy();
          sendJson(
            res,
            500,
            JSON.stringify({
              error: `mock-llm internal error: ${(err as Error)?.message ?? String(err)}`,
              problems: [],
            }),
          );
        }
      });
    case 'stats':
      return sendJson(
        res,
        200,
        JSON.stringify({ seed: target.seed, performanceMode: target.performanceMode(), ...target.stats() }),
      );
    case 'reset':
      req.resume();
      target.reset();
      return sendJson(res, 200, '{"reset":true}');
    default:
      throw new Error(`no admin operation ${id}`);
  }
}

function putConfig(target: AdminTarget, text: string, res: ServerResponse): void {
  const deepAt = depthExceededAt(text);
  if (deepAt >= 0) {
    return sendJson(
      res,
      400,
      JSON.stringify({
        error: `(root): JSON nested deeper than ${MAX_JSON_DEPTH} levels (at character ${deepAt})`,
        problems: [],
      }),
    );
  }
  let patch: unknown;
  try {
    patch = JSON.parse(text);
  } catch (err) {
    return sendJson(res, 400, JSON.stringify({ error: `invalid JSON: ${(err as Error).message}`, problems: [] }));
  }
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return sendJson(
      res,
      400,
      JSON.stringify({ error: '(root): expected a JSON object (a partial config)', problems: [] }),
    );
  }
  const { performanceMode, ...rest } = patch as Record<string, unknown>;
  const problems: string[] = [];
  if (performanceMode !== undefined && typeof performanceMode !== 'boolean') {
    problems.push(`performanceMode: expected true or false, got ${JSON.stringify(performanceMode)}`);
  }
  let next = target.config();
  try {
    next = resolveConfig(rest, next);
  } catch (err) {
    if (!(err instanceof MockLlmConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0)
    return sendJson(res, 400, JSON.stringify({ error: `mock-llm config: ${problems.join('; ')}`, problems }));
  target.setConfig(next);
  if (typeof performanceMode === 'boolean') target.setPerformanceMode(performanceMode);
  sendJson(res, 200, JSON.stringify({ ...next, performanceMode: target.performanceMode() }));
}
