import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { prepareDigit, readDigitPng } from '../../src/data/image.js';
import { loadMnist } from '../../src/data/mnist.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-png-'));
test.after(() => rmSync(folder, { recursive: true, force: true }));

type Paint = (x: number, y: number) => boolean;

/** Writes an RGBA PNG: `ink` where paint(x, y), `paper` elsewhere. */
function writePng(name: string, width: number, height: number, paint: Paint, ink: number[], paper: number[]): string {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = paint(x, y) ? ink : paper;
      png.data.set(colour, (y * width + x) * 4);
    }
  }
  const path = join(folder, name);
  writeFileSync(path, PNG.sync.write(png));
  return path;
}

// A '1': a slanted thick stroke with a short flag at the top-left, off-centre on a 200×300 page.
const one: Paint = (x, y) => {
  const stroke = y >= 40 && y <= 260 && Math.abs(x - (120 - (y - 40) * 0.1)) <= 12;
  const flag = y >= 40 && y <= 70 && x >= 90 && x <= 120 && Math.abs(y - 40 - (120 - x)) <= 10;
  return stroke || flag;
};

interface Stats {
  mass: number;
  row: number;
  column: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
  max: number;
}

function stats(pixels: Uint8Array): Stats {
  const result: Stats = { mass: 0, row: 0, column: 0, top: 28, bottom: -1, left: 28, right: -1, max: 0 };
  for (let row = 0; row < 28; row++) {
    for (let column = 0; column < 28; column++) {
      const value = pixels[row * 28 + column]!;
      result.mass += value;
      result.row += row * value;
      result.column += column * value;
      result.max = Math.max(result.max, value);
      if (value > 0) {
        result.top = Math.min(result.top, row);
        result.bottom = Math.max(result.bottom, row);
        result.left = Math.min(result.left, column);
        result.right = Math.max(result.right, column);
      }
    }
  }
  result.row /= result.mass;
  result.column /= result.mass;
  return result;
}

function assertMnistLike(pixels: Uint8Array): Stats {
  assert.equal(pixels.length, 784);
  const found = stats(pixels);
  assert.ok(Math.abs(found.row - 14) <= 1, `centre of mass row ${found.row}`);
  assert.ok(Math.abs(found.column - 14) <= 1, `centre of mass column ${found.column}`);
  assert.ok(found.bottom - found.top + 1 <= 20, `height ${found.bottom - found.top + 1}`);
  assert.ok(found.right - found.left + 1 <= 20, `width ${found.right - found.left + 1}`);
  assert.equal(found.max, 255);
  // Background stays black: all four corners are 0.
  for (const corner of [0, 27, 27 * 28, 783]) assert.equal(pixels[corner], 0);
  return found;
}

test('a black 1 on white is inverted, scaled to 20 px tall and centred by mass', () => {
  const path = writePng('one.png', 200, 300, one, [0, 0, 0, 255], [255, 255, 255, 255]);
  const found = assertMnistLike(readDigitPng(path));
  assert.equal(found.bottom - found.top + 1, 20);
  assert.ok(found.right - found.left + 1 < 12, 'a 1 stays narrow');
});

test('a white 1 on a dark background is not inverted', () => {
  const path = writePng('dark.png', 200, 300, one, [250, 250, 250, 255], [10, 10, 10, 255]);
  const dark = readDigitPng(path);
  assertMnistLike(dark);
  const light = readDigitPng(writePng('light.png', 200, 300, one, [0, 0, 0, 255], [255, 255, 255, 255]));
  assert.deepEqual(dark, light);
});

test('grey, RGB and 16-bit grey PNGs give the same input as RGBA', () => {
  const width = 200;
  const height = 300;
  const rgba = new PNG({ width, height });
  const wide = new Uint16Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const level = one(x, y) ? 0 : 255;
      rgba.data.set([level, level, level, 255], (y * width + x) * 4);
      wide.set([level * 257, level * 257, level * 257, 65535], (y * width + x) * 4);
    }
  }
  const expected = readDigitPng(writePng('rgba.png', width, height, one, [0, 0, 0, 255], [255, 255, 255, 255]));
  writeFileSync(join(folder, 'grey8.png'), PNG.sync.write(rgba, { colorType: 0 }));
  writeFileSync(join(folder, 'rgb.png'), PNG.sync.write(rgba, { colorType: 2 }));
  // pngjs writes 16-bit output from 16-bit RGBA input.
  const deep = new PNG({ width, height });
  deep.data = Buffer.from(wide.buffer);
  writeFileSync(join(folder, 'grey16.png'), PNG.sync.write(deep, { colorType: 0, bitDepth: 16, inputColorType: 6 }));
  for (const name of ['grey8.png', 'rgb.png', 'grey16.png']) assert.deepEqual(readDigitPng(join(folder, name)), expected, name);
});

test('transparent background is composited over white', () => {
  const path = writePng('alpha.png', 200, 300, one, [0, 0, 0, 255], [0, 0, 0, 0]);
  assertMnistLike(readDigitPng(path));
});

test('a wide shape fits 20 px wide and grey+alpha input works', () => {
  const width = 90;
  const height = 40;
  const pixels = new Uint8Array(width * height * 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const on = (y >= 10 && y <= 16 && x >= 5 && x <= 84) || (x >= 5 && x <= 12 && y >= 10 && y <= 30);
      pixels[(y * width + x) * 2] = on ? 0 : 255;
      pixels[(y * width + x) * 2 + 1] = 255;
    }
  }
  const found = assertMnistLike(prepareDigit(pixels, width, height));
  assert.equal(found.right - found.left + 1, 20);
});

test('an MNIST digit survives preparation nearly unchanged in place', () => {
  const { train } = loadMnist();
  const digit = train.images.subarray(0, 784);
  const prepared = prepareDigit(digit, 28, 28);
  const before = stats(digit);
  const after = assertMnistLike(prepared);
  assert.ok(Math.abs(before.row - after.row) <= 1 && Math.abs(before.column - after.column) <= 1);
});

test('blank images, bad sizes and unreadable files give clear errors', () => {
  const blank = writePng('blank.png', 50, 50, () => false, [0, 0, 0, 255], [255, 255, 255, 255]);
  assert.throws(() => readDigitPng(blank), {
    message: 'blank.png: the image has no ink: every pixel is within 0 grey levels of the background (at least 16 are needed to find a digit).',
  });
  assert.throws(() => prepareDigit(new Uint8Array(10), 2, 2), {
    message: 'A 2×2 image needs 4, 8, 12 or 16 values (grey, grey+alpha, RGB, RGBA), not 10.',
  });
  const notPng = join(folder, 'fake.png');
  writeFileSync(notPng, 'hello');
  assert.throws(() => readDigitPng(notPng), { message: "fake.png is not a PNG file (it does not start with PNG's signature); convert the image to PNG." });
  assert.throws(() => readDigitPng(join(folder, 'gone.png')), { message: `${join(folder, 'gone.png')} not found.` });
});

test('a PNG declaring more than 16.8 megapixels is refused from its header, before decoding', () => {
  // A real 1×1 PNG with its IHDR rewritten to 20,000×20,000 (the CRC no longer matches: it is never decoded).
  const small = writePng('seed.png', 1, 1, () => true, [0, 0, 0, 255], [255, 255, 255, 255]);
  const bytes = readFileSync(small);
  bytes.writeUInt32BE(20_000, 16);
  bytes.writeUInt32BE(20_000, 20);
  const bomb = join(folder, 'bomb.png');
  writeFileSync(bomb, bytes);
  const started = performance.now();
  assert.throws(() => readDigitPng(bomb), {
    message: 'bomb.png declares 20000×20000 pixels (400.0 megapixels), more than the 16.8 megapixels (4096×4096) read for a digit: shrink the picture first.',
  });
  assert.ok(performance.now() - started < 1000);
  assert.throws(() => readDigitPng('/dev/zero'), { message: '/dev/zero is a character device, not a PNG file: give a file saved on disk.' });
});

test('an interlaced PNG whose data unpacks to far more than its size is refused', () => {
  const png = new PNG({ width: 4, height: 4 });
  png.data.fill(255);
  const good = PNG.sync.write(png);
  // Rebuild it interlaced, with an IDAT that inflates to 64 MB of zeros.
  const signature = good.subarray(0, 8);
  const ihdr = Buffer.from(good.subarray(8, 8 + 25));
  ihdr[8 + 12] = 1;
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const path = join(folder, 'interlaced-bomb.png');
  writeFileSync(path, Buffer.concat([signature, ihdr, chunk('IDAT', deflateSync(Buffer.alloc(64 * 2 ** 20))), chunk('IEND', Buffer.alloc(0))]));
  assert.throws(() => readDigitPng(path), { message: 'interlaced-bomb.png is a damaged PNG file: its image data unpacks to more than a 4×4 picture can hold.' });
});
