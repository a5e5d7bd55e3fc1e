/**
 * k6/html's Element (js/modules/k6/html/element.go): one node of a Selection, with a DOM-like API
 * whose members are methods, as in k6 (`el.nodeName()`, `el.textContent()`). Node types follow
 * k6's constants (element 1, text 3, comment 8, document 9, doctype 10); nodeName is lower case
 * (goquery's NodeName).
 */
import type { Cheerio, contains } from 'cheerio';

/** domhandler's node type, as cheerio takes it. */
export type AnyNode = Parameters<typeof contains>[0];

/** What an Element reads of its Selection (html.ts's Selection is one). */
export interface ElementSelection {
  readonly sel: Cheerio<AnyNode>;
  readonly url: string;
  /** The selection of one node of the same document. */
  wrap(node: AnyNode): ElementSelection;
  attr(name: string): unknown;
  html(): string;
  text(): string;
  size(): number;
  first(): ElementSelection;
  last(): ElementSelection;
  prev(): ElementSelection;
  next(): ElementSelection;
  parent(): ElementSelection;
  children(): ElementSelection;
  contents(): ElementSelection;
  find(selector: string): ElementSelection;
  toArray(): ElementSelection[];
}

/** The part of a domhandler node (cheerio's tree) that Element reads. */
export interface DomNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  namespace?: string;
  parent: DomNode | null;
  prev: DomNode | null;
  next: DomNode | null;
  children?: DomNode[];
}

const NODE_TYPES: Readonly<Record<string, number>> = {
  tag: 1,
  script: 1,
  style: 1,
  text: 3,
  comment: 8,
  root: 9,
  directive: 10,
};

export class Element {
  readonly node: DomNode;

  constructor(readonly sel: ElementSelection) {
    this.node = sel.sel[0] as unknown as DomNode;
  }

  private other(node: DomNode | null | undefined): Element | undefined {
    if (!node) return undefined;
    return new Element(this.sel.wrap(node as unknown as AnyNode));
  }

  private list(s: ElementSelection): Element[] {
    return s.toArray().map((x) => new Element(x));
  }

  selection(): ElementSelection {
    return this.sel;
  }
  nodeName(): string {
    const n = this.node;
    if (n.type === 'text') return '#text';
    if (n.type === 'comment') return '#comment';
    if (n.type === 'root') return '#document';
    if (n.type === 'directive') return 'html';
    return n.name ?? '';
  }
  nodeType(): number | undefined {
    return NODE_TYPES[this.node.type];
  }
  nodeValue(): string | undefined {
    return this.node.type === 'text' || this.node.type === 'comment' ? (this.node.data ?? '') : undefined;
  }
  id(): string {
    return (this.sel.attr('id') as string | undefined) ?? '';
  }
  innerHTML(): string {
    return this.sel.html();
  }
  textContent(): string {
    return this.sel.text();
  }
  ownerDocument(): Element | undefined {
    let n: DomNode | null = this.node;
    while (n && n.type !== 'root') n = n.parent;
    return this.other(n);
  }
  attributes(): Record<string, { name: string; value: string; owner_element: Element }> {
    const out: Record<string, { name: string; value: string; owner_element: Element }> = {};
    for (const [name, value] of Object.entries(this.node.attribs ?? {}))
      out[name] = { name, value, owner_element: this };
    return out;
  }
  getAttribute(name: string): unknown {
    return this.sel.attr(name);
  }
  getAttributeNode(name: string): { name: string; value: string; owner_element: Element } | undefined {
    const value = this.node.attribs?.[name];
    return value === undefined ? undefined : { name, value, owner_element: this };
  }
  hasAttribute(name: string): boolean {
    return this.node.attribs?.[name] !== undefined;
  }
  hasAttributes(): boolean {
    return Object.keys(this.node.attribs ?? {}).length > 0;
  }
  hasChildNodes(): boolean {
    return (this.node.children?.length ?? 0) > 0;
  }
  firstChild(): Element | undefined {
    return this.other(this.node.children?.[0]);
  }
  lastChild(): Element | undefined {
    const c = this.node.children;
    return this.other(c?.[c.length - 1]);
  }
  firstElementChild(): Element | undefined {
    return this.sel.children().size() > 0 ? new Element(this.sel.children().first()) : undefined;
  }
  lastElementChild(): Element | undefined {
    return this.sel.children().size() > 0 ? new Element(this.sel.children().last()) : undefined;
  }
  childElementCount(): number {
    return this.sel.children().size();
  }
  previousSibling(): Element | undefined {
    return this.other(this.node.prev);
  }
  nextSibling(): Element | undefined {
    return this.other(this.node.next);
  }
  previousElementSibling(): Element | undefined {
    const p = this.sel.prev();
    return p.size() > 0 ? new Element(p) : undefined;
  }
  nextElementSibling(): Element | undefined {
    const n = this.sel.next();
    return n.size() > 0 ? new Element(n) : undefined;
  }
  parentNode(): Element | undefined {
    return this.other(this.node.parent);
  }
  parentElement(): Element | undefined {
    const p = this.sel.parent();
    return p.size() > 0 ? new Element(p) : undefined;
  }
  childNodes(): Element[] {
    return this.list(this.sel.contents());
  }
  children(): Element[] {
    return this.list(this.sel.children());
  }
  classList(): string[] | undefined {
    const c = this.node.attribs?.class;
    return c === undefined ? undefined : c.split(/\s+/).filter(Boolean);
  }
  className(): unknown {
    return this.sel.attr('class');
  }
  lang(): string | undefined {
    return this.node.attribs?.lang;
  }
  toString(): string {
    return this.node.type === 'tag' || this.node.type === 'script' || this.node.type === 'style'
      ? '[object html.Node]'
      : `[object ${this.nodeName()}]`;
  }
  isEqualNode(o: unknown): boolean {
    return o instanceof Element && this.sel.html() === o.sel.html();
  }
  isSameNode(o: unknown): boolean {
    return o instanceof Element && o.node === this.node;
  }
  contains(o: unknown): boolean {
    if (!(o instanceof Element)) return false;
    for (let n: DomNode | null = o.node; n; n = n.parent) if (n === this.node) return true;
    return false;
  }
  getElementsByClassName(name: string): Element[] {
    return this.list(this.sel.find('.' + name));
  }
  getElementsByTagName(name: string): Element[] {
    return this.list(this.sel.find(name));
  }
  querySelector(selector: string): Element | undefined {
    const f = this.sel.find(selector);
    return f.size() > 0 ? new Element(f.first()) : undefined;
  }
  querySelectorAll(selector: string): Element[] {
    return this.list(this.sel.find(selector));
  }
  namespaceURI(): string {
    const ns = this.node.namespace ?? '';
    return ns.includes('svg')
      ? 'http://www.w3.org/2000/svg'
      : ns.includes('Math')
        ? 'http://www.w3.org/1998/Math/MathML'
        : 'http://www.w3.org/1999/xhtml';
  }
  /** An `a`/`link`/`img`... URL attribute, resolved against the response URL as k6 does. */
  href(): string {
    return this.urlAttr('href');
  }
  src(): string {
    return this.urlAttr('src');
  }
  private urlAttr(name: string): string {
    const v = this.node.attribs?.[name];
    if (this.sel.url === '') return v ?? '';
    if (v === undefined) return '';
    try {
      return new URL(v, this.sel.url).toString();
    } catch {
      return '';
    }
  }
}
