/**
 * What the metric and plotting helpers accept as labels, read the way a Keras user hands them
 * over: class labels (an array or typed array, or a 1-D tensor such as loadMnist's), or a 2-D
 * tensor of probabilities or one-hot rows (what predict returns, what toCategorical makes),
 * which is reduced to its argmax per row.
 */
import type { Tensor } from '../data/tensor.js';
import { formatValue } from '../validation.js';

export type LabelsInput = ArrayLike<number> | Tensor;

function isTensor(value: unknown): value is Tensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    'data' in value &&
    'shape' in value &&
    ArrayBuffer.isView((value as Tensor).data) &&
    Array.isArray((value as Tensor).shape)
  );
}

function isArrayLikeOfNumbers(value: unknown): value is ArrayLike<number> {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return true;
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}

/** The index of the largest value of each row; ties go to the lowest index, as numpy's argmax. */
export function argmaxOfRows(values: ArrayLike<number>, columns: number): Uint8Array {
  const rows = values.length / columns;
  const result = new Uint8Array(rows);
  for (let row = 0; row < rows; row++) {
    const offset = row * columns;
    let best = 0;
    let bestValue = values[offset]!;
    for (let column = 1; column < columns; column++) {
      const value = values[offset + column]!;
      // NaN never wins, so a row with NaNs still predicts a real class.
      if (value > bestValue || (Number.isNaN(bestValue) && !Number.isNaN(value))) {
        best = column;
        bestValue = value;
      }
    }
    result[row] = best;
  }
  return result;
}

/** Class labels from any LabelsInput; `name` names the argument in the error sentence. */
export function labelsOf(value: unknown, name: string): ArrayLike<number> {
  if (isTensor(value)) {
    const shape = value.shape;
    if (shape.length === 1) return value.data;
    if (shape.length === 2 && shape[1]! >= 1 && shape[1]! <= 256) {
      if (shape[1] === 1) return value.data;
      return argmaxOfRows(value.data, shape[1]!);
    }
    throw new RangeError(
      `${name} is ${formatValue(value)}; labels are a 1-D tensor of classes or a 2-D tensor of per-class probabilities (samples × classes).`,
    );
  }
  if (isArrayLikeOfNumbers(value)) return value;
  throw new TypeError(
    `${name} is ${formatValue(value)}; labels are an array or typed array of classes, or a tensor (labels, or probabilities from predict).`,
  );
}

/**
 * numpy's argmax for what predict returns: a 2-D tensor (samples × classes) gives each row's
 * class, a single row (an array, typed array or 1-D tensor) gives its index.
 */
export function argmax(values: Tensor): Uint8Array;
export function argmax(values: ArrayLike<number>): number;
export function argmax(values: Tensor | ArrayLike<number>): Uint8Array | number;
export function argmax(values: Tensor | ArrayLike<number>): Uint8Array | number {
  if (isTensor(values)) {
    if (values.shape.length === 2 && values.shape[1]! >= 1) {
      if (values.shape[1]! > 256) throw new RangeError(`argmax(): ${formatValue(values)} has more than 256 classes per row.`);
      return argmaxOfRows(values.data, values.shape[1]!);
    }
    if (values.shape.length === 1 && values.data.length > 0) return argmaxOfRows(values.data, values.data.length)[0]!;
    throw new RangeError(`argmax(): ${formatValue(values)} must be 2-D (samples × classes) or one non-empty row.`);
  }
  if (isArrayLikeOfNumbers(values) && values.length > 0) {
    let best = 0;
    for (let index = 1; index < values.length; index++) if (values[index]! > values[best]! || Number.isNaN(values[best]!)) best = index;
    return best;
  }
  throw new TypeError(`argmax(): got ${formatValue(values)}; it takes a tensor from predict, or a non-empty array of numbers.`);
}
