/**
 * k6/html: `parseHTML(src)` and `Response.html()` give a Selection, k6's jQuery-like API over
 * goquery (js/modules/k6/html/html.go), here over cheerio with its parse5 parser (an HTML5 parser
 * like Go's x/net/html: implied html/head/body, tbody). Where goquery and cheerio differ, k6's
 * behaviour wins: `html()` of an empty selection is "", `each` passes an Element (html-element.ts),
 * `map`, `filter` and `is` pass a Selection, `data()` converts values as k6's convertDataAttrVal,
 * `val()` and `serialize*()` follow k6's form rules. cheerio is loaded on first use (it costs
 * ~150 ms), so that scripts that never parse HTML never pay for it.
 */
import { createRequire } from 'node:module';
import type { Cheerio, CheerioAPI } from 'cheerio';
import type { ModuleFactory } from './api.ts';
import { engineFile } from '../runtime/threads.ts';
import { Element, type AnyNode, type DomNode } from './html-element.ts';
import { toElement } from './html-elements.ts';

type Sel = Cheerio<AnyNode>;
let cheerio: { load: (src: string) => CheerioAPI } | null = null;

function load(src: string): CheerioAPI {
  // Resolved from the engine's own directory: a bundled thread's import.meta.url is a temp file.
  cheerio ??= createRequire(engineFile('modules/html.ts'))('cheerio') as { load: (src: string) => CheerioAPI };
  return cheerio.load(src);
}

/** k6's parseHTML: the document as a Selection; `url` resolves Element URLs (Response.html()). */
export function parseHTML(src: unknown, url = ''): Selection {
  if (typeof src !== 'string') throw new TypeError(`parseHTML: expected the HTML as a string, got ${typeof src}`);
  const $ = load(src);
  return new Selection($, $.root() as Sel, url);
}

type Matcher = string | Selection | Element | ((i: number, s: Selection) => unknown);

export class Selection {
  constructor(
    /** @internal */ readonly $: CheerioAPI,
    /** @internal */ readonly sel: Sel,
    readonly url: string,
  ) {}

  private make(sel: Sel): Selection {
    return new Selection(this.$, sel, this.url);
  }

  /** The selection of one node of this document. */
  wrap(node: AnyNode): Selection {
    return this.make(this.$(node));
  }

  private arg(a: unknown, what: string): string | Sel | AnyNode {
    if (typeof a === 'string') return a;
    if (a instanceof Selection) return a.sel;
    if (a instanceof Element) return a.node as unknown as AnyNode;
    throw new TypeError(`${what}: invalid argument, cannot use a ${typeof a} as a selector`);
  }

  private fn(m: Matcher, what: string): string | Sel | ((this: AnyNode, i: number, el: AnyNode) => boolean) {
    if (typeof m === 'function') return (i: number, el: AnyNode) => Boolean(m(i, this.make(this.$(el))));
    if (m instanceof Selection) return m.sel;
    if (typeof m === 'string') return m;
    throw new TypeError(`${what}: the argument must be a function, a selector or a selection`);
  }

  find(a: unknown): Selection {
    const x = this.arg(a, 'find');
    return this.make(this.sel.find(x as string));
  }
  add(a: unknown): Selection {
    const x = this.arg(a, 'add');
    return this.make(this.sel.add(typeof x === 'string' ? (this.$(x) as Sel) : (x as Sel)));
  }
  closest(a: unknown): Selection {
    return this.make(this.sel.closest(this.arg(a, 'closest') as string));
  }
  has(a: unknown): Selection {
    return this.make(this.sel.has(this.arg(a, 'has') as string));
  }
  not(m: Matcher): Selection {
    return this.make(this.sel.not(this.fn(m, 'not') as string));
  }
  filter(m: Matcher): Selection {
    return this.make(this.sel.filter(this.fn(m, 'filter') as string));
  }
  is(m: Matcher): boolean {
    return this.sel.is(this.fn(m, 'is') as string);
  }
  children(f?: string): Selection {
    return this.make(this.sel.children(f));
  }
  contents(): Selection {
    return this.make(this.sel.contents());
  }
  parent(f?: string): Selection {
    return this.make(this.sel.parent(f));
  }
  parents(f?: string): Selection {
    return this.make(this.sel.parents(f));
  }
  parentsUntil(until?: unknown, f?: string): Selection {
    return this.make(this.sel.parentsUntil(this.untilArg(until) as string | undefined, f));
  }
  next(f?: string): Selection {
    return this.make(this.sel.next(f));
  }
  nextAll(f?: string): Selection {
    return this.make(this.sel.nextAll(f));
  }
  nextUntil(until?: unknown, f?: string): Selection {
    return this.make(this.sel.nextUntil(this.untilArg(until) as string | undefined, f));
  }
  prev(f?: string): Selection {
    return this.make(this.sel.prev(f));
  }
  prevAll(f?: string): Selection {
    return this.make(this.sel.prevAll(f));
  }
  prevUntil(until?: unknown, f?: string): Selection {
    return this.make(this.sel.prevUntil(this.untilArg(until) as string | undefined, f));
  }
  siblings(f?: string): Selection {
    return this.make(this.sel.siblings(f));
  }
  private untilArg(u: unknown): string | Sel | undefined {
    if (u === undefined || u === null || u === '') return undefined;
    return this.arg(u, 'until') as string | Sel;
  }

  size(): number {
    return this.sel.length;
  }
  end(): Selection {
    return this.make(this.sel.end());
  }
  eq(i: number): Selection {
    return this.make(this.sel.eq(i));
  }
  first(): Selection {
    return this.make(this.sel.first());
  }
  last(): Selection {
    return this.make(this.sel.last());
  }
  slice(start: number, end?: number): Selection {
    return this.make(this.sel.slice(start, end !== undefined && end < this.sel.length ? end : this.sel.length));
  }
  index(a?: unknown): number {
    if (a === undefined) return this.sel.index();
    if (typeof a === 'string' || a instanceof Selection || a instanceof Element) {
      const x = this.arg(a, 'index');
      if (typeof x === 'string') return this.sel.index(x);
      const node = x instanceof Element ? x.node : (x as Sel)[0];
      return node === undefined ? -1 : this.sel.toArray().indexOf(node as AnyNode);
    }
    return -1;
  }

  /** The text of every node of the selection, their descendants included (goquery's Text). */
  text(): string {
    return this.sel.text();
  }
  /** The inner HTML of the first node; "" when the selection is empty (goquery). */
  html(): string {
    return this.sel.length === 0 ? '' : (this.sel.html() ?? '');
  }
  /** The first node's attribute, else `def` (undefined without it). */
  attr(name: string, def?: unknown): unknown {
    // the raw attribute, as goquery: cheerio's attr() answers a boolean attribute (`checked`) with its name
    const v = rawAttr(this.sel[0], name);
    return v === undefined ? def : v;
  }

  /** k6's Selection.val(): by tag, as a form would submit it. */
  val(): unknown {
    const first = this.sel.first();
    const node = first[0] as unknown as DomNode | undefined;
    if (node === undefined || node.type !== 'tag') return undefined;
    const value = rawAttr(node as unknown as AnyNode, 'value');
    switch (node.name) {
      case 'input': {
        if (value !== undefined) return value;
        const type = rawAttr(node as unknown as AnyNode, 'type');
        return type === 'radio' || type === 'checkbox' ? 'on' : '';
      }
      case 'button':
        return value ?? '';
      case 'textarea':
        return this.html();
      case 'option':
        return value ?? this.html();
      case 'select': {
        const selected = first.find('option[selected]');
        const one = (o: Sel) => rawAttr(o[0], 'value') ?? o.html() ?? '';
        if (rawAttr(node as unknown as AnyNode, 'multiple') !== undefined)
          return selected.toArray().map((o) => one(this.$(o)));
        return selected.length === 0 ? '' : one(selected.first());
      }
      default:
        return undefined;
    }
  }

  /** data-* attributes of the first node, converted as k6 does (numbers, booleans, JSON). */
  data(key?: string): unknown {
    const node = this.sel[0] as unknown as DomNode | undefined;
    const attribs = node?.attribs;
    if (!attribs || Object.keys(attribs).length === 0) return undefined;
    if (key !== undefined) {
      const v = attribs['data-' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())];
      return v === undefined ? undefined : dataValue(v);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(attribs)) {
      if (k.startsWith('data-') && k.length > 5)
        out[k.slice(5).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = dataValue(v);
    }
    return out;
  }

  each(fn: unknown): Selection {
    if (typeof fn !== 'function') throw new TypeError('the argument to each() must be a function');
    const nodes = this.sel.toArray();
    nodes.forEach((_, i) => (fn as (i: number, e: Element) => unknown)(i, toElement(this.eq(i))));
    return this;
  }
  map(fn: unknown): unknown[] {
    if (typeof fn !== 'function') throw new TypeError('the argument to map() must be a function');
    return this.sel.toArray().map((_, i) => (fn as (i: number, s: Selection) => unknown)(i, this.eq(i)));
  }
  get(i?: number): Element | Element[] | undefined {
    const n = this.sel.length;
    if (i === undefined) return this.sel.toArray().map((_, k) => toElement(this.eq(k)));
    if (i < n && i > -n) return toElement(this.eq(i));
    return undefined;
  }
  toArray(): Selection[] {
    return this.sel.toArray().map((_, i) => this.eq(i));
  }

  serializeArray(): Array<{ name: string; value: unknown }> {
    const inputs = 'input,select,textarea,keygen';
    const fields = this.sel.is('form') ? this.sel.find(inputs) : this.sel.filter(inputs);
    const skip = new Set(['submit', 'button', 'reset', 'image', 'file']);
    return fields
      .toArray()
      .map((n) => this.make(this.$(n)))
      .filter((s) => {
        const a = (k: string) => (s.attr(k, '') as string) ?? '';
        const type = a('type');
        return (
          a('name') !== '' &&
          a('disabled') !== 'disabled' &&
          !skip.has(type) &&
          (a('checked') === 'checked' || (type !== 'checkbox' && type !== 'radio'))
        );
      })
      .map((s) => ({ name: s.attr('name') as string, value: s.val() }));
  }
  serializeObject(): Record<string, unknown> {
    return Object.fromEntries(this.serializeArray().map((f) => [f.name, f.value]));
  }
  /** As Go's url.Values.Encode(): sorted by name, form-encoded. */
  serialize(): string {
    const values = new Map<string, string[]>();
    for (const f of this.serializeArray()) {
      if (typeof f.value === 'string') values.set(f.name, [f.value]);
      else if (Array.isArray(f.value)) values.set(f.name, f.value as string[]);
    }
    // Go's QueryEscape: space as "+", everything but letters, digits and -_.~ escaped
    const enc = (s: string) =>
      encodeURIComponent(s)
        .replace(/%20/g, '+')
        .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
    return [...values.keys()]
      .sort()
      .flatMap((k) => values.get(k)!.map((v) => `${enc(k)}=${enc(v)}`))
      .join('&');
  }
}

function rawAttr(node: AnyNode | undefined, name: string): string | undefined {
  return (node as unknown as DomNode | undefined)?.attribs?.[name];
}

/** k6's convertDataAttrVal. */
function dataValue(v: string): unknown {
  if (v === '') return undefined;
  if (v[0] === '{' || v[0] === '[') {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === 'null' || v === 'undefined') return undefined;
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) && String(n) === v ? n : v;
}

export const createModule: ModuleFactory = () => {
  const api = { parseHTML: (src: unknown) => parseHTML(src) };
  return { ...api, default: api };
};
