import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { compareResults, writeReport } from '../../report/index.ts';
import { launchBrowser, type Browser } from './browser.ts';
import { baselineDir, copyFixture, currentDir, root, tempDir } from './helpers.ts';

/** Screenshots land here (results/ is git-ignored); CI can keep them as artifacts. */
const OUTPUT = join(root, 'results', 'test-output', 'report');

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

async function open(browser: Browser, file: string): Promise<Opened> {
  const url = pathToFileURL(file).href;
  const errors: string[] = [];
  const requests: string[] = [];
  const page = await browser.context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  // Any request other than the page itself is recorded and refused.
  await page.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    requests.push(route.request().url());
    return route.abort();
  });
  page.on('request', (r) => {
    if (r.url() !== url && !requests.includes(r.url())) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(
    "document.querySelectorAll('.chart canvas').length === document.querySelectorAll('.chart').length",
  );
  return { page, errors, requests };
}

/**
 * Per chart container: does its canvas hold drawn pixels of more than one colour? Runs in the page;
 * written as source text because this project type-checks without the DOM library.
 */
const CANVAS_REPORT = `[...document.querySelectorAll('.chart')].map((el) => {
  const canvases = [...el.querySelectorAll('canvas')];
  let painted = 0;
  const colours = new Set();
  for (const c of canvases) {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 0) {
        painted++;
        if (colours.size < 50) colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
      }
    }
  }
  return { id: el.id, canvases: canvases.length, painted, colours: colours.size };
})`;

function canvasReport(page: Page): Promise<Array<{ id: string; canvases: number; painted: number; colours: number }>> {
  return page.evaluate(CANVAS_REPORT);
}

describe('report.html in headless Chromium', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let light: Browser;
  let opened: Opened;

  before(async () => {
    tmp = tempDir();
    const dir = copyFixture(currentDir, tmp.dir, 'run');
    writeFileSync(join(dir, 'comparison.json'), JSON.stringify(await compareResults(baselineDir, dir)));
    file = await writeReport(dir);
    light = await launchBrowser('light');
    opened = await open(light, file);
  });
  after(async () => {
    await light?.close();
    tmp?.remove();
  });

  it('draws every chart: each holds a canvas with painted pixels of several colours', async () => {
    const charts = await canvasReport(opened.page);
    assert.equal(charts.length, 10);
    for (const c of charts) {
      assert.equal(c.canvases, 1, `${c.id}: canvases`);
      assert.ok(c.painted > 1000, `${c.id}: only ${c.painted} painted pixels`);
      assert.ok(c.colours > 2, `${c.id}: only ${c.colours} colours`);
    }
  });

  it('logs no console error', () => {
    assert.deepEqual(opened.errors, []);
  });

  it('makes no network request', () => {
    assert.deepEqual(opened.requests, []);
  });

  it('saves a full-page screenshot in light and dark', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const lightPng = join(OUTPUT, 'report-light.png');
    await opened.page.screenshot({ path: lightPng, fullPage: true });
    const dark = await launchBrowser('dark');
    try {
      const d = await open(dark, file);
      assert.deepEqual(d.errors, []);
      const bg = await d.page.evaluate('getComputedStyle(document.body).backgroundColor');
      assert.equal(bg, 'rgb(13, 17, 23)');
      await d.page.screenshot({ path: join(OUTPUT, 'report-dark.png'), fullPage: true });
    } finally {
      await dark.close();
    }
    const png = readFileSync(lightPng);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.ok(statSync(join(OUTPUT, 'report-dark.png')).size > 10_000);
  });

  it('shows hostile metric names as text without running them', async () => {
    const dir = copyFixture(currentDir, tmp.dir, 'evil');
    const ts = JSON.parse(readFileSync(join(dir, 'timeseries.json'), 'utf8'));
    const evil = '</script><img src=x onerror=alert(1)>';
    ts.buckets[0].trends[evil] = ts.buckets[0].trends.http_req_duration;
    writeFileSync(join(dir, 'timeseries.json'), JSON.stringify(ts));
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ scenario: evil }));
    const o = await open(light, await writeReport(dir));
    try {
      assert.deepEqual(o.errors, []);
      assert.deepEqual(o.requests, []);
      assert.equal(await o.page.locator('img').count(), 0);
      assert.equal(await o.page.locator('figcaption', { hasText: evil }).count(), 1);
    } finally {
      await o.page.close();
    }
  });
});
