/**
 * The request path: route through the table of routes.ts (404, 403, 405 + Allow, 415),
 * read the body, bound its nesting (64 levels), parse, validate, plan, then either answer an injected error, hang, or queue for a slot and
 * generate. No framework: node:http. An exception in any of it answers 500 (see
 * `crashed`); the server goes on serving.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Admission } from './admission.ts';
import { handleAdmin, type AdminTarget } from './admin.ts';
import { anthropic } from './anthropic.ts';
import type { MockLlmConfig } from './config.ts';
import { generate, writeWhole, type GenerateContext } from './generate.ts';
import { isZero } from './latency.ts';
import { fromLoopback, readBody, sendJson, type BodyResult } from './http-util.ts';
import { depthExceededAt, MAX_JSON_DEPTH } from './json-depth.ts';
import { openai } from './openai.ts';
import { openApiJson } from './openapi.ts';
import type { Plan, Planner } from './plan.ts';
import { handleProbes } from './prometheus.ts';
import type { Provider } from './provider.ts';
import { allowOf, isGeneration, isJsonContentType, operationOf, routeOf } from './routes.ts';
import type { StatsCollector } from './stats.ts';

export interface ServerState {
  planner: Planner;
  stats: StatsCollector;
  admission: Admission;
  gen: GenerateContext;
  /** Responses held open by the hang fault. */
  hangs: Set<ServerResponse>;
  admin: AdminTarget;
  config(): MockLlmConfig;
}

/** The generation routes' providers, by route group (routes.ts). */
const PROVIDERS: Record<'anthropic' | 'openai', Provider> = { anthropic, openai };

/** The provider whose error shape a non-admin path answers in. */
const shapeOf = (path: string): Provider => (path.startsWith('/v1/chat') ? openai : anthropic);

let sequence = 0;
/** A request id for answers given before a plan exists (400, 404, 413). */
function nextRequestId(): string {
  sequence = (sequence + 1) >>> 0;
  return 'req_00000000' + sequence.toString(16).padStart(16, '0');
}

export function createHandler(state: ServerState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    try {
      route(state, req, res);
    } catch (err) {
      crashed(state, req, res, err);
    }
  };
}

/** Through the route table: 404, 403 (admin from afar), 405 + Allow, 415, or the route's handler. */
function route(state: ServerState, req: IncomingMessage, res: ServerResponse): void {
  const path = pathOf(req);
  const r = routeOf(path);
  const admin = r === undefined ? path.startsWith('/__admin/') : r.group === 'admin';
  if (admin && !fromLoopback(req)) {
    req.resume();
    return sendJson(res, 403, '{"error":"the admin API answers loopback clients only"}');
  }
  if (r === undefined) return refuse(state, req, res, path, 404, `Not found: ${req.method} ${path}`);
  const op = operationOf(r, req.method);
  if (op === undefined) {
    const allow = allowOf(r);
    return refuse(state, req, res, path, 405, `${req.method} is not allowed on ${path} (allowed: ${allow})`, allow);
  }
  const contentType = op.body === undefined ? undefined : contentTypeOf(req);
  if (op.body !== undefined && !isJsonContentType(contentType)) {
    const got = contentType === undefined ? 'none' : JSON.stringify(contentType.slice(0, 100));
    return refuse(state, req, res, path, 415, `content-type: expected application/json, got ${got}`);
  }
  if (isGeneration(r)) return handleGenerate(state, PROVIDERS[r.group], `POST ${path}`, req, res);
  if (op.id === 'models') return sendModels(state, res);
  if (op.id === 'healthz') return sendJson(res, 200, '{"status":"ok"}');
  if (op.id === 'openapi') return sendJson(res, 200, openApiJson());
  if (op.id === 'health' || op.id === 'metrics') {
    handleProbes(state.gen.metrics, path, req, res);
    return void req.resume();
  }
  handleAdmin(state.admin, op.id, req, res);
}

/** A 404/405/415 in the path's error shape (the admin one, or the provider's), the body discarded. */
function refuse(
  state: ServerState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  status: number,
  message: string,
  allow?: string,
): void {
  req.resume();
  const extra = allow === undefined ? [] : ['allow', allow];
  if (path.startsWith('/__admin/')) {
    return sendJson(res, status, JSON.stringify({ error: message, problems: [] }), extra);
  }
  state.stats.count(status === 404 ? 'unknown' : `${req.method} ${path}`, status);
  const reply = shapeOf(path).invalid(status, message, status === 415 ? 'content-type' : null, nextRequestId());
  sendJson(res, reply.status, reply.body, [...reply.headers, ...extra]);
}

/** The content-type header, read from the raw list (`req.headers` is built lazily, a cost per request). */
function contentTypeOf(req: IncomingMessage): string | undefined {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]!.length === 12 && raw[i]!.toLowerCase() === 'content-type') return raw[i + 1];
  return undefined;
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * An exception thrown while handling a request (a bug, never a bad input: those get 400s):
 * logged, answered 500 in the route's provider shape (or the connection dropped when
 * the head was already sent), and the server goes on serving.
 */
function crashed(state: ServerState, req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const path = pathOf(req);
  const r = routeOf(path);
  const route = r && isGeneration(r) ? `POST ${path}` : 'unknown';
  console.error(`mock-llm: ${req.method} ${path} failed: ${(err as Error)?.stack ?? String(err)}`);
  state.stats.count(route, 500);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const reply = shapeOf(path).invalid(
    500,
    `mock-llm internal error: ${(err as Error)?.message ?? String(err)}`,
    null,
    nextRequestId(),
  );
  req.resume();
  sendJson(res, 500, reply.body, reply.headers);
}

function handleGenerate(
  state: ServerState,
  provider: Provider,
  route: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const arrivedAt = performance.now();
  const cfg = state.config();
  readBody(req, cfg.maxBodyBytes, (r) => {
    try {
      onBody(state, provider, route, res, r, cfg, arrivedAt);
    } catch (err) {
      crashed(state, req, res, err);
    }
  });
}

function onBody(
  state: ServerState,
  provider: Provider,
  route: string,
  res: ServerResponse,
  r: BodyResult,
  cfg: MockLlmConfig,
  arrivedAt: number,
): void {
  if (!r.ok) {
    state.stats.count(route, 413);
    const msg = `request body: ${r.size} bytes is over the limit of ${cfg.maxBodyBytes} bytes`;
    const reply = provider.invalid(413, msg, null, nextRequestId());
    return sendJson(res, 413, reply.body, [...reply.headers, 'connection', 'close']);
  }
  // Bounded before parsing: a deeply nested body would overflow the stack of whatever walks it later.
  const deepAt = depthExceededAt(r.text);
  if (deepAt >= 0) {
    return invalid(
      state,
      provider,
      route,
      res,
      `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels (at character ${deepAt})`,
      'body',
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(r.text);
  } catch (err) {
    return invalid(state, provider, route, res, `body: invalid JSON (${(err as Error).message})`, null);
  }
  const parsed = provider.parse(body, cfg.output.defaultMaxTokens);
  if ('error' in parsed) return invalid(state, provider, route, res, parsed.error, parsed.param);
  dispatch(state, provider, route, res, state.planner.plan(parsed), arrivedAt);
}

/** An injected error, a hang, the zero-latency fast path, or a slot and generation. */
function dispatch(
  state: ServerState,
  provider: Provider,
  route: string,
  res: ServerResponse,
  plan: Plan,
  arrivedAt: number,
): void {
  const cfg = state.config();
  const requestId = provider.requestId(plan.idHex);
  const fault = plan.fault;
  if (fault === 'rateLimit' || fault === 'serverError' || fault === 'overloaded') {
    state.stats.injected[fault]++;
    const reply = provider.fault(fault, cfg.errors.retryAfterSeconds, requestId);
    state.stats.count(route, reply.status);
    return sendJson(res, reply.status, reply.body, reply.headers);
  }
  if (fault === 'hang') return hang(state, route, res);
  const stream = plan.request.stream;
  if (fault === 'midStreamError' && !stream) plan.fault = null; // applies to streams only
  if (!stream && plan.fault === null && plan.ttftMs <= 0 && state.admission.limit === 0 && isZero(cfg.latency.itlMs)) {
    writeWhole(state.gen, provider, plan, res, route, requestId); // zero latency: no timer, no slot
    return state.gen.onLog?.(route, 200, plan, 0);
  }
  let onClose: (() => void) | null = null;
  const waiter = state.admission.acquire(() => {
    let startedAt = arrivedAt;
    if (onClose) {
      res.off('close', onClose);
      startedAt = performance.now();
      state.stats.queueWaitTotal += startedAt - arrivedAt;
    }
    if (res.destroyed) return state.admission.release();
    generate(state.gen, provider, plan, res, route, requestId, startedAt);
  });
  if (state.admission.isQueued(waiter)) {
    onClose = () => state.admission.cancel(waiter);
    res.once('close', onClose);
  }
}

function invalid(
  state: ServerState,
  provider: Provider,
  route: string,
  res: ServerResponse,
  message: string,
  param: string | null,
): void {
  state.stats.count(route, 400);
  const reply = provider.invalid(400, message, param, nextRequestId());
  sendJson(res, 400, reply.body, reply.headers);
}

function hang(state: ServerState, route: string, res: ServerResponse): void {
  state.stats.injected.hang++;
  state.stats.count(route, 'hang');
  state.stats.hanging++;
  state.hangs.add(res);
  res.once('close', () => {
    state.hangs.delete(res);
    state.stats.hanging--;
  });
}

function sendModels(state: ServerState, res: ServerResponse): void {
  // One body both SDKs read: OpenAI's list (object/data/owned_by) and Anthropic's page (type/display_name/has_more).
  const created = 1735689600;
  const data = state.config().models.map((id) => ({
    id,
    object: 'model',
    type: 'model',
    created,
    created_at: new Date(created * 1000).toISOString(),
    display_name: id,
    owned_by: 'mock-llm',
  }));
  const models = state.config().models;
  const body = { object: 'list', data, has_more: false, first_id: models[0], last_id: models[models.length - 1] };
  state.stats.count('GET /v1/models', 200);
  sendJson(res, 200, JSON.stringify(body));
}
