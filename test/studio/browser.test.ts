/**
 * The studio in a real browser (Debian's chromium via playwright-core): each page as a user uses
 * it, with a screenshot of each written to test-output/studio/ and checked not to be blank.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import type { RunView } from '../../src/studio/store.js';
import { call, freshStudio, smallRun, waitFor } from './helpers.js';

const chromiumPath = '/usr/bin/chromium';
const outputDirectory = join('test-output', 'studio');

/** Fails when the screenshot is nearly one colour: a page that did not render. */
function assertNotBlank(path: string): void {
  const png = PNG.sync.read(readFileSync(path));
  const counts = new Map<number, number>();
  for (let index = 0; index < png.data.length; index += 4 * 7) {
    const key = (png.data[index]! << 16) | (png.data[index + 1]! << 8) | png.data[index + 2]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const samples = png.data.length / (4 * 7);
  const commonest = Math.max(...counts.values());
  assert.ok(counts.size > 20 && commonest / samples < 0.97, `${path} looks blank: ${counts.size} colours, the commonest covers ${((commonest / samples) * 100).toFixed(1)}%`);
}

async function shoot(page: Page, name: string): Promise<void> {
  const path = join(outputDirectory, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  assertNotBlank(path);
}

async function stroke(page: Page, points: readonly [number, number][]): Promise<void> {
  const box = (await page.locator('#draw-canvas').boundingBox())!;
  const at = ([x, y]: readonly [number, number]) => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280] as const;
  await page.mouse.move(...at(points[0]!));
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(...at(point), { steps: 2 });
  await page.mouse.up();
}

async function probabilities(page: Page): Promise<string[]> {
  return page.locator('#probabilities .bar-value').allInnerTexts();
}

test('the studio in Chromium: data, model, training, evaluation, drawing, saving, reloading mid-training', { skip: existsSync(chromiumPath) ? false : `${chromiumPath} is absent (install Debian's chromium package to run this test)`, timeout: 180000 }, async () => {
  mkdirSync(outputDirectory, { recursive: true });
  const studio = await freshStudio();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const outside: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // The million-unit layer below is refused with a 400 on purpose; Chromium logs every refused fetch.
    page.on('console', (message) => { if (message.type() === 'error' && !/status of 400/.test(message.text())) problems.push(`console: ${message.text()}`); });
    page.on('response', (response) => { if (response.status() >= 400 && response.status() !== 400) problems.push(`${response.status()} for ${response.url()}`); });
    page.on('request', (request) => { if (!request.url().startsWith(studio.base) && !request.url().startsWith('ws://127.0.0.1') && !request.url().startsWith('data:')) outside.push(request.url()); });

    // Data: the class-balance chart and digits; a click shows one large.
    await page.goto(studio.url);
    await waitFor('the class-balance chart', () => page.evaluate(() => ((document.getElementById('class-balance') as HTMLImageElement).naturalWidth > 0 ? true : undefined)));
    await waitFor('digit tiles', async () => ((await page.locator('#data-digits .digit-tile').count()) >= 60 ? true : undefined));
    await page.locator('#data-classes [data-class="7"]').click();
    await waitFor('only sevens', async () => ((await page.locator('#data-digits .digit-tile span').allInnerTexts()).every((label) => label === '7') ? true : undefined));
    await page.locator('#data-digits .digit-tile').first().click();
    assert.match(await page.locator('#data-large').innerText(), /label 7/);
    await shoot(page, 'data');

    // Model: a preset in one click, then 784-32-10 typed in; the count is model.summary()'s.
    await page.locator('nav [data-tab="model"]').click();
    await page.locator('#presets [data-preset="mlp-256-dropout-128"]').click();
    await waitFor('the preset\'s parameter count', async () => ((await page.locator('#param-count').innerText()) === '235,146 parameters' ? true : undefined));
    await page.locator('#presets [data-preset="baseline-32"]').click();
    await waitFor('baseline-32\'s count', async () => ((await page.locator('#param-count').innerText()) === '25,450 parameters' ? true : undefined));
    await page.locator('#layers input.units').first().fill('1000000');
    await waitFor('the error for a million units', async () => (/units must be an integer from 1 to 4096/.test(await page.locator('#model-error').innerText()) ? true : undefined));
    await page.locator('#layers input.units').first().fill('32');
    await page.locator('#field-name').fill('mlp-32-browser');
    await page.locator('#field-optimizer').selectOption('adam');
    await page.locator('#field-epochs').fill('1');
    await page.locator('#field-batchSize').fill('32');
    await page.locator('#field-validation').selectOption('test');
    await page.locator('#field-limit').fill('4000');
    await page.locator('#field-seed').fill('3');
    await waitFor('784-32-10\'s count', async () => ((await page.locator('#param-count').innerText()) === '25,450 parameters' ? true : undefined));
    const summary = await call(studio, 'POST', '/api/model/summary', { model: { inputShape: [784], layers: [{ type: 'dense', units: 32, activation: 'relu' }] } });
    assert.equal((summary.body as { totalParams: number }).totalParams, 25450);
    await shoot(page, 'model');

    // Train one epoch on 4,000 images; the row ends finished with the server's test accuracy.
    await page.locator('#start-training').click();
    const row = page.locator('#runs tr[data-status="finished"]');
    await waitFor('the run to finish', async () => ((await row.count()) === 1 ? true : undefined));
    const runs = (await call(studio, 'GET', '/api/runs')).body as { runs: RunView[] };
    const run = runs.runs[0]!;
    assert.equal(run.status, 'finished');
    assert.ok(run.points.length > 0, 'the run has batch points');
    const shownAccuracy = await row.locator('.accuracy').innerText();
    assert.equal(shownAccuracy, `${(run.evaluation!.accuracy * 100).toFixed(2)}%`);
    assert.ok(Number(await page.locator('#loss-chart').getAttribute('data-points')) > 0, 'the loss chart has points');
    await shoot(page, 'train');

    // Evaluate: the same accuracy; a confusion cell's digits.
    await page.locator('nav [data-tab="evaluate"]').click();
    await waitFor('the evaluation', async () => ((await page.locator('#test-accuracy').count()) === 1 ? true : undefined));
    assert.equal(Number(await page.locator('#test-accuracy').getAttribute('data-value')), run.evaluation!.accuracy);
    const cells = await page.locator('#confusion td').evaluateAll((elements) => elements.map((element) => ({ t: element.getAttribute('data-true'), p: element.getAttribute('data-predicted'), value: Number(element.textContent) })));
    const worst = cells.filter((cell) => cell.t !== cell.p).sort((a, b) => b.value - a.value)[0]!;
    assert.ok(worst.value > 0);
    await page.locator(`#confusion td[data-true="${worst.t}"][data-predicted="${worst.p}"]`).click();
    await waitFor('the cell\'s digits', async () => ((await page.locator('#confusion-cell .digit-card').count()) === Math.min(worst.value, 60) ? true : undefined));
    assert.match(await page.locator('#confusion-cell h3').innerText(), new RegExp(`True ${worst.t}, predicted ${worst.p}: ${worst.value} digit`));
    assert.ok((await page.locator('#class-report tbody tr').count()) === 12, 'ten classes and two averages');
    assert.ok((await page.locator('#mistakes .digit-card').count()) > 0);
    await shoot(page, 'evaluate');

    // Draw a 1, then a 0: the 28×28 preview shows ink and the probabilities change.
    await page.locator('nav [data-tab="draw"]').click();
    await stroke(page, [[140, 40], [140, 90], [141, 140], [142, 190], [142, 240]]);
    await waitFor('probabilities for the 1', async () => ((await page.locator('#probabilities').getAttribute('data-prediction')) ? true : undefined));
    const forOne = await probabilities(page);
    const inked = await page.evaluate(() => {
      const preview = document.getElementById('draw-preview') as HTMLCanvasElement;
      const pixels = preview.getContext('2d')!.getImageData(0, 0, 28, 28).data;
      let dark = 0;
      for (let index = 0; index < pixels.length; index += 4) if (pixels[index]! < 128) dark++;
      return dark;
    });
    assert.ok(inked > 10, `the 28×28 preview shows ink (${inked} dark pixels)`);
    await shoot(page, 'draw-one');
    await page.locator('#draw-clear').click();
    const circle: [number, number][] = Array.from({ length: 33 }, (_, step) => [140 + 70 * Math.sin((step / 32) * 2 * Math.PI), 140 - 95 * Math.cos((step / 32) * 2 * Math.PI)]);
    await stroke(page, circle);
    await waitFor('probabilities for the 0', async () => ((await page.locator('#probabilities').getAttribute('data-prediction')) ? true : undefined));
    const forZero = await probabilities(page);
    assert.notDeepEqual(forZero, forOne, 'the probabilities change with the drawing');
    await shoot(page, 'draw-zero');

    // Models: save the run, see the file, load it back: same test accuracy.
    await page.locator('nav [data-tab="models"]').click();
    await page.locator('#save-name').fill('browser-model');
    await page.locator('#save-model').click();
    await waitFor('the saved file', async () => ((await page.locator('#files tr[data-file="browser-model.safetensors"]').count()) === 1 ? true : undefined));
    assert.ok(existsSync(join(studio.workspaceDir, 'browser-model.safetensors')));
    await page.locator('#files tr[data-file="browser-model.safetensors"] .load').click();
    const loaded = await waitFor('the loaded model', async () => ((await call(studio, 'GET', '/api/runs')).body as { runs: RunView[] }).runs.find((view) => view.kind === 'loaded'));
    assert.equal(loaded.evaluation!.accuracy, run.evaluation!.accuracy);
    await waitFor('the picker to choose it', async () => ((await page.locator('#chosen-model').inputValue()) === loaded.id ? true : undefined));
    await shoot(page, 'models');

    // Reload mid-training: the run is still there, still receiving points.
    const long = await call(studio, 'POST', '/api/runs', { ...smallRun('long-run', 60000, 30), model: { inputShape: [784], layers: [{ type: 'dense', units: 256, activation: 'relu' }] } });
    assert.equal(long.status, 201);
    const longId = (long.body as RunView).id;
    await waitFor('the long run\'s first points', async () => (((await call(studio, 'GET', `/api/runs/${longId}`)).body as RunView).points.length > 2 ? true : undefined));
    await page.reload();
    await page.locator('nav [data-tab="train"]').click();
    const liveRow = page.locator(`#runs tr[data-run="${longId}"]`);
    await waitFor('the running row after reload', async () => ((await liveRow.getAttribute('data-status')) === 'running' ? true : undefined));
    const before = Number(await page.locator('#loss-chart').getAttribute('data-points'));
    await waitFor('more points while it trains', async () => (Number(await page.locator('#loss-chart').getAttribute('data-points')) > before + 3 ? true : undefined));
    assert.match(await liveRow.locator('.progress').innerText(), /epoch \d+\/30 · ETA .* samples\/s/);
    await shoot(page, 'train-live');
    await liveRow.locator('button.stop').click();
    await waitFor('the stopped run', async () => ((await liveRow.getAttribute('data-status')) === 'stopped' ? true : undefined));

    assert.deepEqual(outside, [], 'no request leaves the studio');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await studio.close();
  }
});
