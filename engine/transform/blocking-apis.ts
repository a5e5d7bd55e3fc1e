/**
 * The one table of k6 APIs that block the VU under k6 (and so must be awaited when the engine
 * runs them on its async path). The rewrite (rewrite.ts) reads nothing else: a new blocking API,
 * or a wider rewrite (issue 16: classic scripts), extends this file.
 *
 * Two kinds of entries:
 * - FUNCTIONS: an export of a module (`sleep` of 'k6', `get` of 'k6/http'). A call reached through
 *   an import (named, default, namespace, or esbuild's `import_k6.sleep` / `(0, import_http.get)`)
 *   becomes `(await __k6.hold(CALL))`, or with `twin: true` `(await __k6.hold(__k6.twin(CALLEE)(ARGS)))`:
 *   the module registered an async twin of that function (runtime/blocking.ts) that the engine
 *   awaits instead of blocking its thread.
 * - INSTANCES: objects made by a module (`new Writer(...)`, `sql.open(...)`) whose methods block.
 *   A call `x.method(...)` where `x` is a variable initialised that way becomes `(await __k6.hold(CALL))`
 *   (the engine's methods already return promises).
 *
 * Callbacks of CALLBACK_APIS (`group`, `check`) that make blocking calls become async, and the
 * call that runs them is awaited too (the engine's group/check await an async callback).
 */

export interface BlockingFunction {
  readonly module: string;
  /** The export's name; a property of the module's default export counts the same. */
  readonly name: string;
  /** The module registered an async twin of the function: await the twin, not the function. */
  readonly twin: boolean;
}

export interface BlockingInstance {
  readonly module: string;
  /** The export that makes an instance. */
  readonly name: string;
  /** `new Writer(...)` or a call `sql.open(...)`. */
  readonly via: 'new' | 'call';
  /** The methods of an instance that block under k6. */
  readonly methods: readonly string[];
}

export interface CallbackApi {
  readonly module: string;
  readonly name: string;
  /** Where the callbacks are: an argument that is a function, or the function values of an object argument. */
  readonly arg: number;
  readonly shape: 'function' | 'object-of-functions';
}

const HTTP_SYNC = ['request', 'get', 'post', 'put', 'patch', 'del', 'head', 'options', 'batch'];

export const FUNCTIONS: readonly BlockingFunction[] = [
  { module: 'k6', name: 'sleep', twin: false },
  ...HTTP_SYNC.map((name) => ({ module: 'k6/http', name, twin: true })),
  // k6/ws: connect blocks until the socket closes; the engine's returns a promise of the response.
  { module: 'k6/ws', name: 'connect', twin: false },
];

export const INSTANCES: readonly BlockingInstance[] = [
  { module: 'k6/x/kafka', name: 'Writer', via: 'new', methods: ['produce', 'close'] },
  { module: 'k6/x/kafka', name: 'Reader', via: 'new', methods: ['consume', 'close'] },
  {
    module: 'k6/x/kafka',
    name: 'Connection',
    via: 'new',
    methods: ['createTopic', 'deleteTopic', 'listTopics', 'close'],
  },
  { module: 'k6/x/sql', name: 'open', via: 'call', methods: ['exec', 'query', 'close'] },
];

export const CALLBACK_APIS: readonly CallbackApi[] = [
  { module: 'k6', name: 'group', arg: 1, shape: 'function' },
  { module: 'k6', name: 'check', arg: 1, shape: 'object-of-functions' },
];

const fnIndex = new Map(FUNCTIONS.map((f) => [`${f.module}#${f.name}`, f]));
const instIndex = new Map(INSTANCES.map((i) => [`${i.module}#${i.name}`, i]));
const cbIndex = new Map(CALLBACK_APIS.map((c) => [`${c.module}#${c.name}`, c]));

export const blockingFunction = (module: string, name: string): BlockingFunction | undefined =>
  fnIndex.get(`${module}#${name}`);
export const blockingInstance = (module: string, name: string): BlockingInstance | undefined =>
  instIndex.get(`${module}#${name}`);
export const callbackApi = (module: string, name: string): CallbackApi | undefined => cbIndex.get(`${module}#${name}`);

/** The modules whose imports the rewrite needs to see (others are never resolved). */
export const WATCHED_MODULES: ReadonlySet<string> = new Set(
  [...FUNCTIONS, ...INSTANCES, ...CALLBACK_APIS].map((e) => e.module),
);
