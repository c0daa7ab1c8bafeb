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
import { prepareDigit, type PrepareDigitOptions } from './prepare-digit.js';

export { MNIST_BOX, MNIST_SIDE, prepareDigit, type PrepareDigitOptions } from './prepare-digit.js';

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

