/**
 * k6/html's Element (js/modules/k6/html/element.go): one node of a Selection, with a DOM-like API
 * whose members are methods, as in k6 (`el.nodeName()`, `el.textContent()`). Node types follow
 * k6's constants (element 1, text 3, comment 8, document 9, doctype 10); nodeName is lower case
 * (goquery's NodeName).
 */
import type { Cheerio, contains } from 'cheerio';
import { goURLString, parseGoURL, resolveGoURL, type GoURL } from './html-url.ts';

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
  /**
   * Makes the Element of a selection's first node: k6's selToElement, which gives a tag-specific
   * Element (html-elements.ts sets it; this base when that module is not loaded).
   */
  static create: (sel: ElementSelection) => Element = (sel) => new Element(sel);

  readonly node: DomNode;

  constructor(readonly sel: ElementSelection) {
    this.node = sel.sel[0] as unknown as DomNode;
  }

  /** The Element of another node of the same document. */
  protected elementOf(node: DomNode | AnyNode | null | undefined): Element | undefined {
    if (!node) return undefined;
    return Element.create(this.sel.wrap(node as unknown as AnyNode));
  }

  /** The Elements of a selection, or of nodes of the same document. */
  protected elementsOf(s: ElementSelection | readonly AnyNode[]): Element[] {
    const sels = Array.isArray(s) ? s.map((n) => this.sel.wrap(n as AnyNode)) : (s as ElementSelection).toArray();
    return sels.map((x) => Element.create(x));
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
    return this.elementOf(n);
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
    return this.elementOf(this.node.children?.[0]);
  }
  lastChild(): Element | undefined {
    const c = this.node.children;
    return this.elementOf(c?.[c.length - 1]);
  }
  firstElementChild(): Element | undefined {
    return this.sel.children().size() > 0 ? Element.create(this.sel.children().first()) : undefined;
  }
  lastElementChild(): Element | undefined {
    return this.sel.children().size() > 0 ? Element.create(this.sel.children().last()) : undefined;
  }
  childElementCount(): number {
    return this.sel.children().size();
  }
  previousSibling(): Element | undefined {
    return this.elementOf(this.node.prev);
  }
  nextSibling(): Element | undefined {
    return this.elementOf(this.node.next);
  }
  previousElementSibling(): Element | undefined {
    const p = this.sel.prev();
    return p.size() > 0 ? Element.create(p) : undefined;
  }
  nextElementSibling(): Element | undefined {
    const n = this.sel.next();
    return n.size() > 0 ? Element.create(n) : undefined;
  }
  parentNode(): Element | undefined {
    return this.elementOf(this.node.parent);
  }
  parentElement(): Element | undefined {
    const p = this.sel.parent();
    return p.size() > 0 ? Element.create(p) : undefined;
  }
  childNodes(): Element[] {
    return this.elementsOf(this.sel.contents());
  }
  children(): Element[] {
    return this.elementsOf(this.sel.children());
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
    return this.elementsOf(this.sel.find('.' + name));
  }
  getElementsByTagName(name: string): Element[] {
    return this.elementsOf(this.sel.find(name));
  }
  querySelector(selector: string): Element | undefined {
    const f = this.sel.find(selector);
    return f.size() > 0 ? Element.create(f.first()) : undefined;
  }
  querySelectorAll(selector: string): Element[] {
    return this.elementsOf(this.sel.find(selector));
  }
  namespaceURI(): string {
    const ns = this.node.namespace ?? '';
    return ns.includes('svg')
      ? 'http://www.w3.org/2000/svg'
      : ns.includes('Math')
        ? 'http://www.w3.org/1998/Math/MathML'
        : 'http://www.w3.org/1999/xhtml';
  }
  isDefaultNamespace(): boolean {
    return this.namespaceURI() === 'http://www.w3.org/1999/xhtml';
  }

  // Attribute readers of k6's element.go, for the tag-specific Elements.
  /** The attribute's value, "" when absent. */
  protected attrString(name: string): string {
    return this.node.attribs?.[name] ?? '';
  }
  protected attrPresent(name: string): boolean {
    return this.node.attribs?.[name] !== undefined;
  }
  /** As Go's strconv.Atoi, `def` when absent or not an integer. */
  protected attrInt(name: string, def: number): number {
    const v = this.node.attribs?.[name];
    return v !== undefined && /^[+-]?\d+$/.test(v) ? Number(v) : def;
  }
  /** `val` resolved against the response URL (Go's ResolveReference), null when either fails to parse. */
  protected resolve(val: string): GoURL | null {
    const base = parseGoURL(this.sel.url);
    const ref = parseGoURL(val);
    return base && ref ? resolveGoURL(base, ref) : null;
  }
  protected attrURL(name: string): GoURL | null {
    const v = this.node.attribs?.[name];
    return v === undefined ? null : this.resolve(v);
  }
  /** The attribute as a URL string: as written without a response URL, else resolved (`def` when absent). */
  protected attrURLString(name: string, def: string): string {
    if (this.sel.url === '') return this.attrString(name);
    const u = this.attrURL(name);
    return u ? goURLString(u) : def;
  }
}
