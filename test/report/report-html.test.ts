import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeRunReport } from '../../src/report/report-html.js';
import { argmaxRows, confusionMatrix } from '../../src/report/metrics.js';
import type { RunMetrics } from '../../src/report/report-html.js';
import { fakeRunInput, pngStatistics, freshDirectory, outputRoot } from './fixtures.js';

const chromiumPath = '/usr/bin/chromium';
const sectionIds = ['summary', 'settings', 'model', 'training', 'confusion', 'per-class', 'mistakes', 'samples', 'distribution', 'timings', 'files'];

test('writeRunReport writes report.html, the charts as SVG and PNG, history.csv and metrics.json', async () => {
  const dir = await freshDirectory('run-files');
  const input = fakeRunInput(200);
  const result = await writeRunReport(dir, input);

  const names = (await readdir(dir)).sort();
  const charts = ['class-distribution', 'confusion-matrix', 'sample-digits', 'training-curves', 'wrong-digits'];
  assert.deepEqual(names, [...charts.flatMap((chart) => [`${chart}.png`, `${chart}.svg`]), 'history.csv', 'metrics.json', 'report.html'].sort());
  assert.equal(result.files.at(-1), join(dir, 'report.html'), 'report.html is written last');
  assert.ok(!names.some((name) => name.endsWith('.tmp')), 'no temporary file is left behind');

  for (const chart of charts) {
    const statistics = pngStatistics(await readFile(join(dir, `${chart}.png`)));
    assert.ok(statistics.variance > 100, `${chart}.png looks blank`);
  }

  const metrics = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as RunMetrics;
  assert.deepEqual(metrics.confusionMatrix, confusionMatrix(input.test.labels, argmaxRows(input.test.probabilities)));
  assert.equal(metrics.test.samples, 200);
  assert.equal(metrics.bestEpoch, 8);
  assert.equal(metrics.classificationReport.classes.length, 10);

  const csv = (await readFile(join(dir, 'history.csv'), 'utf8')).trim().split('\n');
  assert.equal(csv[0], 'epoch,accuracy,loss,val_accuracy,val_loss');
  assert.equal(csv.length, 13);

  const html = result.html;
  for (const id of sectionIds) assert.match(html, new RegExp(`<section id="${id}">`), `section ${id}`);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'the page has no script and no external address');
  assert.match(html, /&lt;b&gt;escaped&lt;\/b&gt; &amp; fine/, 'settings are escaped');
  assert.match(html, /235,146/, 'model summary total');
  assert.match(html, /native \(AVX-512 VNNI, 2 threads\)/, 'engine');
});

test('a report without history, summary, train labels or timings says so instead of failing', async () => {
  const dir = await freshDirectory('run-minimal');
  const full = fakeRunInput(40);
  const result = await writeRunReport(dir, { settings: {}, test: full.test, engine: 'reference (TypeScript)' });
  assert.match(result.html, /No training history/);
  assert.match(result.html, /No model summary was recorded/);
  assert.ok(!existsSync(join(dir, 'history.csv')));
  assert.ok(existsSync(join(dir, 'report.html')));
});

test('bad report input is refused with a clear message', async () => {
  const full = fakeRunInput(20);
  await assert.rejects(
    writeRunReport(join(outputRoot, 'never'), { ...full, test: { ...full.test, probabilities: new Float32Array(5) } }),
    /test.probabilities holds 5 values; 20 labels × 10 classes needs 200/,
  );
});

test(
  'report.html opens in headless Chromium from disk with no console error and shows every section',
  { skip: existsSync(chromiumPath) ? false : `${chromiumPath} is absent (install Debian's chromium package to run this test)` },
  async () => {
    const dir = await freshDirectory('run-browser');
    const result = await writeRunReport(dir, fakeRunInput(300));
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const outsideRequests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
      page.on('request', (request) => {
        if (!/^(file|data):/.test(request.url())) outsideRequests.push(request.url());
      });

      await page.goto(pathToFileURL(result.htmlPath).href, { waitUntil: 'load' });
      for (const id of sectionIds) {
        const section = page.locator(`section#${id}`);
        assert.ok(await section.isVisible(), `section ${id} is visible`);
        assert.ok((await section.locator('h2').innerText()).length > 0, `section ${id} has a heading`);
      }
      const images = await page.evaluate(() =>
        Array.from(document.images).map((image) => ({ alt: image.alt, width: image.naturalWidth, shown: image.getBoundingClientRect().width })),
      );
      assert.equal(images.length, 5, 'one image per chart');
      for (const image of images) assert.ok(image.width > 0 && image.shown > 0, `chart "${image.alt}" is drawn`);
      await page.screenshot({ path: join(outputRoot, 'report-desktop.png'), fullPage: true });

      // On a phone-sized window the page reflows instead of scrolling sideways.
      await page.setViewportSize({ width: 400, height: 800 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 400px window`);
      await page.screenshot({ path: join(outputRoot, 'report-phone.png'), fullPage: false });

      assert.deepEqual(problems, []);
      assert.deepEqual(outsideRequests, [], 'the report loads nothing from outside the file');
    } finally {
      await browser.close();
    }
  },
);
