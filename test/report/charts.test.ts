import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import {
  classDistributionSpec,
  compareCurvesSpec,
  confusionMatrixSpec,
  digitGridSpec,
  trainingCurvesSpec,
} from '../../src/report/charts.js';
import { digitPng, pngDataUri } from '../../src/report/digits-png.js';
import { argmaxRows, classDistribution, confusionMatrix } from '../../src/report/metrics.js';
import { chartFont, renderChart } from '../../src/report/render.js';
import type { RenderedChart } from '../../src/report/types.js';
import { fakeCompareRuns, fakeHistory, fakeProbabilities, mnistTestDigits, pngStatistics } from './fixtures.js';

function assertDrawn(chart: RenderedChart): void {
  assert.match(chart.svg, /^<svg [^>]*width="\d+(\.\d+)?"/);
  assert.ok(chart.width > 100 && chart.height > 100, `${chart.name} is only ${chart.width} × ${chart.height}`);
  const statistics = pngStatistics(chart.png);
  // Rendered at scale 2, so the PNG is twice the SVG's size (resvg rounds up a fraction).
  assert.equal(statistics.width, Math.ceil(chart.width * 2), `${chart.name} PNG width`);
  assert.equal(statistics.height, Math.ceil(chart.height * 2), `${chart.name} PNG height`);
  assert.ok(statistics.variance > 100, `${chart.name} PNG looks blank (grey-level variance ${statistics.variance.toFixed(1)})`);
  assert.ok(statistics.distinctColours > 20, `${chart.name} PNG has only ${statistics.distinctColours} colours`);
}

const { images, labels } = mnistTestDigits(60);
const probabilities = fakeProbabilities(labels);

test('a font for chart text is found (the dejavu-fonts-ttf package or the system DejaVu)', () => {
  const font = chartFont();
  assert.notEqual(font.source, 'none', 'no DejaVu Sans font found: PNG charts would have no text');
  assert.ok(font.files.length >= 1);
});

test('training curves render to SVG and PNG, with the early-stop and best epochs marked', async () => {
  const chart = await renderChart('training-curves', 'Training curves', trainingCurvesSpec(fakeHistory(), { stoppedEpoch: 11, bestEpoch: 8 }));
  assertDrawn(chart);
  // History epochs count from 0; the chart shows them from 1, as Keras prints them.
  assert.match(chart.svg, /early stop \(epoch 12\)/);
  assert.match(chart.svg, /restored best \(epoch 9\)/);
  assert.match(chart.svg, /X-axis titled 'epoch' for a linear scale with values from 1 to 12/);
  assert.match(chart.svg, /Accuracy/);
  assert.match(chart.svg, /Loss/);
});

test('training curves without validation data still render', async () => {
  const history = fakeHistory(3);
  const chart = await renderChart('curves', 'Curves', trainingCurvesSpec({ epoch: history.epoch, loss: history.loss, accuracy: history.accuracy }));
  assertDrawn(chart);
  assert.doesNotMatch(chart.svg, /validation/);
});

test('the confusion matrix heatmap shows every count', async () => {
  const matrix = confusionMatrix(labels, argmaxRows(probabilities));
  const chart = await renderChart('confusion-matrix', 'Confusion matrix', confusionMatrixSpec(matrix));
  assertDrawn(chart);
  const texts = [...chart.svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]);
  for (const count of new Set(matrix.flat())) assert.ok(texts.includes(String(count)), `count ${count} is not drawn`);
});

test('class distribution bars render for train and test', async () => {
  const chart = await renderChart(
    'class-distribution',
    'Class distribution',
    classDistributionSpec({ train: classDistribution(mnistTestDigits(200).labels), test: classDistribution(labels) }),
  );
  assertDrawn(chart);
});

test('digit grids render the PNG digits with their captions', async () => {
  const tiles = Array.from({ length: 12 }, (_, index) => ({
    image: pngDataUri(digitPng(images, index)),
    caption: `label ${labels[index]}`,
    detail: 'pred 7 · 99.0%',
    wrong: index % 3 === 0,
  }));
  const chart = await renderChart('sample-digits', 'Sample digits', digitGridSpec(tiles, 'Sample digits', 6));
  assertDrawn(chart);
  assert.equal(chart.svg.match(/<image /g)?.length, 12);
  assert.match(chart.svg, new RegExp(`label ${labels[0]}`));
});

test('overlaid validation curves of several runs render', async () => {
  const chart = await renderChart('compare-curves', 'Validation curves', compareCurvesSpec(fakeCompareRuns()));
  assertDrawn(chart);
  for (const run of fakeCompareRuns()) assert.match(chart.svg, new RegExp(run.name));
});

test('digitPng writes a grey PNG of the digit, scaled by pixel duplication', () => {
  const png = PNG.sync.read(digitPng(images, 0, { scale: 2 }));
  assert.equal(png.width, 56);
  assert.equal(png.height, 56);
  // Pixel (row 14, col 14) of digit 0 lands at (28, 28) and (29, 29) when doubled.
  const source = images[14 * 28 + 14]!;
  assert.equal(png.data[(28 * 56 + 28) * 4], source);
  assert.equal(png.data[(29 * 56 + 29) * 4], source);
  assert.throws(() => digitPng(images, 60), /Image index 60 is out of range; there are 60 images/);
});
