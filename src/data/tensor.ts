/**
 * A dense array with a shape, row-major, the first dimension counting samples. Images stay
 * Uint8Array (0..255) until a batch is gathered, so the whole set is never copied to float.
 */
export interface Tensor {
  readonly data: Float32Array | Uint8Array;
  readonly shape: readonly number[];
}

/** One split of an image data set, as read from IDX files or a CSV. */
export interface ImageSet {
  /** count × rows × cols grey levels, 0 = background. */
  readonly images: Uint8Array;
  /** count labels; empty when the source had none (a Kaggle test file). */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

export function tensor(data: Float32Array | Uint8Array, shape: readonly number[]): Tensor {
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  for (const dimension of shape) {
    if (!Number.isInteger(dimension) || dimension < 0) {
      throw new RangeError(`Tensor shape [${shape.join(', ')}] is invalid: every dimension must be a non-negative integer.`);
    }
  }
  if (size !== data.length) {
    throw new RangeError(`Tensor shape [${shape.join(', ')}] holds ${size} values but the data has ${data.length}.`);
  }
  return { data, shape };
}

/** Samples of an image set as a tensor of shape [count, rows, cols], without copying. */
export function imagesOf(set: ImageSet): Tensor {
  return tensor(set.images, [set.count, set.rows, set.cols]);
}
