import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/data/tensor.js';
import type { ImageSet } from '../../src/data/tensor.js';
import {
  assertFinite, classCounts, classProportions, flatten, normalize, sliceImageSet, takeFirst, toCategorical,
} from '../../src/data/transforms.js';

const set: ImageSet = {
  images: Uint8Array.from({ length: 3 * 2 * 2 }, (_, index) => index * 20),
  labels: Uint8Array.from([2, 0, 2]),
  count: 3,
  rows: 2,
  cols: 2,
};

test('flatten keeps the data and reshapes to [n, rows*cols]', () => {
  const flat = flatten(set);
  assert.deepEqual(flat.shape, [3, 4]);
  assert.equal(flat.data, set.images);
  const fromTensor = flatten(tensor(new Float32Array(24), [2, 3, 4]));
  assert.deepEqual(fromTensor.shape, [2, 12]);
});

test('normalize divides by 255 into float32 exactly like NumPy float32', () => {
  const result = normalize(tensor(Uint8Array.from([0, 1, 128, 255]), [4]));
  assert.ok(result.data instanceof Float32Array);
  assert.deepEqual(result.shape, [4]);
  assert.deepEqual(Array.from(result.data), [0, Math.fround(1 / 255), Math.fround(128 / 255), 1]);
  assert.throws(() => normalize(result, 0), { message: 'normalize scale must be a positive number, not 0.' });
});

test('toCategorical one-hot rows and bad labels', () => {
  const onehot = toCategorical(Uint8Array.from([1, 0, 3]), 4);
  assert.deepEqual(onehot.shape, [3, 4]);
  assert.deepEqual(Array.from(onehot.data), [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
  // Without numClasses, as Keras: the largest label plus one.
  assert.equal(toCategorical([9]).shape[1], 10);
  assert.deepEqual(toCategorical([0, 2, 1]).shape, [3, 3]);
  assert.throws(() => toCategorical([1, 2, 10], 10), { message: 'Label 10 at index 2 is outside 0..9.' });
  assert.throws(() => toCategorical([1, -2]), { message: 'Label -2 at index 1 is not a class number: labels are integers 0, 1, 2, ….' });
  assert.throws(() => toCategorical([]), { message: 'toCategorical() cannot tell the number of classes from no labels: pass numClasses.' });
  assert.throws(() => toCategorical([0, -1], 3), { message: 'Label -1 at index 1 is outside 0..2.' });
  assert.throws(() => toCategorical([0], 0), { message: 'numClasses must be a positive integer, not 0.' });
});

test('class counts and proportions', () => {
  assert.deepEqual(classCounts(set.labels, 3), [1, 0, 2]);
  const proportions = classProportions([0, 1, 1, 3]);
  assert.equal(proportions.length, 10);
  assert.deepEqual(proportions.slice(0, 4), [0.25, 0.5, 0, 0.25]);
  assert.equal(proportions.reduce((a, b) => a + b, 0), 1);
  assert.throws(() => classProportions([]), /label list is empty/);
});

test('takeFirst and sliceImageSet share the arrays', () => {
  const first = takeFirst(set, 2);
  assert.equal(first.count, 2);
  assert.deepEqual(Array.from(first.labels), [2, 0]);
  assert.equal(first.images.length, 8);
  assert.equal(first.images.buffer, set.images.buffer);
  assert.equal(takeFirst(set, 100).count, 3);
  assert.throws(() => takeFirst(set, -1), { message: 'The sample limit must be a non-negative integer, not -1.' });
  const last = sliceImageSet(set, 2, 3);
  assert.deepEqual(Array.from(last.images), [160, 180, 200, 220]);
  assert.throws(() => sliceImageSet(set, 1, 4), { message: "Slice 1..4 is not within the set's 0..3 samples." });
  const unlabelled = takeFirst({ ...set, labels: new Uint8Array(0) }, 1);
  assert.equal(unlabelled.labels.length, 0);
});

test('assertFinite names the first bad index', () => {
  assertFinite(tensor(Float32Array.from([0, 1.5, -2]), [3]), 'x');
  assert.throws(() => assertFinite(tensor(Float32Array.from([0, NaN, Infinity]), [3]), 'x_train'), {
    message: 'x_train holds NaN at index 1; every value must be a finite number.',
  });
  assert.throws(() => assertFinite(Float64Array.from([1, -Infinity]), 'loss'), {
    message: 'loss holds -Infinity at index 1; every value must be a finite number.',
  });
});
