import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { loadNativeEngine, nativeAddonPath } from '../../src/engine/native.js';
import { ReferenceEngine } from '../../src/engine/reference.js';
import { Random } from '../../src/random/rng.js';

const addonMissing = existsSync(nativeAddonPath()) ? false : `the native addon is not built (${nativeAddonPath()} is missing)`;

const randomValues = (random: Random, count: number, spread: number, center = 0): Float32Array =>
  Float32Array.from({ length: count }, () => center + (random.nextFloat() * 2 - 1) * spread);
const randomDoubles = (random: Random, count: number, low: number, high: number): Float64Array =>
  Float64Array.from({ length: count }, () => low + random.nextFloat() * (high - low));

function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

test('the reference column statistics are each column\'s mean and biased variance', () => {
  const engine = new ReferenceEngine();
  // Columns [1, 3, 5] and [2, 2, 8]: means 3 and 4, variances 8/3 and 8.
  const mean = new Float64Array(2);
  const variance = new Float64Array(2);
  engine.columnStatistics(Float32Array.of(1, 2, 3, 2, 5, 8), 3, 2, mean, variance);
  assert.deepEqual([...mean], [3, 4]);
  assert.ok(Math.abs(variance[0]! - 8 / 3) < 1e-12 && Math.abs(variance[1]! - 8) < 1e-12);
});

test('the native batch-normalization kernels match the TypeScript reference on random batches, one thread-sized block or many', { skip: addonMissing }, () => {
  const native = loadNativeEngine();
  const reference = new ReferenceEngine();
  const random = new Random(11);
  // 800 features × 128 rows is split among threads; 7 × 3 and 33 × 50 are not, and end mid-vector.
  for (const [rows, features] of [[3, 7], [50, 33], [128, 800], [256, 1000]] as const) {
    const count = rows * features;
    const input = randomValues(random, count, 3, 0.5);
    const results = [native, reference].map((engine) => {
      const mean = new Float64Array(features);
      const variance = new Float64Array(features);
      engine.columnStatistics(input, rows, features, mean, variance);
      return { mean, variance };
    });
    assert.ok(maxRelativeDifference(results[0]!.mean, results[1]!.mean) < 1e-12, `${rows}×${features}: means differ`);
    assert.ok(maxRelativeDifference(results[0]!.variance, results[1]!.variance) < 1e-12, `${rows}×${features}: variances differ`);

    const factor = randomDoubles(random, features, -2, 2);
    const offset = randomDoubles(random, features, -1, 1);
    const [fromNative, fromReference] = [native, reference].map((engine) => {
      const output = new Float32Array(count);
      engine.columnAffine(input, output, rows, features, factor, offset);
      return output;
    });
    assert.ok(maxRelativeDifference(fromNative!, fromReference!) < 1e-6, `${rows}×${features}: affine outputs differ`);
    // In place, as the layer may call it.
    const inPlace = input.slice();
    native.columnAffine(inPlace, inPlace, rows, features, factor, offset);
    assert.ok(maxRelativeDifference(inPlace, fromReference!) < 1e-6, `${rows}×${features}: in place differs`);

    const gradOutput = randomValues(random, count, 1);
    const mean = results[1]!.mean;
    const inverse = Float64Array.from(results[1]!.variance, (value) => 1 / Math.sqrt(value + 1e-3));
    const scale = randomDoubles(random, features, 0.1, 2);
    const backward = [native, reference].map((engine) => {
      const gradInput = new Float32Array(count);
      const sumGrad = new Float64Array(features);
      const sumGradNormalized = new Float64Array(features);
      engine.batchNormBackward(input, gradOutput, gradInput, rows, features, mean, inverse, scale, sumGrad, sumGradNormalized);
      // Without gradInput (the first layer): the sums alone.
      const sumsOnly = new Float64Array(features);
      engine.batchNormBackward(input, gradOutput, null, rows, features, mean, inverse, scale, sumsOnly, new Float64Array(features));
      assert.deepEqual(sumsOnly, sumGrad);
      return { gradInput, sumGrad, sumGradNormalized };
    });
    assert.ok(maxRelativeDifference(backward[0]!.sumGrad, backward[1]!.sumGrad) < 1e-12, `${rows}×${features}: Σg differs`);
    assert.ok(maxRelativeDifference(backward[0]!.sumGradNormalized, backward[1]!.sumGradNormalized) < 1e-12, `${rows}×${features}: Σg·x̂ differs`);
    assert.ok(maxRelativeDifference(backward[0]!.gradInput, backward[1]!.gradInput) < 1e-5, `${rows}×${features}: input gradients differ`);
  }
});
