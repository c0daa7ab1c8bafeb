/**
 * Turns a picture of one handwritten digit into a 28×28 MNIST-style input, the way MNIST itself
 * was made: light ink on a black field, the digit's bounding box scaled (antialiased, aspect
 * kept) so its larger side is 20 px, then placed so its centre of mass sits at the field's
 * centre. On MNIST the centre of mass (row, column indices weighted by grey level) rounds to
 * (14, 14) for every image, so that is the target here.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { PNG } from 'pngjs';
import { prepareDigit, type PrepareDigitOptions } from './prepare-digit.js';

export { MNIST_BOX, MNIST_SIDE, prepareDigit, type PrepareDigitOptions } from './prepare-digit.js';

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, 8 bits per channel. */
  readonly data: Uint8Array;
}

/** Decodes any PNG (any colour type and bit depth) to 8-bit RGBA. */
// Every PNG file starts with these eight bytes.
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function decodePng(path: string): DecodedImage {
  if (!existsSync(path)) throw new Error(`${path} not found.`);
  if (statSync(path).isDirectory()) throw new Error(`${path} is a folder, not a PNG file.`);
  const name = basename(path);
  const bytes = readFileSync(path);
  if (bytes.length === 0) throw new Error(`${name} is empty, not a PNG file.`);
  if (bytes.length < PNG_SIGNATURE.length || !bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) {
    throw new Error(`${name} is not a PNG file (it does not start with PNG's signature); convert the image to PNG.`);
  }
  try {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
  } catch {
    // The decoder's own words (a stream's state) would not help: the file is cut short or damaged.
    throw new Error(`${name} is a damaged or truncated PNG file: its image data cannot be decoded.`);
  }
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

