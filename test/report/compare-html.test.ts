import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeCompareReport } from '../../src/report/compare-html.js';
import { formatCompareTable } from '../../src/report/tables.js';
import type { CompareRow } from '../../src/report/types.js';
import { fakeHistory, pngStatistics, freshDirectory, outputRoot } from './fixtures.js';

const chromiumPath = '/usr/bin/chromium';

const rows: CompareRow[] = [
  {
    name: 'model1',
    hiddenLayers: [50, 25],
    parameters: 40785,
    epochsRun: 5,
    seconds: 3.25,
    testLoss: 0.1123,
    testAccuracy: 0.9671,
    reportedAccuracy: 0.9655,
    reportedLoss: 0.116,
    reportedSource: 'notebook 002',
  },
  { name: 'model2', hiddenLayers: '512-d0.2-512-d0.2', parameters: 669706, epochsRun: 4, seconds: 20.5, testLoss: 0.08, testAccuracy: 0.9790, reportedAccuracy: 0.9805 },
  { name: 'broken, "quoted"', hiddenLayers: [128, 64], error: 'Weights file <x.bin> is truncated' },
];
const runs = [
  { name: 'model1', history: fakeHistory(5, 0.02) },
  { name: 'model2', history: fakeHistory(4, 0) },
];

test('writeCompareReport on two tiny runs writes its table, CSV, JSON and overlaid curves', async () => {
  const dir = await freshDirectory('compare');
  const result = await writeCompareReport(dir, rows, runs, { engine: 'reference (TypeScript)' });

  assert.deepEqual((await readdir(dir)).sort(), ['compare-curves.png', 'compare-curves.svg', 'compare.csv', 'compare.html', 'compare.json']);
  assert.equal(result.files.at(-1), join(dir, 'compare.html'));
  assert.ok(pngStatistics(await readFile(join(dir, 'compare-curves.png'))).variance > 100);

  const html = await readFile(join(dir, 'compare.html'), 'utf8');
  for (const column of ['name', 'hidden layers', 'parameters', 'epochs', 'seconds', 'test loss', 'test accuracy', 'notebook']) {
    assert.match(html, new RegExp(`<th[^>]*>${column}</th>`), `column ${column}`);
  }
  assert.match(html, /<td>model1<\/td><td><code>50-25<\/code><\/td><td class="num">40,785<\/td><td class="num">5<\/td><td class="num">3.3<\/td><td class="num">0.1123<\/td><td class="num">96.71%<\/td>/);
  assert.match(html, /96.55% \/ 0.1160/);
  assert.match(html, /\+0.16 pt/);
  assert.match(html, /−0.15 pt/);
  assert.match(html, /failed: Weights file &lt;x.bin&gt; is truncated/);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/);

  const csv = (await readFile(join(dir, 'compare.csv'), 'utf8')).trim().split('\n');
  assert.equal(csv.length, 4);
  assert.equal(csv[1], 'model1,50-25,40785,5,3.25,0.1123,0.9671,0.9655,0.116,notebook 002,,,');
  assert.equal(csv[3], '"broken, ""quoted""",128-64,,,,,,,,,,,Weights file <x.bin> is truncated');

  const json = JSON.parse(await readFile(join(dir, 'compare.json'), 'utf8')) as { rows: CompareRow[]; runs: { name: string }[] };
  assert.deepEqual(json.rows, rows);
  assert.deepEqual(json.runs.map((run) => run.name), ['model1', 'model2']);
});

test('formatCompareTable aligns the columns and shows a failed row with its error', () => {
  const lines = formatCompareTable(rows).split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0]!, /^name\s+hidden layers\s+parameters\s+epochs\s+seconds\s+test loss\s+test accuracy\s+notebook\s+vs notebook$/);
  assert.match(lines[2]!, /^model1\s+50-25\s+40,785\s+5\s+3\.3\s+0\.1123\s+96\.71%\s+96\.55% \/ 0\.1160\s+\+0\.16 pt$/);
  assert.match(lines[4]!, /^broken, "quoted"\s+128-64\s+failed: Weights file <x\.bin> is truncated$/);
  // Successful rows end at the same column as the header: numbers are right-aligned.
  assert.equal(lines[2]!.length, lines[0]!.length);
  assert.equal(lines[3]!.length, lines[0]!.length);
  assert.equal(lines[2]!.indexOf('50-25'), lines[0]!.indexOf('hidden layers'));
});

test(
  'compare.html opens in headless Chromium with no console error',
  { skip: existsSync(chromiumPath) ? false : `${chromiumPath} is absent (install Debian's chromium package to run this test)` },
  async () => {
    const dir = await freshDirectory('compare-browser');
    const result = await writeCompareReport(dir, rows, runs);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      await page.goto(pathToFileURL(result.htmlPath).href, { waitUntil: 'load' });
      assert.equal(await page.locator('section#table tbody tr').count(), 3);
      assert.equal(await page.locator('tr.failed').count(), 1);
      assert.ok(await page.evaluate(() => Array.from(document.images).every((image) => image.naturalWidth > 0)));
      await page.screenshot({ path: join(outputRoot, 'compare-desktop.png'), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  },
);

test('a model trained with several seeds shows its mean, range and seed count; the CSV lists every seed', async () => {
  const seeded: CompareRow[] = [
    { name: 'baseline-512', hiddenLayers: [512], parameters: 407050, epochsRun: 3, seconds: 4.5, testLoss: 0.08, testAccuracy: 0.9748, reportedAccuracy: 0.9767, reportedSource: 'notebook 003', seeds: [1, 2, 3], seedAccuracies: [0.9725, 0.9782, 0.9737] },
    { name: 'stopped early', hiddenLayers: [64], epochsRun: 12.5, seconds: 2, testLoss: 0.1, testAccuracy: 0.97, seeds: [4, 5], seedAccuracies: [0.969, 0.971] },
  ];
  const lines = formatCompareTable(seeded).split('\n');
  assert.match(lines[2]!, /^baseline-512\s+512\s+407,050\s+3\s+4\.5\s+0\.0800\s+97\.48% \(97\.25–97\.82%, 3 seeds\)\s+97\.67%\s+−0\.19 pt$/);
  assert.match(lines[3]!, /^stopped early\s+64\s+–\s+12\.5\s/);

  const dir = await freshDirectory('compare-seeds');
  await writeCompareReport(dir, seeded, []);
  const csv = (await readFile(join(dir, 'compare.csv'), 'utf8')).trim().split('\n');
  assert.match(csv[0]!, /,seeds,seed_accuracies,error$/);
  assert.match(csv[1]!, /,notebook 003,1 2 3,0\.9725 0\.9782 0\.9737,$/);
  const html = await readFile(join(dir, 'compare.html'), 'utf8');
  assert.match(html, /mean test accuracy with the lowest and highest seed/);
  // The training time counts every seed's run: 3 × 4.5 s + 2 × 2 s.
  assert.match(html, /17\.5 s/);
});
