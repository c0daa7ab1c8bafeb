/** Reads images the way loadMnist, imagesOf and normalize hand them over, for the digit plots. */
import type { ImageSet, Tensor } from '../data/tensor.js';
import { formatValue } from '../validation.js';

export interface ImageGrid {
  /** count × rows × cols grey levels 0..255. */
  readonly pixels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** The set's own labels, when the images came as an ImageSet. */
  readonly labels?: Uint8Array;
}

export function isImageSet(value: unknown): value is ImageSet {
  if (typeof value !== 'object' || value === null) return false;
  const set = value as Partial<ImageSet>;
  return set.images instanceof Uint8Array && set.labels instanceof Uint8Array && typeof set.count === 'number' && typeof set.rows === 'number' && typeof set.cols === 'number';
}

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && ArrayBuffer.isView((value as Tensor).data) && Array.isArray((value as Tensor).shape);
}

const ALLOWED = 'an image set from loadMnist (e.g. mnist.test) or a tensor of shape [n, 28, 28] or [n, 784], 0..255 or scaled to 0..1';

export function imageGridOf(value: unknown, name: string): ImageGrid {
  if (isImageSet(value)) return { pixels: value.images, count: value.count, rows: value.rows, cols: value.cols, labels: value.labels };
  if (!isTensor(value)) throw new TypeError(`${name} is ${formatValue(value)}; it must be ${ALLOWED}.`);
  const [count, ...rest] = value.shape;
  const size = rest.reduce((product, dimension) => product * dimension, 1);
  const side = Math.round(Math.sqrt(size));
  const square = rest.length === 1 && side * side === size;
  if (count === undefined || count < 1 || !(rest.length === 2 || square)) throw new RangeError(`${name} is ${formatValue(value)}; it must be ${ALLOWED}.`);
  const rows = rest.length === 2 ? rest[0]! : side;
  const cols = rest.length === 2 ? rest[1]! : side;
  if (value.data instanceof Uint8Array) return { pixels: value.data, count, rows, cols };
  // Float images are normalized (0..1); anything larger is taken as already 0..255.
  let largest = 0;
  for (let index = 0; index < value.data.length; index++) largest = Math.max(largest, value.data[index]!);
  const factor = largest <= 1 ? 255 : 1;
  const pixels = new Uint8Array(value.data.length);
  for (let index = 0; index < value.data.length; index++) pixels[index] = Math.max(0, Math.min(255, Math.round(value.data[index]! * factor)));
  return { pixels, count, rows, cols };
}
