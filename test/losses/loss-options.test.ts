import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { categoricalCrossentropy, dense, loadModel, sequential, sgd, sparseCategoricalCrossentropy, tensor, toCategorical, type ActivationName, type Loss } from '../../src/index.js';
import { Random } from '../../src/random/rng.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-losses-'));
const random = new Random(6);
const count = 48;
const x = tensor(Float32Array.from({ length: count * 5 }, () => random.nextFloat()), [count, 5]);
const labels = Int32Array.from({ length: count }, (_, i) => (i * 7) % 3);
const oneHot = toCategorical(labels, 3);

function model(end: ActivationName, loss: Loss | 'sparseCategoricalCrossentropy' | 'categoricalCrossentropy', learningRate = 0.1) {
  const built = sequential([dense({ units: 6, activation: 'tanh', inputShape: [5] }), dense({ units: 3, activation: end })], { seed: 2 });
  built.compile({ optimizer: sgd({ learningRate }), loss, metrics: ['accuracy'] });
  return built;
}

function softmaxRows(values: ArrayLike<number> & { subarray(start: number, end: number): ArrayLike<number>; length: number }, width: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < values.length / width; i++) {
    const row = Array.from(values.subarray(i * width, (i + 1) * width));
    const max = Math.max(...row);
    const exps = row.map((value) => Math.exp(value - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    rows.push(exps.map((value) => value / sum));
  }
  return rows;
}

test('fromLogits on a linear end trains exactly as softmax with the plain loss, and predicts the logits', async () => {
  const logits = model('linear', sparseCategoricalCrossentropy({ fromLogits: true }));
  const probabilities = model('softmax', 'sparseCategoricalCrossentropy');
  const options = { epochs: 3, batchSize: 8, verbose: 0, seed: 1 } as const;
  const [a, b] = [await logits.fit(x, labels, options), await probabilities.fit(x, labels, options)];
  assert.deepEqual(a.loss, b.loss);
  assert.deepEqual(logits.getWeights(), probabilities.getWeights());
  const fromLogits = softmaxRows(logits.predict(x).data, 3).flat();
  Array.from(probabilities.predict(x).data).forEach((p, i) => assert.ok(Math.abs(p - fromLogits[i]!) < 1e-6));
  assert.throws(() => model('softmax', categoricalCrossentropy({ fromLogits: true })), /^Error: categoricalCrossentropy with fromLogits takes logits: end the model with activation 'linear' \(its last layer "dense_1" ends with 'softmax'\)\.$/);
});

test('labelSmoothing: the loss is the cross-entropy against t(1 - s) + s/classes, as Keras', () => {
  const smoothing = 0.2;
  const built = model('softmax', categoricalCrossentropy({ labelSmoothing: smoothing }));
  const probabilities = built.predict(x).data;
  let expected = 0;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < 3; j++) expected -= (oneHot.data[i * 3 + j]! * (1 - smoothing) + smoothing / 3) * Math.log(probabilities[i * 3 + j]!);
  }
  const { loss } = built.evaluate(x, oneHot);
  assert.ok(Math.abs(loss - expected / count) < 1e-5, `${loss} vs ${expected / count}`);
  assert.notEqual(model('softmax', 'categoricalCrossentropy').evaluate(x, oneHot).loss.toFixed(4), loss.toFixed(4));
  assert.throws(() => categoricalCrossentropy({ labelSmoothing: 1.5 }), /^Error: categoricalCrossentropy\(\): labelSmoothing must be in \[0, 1\]; got 1\.5\.$/);
  assert.throws(() => sparseCategoricalCrossentropy({ labelSmoothing: 0.1 } as never), /^Error: sparseCategoricalCrossentropy\(\): unknown option "labelSmoothing"; allowed are fromLogits\.$/);
});

test('sampleWeight and classWeight weigh each sample\'s loss and gradient, averaged over the batch as Keras', async () => {
  const weights = Float32Array.from({ length: count }, (_, i) => (i % 4) * 0.5);
  const weighted = model('softmax', 'sparseCategoricalCrossentropy');
  const probabilities = weighted.predict(x).data;
  let expected = 0;
  for (let i = 0; i < count; i++) expected -= weights[i]! * Math.log(probabilities[i * 3 + labels[i]!]!);
  // One batch of every sample, so the first epoch's loss is the loss before the update.
  const history = await weighted.fit(x, labels, { epochs: 1, batchSize: count, verbose: 0, shuffle: false, sampleWeight: weights });
  assert.ok(Math.abs(history.loss[0]! - expected / count) < 1e-5, `${history.loss[0]} vs ${expected / count}`);

  // Doubling every weight doubles the gradient: the same as doubling SGD's learning rate.
  const doubled = model('softmax', 'sparseCategoricalCrossentropy');
  await doubled.fit(x, labels, { epochs: 2, batchSize: 8, verbose: 0, seed: 3, sampleWeight: new Array<number>(count).fill(2) });
  const faster = model('softmax', 'sparseCategoricalCrossentropy', 0.2);
  await faster.fit(x, labels, { epochs: 2, batchSize: 8, verbose: 0, seed: 3 });
  doubled.getWeights().forEach((values, k) => values.forEach((value, i) => assert.ok(Math.abs(value - faster.getWeights()[k]![i]!) < 1e-5)));

  // classWeight is sampleWeight by label, the classes left out weighing 1; one-hot targets work the same.
  const byClass = model('softmax', 'categoricalCrossentropy');
  await byClass.fit(x, oneHot, { epochs: 2, batchSize: 8, verbose: 0, seed: 3, classWeight: { 0: 0.5, 2: 3 } });
  const bySample = model('softmax', 'categoricalCrossentropy');
  await bySample.fit(x, oneHot, { epochs: 2, batchSize: 8, verbose: 0, seed: 3, sampleWeight: Array.from(labels, (label) => [0.5, 1, 3][label]!) });
  assert.deepEqual(byClass.getWeights(), bySample.getWeights());

  await assert.rejects(model('softmax', 'sparseCategoricalCrossentropy').fit(x, labels, { verbose: 0, sampleWeight: [1, 2] }), /^Error: fit\(\): sampleWeight has 2 weights but x has 48 samples: give one per sample\.$/);
  await assert.rejects(model('softmax', 'sparseCategoricalCrossentropy').fit(x, labels, { verbose: 0, sampleWeight: weights, classWeight: { 0: 1 } }), /^Error: fit\(\): give sampleWeight or classWeight, not both/);
  await assert.rejects(model('softmax', 'sparseCategoricalCrossentropy').fit(x, labels, { verbose: 0, classWeight: { 1: -1 } }), /^Error: fit\(\): classWeight\[1\] is -1: weights must be finite and non-negative\.$/);
});

test('the loss options survive save and load', async () => {
  const built = model('linear', categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }));
  await built.fit(x, oneHot, { epochs: 1, verbose: 0, seed: 1 });
  const path = join(folder, 'logits.safetensors');
  built.save(path);
  const loaded = loadModel(path);
  assert.deepEqual(loaded.getCompileConfig(), built.getCompileConfig());
  assert.deepEqual(loaded.getCompileConfig()!.lossOptions, { fromLogits: true, labelSmoothing: 0.1 });
  assert.equal(loaded.evaluate(x, oneHot).loss, built.evaluate(x, oneHot).loss);
});
