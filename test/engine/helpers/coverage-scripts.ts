/**
 * The k6 scripts of the HTTP coverage suite (k6-coverage-http.test.ts), written from k6's docs
 * (k6-http/params: auth; k6-html: parseHTML, Selection, Element; k6-http Response: proto,
 * tls_version, tls_cipher_suite, ocsp; options: tlsVersion, tlsCipherSuites,
 * insecureSkipTLSVerify). Servers come in by __ENV (AUTH_HOSTPORT, AUTH, H2, H1). Each prints
 * `R <base64 of {name, value}>` lines.
 */

const OUT = `import encoding from 'k6/encoding';
function out(name, value) { console.log('R ' + encoding.b64encode(JSON.stringify({ name, value }))); }
`;

export const AUTH_SCRIPT = `import http from 'k6/http';
import { check } from 'k6';
${OUT}
const B = __ENV.AUTH_HOSTPORT;
export const options = {
  thresholds: {
    checks: ['rate==1'],
    ['http_reqs{url:http://****:****@' + B + '/basic}']: ['count==1'],
    ['http_reqs{url:http://' + B + '/digest}']: ['count==4'],
  },
};
export default function () {
  const basic = http.get('http://user:passwd@' + B + '/basic');
  check(basic, {
    'basic: status is 200': (r) => r.status === 200,
    'basic: authenticated': (r) => r.json().user === 'user',
  });
  const digest = http.get('http://user:passwd@' + B + '/digest', { auth: 'digest' });
  check(digest, {
    'digest: status is 200': (r) => r.status === 200,
    'digest: authenticated': (r) => r.json().authenticated === true,
  });
  const wrong = http.get('http://user:wrong@' + B + '/digest', { auth: 'digest' });
  check(wrong, { 'digest, wrong password: status is 401': (r) => r.status === 401 });
}
`;

export const HTML_SCRIPT = `import http from 'k6/http';
import { check } from 'k6';
import { parseHTML } from 'k6/html';
${OUT}
export default function () {
  const res = http.get(__ENV.AUTH + '/page');
  const doc = res.html();
  check(res, { 'title is right': (r) => r.html('title').text() === 'Coverage page' });
  const h1 = doc.find('h1');
  out('read', {
    title: doc.find('head title').text(),
    h1: h1.text(),
    attr: h1.attr('data-x'),
    missing: h1.attr('nope') === undefined ? null : 'defined',
    withDefault: h1.attr('nope', 'd'),
    html: doc.find('#box').html(),
    emptyHtml: doc.find('#none').html(),
    fromParse: parseHTML('<div><span class="c">x</span></div>').find('span.c').text(),
  });
  const li = doc.find('li');
  const each = [];
  li.each(function (i, el) { each.push(el.nodeName() + ':' + el.textContent()); });
  out('walk', {
    size: li.size(),
    eq: li.eq(1).text(),
    first: li.first().text(),
    last: li.last().text(),
    negative: li.eq(-1).text(),
    children: doc.find('ul').children().size(),
    parent: li.first().parent().attr('id'),
    closest: doc.find('b').last().closest('div').attr('id'),
    filter: li.filter('.odd').size(),
    filterFn: li.filter(function (i, s) { return s.text().length === 3 && !s.is('.odd'); }).map(function (i, s) { return s.text(); }),
    isOdd: li.first().is('.odd'),
    isNot: li.eq(1).is('.odd'),
    each,
    map: li.map(function (i, s) { return s.text().toUpperCase(); }),
    next: li.first().next().text(),
    siblings: li.first().siblings().size(),
    not: li.not('.odd').size(),
  });
  const form = doc.find('form');
  out('form', {
    val: doc.find('input[name=q]').val(),
    textarea: doc.find('textarea').val(),
    select: doc.find('select').val(),
    checkbox: doc.find('input[name=c1]').val(),
    data: doc.find('#box').data(),
    dataKey: doc.find('#box').data('count'),
    serialize: form.serialize(),
    serializeObject: form.serializeObject(),
  });
  const el = h1.get(0);
  out('element', {
    nodeName: el.nodeName(),
    nodeType: el.nodeType(),
    id: el.id(),
    textContent: el.textContent(),
    innerHTML: el.innerHTML(),
    firstChild: el.firstChild().nodeValue(),
    childElementCount: el.childElementCount(),
    classList: doc.find('#box').get(0).classList(),
    href: doc.find('#rel').get(0).href(),
    query: doc.find('#box').get(0).querySelector('b').textContent(),
    parent: el.parentElement().nodeName(),
  });
}
`;

export const TLS_SCRIPT = `import http from 'k6/http';
import { check } from 'k6';
${OUT}
export const options = {
  insecureSkipTLSVerify: true,
  thresholds: {
    checks: ['rate==1'],
    'http_reqs{proto:HTTP/2.0}': ['count==1'],
    'http_reqs{proto:HTTP/1.1}': ['count==1'],
    'http_reqs{tls_version:tls1.3}': ['count==2'],
  },
};
export default function () {
  const r2 = http.get(__ENV.H2 + '/');
  const r1 = http.get(__ENV.H1 + '/');
  check(r2, { 'h2: status is 200': (r) => r.status === 200, 'h2: is HTTP/2': (r) => r.proto === 'HTTP/2.0' });
  check(r1, { 'h1: status is 200': (r) => r.status === 200 });
  out('h2', { proto: r2.proto, status_text: r2.status_text, served: r2.json().httpVersion });
  out('h1', { proto: r1.proto, status_text: r1.status_text, served: r1.json().httpVersion });
  out('tls', { version: r2.tls_version, cipher: r2.tls_cipher_suite, served: r2.json().cipher, constant: http.TLS_1_3 });
  out('ocsp', {
    ocsp: r2.ocsp,
    stapled: r1.ocsp,
    now: Math.floor(Date.now() / 1000),
    constants: [http.OCSP_STATUS_GOOD, http.OCSP_STATUS_REVOKED, http.OCSP_STATUS_SERVER_FAILED, http.OCSP_STATUS_UNKNOWN, http.OCSP_REASON_KEY_COMPROMISE],
  });
}
`;

export const TLS_PINNED_SCRIPT = `import http from 'k6/http';
${OUT}
export const options = {
  insecureSkipTLSVerify: true,
  tlsVersion: http.TLS_1_2,
  tlsCipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
};
export default function () {
  const r = http.get(__ENV.H1 + '/');
  out('pinned', { version: r.tls_version, cipher: r.tls_cipher_suite, served: r.json().cipher });
}
`;

export const TLS_BAD_CA_SCRIPT = `import http from 'k6/http';
${OUT}
export default function () {
  const r = http.get(__ENV.H2 + '/');
  out('badCa', { status: r.status, error_code: r.error_code });
}
`;

/** A counter's rate: k6 divides by the test run duration, setup() and teardown() included. */
export const DURATION_SCRIPT = `import http from 'k6/http';
// busy waits: the engine's sync mode does not block on sleep() in setup()/teardown() (a known gap)
function busy(ms) { const end = Date.now() + ms; while (Date.now() < end) {} }
export function setup() { busy(300); }
export default function () {
  http.get(__ENV.AUTH + '/page');
  http.get(__ENV.AUTH + '/page');
  http.get(__ENV.AUTH + '/page');
}
export function teardown() { busy(300); }
`;

/**
 * One VU, two iterations, each a batch of 5 concurrent GETs of the counting h2 server
 * (coverage-servers.ts startH2Counter). Prints, per iteration, each response's proto, the session
 * the server says served it, and its connecting / tls_handshaking times; and the byte counters.
 */
export const h2ShareScript = (noConnectionReuse: boolean) => `import http from 'k6/http';
import exec from 'k6/execution';
${OUT}
export const options = {
  vus: 1,
  iterations: 2,
  insecureSkipTLSVerify: true,
  noConnectionReuse: ${noConnectionReuse},
};
export default function () {
  const rs = http.batch([1, 2, 3, 4, 5].map((i) => ['GET', __ENV.H2C + '/item/' + i]));
  out('iteration' + exec.scenario.iterationInTest, rs.map((r) => ({
    status: r.status,
    proto: r.proto,
    session: r.status === 200 ? r.json().session : 0,
    connecting: r.timings.connecting,
    tls: r.timings.tls_handshaking,
  })));
}
`;
