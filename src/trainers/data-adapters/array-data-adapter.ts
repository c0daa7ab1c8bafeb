import type { Tensor } from '../../data/tensor.js';
import { formatValue } from '../../validation.js';

/** Samples as the training loop reads them: rows of `width` values, scaled by `scale` when gathered. */
export interface Features {
  readonly source: Float32Array | Uint8Array;
  readonly count: number;
  readonly sampleShape: readonly number[];
  readonly width: number;
  /** 1/255 for uint8 images, so they are normalized as they are gathered. */
  readonly scale: number;
}

/** Either class labels (for sparse losses) or one row of targets per sample. */
export interface Targets {
  readonly count: number;
  readonly labels: Uint8Array | Int32Array | null;
  readonly values: Float32Array | null;
  readonly width: number;
}

export type TargetInput = Tensor | Uint8Array | Int32Array | readonly number[];

export function resolveFeatures(x: Tensor, name = 'x'): Features {
  if (!x || !(x.data instanceof Float32Array || x.data instanceof Uint8Array) || !Array.isArray(x.shape)) {
    throw new Error(`${name} must be a tensor { data: Float32Array | Uint8Array, shape: number[] }; got ${describe(x)}.`);
  }
  checkShape(x, name);
  if (x.shape.length < 2) {
    throw new Error(`${name} has shape [${x.shape.join(', ')}]: it needs a first dimension counting samples and at least one more.`);
  }
  const count = x.shape[0]!;
  if (count === 0) throw new Error(`${name} has no samples (shape [${x.shape.join(', ')}]): it needs at least one.`);
  const sampleShape = x.shape.slice(1);
  const width = sampleShape.reduce((product, dimension) => product * dimension, 1);
  if (count * width !== x.data.length) {
    throw new Error(`${name} has shape [${x.shape.join(', ')}] (${count * width} values) but its data holds ${x.data.length}.`);
  }
  if (x.data instanceof Float32Array) assertAllFinite(x.data, width, name);
  return { source: x.data, count, sampleShape, width, scale: x.data instanceof Uint8Array ? 1 / 255 : 1 };
}

function assertAllFinite(values: Float32Array, width: number, name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new Error(`${name} holds ${values[i]} at sample ${Math.floor(i / width)}, value ${i % width}: inputs must be finite numbers.`);
    }
  }
}

/**
 * Reads y as labels or as rows of targets, checking its length against the samples. A tensor of
 * shape [n, 1] holds labels only for a loss that takes labels; otherwise it is one target per row.
 */
export function resolveTargets(y: TargetInput, count: number, labelsExpected: boolean, name = 'y', samplesName = 'x'): Targets {
  let targets: Targets;
  if (y instanceof Uint8Array || y instanceof Int32Array) {
    targets = { count: y.length, labels: y, values: null, width: 1 };
  } else if (Array.isArray(y)) {
    targets = { count: y.length, labels: labelsFromNumbers(y, name), values: null, width: 1 };
  } else if (isTensor(y)) {
    checkShape(y, name);
    const shape = y.shape;
    if (shape.length === 1 || (shape.length === 2 && shape[1] === 1 && labelsExpected)) {
      targets = { count: shape[0]!, labels: labelsFromNumbers(y.data, name), values: null, width: 1 };
    } else if (shape.length === 2) {
      const values = y.data instanceof Float32Array ? y.data : Float32Array.from(y.data);
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i])) throw new Error(`${name} holds ${values[i]} at sample ${Math.floor(i / shape[1]!)}: targets must be finite.`);
      }
      targets = { count: shape[0]!, labels: null, values, width: shape[1]! };
    } else {
      throw new Error(`${name} has shape [${shape.join(', ')}]: give labels of shape [n] or targets of shape [n, classes].`);
    }
  } else {
    throw new Error(`${name} must be labels (Uint8Array, Int32Array, number[]) or a tensor; got ${describe(y)}.`);
  }
  if (targets.count !== count) {
    throw new Error(`${samplesName} has ${count} samples but ${name} has ${targets.count}: they must have the same length.`);
  }
  return targets;
}

/** Checks that every label is a class index of the model's output. */
export function checkLabels(labels: Uint8Array | Int32Array, classes: number, name = 'y'): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label < 0 || label >= classes) {
      throw new Error(`${name}[${i}] is ${label}, outside the model's classes 0..${classes - 1}.`);
    }
  }
}

/** Every dimension a non-negative integer, and as many values as the shape says. */
function checkShape(value: Tensor, name: string): void {
  if (!value.shape.every((dimension) => Number.isSafeInteger(dimension) && dimension >= 0)) {
    throw new Error(`${name} has shape [${value.shape.join(', ')}]: every dimension must be a non-negative integer.`);
  }
  const size = value.shape.reduce((product, dimension) => product * dimension, 1);
  if (size !== value.data.length) {
    throw new Error(`${name} has shape [${value.shape.join(', ')}] (${size} values) but its data holds ${value.data.length}.`);
  }
}

function labelsFromNumbers(values: ArrayLike<number>, name: string): Int32Array {
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isInteger(value)) throw new Error(`${name}[${i}] is ${formatValue(value)}: labels must be integers.`);
    labels[i] = value;
  }
  return labels;
}

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'data' in value && 'shape' in value;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : formatValue(value);
}
