/**
 * Turns a picture of one handwritten digit into a 28×28 MNIST-style input, the way MNIST itself
 * was made: light ink on a black field, the digit's bounding box scaled (antialiased, aspect
 * kept) so its larger side is 20 px, then placed so its centre of mass sits at the field's
 * centre. On MNIST the centre of mass (row, column indices weighted by grey level) rounds to
 * (14, 14) for every image, so that is the target here.
 */
import { basename } from 'node:path';
import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { readRegularFile } from '../io/read-file.js';

export const MNIST_SIDE = 28;
export const MNIST_BOX = 20;

export interface PrepareDigitOptions {
  /** true/false forces inversion; 'auto' (default) inverts when the border is light. */
  readonly invert?: boolean | 'auto';
  /** Grey level (0..255, after contrast stretching) above which a pixel counts as ink for the bounding box. */
  readonly threshold?: number;
}

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, 8 bits per channel. */
  readonly data: Uint8Array;
}

// Every PNG file starts with these eight bytes.
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The largest picture decoded: 16 megapixels (4096×4096, more than a 12-megapixel phone photo).
 * Decoding costs about 20 bytes per pixel whatever the file's size, so a small file declaring
 * 20,000×20,000 pixels would otherwise take gigabytes before anything else is checked.
 */
export const MAX_IMAGE_PIXELS = 4096 * 4096;
// A PNG of 16 megapixels at 16 bits per RGBA channel, uncompressed, with room to spare.
const MAX_PNG_FILE_BYTES = 256 * 2 ** 20;

/** Decodes any PNG (any colour type and bit depth) to 8-bit RGBA. */
export function decodePng(path: string): DecodedImage {
  const name = basename(path);
  const bytes = readRegularFile(path, { maxBytes: MAX_PNG_FILE_BYTES, what: 'PNG file' });
  if (bytes.length === 0) throw new Error(`${name} is empty, not a PNG file.`);
  if (bytes.length < PNG_SIGNATURE.length || !bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) {
    throw new Error(`${name} is not a PNG file (it does not start with PNG's signature); convert the image to PNG.`);
  }
  checkPngSize(bytes, name);
  try {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
  } catch {
    // The decoder's own words (a stream's state) would not help: the file is cut short or damaged.
    throw new Error(`${name} is a damaged or truncated PNG file: its image data cannot be decoded.`);
  }
}

/** Reads the size from the IHDR chunk, which PNG requires first, and refuses a picture too large to decode. */
function checkPngSize(bytes: Buffer, name: string): void {
  // Signature (8), chunk length (4), "IHDR" (4), width (4), height (4).
  if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error(`${name} is a damaged PNG file: it does not start with the IHDR chunk that gives its size.`);
  }
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  if (width === 0 || height === 0) throw new Error(`${name} is a damaged PNG file: it declares ${width}×${height} pixels.`);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new Error(
      `${name} declares ${width}×${height} pixels (${(width * height / 1e6).toFixed(1)} megapixels), more than the ${(MAX_IMAGE_PIXELS / 1e6).toFixed(1)} megapixels (4096×4096) read for a digit: shrink the picture first.`,
    );
  }
  // pngjs bounds what it inflates by the declared size, but not for interlaced pictures: there a
  // small file could unpack to gigabytes. Their data is inflated here first, with the bound.
  if (bytes[28] === 1) {
    // Seven passes, each row with its filter byte; 8 bytes per pixel at most (16-bit RGBA).
    const bound = 8 * width * height + 7 * (height + 1) + 1024;
    try {
      inflateSync(idatData(bytes), { maxOutputLength: bound });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new Error(`${name} is a damaged PNG file: its image data unpacks to more than a ${width}×${height} picture can hold.`);
      }
      // Other damage is reported by the decoder's own check.
    }
  }
}

/** The concatenated IDAT chunks (the compressed pixels), walking the chunks from the first. */
function idatData(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = PNG_SIGNATURE.length; at + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const end = Math.min(bytes.length, at + 8 + length);
    if (type === 'IDAT') parts.push(bytes.subarray(at + 8, end));
    if (type === 'IEND') break;
    at = end + 4;
  }
  return Buffer.concat(parts);
}

/** Reads a PNG of one digit and prepares it as 784 MNIST grey levels (row-major 28×28). */
export function readDigitPng(path: string, options: PrepareDigitOptions = {}): Uint8Array {
  const image = decodePng(path);
  try {
    return prepareDigit(image.data, image.width, image.height, options);
  } catch (error) {
    throw new Error(`${basename(path)}: ${(error as Error).message}`);
  }
}

/**
 * Grey level per pixel with alpha composited over white; accepts 1 (grey), 2 (grey+alpha),
 * 3 (RGB) or 4 (RGBA) channels, inferred from the array length.
 */
function toGray(pixels: ArrayLike<number>, width: number, height: number): Float64Array {
  const area = width * height;
  const channels = pixels.length / area;
  if (![1, 2, 3, 4].includes(channels)) {
    throw new RangeError(
      `A ${width}×${height} image needs ${area}, ${2 * area}, ${3 * area} or ${4 * area} values (grey, grey+alpha, RGB, RGBA), not ${pixels.length}.`,
    );
  }
  const gray = new Float64Array(area);
  for (let index = 0; index < area; index++) {
    const at = index * channels;
    let level: number;
    let alpha = 1;
    if (channels <= 2) {
      level = pixels[at]!;
      if (channels === 2) alpha = pixels[at + 1]! / 255;
    } else {
      // ITU-R BT.601 luma, as PIL's convert('L') uses.
      level = 0.299 * pixels[at]! + 0.587 * pixels[at + 1]! + 0.114 * pixels[at + 2]!;
      if (channels === 4) alpha = pixels[at + 3]! / 255;
    }
    gray[index] = level * alpha + 255 * (1 - alpha);
  }
  return gray;
}

function borderValues(values: Float64Array, width: number, height: number): number[] {
  const border: number[] = [];
  for (let column = 0; column < width; column++) {
    border.push(values[column]!);
    if (height > 1) border.push(values[(height - 1) * width + column]!);
  }
  for (let row = 1; row < height - 1; row++) {
    border.push(values[row * width]!);
    if (width > 1) border.push(values[row * width + width - 1]!);
  }
  return border;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Area-averaging weights from `source` cells onto `target` cells (each output cell averages the
 * input it covers, partial cells by their overlap) — antialiased when shrinking.
 */
function areaWeights(source: number, target: number): { first: number; weights: number[] }[] {
  const ratio = source / target;
  const result: { first: number; weights: number[] }[] = [];
  for (let out = 0; out < target; out++) {
    const start = out * ratio;
    const end = (out + 1) * ratio;
    const first = Math.floor(start);
    const weights: number[] = [];
    for (let cell = first; cell < end && cell < source; cell++) {
      weights.push((Math.min(end, cell + 1) - Math.max(start, cell)) / ratio);
    }
    result.push({ first, weights });
  }
  return result;
}

function resample(
  values: Float64Array, width: number,
  left: number, top: number, boxWidth: number, boxHeight: number,
  outWidth: number, outHeight: number,
): Float64Array {
  const rowWeights = areaWeights(boxHeight, outHeight);
  const columnWeights = areaWeights(boxWidth, outWidth);
  const rowsDone = new Float64Array(outHeight * boxWidth);
  for (let out = 0; out < outHeight; out++) {
    const { first, weights } = rowWeights[out]!;
    for (let k = 0; k < weights.length; k++) {
      const sourceRow = (top + first + k) * width + left;
      const weight = weights[k]!;
      for (let column = 0; column < boxWidth; column++) rowsDone[out * boxWidth + column]! += weight * values[sourceRow + column]!;
    }
  }
  const result = new Float64Array(outHeight * outWidth);
  for (let row = 0; row < outHeight; row++) {
    for (let out = 0; out < outWidth; out++) {
      const { first, weights } = columnWeights[out]!;
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * rowsDone[row * boxWidth + first + k]!;
      result[row * outWidth + out] = sum;
    }
  }
  return result;
}

/**
 * Pixels of one digit (grey, grey+alpha, RGB or RGBA, row-major) → 784 MNIST grey levels.
 * Throws if the picture holds no ink.
 */
export function prepareDigit(
  pixels: ArrayLike<number>, width: number, height: number, options: PrepareDigitOptions = {},
): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Image size ${width}×${height} is invalid: width and height must be positive integers.`);
  }
  const threshold = options.threshold ?? 40;
  if (!(threshold >= 0 && threshold < 255)) throw new RangeError(`threshold must be in 0..254, not ${threshold}.`);
  const gray = toGray(pixels, width, height);
  const area = width * height;

  const border = borderValues(gray, width, height);
  const invert = options.invert === undefined || options.invert === 'auto'
    ? border.reduce((sum, value) => sum + value, 0) / border.length > 127.5
    : options.invert;
  const ink = new Float64Array(area);
  for (let index = 0; index < area; index++) ink[index] = invert ? 255 - gray[index]! : gray[index]!;

  // Paper is rarely pure white nor pen pure black: take the border's median as the background
  // and stretch so the darkest ink becomes 255, like MNIST's full-range strokes.
  const background = median(borderValues(ink, width, height));
  let peak = 0;
  for (let index = 0; index < area; index++) peak = Math.max(peak, ink[index]!);
  const contrast = peak - background;
  if (contrast < 16) {
    throw new Error(
      `the image has no ink: every pixel is within ${Math.ceil(Math.max(contrast, 0))} grey levels of the background (at least 16 are needed to find a digit).`,
    );
  }
  for (let index = 0; index < area; index++) {
    ink[index] = Math.min(255, Math.max(0, ((ink[index]! - background) * 255) / contrast));
  }

  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      if (ink[row * width + column]! > threshold) {
        top = Math.min(top, row);
        bottom = Math.max(bottom, row);
        left = Math.min(left, column);
        right = Math.max(right, column);
      }
    }
  }
  if (bottom < 0) {
    throw new Error(`the image has no ink: no pixel is darker than the threshold ${threshold} after contrast stretching.`);
  }
  const boxWidth = right - left + 1;
  const boxHeight = bottom - top + 1;
  const scale = MNIST_BOX / Math.max(boxWidth, boxHeight);
  const outWidth = Math.min(MNIST_BOX, Math.max(1, Math.round(boxWidth * scale)));
  const outHeight = Math.min(MNIST_BOX, Math.max(1, Math.round(boxHeight * scale)));
  const box = resample(ink, width, left, top, boxWidth, boxHeight, outWidth, outHeight);

  let mass = 0;
  let rowMoment = 0;
  let columnMoment = 0;
  for (let row = 0; row < outHeight; row++) {
    for (let column = 0; column < outWidth; column++) {
      const value = box[row * outWidth + column]!;
      mass += value;
      rowMoment += row * value;
      columnMoment += column * value;
    }
  }
  const centre = MNIST_SIDE / 2;
  // Clamped so the whole box stays on the field: losing ink would hurt more than a shifted centre.
  const clamp = (offset: number, size: number): number => Math.min(MNIST_SIDE - size, Math.max(0, offset));
  const rowOffset = clamp(Math.round(centre - rowMoment / mass), outHeight);
  const columnOffset = clamp(Math.round(centre - columnMoment / mass), outWidth);

  const result = new Uint8Array(MNIST_SIDE * MNIST_SIDE);
  for (let row = 0; row < outHeight; row++) {
    for (let column = 0; column < outWidth; column++) {
      result[(row + rowOffset) * MNIST_SIDE + column + columnOffset] = Math.round(box[row * outWidth + column]!);
    }
  }
  return result;
}
