import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReferenceEngine } from '../../src/engine/reference.js';
import { ACTIVATION_NAMES } from '../../src/engine/engine.js';
import { activation, activityRegularization, batchNormalization, dense, dropout, gaussianNoise, layerNormalization } from '../../src/layers/index.js';
import { l1l2, l2 } from '../../src/regularizers/regularizers.js';
import type { Layer } from '../../src/layers/layer.js';
import { Random } from '../../src/random/rng.js';

// Central finite differences in float32 are accurate to about 1e-3 relative with this step.
const STEP = 1e-2;
const TOLERANCE = 2e-2;
const engine = new ReferenceEngine();

function randomArray(length: number, random: Random, scale = 1): Float32Array {
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = random.uniform(-scale, scale);
  return values;
}

function assertClose(analytic: number, numeric: number, what: string): void {
  const error = Math.abs(analytic - numeric) / Math.max(1e-2, Math.abs(analytic) + Math.abs(numeric));
  assert.ok(error < TOLERANCE, `${what}: analytic ${analytic}, numeric ${numeric}`);
}

/**
 * Checks a layer's backward pass: with loss = Σ output·R for a fixed random R, the gradients it
 * reports for its input and weights must match central differences of that loss.
 */
function checkLayer(layer: Layer, rows: number, inputWidth: number, seed = 7, withPenalty = false): void {
  const random = new Random(seed);
  layer.build([inputWidth], random);
  const width = layer.outputSize;
  const input = randomArray(rows * inputWidth, random);
  const projection = randomArray(rows * width, random);
  const output = new Float32Array(rows * width);
  const mask = layer.needsMask ? new Float32Array(rows * width) : null;
  const lossAt = (): number => {
    layer.forward(engine, input, output, mask, rows, true, 1234, false);
    let loss = 0;
    for (let i = 0; i < output.length; i++) loss += output[i]! * projection[i]!;
    // The layer's regularization penalty is part of the loss (Keras's layer.losses).
    return withPenalty ? loss + layer.penalty() : loss;
  };
  lossAt();
  const gradOutput = projection.slice();
  const gradInput = new Float32Array(rows * inputWidth);
  layer.backward(engine, input, output, mask, gradOutput, gradInput, rows, false);
  const numeric = (values: Float32Array, index: number): number => {
    const original = values[index]!;
    values[index] = original + STEP;
    const plus = lossAt();
    values[index] = original - STEP;
    const minus = lossAt();
    values[index] = original;
    return (plus - minus) / (2 * STEP);
  };
  for (let i = 0; i < input.length; i++) assertClose(gradInput[i]!, numeric(input, i), `${layer.name} input[${i}]`);
  for (const weight of layer.weights) {
    const analytic = weight.gradient.slice();
    for (let i = 0; i < weight.values.length; i++) assertClose(analytic[i]!, numeric(weight.values, i), `${weight.name}[${i}]`);
  }
}

// Every activation, the Keras 3 additions (gelu, elu, selu, leaky_relu, silu, softplus, softsign,
// hard_sigmoid, mish) included.
const activations = ACTIVATION_NAMES;

for (const name of activations) {
  test(`dense with ${name} has gradients equal to finite differences`, () => {
    checkLayer(dense({ units: 5, activation: name, name: `dense_${name}` }), 3, 4);
  });
  test(`activation ${name} has gradients equal to finite differences`, () => {
    checkLayer(activation({ activation: name, name: `activation_${name}` }), 3, 6);
  });
}

test('dense without bias has gradients equal to finite differences', () => {
  checkLayer(dense({ units: 3, useBias: false, name: 'no_bias' }), 2, 5);
});

test('dropout has gradients equal to finite differences for its fixed mask', () => {
  checkLayer(dropout({ rate: 0.4, name: 'drop' }), 4, 6);
});

function checkLoss(kind: 'sparse' | 'dense' | 'mse'): void {
  const random = new Random(3);
  const rows = 4;
  const classes = 5;
  const logits = randomArray(rows * classes, random, 3);
  const labels = Int32Array.from([0, 3, 4, 1]);
  const targets = new Float32Array(rows * classes);
  for (let i = 0; i < rows; i++) {
    // Soft targets summing to 1 exercise the general cross-entropy formula, not only one-hot.
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += targets[i * classes + j] = random.nextFloat();
    for (let j = 0; j < classes; j++) targets[i * classes + j]! /= sum;
  }
  const probabilities = new Float32Array(rows * classes);
  const stats = new Float64Array(2);
  const lossAt = (grad: Float32Array | null): number => {
    stats.fill(0);
    if (kind === 'mse') engine.meanSquaredError(logits, targets, grad, rows, classes, rows, stats);
    else engine.softmaxCrossEntropy(logits, kind === 'sparse' ? labels : null, kind === 'dense' ? targets : null, probabilities, grad, rows, classes, rows, stats);
    return stats[0]! / rows;
  };
  const grad = new Float32Array(rows * classes);
  lossAt(grad);
  for (let i = 0; i < logits.length; i++) {
    const original = logits[i]!;
    logits[i] = original + STEP;
    const plus = lossAt(null);
    logits[i] = original - STEP;
    const minus = lossAt(null);
    logits[i] = original;
    assertClose(grad[i]!, (plus - minus) / (2 * STEP), `${kind} loss logit ${i}`);
  }
}

test('sparse categorical cross-entropy gradient equals finite differences', () => checkLoss('sparse'));
test('categorical cross-entropy gradient equals finite differences', () => checkLoss('dense'));
test('mean squared error gradient equals finite differences', () => checkLoss('mse'));

test('softmax cross-entropy stays finite for huge logits', () => {
  const logits = Float32Array.of(1e4, -1e4, 0, 3e4, 2e4, -3e4);
  const probabilities = new Float32Array(6);
  const grad = new Float32Array(6);
  const stats = new Float64Array(2);
  engine.softmaxCrossEntropy(logits, Int32Array.of(1, 0), null, probabilities, grad, 2, 3, 2, stats);
  assert.ok(Number.isFinite(stats[0]), `loss ${stats[0]}`);
  // Row 1: the label's logit is 2e4 below the max; row 2: the label is the max, so about 0.
  assert.ok(Math.abs(stats[0]! - 2e4) < 1, `loss sum ${stats[0]} should be 20000`);
  assert.ok(grad.every(Number.isFinite));
});

test('batchNormalization (training, with the batch statistics) has gradients equal to finite differences, with and without center/scale', () => {
  checkLayer(batchNormalization({ name: 'bn' }), 5, 4);
  checkLayer(batchNormalization({ name: 'bn_plain', center: false, scale: false }), 4, 3);
});

test('layerNormalization has gradients equal to finite differences', () => {
  checkLayer(layerNormalization({ name: 'ln' }), 3, 5);
});

test('gaussianNoise and activityRegularization have gradients equal to finite differences', () => {
  checkLayer(gaussianNoise({ stddev: 0.3, name: 'noise' }), 3, 4);
  checkLayer(activityRegularization({ l1: 0.05, l2: 0.1, name: 'activity' }), 3, 4, 11, true);
});

test('dense with kernel, bias and activity regularizers has the penalty gradients equal to finite differences', () => {
  checkLayer(dense({ units: 4, activation: 'tanh', kernelRegularizer: l1l2({ l1: 0.02, l2: 0.05 }), biasRegularizer: 'l2', activityRegularizer: l2(0.1), name: 'reg' }), 3, 5, 7, true);
});
