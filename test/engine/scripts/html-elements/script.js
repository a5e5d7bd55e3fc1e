// k6/html tag-specific Elements (k6-coverage-html-elements.test.ts): every method k6 v2.2.0 gives each kind of
// element (js/modules/k6/html/elements.go, gen/gen_elements.go), called on the elements of page.html
// fetched from __ENV.PAGE_URL, read both through Response.html() (URLs resolved) and parseHTML().
import http from 'k6/http';
import encoding from 'k6/encoding';
import { parseHTML } from 'k6/html';

const HREF = 'hash host hostname port origin pathname protocol relList search text username password download referrerPolicy rel href target type accessKey hrefLang toString';
const MEDIA = 'textTracks autoplay controls loop muted preload src crossOrigin currentSrc defaultMuted mediaGroup';
const FIELD = 'form formAction formEnctype formMethod formNoValidate formTarget labels name';
const CELL = 'cellIndex colSpan rowSpan headers';
const METHODS = {
  a: HREF, area: HREF,
  base: 'href target',
  link: 'relList crossOrigin referrerPolicy href hreflang media rel target type',
  meta: 'content name httpEquiv',
  style: 'type media',
  script: 'text crossOrigin type src charset async defer noModule',
  title: 'text',
  map: 'areas images name',
  img: 'currentSrc sizes srcset alt crossOrigin height width isMap name src useMap referrerPolicy',
  object: 'form data height name type tabIndex typeMustMatch useMap width',
  audio: MEDIA, video: MEDIA,
  track: 'kind src srclang label default',
  source: 'keySystem media sizes src srcset type',
  canvas: 'width height',
  data: 'value',
  embed: 'height width src type',
  iframe: 'allowfullscreen referrerPolicy height width name src',
  del: 'cite datetime', ins: 'cite datetime',
  blockquote: 'cite',
  ol: 'reversed start type', li: 'value type', ul: 'type', pre: 'name value', time: 'datetime',
  meter: 'labels min max high low optimum',
  progress: 'max value position labels',
  form: 'elements length method action name target enctype encoding acceptCharset autocomplete noValidate',
  fieldset: 'form type elements validity disabled name',
  legend: 'form accessKey',
  label: 'control form htmlFor',
  input: FIELD + ' list tabIndex type disabled autofocus required value checked defaultChecked alt src height width accept autocomplete maxLength size pattern placeholder readonly min max defaultValue dirName accessKey multiple step',
  button: FIELD + ' value accessKey autofocus disabled tabIndex type',
  select: 'form labels length options selectedIndex selectedOptions size type value autofocus disabled multiple name required tabIndex',
  optgroup: 'disabled label',
  option: 'disabled form index label text value defaultSelected selected',
  textarea: 'form length labels type value defaultValue placeholder rows cols maxLength tabIndex accessKey readOnly required autocomplete autocapitalize wrap',
  output: 'form labels value defaultValue htmlFor name type',
  keygen: 'form labels autofocus challenge disabled keytype name type',
  datalist: 'options',
  param: 'name value',
  table: 'caption tHead tFoot rows tBodies sortable',
  thead: 'rows', tbody: 'rows', tfoot: 'rows',
  tr: 'cells rowIndex sectionRowIndex',
  td: CELL, th: CELL + ' abbr scope sorted',
  col: 'span',
};

function show(v) {
  if (v === undefined) return '(undefined)';
  if (v === null) return '(null)';
  if (Array.isArray(v)) return v.map(show);
  if (typeof v === 'object' && typeof v.nodeName === 'function') return v.nodeName() + '#' + (v.id() || '?');
  if (typeof v === 'number' && !isFinite(v)) return String(v);
  return v;
}

function dump(doc) {
  const all = {};
  doc.find('[id]').each(function (i, el) {
    const tag = el.nodeName();
    const row = { isDefaultNamespace: el.isDefaultNamespace() };
    for (const m of (METHODS[tag] || '').split(' ').filter(Boolean)) {
      row[m] = typeof el[m] === 'function' ? show(el[m]()) : '(no method)';
    }
    row.string = String(el);
    all[el.id()] = row;
  });
  all.divHasHref = typeof doc.find('body').get(0).href;
  all.textNode = String(doc.find('#a3').get(0).firstChild());
  return all;
}

function out(name, value) { console.log("R " + encoding.b64encode(JSON.stringify({ name, value }))); }

export default function () {
  const res = http.get(__ENV.PAGE_URL);
  out('response', dump(res.html()));
  out('parsed', dump(parseHTML(res.body)));
}
