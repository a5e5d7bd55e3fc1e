/**
 * k6/html's tag-specific Elements (js/modules/k6/html/elements.go): k6's selToElement gives an
 * `<a>` an AnchorElement, a `<select>` a SelectElement, and so on, each with the methods of its
 * kind on top of Element's. This file holds the methods k6 writes by hand (URL parts of
 * `href`, form ownership, labels, options, table rows and cells, ...); the plain attribute
 * readers k6 generates are in html-element-attrs.ts. Each follows k6's Go code, quirks included
 * (TextArea's value() reads the `value` attribute, Map's images() looks up `id` only).
 */
import type { Cheerio } from 'cheerio';
import { Element, type AnyNode, type ElementSelection } from './html-element.ts';
import { installAttrReaders } from './html-element-attrs.ts';
import { EMPTY_URL, goURLString, splitHostPort, unescape, type GoURL } from './html-url.ts';

type Sel = Cheerio<AnyNode>;
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443', ftp: '21' };

/** A goquery Find that an invalid selector leaves empty (cheerio would throw). */
function find(s: Sel, selector: string): AnyNode[] {
  try {
    return s.find(selector).toArray();
  } catch {
    return [];
  }
}

/** goquery's `sel.Parents().Last()`: the outermost element (`html`) the node is in. */
function outermost(s: Sel): Sel {
  return s.parents().last();
}

/** The node's index among `nodes` (goquery's IndexOfSelection), -1 when absent. */
function indexOf(nodes: readonly AnyNode[], node: unknown): number {
  return nodes.indexOf(node as AnyNode);
}

/** k6's valueOrHTML: the `value` attribute, else the inner HTML. */
function valueOrHTML(e: Element, node: AnyNode): string {
  const s = e.sel.wrap(node);
  const v = s.attr('value');
  return typeof v === 'string' ? v : s.html();
}

/** Go's strconv.ParseFloat for what an attribute holds; null where it errs. */
function parseFloat64(v: string): number | null {
  if (/^[+-]?(inf|infinity)$/i.test(v)) return v.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(v)) return NaN;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) ? Number(v) : null;
}

/** Methods shared by several kinds (k6's Element helpers ownerFormVal, elemLabels, splitAttr). */
class Base extends Element {
  protected get s(): Sel {
    return this.sel.sel;
  }
  protected ownerFormNode(): AnyNode | undefined {
    const closest = this.s.closest('form');
    if (closest.length > 0) return closest[0];
    const id = this.attrString('form');
    return id === '' ? undefined : find(outermost(this.s), '#' + id)[0];
  }
  protected ownerForm(): Element | undefined {
    return this.elementOf(this.ownerFormNode());
  }
  protected elemLabels(): Element[] {
    const wrapper = this.s.closest('label').toArray();
    const id = this.attrString('id');
    const byId = id === '' ? [] : find(outermost(this.s), `label[for="${id}"]`);
    return this.elementsOf([...wrapper, ...byId.filter((n) => !wrapper.includes(n))]);
  }
  protected splitAttr(name: string): string[] {
    const v = this.attrString(name);
    return v === '' ? [] : v.split(' ');
  }
  protected firstOf(nodes: readonly AnyNode[]): Element | undefined {
    return this.elementOf(nodes[0]);
  }
}

/** `a` and `area`: the parts of `href` as Go's net/url reads them. */
export class HrefElement extends Base {
  private hrefURL(): GoURL {
    return this.attrURL('href') ?? EMPTY_URL;
  }
  hash(): string {
    const f = unescape(this.hrefURL().escFragment) ?? '';
    return f === '' ? '' : '#' + f;
  }
  host(): string {
    const u = this.hrefURL();
    const hp = splitHostPort(u.host);
    if (!hp) return u.host;
    const def = DEFAULT_PORTS[u.scheme];
    return def !== undefined && hp[1] === def ? hp[0] : u.host;
  }
  hostname(): string {
    const h = this.hrefURL().host;
    return splitHostPort(h)?.[0] ?? h;
  }
  port(): string {
    return splitHostPort(this.hrefURL().host)?.[1] ?? '';
  }
  username(): string {
    return this.hrefURL().username;
  }
  password(): string {
    return this.hrefURL().password ?? '';
  }
  origin(): string {
    const u = this.hrefURL();
    if (u.scheme === '') return '';
    if (u.scheme === 'file') return this.attrURLString('href', '');
    return `${u.scheme}://${u.host}`;
  }
  pathname(): string {
    return unescape(this.hrefURL().escPath) ?? '';
  }
  protocol(): string {
    return this.hrefURL().scheme || ':';
  }
  relList(): string[] {
    return this.splitAttr('rel');
  }
  search(): string {
    const q = this.hrefURL().rawQuery;
    return q === '' ? '' : '?' + q;
  }
  text(): string {
    return this.textContent();
  }
}

/** `button` and `input`: their form and its submission attributes, which the field may override. */
export class FormFieldElement extends Base {
  form(): Element | undefined {
    return this.ownerForm();
  }
  private formOrElemAttr(name: string): string | undefined {
    const own = this.node.attribs?.['form' + name];
    if (own !== undefined) return own;
    const form = this.ownerFormNode();
    return form ? this.sel.wrap(form).sel.attr(name) : undefined;
  }
  formAction(): string {
    const action = this.formOrElemAttr('action');
    if (this.sel.url === '') return action ?? '';
    if (action === undefined || action === '') return this.sel.url;
    const u = this.resolve(action);
    return u ? goURLString(u) : action;
  }
  formEnctype(): string {
    const e = this.formOrElemAttr('enctype');
    return e === 'multipart/form-data' || e === 'text/plain' ? e : 'application/x-www-form-urlencoded';
  }
  formMethod(): string {
    return (this.formOrElemAttr('method') ?? '').toLowerCase() === 'post' ? 'post' : 'get';
  }
  formNoValidate(): boolean {
    return this.formOrElemAttr('novalidate') !== undefined;
  }
  formTarget(): string {
    return this.formOrElemAttr('target') ?? '';
  }
  labels(): Element[] {
    return this.elemLabels();
  }
  name(): string {
    return this.attrString('name');
  }
}

export class ButtonElement extends FormFieldElement {
  value(): string {
    return valueOrHTML(this, this.node as unknown as AnyNode);
  }
}

export class InputElement extends FormFieldElement {
  list(): Element | undefined {
    const id = this.attrString('list');
    if (id === '' || ['hidden', 'checkbox', 'radio', 'file', 'button'].includes(this.attrString('type')))
      return undefined;
    return this.firstOf(find(outermost(this.s), `datalist[id="${id}"]`));
  }
}

/** Elements that only add a form() and, for some, labels(). */
export class FormOwnedElement extends Base {
  form(): Element | undefined {
    return this.ownerForm();
  }
}
export class LabelledFormOwnedElement extends FormOwnedElement {
  labels(): Element[] {
    return this.elemLabels();
  }
}

export class LabelElement extends FormOwnedElement {
  control(): Element | undefined {
    const f = this.node.attribs?.for;
    return f === undefined ? undefined : this.firstOf(find(outermost(this.s), '#' + f));
  }
}

export class FieldSetElement extends FormOwnedElement {
  type(): string {
    return 'fieldset';
  }
  elements(): Element[] {
    return this.elementsOf(find(this.s, 'input,select,button,textarea'));
  }
  validity(): undefined {
    return undefined;
  }
}

export class FormElement extends Base {
  elements(): Element[] {
    return this.elementsOf(find(this.s, 'input,select,button,textarea,fieldset'));
  }
  length(): number {
    return find(this.s, 'input,select,button,textarea,fieldset').length;
  }
  method(): string {
    return this.attrString('method') === 'post' ? 'post' : 'get';
  }
}

export class SelectElement extends LabelledFormOwnedElement {
  length(): number {
    return find(this.s, 'option').length;
  }
  options(): Element[] {
    return this.elementsOf(find(this.s, 'option'));
  }
  selectedIndex(): number {
    const selected = find(this.s, 'option[selected]');
    return selected.length === 0 ? -1 : indexOf(find(this.s, 'option'), selected[0]);
  }
  selectedOptions(): Element[] {
    return this.elementsOf(find(this.s, 'option[selected]'));
  }
  size(): number {
    return this.attrPresent('multiple') ? 4 : 1;
  }
  type(): string {
    return this.attrPresent('multiple') ? 'select-multiple' : 'select';
  }
  value(): string {
    const selected = find(this.s, 'option[selected]');
    return selected.length === 0 ? '' : valueOrHTML(this, selected[0]!);
  }
}

export class OptionElement extends Base {
  disabled(): boolean {
    if (this.attrPresent('disabled')) return true;
    const group = this.s.parents('optgroup');
    return group.length > 0 && group.attr('disabled') !== undefined;
  }
  form(): Element | undefined {
    const form = this.s.parents('form');
    if (form.length > 0) return this.elementOf(form[0]);
    const select = this.s.parents('select');
    const id = select.attr('form');
    return id === undefined ? undefined : this.firstOf(find(outermost(select), 'form#' + id));
  }
  index(): number {
    const holder = this.s.parents('select,datalist');
    return holder.length === 0 ? 0 : indexOf(find(holder, 'option'), this.node);
  }
  label(): string {
    return this.node.attribs?.label ?? this.textContent();
  }
  text(): string {
    return this.textContent();
  }
  value(): string {
    return valueOrHTML(this, this.node as unknown as AnyNode);
  }
}

export class DataListElement extends Base {
  options(): Element[] {
    return this.elementsOf(find(this.s, 'option'));
  }
}

export class OutputElement extends LabelledFormOwnedElement {
  value(): string {
    return this.textContent();
  }
  defaultValue(): string {
    return this.textContent();
  }
}

export class ProgressElement extends Base {
  max(): number {
    const v = parseFloat64(this.node.attribs?.max ?? '');
    return v === null || v < 0 ? 1 : v;
  }
  private progress(def: number): number {
    const v = parseFloat64(this.node.attribs?.value ?? '');
    return v === null || v < 0 ? def : v / this.max();
  }
  value(): number {
    return this.progress(0);
  }
  position(): number {
    return this.progress(-1);
  }
  labels(): Element[] {
    return this.elemLabels();
  }
}

export class TextAreaElement extends LabelledFormOwnedElement {
  length(): number {
    return Buffer.byteLength(this.attrString('value'));
  }
}

export class MapElement extends Base {
  areas(): Element[] {
    return this.elementsOf(find(this.s, 'area'));
  }
  images(): Element[] {
    const name = this.node.attribs?.id; // k6 looks up `id` twice (its idOrNameAttr), never `name`
    if (name === undefined) return [];
    return this.elementsOf(find(outermost(this.s), `img[usemap="#${name}"],object[usemap="#${name}"]`));
  }
}

export class TableElement extends Base {
  private child(name: string): Element | undefined {
    return this.firstOf(this.s.children(name).toArray());
  }
  caption(): Element | undefined {
    return this.child('caption');
  }
  tHead(): Element | undefined {
    return this.child('thead');
  }
  tFoot(): Element | undefined {
    return this.child('tfoot');
  }
  rows(): Element[] {
    return this.elementsOf(find(this.s, 'tr'));
  }
  tBodies(): Element[] {
    return this.elementsOf(find(this.s, 'tbody'));
  }
}

export class TableSectionElement extends Base {
  rows(): Element[] {
    return this.elementsOf(find(this.s, 'tr'));
  }
}

export class TableRowElement extends Base {
  cells(): Element[] {
    return this.elementsOf(find(this.s, 'th,td'));
  }
  private indexIn(holders: string): number {
    const h = this.s.parents(holders);
    return h.length === 0 ? -1 : indexOf(find(h, 'tr'), this.node);
  }
  rowIndex(): number {
    return this.indexIn('table');
  }
  sectionRowIndex(): number {
    return this.indexIn('thead,tbody,tfoot');
  }
}

export class TableCellElement extends Base {
  cellIndex(): number {
    const row = this.s.parents('tr');
    return row.length === 0 ? -1 : indexOf(find(row, 'th,td'), this.node);
  }
}

export class MeterElement extends Base {
  labels(): Element[] {
    return this.elemLabels();
  }
}

/** `del` and `ins`: only attribute readers (cite, datetime), shared. */
export class ModElement extends Base {}

export class MediaElement extends Base {
  textTracks(): Element[] {
    return this.elementsOf(find(this.s, 'track'));
  }
}

/** Kinds whose only hand-written method is text() (the text content). */
export class TextElement extends Base {
  text(): string {
    return this.textContent();
  }
}

export class CanvasElement extends Base {
  width(): number {
    return this.attrInt('width', 150);
  }
  height(): number {
    return this.attrInt('height', 150);
  }
}

export class LinkElement extends Base {
  relList(): string[] {
    return this.splitAttr('rel');
  }
}

export class StyleElement extends Base {
  type(): string {
    return this.attrString('type') || 'text/css';
  }
}

export class TableColElement extends Base {
  span(): number {
    const n = this.attrInt('span', 1);
    return n < 1 ? 1 : n;
  }
}

type Kind = new (sel: ElementSelection) => Element;
/** A kind of its own (its attribute readers differ) on top of a shared one. */
const kind = (parent: Kind): Kind => class extends parent {};

/** k6's tag names (elements.go's *TagName constants) and the kind each gets. */
const KINDS: Readonly<Record<string, Kind>> = {
  a: kind(HrefElement),
  area: kind(HrefElement),
  audio: kind(MediaElement),
  video: kind(MediaElement),
  base: kind(Base),
  button: ButtonElement,
  canvas: CanvasElement,
  data: kind(Base),
  datalist: DataListElement,
  del: kind(ModElement),
  ins: kind(ModElement),
  embed: kind(Base),
  fieldset: FieldSetElement,
  form: FormElement,
  iframe: kind(Base),
  img: kind(Base),
  input: InputElement,
  keygen: kind(LabelledFormOwnedElement),
  label: LabelElement,
  legend: kind(FormOwnedElement),
  li: kind(Base),
  link: LinkElement,
  map: MapElement,
  meta: kind(Base),
  meter: MeterElement,
  object: kind(FormOwnedElement),
  ol: kind(Base),
  optgroup: kind(Base),
  option: OptionElement,
  output: OutputElement,
  param: kind(Base),
  pre: kind(Base),
  progress: ProgressElement,
  quote: kind(Base),
  script: kind(TextElement),
  select: SelectElement,
  source: kind(Base),
  style: StyleElement,
  table: TableElement,
  thead: kind(TableSectionElement),
  tfoot: kind(TableSectionElement),
  tbody: kind(TableSectionElement),
  tr: TableRowElement,
  col: TableColElement,
  td: kind(TableCellElement),
  th: kind(TableCellElement),
  textarea: TextAreaElement,
  time: kind(Base),
  title: kind(TextElement),
  track: kind(Base),
  ul: kind(Base),
};

installAttrReaders({ ...KINDS, Href: HrefElement, Media: MediaElement, Mod: ModElement, TableCell: TableCellElement });

/**
 * k6's selToElement: the Element of the selection's first node, of the kind its tag names. As in
 * k6 the switch reads the node's Data, which for a text or comment node is its text.
 */
export function toElement(sel: ElementSelection): Element {
  const n = sel.sel[0] as unknown as { name?: string; data?: string } | undefined;
  const key = n?.name ?? n?.data ?? '';
  const K = Object.hasOwn(KINDS, key) ? KINDS[key]! : Element;
  return new K(sel);
}

Element.create = toElement;
