import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import {
  auc,
  f1Score,
  meanAbsoluteError,
  meanSquaredErrorMetric,
  precision,
  recall,
  sparseTopKCategoricalAccuracy,
  topKCategoricalAccuracy,
  accuracy,
  type Metric,
  type MetricBatch,
} from '../../src/index.js';
import { getMetric } from '../../src/metrics/index.js';
import { Random } from '../../src/random/rng.js';

// Awkward sizes: batches that do not divide the rows, an odd number of classes.
const ROWS = 61;
const CLASSES = 7;
const BATCHES = [16, 16, 16, 13];

function randomData(seed: number): { predictions: Float32Array; labels: Int32Array; oneHot: Float32Array } {
  const random = new Random(seed);
  const predictions = new Float32Array(ROWS * CLASSES);
  const labels = new Int32Array(ROWS);
  const oneHot = new Float32Array(ROWS * CLASSES);
  for (let row = 0; row < ROWS; row++) {
    let sum = 0;
    for (let j = 0; j < CLASSES; j++) sum += predictions[row * CLASSES + j] = Math.exp(3 * random.nextFloat());
    for (let j = 0; j < CLASSES; j++) predictions[row * CLASSES + j]! /= sum;
    // Labels lean towards the most probable class, so every metric lands away from its extremes.
    labels[row] = random.nextFloat() < 0.5 ? argmax(predictions, row) : Math.floor(random.nextFloat() * CLASSES);
    oneHot[row * CLASSES + labels[row]!] = 1;
  }
  return { predictions, labels, oneHot };
}

function argmax(values: Float32Array, row: number): number {
  let best = 0;
  for (let j = 1; j < CLASSES; j++) if (values[row * CLASSES + j]! > values[row * CLASSES + best]!) best = j;
  return best;
}

/** Feeds the data to the metric batch by batch, as the trainer does, and returns its result. */
function run(metric: Metric, data: ReturnType<typeof randomData>, sparse: boolean): number {
  metric.build(CLASSES);
  metric.reset();
  let start = 0;
  for (const rows of BATCHES) {
    let correct = 0;
    for (let row = start; row < start + rows; row++) if (argmax(data.predictions, row) === data.labels[row]) correct++;
    const batch: MetricBatch = {
      predictions: data.predictions.subarray(start * CLASSES),
      labels: sparse ? data.labels.subarray(start) : null,
      targets: sparse ? null : data.oneHot.subarray(start * CLASSES),
      rows,
      classes: CLASSES,
      correct,
    };
    metric.update(batch);
    start += rows;
  }
  return metric.result();
}

function pairs(data: ReturnType<typeof randomData>): { prediction: number; actual: number; row: number; column: number }[] {
  const all = [];
  for (let row = 0; row < ROWS; row++) for (let column = 0; column < CLASSES; column++) all.push({ prediction: data.predictions[row * CLASSES + column]!, actual: data.oneHot[row * CLASSES + column]!, row, column });
  return all;
}

for (const seed of [1, 2, 3]) {
  const data = randomData(seed);
  for (const sparse of [true, false]) {
    const form = sparse ? 'labels' : 'one-hot rows';

    test(`accuracy, top-k, mae and mse against their plain formulas (seed ${seed}, ${form})`, () => {
      const hits = (k: number) => {
        let count = 0;
        for (let row = 0; row < ROWS; row++) {
          const order = Array.from({ length: CLASSES }, (_, j) => j).sort((a, b) => data.predictions[row * CLASSES + b]! - data.predictions[row * CLASSES + a]!);
          if (order.slice(0, k).includes(data.labels[row]!)) count++;
        }
        return count / ROWS;
      };
      assert.equal(run(accuracy(), data, sparse), hits(1));
      const topK = sparse ? (k?: number) => sparseTopKCategoricalAccuracy({ k }) : (k?: number) => topKCategoricalAccuracy({ k });
      assert.equal(run(topK(), data, sparse), hits(5));
      assert.equal(run(topK(2), data, sparse), hits(2));
      const all = pairs(data);
      const mae = all.reduce((sum, pair) => sum + Math.abs(pair.actual - pair.prediction), 0) / all.length;
      const mse = all.reduce((sum, pair) => sum + (pair.actual - pair.prediction) ** 2, 0) / all.length;
      assert.ok(Math.abs(run(meanAbsoluteError(), data, sparse) - mae) < 1e-12);
      assert.ok(Math.abs(run(meanSquaredErrorMetric(), data, sparse) - mse) < 1e-12);
    });

    test(`precision and recall against their plain formulas, over every output and for one class (seed ${seed}, ${form})`, () => {
      for (const [threshold, classId] of [[0.5, undefined], [0.2, undefined], [0.1, 3]] as const) {
        const counted = pairs(data).filter((pair) => classId === undefined || pair.column === classId);
        const truePositives = counted.filter((pair) => pair.prediction > threshold && pair.actual === 1).length;
        const predictedPositives = counted.filter((pair) => pair.prediction > threshold).length;
        const actualPositives = counted.filter((pair) => pair.actual === 1).length;
        const options = { thresholds: threshold, ...(classId !== undefined ? { classId } : {}) };
        assert.equal(run(precision(options), data, sparse), predictedPositives === 0 ? 0 : truePositives / predictedPositives);
        assert.equal(run(recall(options), data, sparse), actualPositives === 0 ? 0 : truePositives / actualPositives);
      }
    });

    test(`f1Score macro, micro and weighted against scikit-learn's formulas (seed ${seed}, ${form})`, () => {
      const perClass = Array.from({ length: CLASSES }, (_, c) => {
        let tp = 0;
        let fp = 0;
        let fn = 0;
        for (let row = 0; row < ROWS; row++) {
          const predicted = argmax(data.predictions, row) === c;
          const actual = data.labels[row] === c;
          if (predicted && actual) tp++;
          else if (predicted) fp++;
          else if (actual) fn++;
        }
        return { tp, fp, fn, support: tp + fn };
      });
      const f1 = ({ tp, fp, fn }: { tp: number; fp: number; fn: number }) => {
        const p = tp + fp === 0 ? 0 : tp / (tp + fp);
        const r = tp + fn === 0 ? 0 : tp / (tp + fn);
        return p + r === 0 ? 0 : (2 * p * r) / (p + r);
      };
      const macro = perClass.reduce((sum, counts) => sum + f1(counts), 0) / CLASSES;
      const weighted = perClass.reduce((sum, counts) => sum + f1(counts) * counts.support, 0) / ROWS;
      const micro = f1(perClass.reduce((sum, counts) => ({ tp: sum.tp + counts.tp, fp: sum.fp + counts.fp, fn: sum.fn + counts.fn }), { tp: 0, fp: 0, fn: 0 }));
      // Keras adds epsilon 1e-7 to each denominator, so the results differ by about that much.
      assert.ok(Math.abs(run(f1Score(), data, sparse) - macro) < 1e-5, `macro ${run(f1Score(), data, sparse)} vs ${macro}`);
      assert.ok(Math.abs(run(f1Score({ average: 'micro' }), data, sparse) - micro) < 1e-5);
      assert.ok(Math.abs(run(f1Score({ average: 'weighted' }), data, sparse) - weighted) < 1e-5);
      // Micro F1 of one label per sample is the accuracy.
      assert.ok(Math.abs(micro - run(accuracy(), data, sparse)) < 1e-12);
    });

    test(`auc: Keras's thresholded trapezoids, written out, and near the exact ROC area (seed ${seed}, ${form})`, () => {
      const all = pairs(data);
      for (const numThresholds of [200, 7]) {
        const thresholds = Array.from({ length: numThresholds }, (_, i) => (i === 0 ? -1e-7 : i === numThresholds - 1 ? 1 + 1e-7 : i / (numThresholds - 1)));
        const rates = thresholds.map((threshold) => {
          const positives = all.filter((pair) => pair.actual === 1);
          const negatives = all.filter((pair) => pair.actual === 0);
          return {
            tpr: positives.filter((pair) => pair.prediction > threshold).length / positives.length,
            fpr: negatives.filter((pair) => pair.prediction > threshold).length / negatives.length,
          };
        });
        let area = 0;
        for (let i = 0; i < numThresholds - 1; i++) area += ((rates[i]!.fpr - rates[i + 1]!.fpr) * (rates[i]!.tpr + rates[i + 1]!.tpr)) / 2;
        assert.ok(Math.abs(run(auc({ numThresholds }), data, sparse) - area) < 1e-12, `${numThresholds} thresholds`);
      }
      // The exact area: the chance that a positive pair scores above a negative one.
      const positives = all.filter((pair) => pair.actual === 1).map((pair) => pair.prediction);
      const negatives = all.filter((pair) => pair.actual === 0).map((pair) => pair.prediction);
      let wins = 0;
      for (const p of positives) for (const n of negatives) wins += p > n ? 1 : p === n ? 0.5 : 0;
      assert.ok(Math.abs(run(auc(), data, sparse) - wins / (positives.length * negatives.length)) < 0.01);
    });
  }
}

test('metrics by name: Keras spellings, ours and the class names give the same metric, named as given', () => {
  for (const [given, className] of [
    ['acc', 'Accuracy'],
    ['categorical_accuracy', 'CategoricalAccuracy'],
    ['sparseCategoricalAccuracy', 'SparseCategoricalAccuracy'],
    ['top_k_categorical_accuracy', 'TopKCategoricalAccuracy'],
    ['mae', 'MeanAbsoluteError'],
    ['mean_squared_error', 'MeanSquaredError'],
    ['F1Score', 'F1Score'],
    ['f1_score', 'F1Score'],
    ['AUC', 'AUC'],
    ['recall', 'Recall'],
  ] as const) {
    const metric = getMetric(given);
    assert.equal(metric.className, className);
    assert.equal(metric.name, given);
  }
  assert.equal(topKCategoricalAccuracy({ k: 3 }).name, 'top_k_categorical_accuracy');
  assert.equal(f1Score({ average: 'micro', name: 'f1_micro' }).name, 'f1_micro');
  assert.equal(String(topKCategoricalAccuracy({ k: 3 })), 'TopKCategoricalAccuracy(name="top_k_categorical_accuracy", k=3)');
  assert.equal(inspect(f1Score()), 'F1Score(name="f1_score", average="macro")');
  assert.throws(() => f1Score({ average: 'samples' as never }), /^Error: f1Score\(\): average must be one of "macro", "micro", "weighted"; got "samples"\.$/);
  assert.throws(() => topKCategoricalAccuracy({ k: 0 }), /^Error: topKCategoricalAccuracy\(\): k must be a positive integer; got 0\.$/);
  assert.throws(() => precision({ classId: 9 }).build(7), /^Error: precision\(\): classId 9 is not an output of the model, which has 7 \(0\.\.6\)\.$/);
});
