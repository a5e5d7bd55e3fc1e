#!/usr/bin/env node
// Checks the relative links of README.md, each folder's README.md and docs/*.md: every linked file exists and every
// #anchor names a heading of its page (GitHub's slugs). External links (scheme:) are not fetched.
// Exit 1 listing each broken link as file:line.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const rooms = readdirSync(root, { withFileTypes: true })
  .filter(
    (d) =>
      d.isDirectory() &&
      !d.name.startsWith('.') &&
      !['node_modules', 'dist', 'results'].includes(d.name) &&
      existsSync(join(root, d.name, 'README.md')),
  )
  .map((d) => join(d.name, 'README.md'));
const pages = [
  'README.md',
  ...rooms,
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, duplicates numbered. */
function anchors(text) {
  const seen = new Map();
  const out = new Set();
  let fence = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    const m = !fence && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .replace(/<\/?(?:a|span|br|img|sup|sub|b|i|em|strong)\b[^>]*>/gi, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const cache = new Map();
function anchorsOf(file) {
  if (!cache.has(file)) cache.set(file, anchors(readFileSync(file, 'utf8')));
  return cache.get(file);
}

const problems = [];
for (const page of pages) {
  const file = join(root, page);
  const lines = readFileSync(file, 'utf8').split('\n');
  let fence = false;
  lines.forEach((line, i) => {
    if (line.startsWith('```')) fence = !fence;
    if (fence) return;
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const href = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue;
      const [path, anchor] = href.split('#');
      const target = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
      const where = `${page}:${i + 1}`;
      if (!existsSync(target)) {
        problems.push(`${where}: ${href}: no such file ${relative(root, target)}`);
        continue;
      }
      if (
        anchor !== undefined &&
        statSync(target).isFile() &&
        target.endsWith('.md') &&
        !anchorsOf(target).has(anchor)
      ) {
        problems.push(`${where}: ${href}: no heading #${anchor} in ${relative(root, target)}`);
      }
    }
  });
}
if (problems.length) {
  console.error(`check-links: ${problems.length} broken link(s):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`check-links: ${pages.length} pages, every relative link and anchor resolves`);
