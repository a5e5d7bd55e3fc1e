/**
 * The attribute readers of k6/html's tag-specific Elements: what k6 generates from the table in
 * js/modules/k6/html/gen/gen_elements.go (elements_gen.go), here installed from the same table.
 *
 * Each kind (a tag name, or a kind several tags share: Href for a/area, Media for audio/video,
 * Mod for del/ins, TableCell for td/th) lists its readers as `method[=attribute]:type[:arg]`,
 * the attribute being the method's name when not given:
 *   s  the attribute, "" when absent
 *   u  the attribute as a URL resolved against the response's (as written without one); `arg` "@"
 *      makes the response URL the value when the attribute is absent, else it is ""
 *   b  whether the attribute is present
 *   i  the attribute as an integer, `arg` when absent or not one
 *   e  one of the values of ENUMS[arg]: the attribute when it is one, else the list's first
 *   n  as e, but undefined when the attribute is absent or not one of the values
 *   c  always `arg`
 */
import type { Element, ElementSelection } from './html-element.ts';

const ENUMS: Readonly<Record<string, readonly string[]>> = {
  autocomplete: ['on', 'off'],
  referrer: ['', 'no-referrer', 'no-referrer-when-downgrade', 'origin', 'origin-when-cross-origin', 'unsafe-url'],
  preload: ['auto', 'metadata', 'none'],
  btnType: ['submit', 'button', 'menu', 'reset'],
  encType: ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'],
  inputType: (
    'text button checkbox color date datetime-local email file hidden image month number password ' +
    'radio range reset search submit tel time url week'
  ).split(' '),
  keyType: ['RSA', 'DSA', 'EC'],
  liType: ['', '1', 'a', 'A', 'i', 'I', 'disc', 'square', 'circle'],
  httpEquiv: ['content-type', 'default-style', 'refresh'],
  olistType: ['1', 'a', 'A', 'i', 'I'],
  scope: ['', 'row', 'col', 'colgroup', 'rowgroup'],
  autocap: ['sentences', 'none', 'off', 'characters', 'words'],
  wrap: ['soft', 'hard', 'off'],
  kind: ['subtitle', 'captions', 'descriptions', 'chapters', 'metadata'],
  crossOrigin: ['anonymous', 'use-credentials'],
};

const READERS: Readonly<Record<string, string>> = {
  Href:
    'download:s referrerPolicy=referrerpolicy:e:referrer rel:s href:u target:s type:s accessKey=accesskey:s ' +
    'hrefLang=hreflang:s toString=href:u',
  Media:
    'autoplay:b controls:b loop:b muted:b preload:e:preload src:u crossOrigin=crossorigin:n:crossOrigin ' +
    'currentSrc=src:s defaultMuted=muted:b mediaGroup=mediagroup:s',
  base: 'href:u:@ target:s',
  button: 'accessKey=accesskey:s autofocus:b disabled:b tabIndex=tabindex:i:0 type:e:btnType',
  data: 'value:s',
  embed: 'height:s width:s src:s type:s',
  fieldset: 'disabled:b name:s',
  form:
    'action:u name:s target:s enctype:e:encType encoding=enctype:e:encType acceptCharset=accept-charset:s ' +
    'autocomplete:e:autocomplete noValidate=novalidate:b',
  iframe: 'allowfullscreen:b referrerPolicy=referrerpolicy:e:referrer height:s width:s name:s src:u',
  img:
    'currentSrc=src:u sizes:s srcset:s alt:s crossOrigin=crossorigin:n:crossOrigin height:i:0 width:i:0 ' +
    'isMap=ismap:b name:s src:u useMap=usemap:s referrerPolicy=referrerpolicy:e:referrer',
  input:
    'name:s tabIndex=tabindex:i:0 type:e:inputType disabled:b autofocus:b required:b value:s checked:b ' +
    'defaultChecked=checked:b alt:s src:u height:s width:s accept:s autocomplete:e:autocomplete ' +
    'maxLength=maxlength:i:-1 size:i:0 pattern:s placeholder:s readonly:b min:s max:s defaultValue=value:s ' +
    'dirName=dirname:s accessKey=accesskey:s multiple:b step:s',
  keygen: 'autofocus:b challenge:s disabled:b keytype:e:keyType name:s type:c:keygen',
  label: 'htmlFor=for:s',
  legend: 'accessKey=accesskey:s',
  li: 'value:i:0 type:e:liType',
  link:
    'crossOrigin=crossorigin:n:crossOrigin referrerPolicy=referrerpolicy:e:referrer href:u hreflang:s ' +
    'media:s rel:s target:s type:s',
  map: 'name:s',
  meta: 'content:s name:s httpEquiv=http-equiv:e:httpEquiv',
  meter: 'min:i:0 max:i:0 high:i:0 low:i:0 optimum:i:0',
  Mod: 'cite:s datetime:s',
  object: 'data:u height:s name:s type:s tabIndex=tabindex:i:0 typeMustMatch=typemustmatch:b useMap=usemap:s width:s',
  ol: 'reversed:b start:i:0 type:e:olistType',
  optgroup: 'disabled:b label:s',
  option: 'defaultSelected=selected:b selected:b',
  output: 'htmlFor=for:s name:s type:c:output',
  param: 'name:s value:s',
  pre: 'name:s value:s',
  quote: 'cite:s',
  script: 'crossOrigin=crossorigin:s type:s src:u charset:s async:b defer:b noModule=nomodule:b',
  select: 'autofocus:b disabled:b multiple:b name:s required:b tabIndex=tabindex:i:0',
  source: 'keySystem=keysystem:s media:s sizes:s src:u srcset:s type:s',
  style: 'media:s',
  table: 'sortable:b',
  TableCell: 'colSpan=colspan:i:1 rowSpan=rowspan:i:1 headers:s',
  th: 'abbr:s scope:e:scope sorted:b',
  textarea:
    'type:c:textarea value:s defaultValue=value:s placeholder:s rows:i:0 cols:i:0 maxLength=maxlength:i:0 ' +
    'tabIndex=tabindex:i:0 accessKey=accesskey:s readOnly=readonly:b required:b autocomplete:e:autocomplete ' +
    'autocapitalize:e:autocap wrap:e:wrap',
  time: 'datetime:s',
  track: 'kind:e:kind src:u srclang:s label:s default:b',
  ul: 'type:s',
};

/** What a reader uses of an Element (its protected attribute readers, html-element.ts). */
interface Attrs {
  node: { attribs?: Record<string, string> };
  sel: ElementSelection;
  attrString(name: string): string;
  attrPresent(name: string): boolean;
  attrInt(name: string, def: number): number;
  attrURLString(name: string, def: string): string;
}

function reader(type: string, attr: string, arg: string): (this: Attrs) => unknown {
  switch (type) {
    case 's':
      return function () {
        return this.attrString(attr);
      };
    case 'u':
      return function () {
        return this.attrURLString(attr, arg === '@' ? this.sel.url : '');
      };
    case 'b':
      return function () {
        return this.attrPresent(attr);
      };
    case 'i': {
      const def = Number(arg);
      return function () {
        return this.attrInt(attr, def);
      };
    }
    case 'e':
    case 'n': {
      const values = ENUMS[arg];
      if (!values) throw new Error(`html-element-attrs: no enum "${arg}"`);
      return function () {
        const v = this.node.attribs?.[attr];
        if (type === 'e') return v !== undefined && values.slice(1).includes(v) ? v : values[0];
        return v !== undefined && values.includes(v) ? v : undefined;
      };
    }
    case 'c':
      return () => arg;
    default:
      throw new Error(`html-element-attrs: unknown reader type "${type}"`);
  }
}

/** Installs READERS on the kinds' prototypes (`kinds`: each READERS key's class). */
export function installAttrReaders(kinds: Readonly<Record<string, new (sel: ElementSelection) => Element>>): void {
  for (const [key, specs] of Object.entries(READERS)) {
    const K = kinds[key];
    if (!K) throw new Error(`html-element-attrs: no Element kind "${key}"`);
    for (const spec of specs.split(' ')) {
      const [names, type, arg = ''] = spec.split(':') as [string, string, string?];
      const [method, attr = method] = names.split('=') as [string, string?];
      Object.defineProperty(K.prototype, method, {
        value: reader(type, attr, arg),
        writable: true,
        configurable: true,
      });
    }
  }
}
