// A bundled library of the classic script: its functions block too.
import http from 'k6/http';

export function fetchJson(url) {
  return http.get(url).json();
}

export function pages(base, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(`${base}/?page=${i}`);
  return out;
}
