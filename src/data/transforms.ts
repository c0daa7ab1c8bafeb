/**
 * The array chores of the Keras MNIST notebooks: reshape to vectors, scale to [0, 1],
 * one-hot labels, class balance, and subsets for `--limit N`.
 */
import { tensor } from './tensor.js';
import type { ImageSet, Tensor } from './tensor.js';

export type Labels = Uint8Array | Int32Array | readonly number[];

function isImageSet(value: Tensor | ImageSet): value is ImageSet {
  return 'images' in value;
}

/** [n, rows, cols] (or an ImageSet) → [n, rows*cols], sharing the data. */
export function flatten(input: Tensor | ImageSet): Tensor {
  if (isImageSet(input)) return tensor(input.images, [input.count, input.rows * input.cols]);
  if (input.shape.length === 0) throw new RangeError('Cannot flatten a tensor of shape []: it needs a sample dimension.');
  const [count, ...rest] = input.shape as [number, ...number[]];
  return tensor(input.data, [count, rest.reduce((product, dimension) => product * dimension, 1)]);
}

/**
 * Divides every value by `scale` (255: grey levels → [0, 1]) into a new Float32 tensor.
 * Dividing in float64 and rounding once to float32 gives the same bits as NumPy's float32
 * `x / 255`, because float64 carries more than twice float32's precision.
 */
export function normalize(input: Tensor, scale = 255): Tensor {
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`normalize scale must be a positive number, not ${scale}.`);
  const source = input.data;
  const out = new Float32Array(source.length);
  for (let index = 0; index < source.length; index++) out[index] = source[index]! / scale;
  return tensor(out, input.shape);
}

function checkNumClasses(numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`numClasses must be a positive integer, not ${numClasses}.`);
  }
}

function checkLabel(label: number, index: number, numClasses: number): void {
  if (!Number.isInteger(label)) throw new RangeError(`Label ${label} at index ${index} is not an integer: labels are class numbers 0..${numClasses - 1}.`);
  if (label < 0 || label >= numClasses) {
    throw new RangeError(`Label ${label} at index ${index} is outside 0..${numClasses - 1}.`);
  }
}

/**
 * One-hot rows: Keras `to_categorical(labels, numClasses)` as a Float32 tensor [n, numClasses].
 * Without numClasses, as Keras, there are as many classes as the largest label plus one.
 */
export function toCategorical(labels: Labels, numClasses?: number): Tensor {
  if (numClasses === undefined) {
    if (labels.length === 0) throw new RangeError('toCategorical() cannot tell the number of classes from no labels: pass numClasses.');
    let largest = labels[0]!;
    for (let index = 0; index < labels.length; index++) {
      const label = labels[index]!;
      if (!Number.isInteger(label) || label < 0) {
        throw new RangeError(`Label ${label} at index ${index} is not a class number: labels are integers 0, 1, 2, ….`);
      }
      largest = Math.max(largest, label);
    }
    numClasses = largest + 1;
  }
  checkNumClasses(numClasses);
  const out = new Float32Array(labels.length * numClasses);
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index]!;
    checkLabel(label, index, numClasses);
    out[index * numClasses + label] = 1;
  }
  return tensor(out, [labels.length, numClasses]);
}

/** How many samples carry each label 0..numClasses-1. */
export function classCounts(labels: Labels, numClasses = 10): number[] {
  checkNumClasses(numClasses);
  const counts = new Array<number>(numClasses).fill(0);
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index]!;
    checkLabel(label, index, numClasses);
    counts[label]!++;
  }
  return counts;
}

/** Fraction of samples per label; sums to 1. */
export function classProportions(labels: Labels, numClasses = 10): number[] {
  if (labels.length === 0) throw new RangeError('Class proportions need at least one label; the label list is empty.');
  return classCounts(labels, numClasses).map((count) => count / labels.length);
}

/** Samples start..end-1 of a set, sharing its arrays. */
export function sliceImageSet(set: ImageSet, start: number, end: number): ImageSet {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > set.count) {
    throw new RangeError(`Slice ${start}..${end} is not within the set's 0..${set.count} samples.`);
  }
  const size = set.rows * set.cols;
  return {
    images: set.images.subarray(start * size, end * size),
    labels: set.labels.length > 0 ? set.labels.subarray(start, end) : set.labels,
    count: end - start,
    rows: set.rows,
    cols: set.cols,
  };
}

/** The first n samples (all of them when n exceeds the count), sharing the set's arrays. */
export function takeFirst(set: ImageSet, n: number): ImageSet {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`The sample limit must be a non-negative integer, not ${n}.`);
  return sliceImageSet(set, 0, Math.min(n, set.count));
}

/** Throws if a float input holds NaN or ±Infinity, naming the first bad index. */
export function assertFinite(input: Tensor | Float32Array | Float64Array, name: string): void {
  const data = input instanceof Float32Array || input instanceof Float64Array ? input : input.data;
  for (let index = 0; index < data.length; index++) {
    const value = data[index]!;
    if (!Number.isFinite(value)) {
      throw new RangeError(`${name} holds ${value} at index ${index}; every value must be a finite number.`);
    }
  }
}
