import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { maxNorm, nonNeg, unitNorm } from '../../src/constraints/constraints.js';
import { ReferenceEngine } from '../../src/engine/reference.js';
import {
  activityRegularization,
  batchNormalization,
  dense,
  flatten,
  gaussianNoise,
  layerNormalization,
  randomElasticTransform,
  randomRotation,
  randomTranslation,
  randomZoom,
} from '../../src/layers/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { sequential } from '../../src/models/sequential.js';
import { Random } from '../../src/random/rng.js';
import { l1, l2 } from '../../src/regularizers/regularizers.js';
import { loadModel, saveModel } from '../../src/saving/model-file.js';

const engine = new ReferenceEngine();

test('batchNormalization normalizes by the batch in training, updates the moving statistics with momentum 0.99, and uses them at inference', () => {
  const normalization = batchNormalization({ name: 'bn' });
  const layer: Layer = normalization;
  layer.build([2], new Random(1));
  assert.equal(normalization.momentum, 0.99);
  assert.equal(normalization.epsilon, 1e-3);
  const input = Float32Array.from([1, 10, 3, 20, 5, 30]);
  const output = new Float32Array(6);
  layer.forward(engine, input, output, null, 3, true, 0, false);
  // Feature 0: mean 3, variance 8/3, so (1 - 3)/sqrt(8/3 + 1e-3).
  assert.ok(Math.abs(output[0]! - -2 / Math.sqrt(8 / 3 + 1e-3)) < 1e-5);
  const [movingMean, movingVariance] = layer.nonTrainableWeights;
  assert.ok(Math.abs(movingMean!.values[0]! - 0.01 * 3) < 1e-6);
  assert.ok(Math.abs(movingVariance!.values[1]! - (0.99 + 0.01 * (200 / 3))) < 1e-4);
  layer.forward(engine, input, output, null, 3, false, 0, false);
  assert.ok(Math.abs(output[0]! - (1 - movingMean!.values[0]!) / Math.sqrt(movingVariance!.values[0]! + 1e-3)) < 1e-5);
  assert.deepEqual(layer.weights.map((weight) => weight.name), ['bn/gamma', 'bn/beta']);
  assert.throws(() => batchNormalization({ momentum: 1.5 }), /momentum/);
});

test('layerNormalization gives each row mean 0 and variance about 1', () => {
  const layer: Layer = layerNormalization({});
  layer.build([4], new Random(1));
  const output = new Float32Array(4);
  layer.forward(engine, Float32Array.from([1, 2, 3, 10]), output, null, 1, false, 0, false);
  const mean = output.reduce((a, b) => a + b, 0) / 4;
  assert.ok(Math.abs(mean) < 1e-6);
});

test('gaussianNoise adds noise of its stddev in training only', () => {
  const layer: Layer = gaussianNoise({ stddev: 0.5 });
  layer.build([10_000], new Random(1));
  const input = new Float32Array(10_000);
  const output = new Float32Array(10_000);
  layer.forward(engine, input, output, null, 1, true, 99, false);
  const variance = output.reduce((sum, value) => sum + value * value, 0) / output.length;
  assert.ok(Math.abs(Math.sqrt(variance) - 0.5) < 0.02, `stddev ${Math.sqrt(variance)}`);
  layer.forward(engine, input, output, null, 1, false, 99, false);
  assert.ok(output.every((value) => value === 0));
});

test('constraints project the kernel after each update: maxNorm, unitNorm, nonNeg', async () => {
  const random = new Random(2);
  const x = { data: Float32Array.from({ length: 64 * 6 }, () => random.uniform(-3, 3)), shape: [64, 6] };
  const y = Int32Array.from({ length: 64 }, (_, i) => i % 3);
  for (const [constraint, check] of [
    [maxNorm(0.5), (norm: number) => norm <= 0.5 + 1e-5],
    [unitNorm(), (norm: number) => Math.abs(norm - 1) < 1e-4],
  ] as const) {
    const model = sequential([dense({ units: 5, activation: 'relu', inputShape: [6], kernelConstraint: constraint }), dense({ units: 3, activation: 'softmax' })], { seed: 1 });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    const kernel = model.getWeights()[0]!;
    for (let unit = 0; unit < 5; unit++) {
      let squares = 0;
      for (let input = 0; input < 6; input++) squares += kernel[input * 5 + unit]! ** 2;
      assert.ok(check(Math.sqrt(squares)), `${constraint.className}: unit ${unit} has norm ${Math.sqrt(squares)}`);
    }
  }
  const model = sequential([dense({ units: 5, inputShape: [6], kernelConstraint: nonNeg() }), dense({ units: 3, activation: 'softmax' })], { seed: 1 });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
  assert.ok(model.getWeights()[0]!.every((value) => value >= 0));
});

test('a kernel regularizer\'s penalty is part of the reported loss, in fit and evaluate', async () => {
  const random = new Random(3);
  const x = { data: Float32Array.from({ length: 32 * 4 }, () => random.uniform(-1, 1)), shape: [32, 4] };
  const y = Int32Array.from({ length: 32 }, (_, i) => i % 2);
  const build = (regularized: boolean) => {
    const model = sequential([dense({ units: 2, activation: 'softmax', inputShape: [4], ...(regularized ? { kernelRegularizer: l2(0.5) } : {}) })], { seed: 4 });
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    return model;
  };
  const plain = build(false);
  const regularized = build(true);
  const kernel = regularized.getWeights()[0]!;
  const penalty = 0.5 * kernel.reduce((sum, value) => sum + value * value, 0);
  const difference = regularized.evaluate(x, y).loss - plain.evaluate(x, y).loss;
  assert.ok(Math.abs(difference - penalty) < 1e-5, `difference ${difference}, penalty ${penalty}`);
  assert.throws(() => dense({ units: 2, kernelRegularizer: 'l3' as never }), /kernelRegularizer "l3" is not a regularizer: use 'l1', 'l2', 'l1l2'/);
  assert.throws(() => dense({ units: 2, kernelConstraint: 'positive' as never }), /kernelConstraint "positive" is not a constraint/);
});

test('the new layers\' configs and weights, moving statistics included, round-trip through save and load', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'digitnet-toolbox-'));
  try {
    const model = sequential(
      [
        randomRotation({ factor: 0.03, inputShape: [28, 28] }),
        randomZoom({ heightFactor: 0.1 }),
        randomTranslation({ heightFactor: 0.1, widthFactor: 0.05 }),
        randomElasticTransform({ alpha: 30, sigma: 5 }),
        flatten({}),
        gaussianNoise({ stddev: 0.1 }),
        dense({ units: 8, activation: 'gelu', kernelRegularizer: l1(0.001), activityRegularizer: 'l2', kernelConstraint: maxNorm(3) }),
        batchNormalization({ momentum: 0.9 }),
        layerNormalization({ epsilon: 1e-4 }),
        activityRegularization({ l1: 0.01 }),
        dense({ units: 10, activation: 'softmax' }),
      ],
      { seed: 5 },
    );
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const random = new Random(6);
    const x = { data: Float32Array.from({ length: 40 * 784 }, () => random.nextFloat()), shape: [40, 28, 28] };
    const y = Int32Array.from({ length: 40 }, (_, i) => i % 10);
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const path = join(folder, 'model.digitnet');
    saveModel(model, path);
    const loaded = loadModel(path);
    assert.deepEqual(loaded.layers.map((layer) => layer.serialize()), model.layers.map((layer) => layer.serialize()));
    assert.deepEqual(loaded.getWeights(), model.getWeights());
    assert.deepEqual(loaded.predict(x).data, model.predict(x).data);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
