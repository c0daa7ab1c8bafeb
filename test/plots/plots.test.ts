import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { test } from 'node:test';
import {
  argmax,
  argmaxRows,
  classificationReport,
  confusionMatrix,
  History,
  plotClassBalance,
  plotCompare,
  plotConfusionMatrix,
  plotDigits,
  plotHistory,
  renderSvg,
  show,
  tensor,
  trainingCurvesSpec,
} from '../../src/index.js';

// What fit returns, built the way fit builds it.
function fitHistory(epochs: number, validation: boolean): History {
  const history = new History();
  for (let epoch = 0; epoch < epochs; epoch++) {
    const logs: Record<string, number> = { loss: 1 / (epoch + 1), accuracy: 0.8 + epoch / 100 };
    if (validation) Object.assign(logs, { val_loss: 1.1 / (epoch + 1), val_accuracy: 0.79 + epoch / 100 });
    history.onEpochEnd(epoch, logs);
  }
  return history;
}

// predict's output for 4 samples of 3 classes, and their labels.
const probabilities = tensor(new Float32Array([0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.2, 0.6, 0.5, 0.4, 0.1]), [4, 3]);
const labels = new Uint8Array([0, 1, 2, 1]);

test('the quoted notebook calls work: argmaxRows(probs), trainingCurvesSpec(history.history)', () => {
  assert.deepEqual([...argmaxRows(probabilities)], [0, 1, 2, 0]);
  assert.deepEqual([...argmax(probabilities)], [0, 1, 2, 0]);
  assert.equal(argmax([0.1, 0.7, 0.2]), 1);
  const spec = trainingCurvesSpec(fitHistory(3, true).history) as { hconcat: unknown[] };
  assert.equal(spec.hconcat.length, 2);
});

test('confusionMatrix and classificationReport take predict output as well as labels', () => {
  const matrix = confusionMatrix(labels, probabilities, 3);
  assert.deepEqual(matrix, [[1, 0, 0], [1, 1, 0], [0, 0, 1]]);
  const report = classificationReport(tensor(labels, [4]), probabilities);
  assert.equal(report.accuracy, 0.75);
});

test('plotHistory draws one panel per logged metric, epochs from 1, and saves SVG and PNG', async () => {
  const chart = plotHistory(fitHistory(4, true));
  const spec = chart.spec as { hconcat: { title: string; data: { values: { epoch: number }[] } }[] };
  assert.deepEqual(spec.hconcat.map((panel) => panel.title), ['Accuracy', 'Loss']);
  assert.equal(Math.min(...spec.hconcat[0]!.data.values.map((point) => point.epoch)), 1);
  assert.equal((plotHistory(fitHistory(2, false), { metrics: ['loss'] }).spec as { hconcat: unknown[] }).hconcat.length, 1);
  const folder = mkdtempSync(join(tmpdir(), 'digitnet-plots-'));
  try {
    const svgPath = await chart.save(join(folder, 'curves.svg'));
    assert.match(readFileSync(svgPath, 'utf8'), /^<svg[^>]*>.*Accuracy/s);
    const pngPath = await chart.save(join(folder, 'curves.png'));
    assert.deepEqual([...readFileSync(pngPath).subarray(1, 4)], [...Buffer.from('PNG')]);
    // Outside a notebook show() writes the chart to a file and says where.
    const printed: string[] = [];
    const shown = await show(chart, { file: join(folder, 'shown.svg'), print: (text) => printed.push(text) });
    assert.equal(shown, join(folder, 'shown.svg'));
    assert.match(printed[0]!, /Training history: wrote .*shown\.svg/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  assert.match(inspect(chart), /Chart "Training history" \(show\(chart\) draws it/);
});

test('plotCompare titles training-only runs as training curves, counts epochs from 1 and keeps long names whole', async () => {
  const names = { 'baseline 512-256 rmsprop batch 64': fitHistory(3, false), 'baseline 512 dropout 0.5 rmsprop': fitHistory(3, false) };
  const chart = plotCompare(names);
  assert.equal(chart.title, 'Training curves');
  const svg = await chart.toSVG();
  assert.match(svg, /Training accuracy/);
  assert.doesNotMatch(svg, /Validation accuracy/);
  assert.match(svg, /X-axis titled 'epoch' for a linear scale with values from 1 to 3/);
  for (const name of Object.keys(names)) assert.ok(svg.includes(`${name} (training)`), `legend cuts "${name}"`);
  assert.equal(plotCompare([{ name: 'a', history: fitHistory(2, true) }]).title, 'Validation curves');
});

test('plotDigits, plotConfusionMatrix and plotClassBalance take what loadMnist and predict give', () => {
  const set = { images: new Uint8Array(4 * 4 * 4).fill(128), labels, count: 4, rows: 4, cols: 4 };
  const digits = plotDigits(set, { predictions: probabilities, count: 4 });
  const tiles = (digits.spec as { layer: { mark: { type: string } }[]; data: { values: { caption: string; colour: string }[] } }).data.values;
  assert.deepEqual(tiles.map((tile) => tile.caption), ['predicted 0', 'predicted 1', 'predicted 2', 'predicted 0']);
  assert.notEqual(tiles[3]!.colour, tiles[0]!.colour, 'the wrong prediction is coloured differently');
  const flat = plotDigits(tensor(new Float32Array(2 * 16).fill(0.5), [2, 16]));
  assert.equal((flat.spec as { data: { values: unknown[] } }).data.values.length, 2);
  assert.equal(plotConfusionMatrix(labels, probabilities, { classes: 3 }).title, 'Confusion matrix');
  const balance = plotClassBalance({ train: set, test: labels });
  assert.equal((balance.spec as { data: { values: unknown[] } }).data.values.length, 20);
});

// Every function of the plotting API, given a wrong argument, answers with one sentence naming it.
const wrongCalls: [string, () => unknown][] = [
  ['plotHistory', () => plotHistory(5 as never)],
  ['plotHistory metrics', () => plotHistory(fitHistory(2, true), { metrics: ['mae'] })],
  ['plotCompare', () => plotCompare('history' as never)],
  ['plotCompare empty', () => plotCompare({})],
  ['plotConfusionMatrix', () => plotConfusionMatrix(undefined as never, labels)],
  ['plotDigits', () => plotDigits(new Uint8Array(3) as never)],
  ['plotDigits count', () => plotDigits({ images: new Uint8Array(16), labels: new Uint8Array(1), count: 1, rows: 4, cols: 4 }, { count: 5 })],
  ['plotClassBalance', () => plotClassBalance(null as never)],
  ['argmax', () => argmax('probs' as never)],
  ['argmaxRows', () => argmaxRows({ data: new Float32Array(6), shape: [6] } as never)],
  ['confusionMatrix', () => confusionMatrix({} as never, labels)],
  ['classificationReport', () => classificationReport(labels, 'x' as never)],
  ['trainingCurvesSpec', () => trainingCurvesSpec({ loss: [1, 2], accuracy: [0.5] } as never)],
];

for (const [name, call] of wrongCalls) {
  test(`${name} with a wrong argument throws one sentence`, () => {
    assert.throws(call, (error: Error) => {
      assert.doesNotMatch(error.message, /Cannot read properties|undefined \(reading/);
      assert.match(error.message, /^[^\n]+[.]$/);
      return true;
    });
  });
}

test('async functions with a wrong argument reject with one sentence', async () => {
  for (const call of [() => show(undefined), () => show(42), () => renderSvg(7 as never), () => plotHistory(fitHistory(1, false)).save('x.pdf')]) {
    await assert.rejects(call, (error: Error) => /^[^\n]+[.]$/.test(error.message) && !/Cannot read/.test(error.message));
  }
});
