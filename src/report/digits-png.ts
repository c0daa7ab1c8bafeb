import { PNG } from 'pngjs';

export interface DigitPngOptions {
  /** Image height; 28 by default. */
  readonly rows?: number;
  /** Image width; 28 by default. */
  readonly cols?: number;
  /** Each source pixel becomes scale × scale pixels; 1 by default. */
  readonly scale?: number;
  /** Dark ink on white instead of MNIST's white ink on black; false by default. */
  readonly inverted?: boolean;
}

/**
 * One image of an n × rows × cols grey-level array as a PNG file. Pixels are duplicated rather
 * than interpolated when scaled, so the digit keeps its hard 28 × 28 look.
 */
export function digitPng(images: Uint8Array, index: number, options: DigitPngOptions = {}): Buffer {
  const rows = options.rows ?? 28;
  const cols = options.cols ?? 28;
  const scale = options.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1 || scale > 32) {
    throw new RangeError(`scale is ${scale}; it must be an integer from 1 to 32.`);
  }
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`The image size ${rows} × ${cols} is invalid; rows and cols must be positive integers.`);
  }
  const size = rows * cols;
  const count = Math.floor(images.length / size);
  if (images.length % size !== 0) {
    throw new RangeError(`The images hold ${images.length} pixels, not a whole number of ${rows} × ${cols} images.`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`Image index ${index} is out of range; there are ${count} images (0 to ${count - 1}).`);
  }
  const png = new PNG({ width: cols * scale, height: rows * scale, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  const offset = index * size;
  const width = cols * scale;
  // pngjs keeps RGBA internally whatever the output colour type.
  for (let y = 0; y < rows * scale; y++) {
    for (let x = 0; x < width; x++) {
      const grey = images[offset + Math.floor(y / scale) * cols + Math.floor(x / scale)]!;
      const value = options.inverted ? 255 - grey : grey;
      const target = (y * width + x) * 4;
      png.data[target] = value;
      png.data[target + 1] = value;
      png.data[target + 2] = value;
      png.data[target + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 0 });
}

export function pngDataUri(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}
