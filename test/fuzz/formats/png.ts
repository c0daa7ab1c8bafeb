// A photo of a digit as `predict --image` reads it.
import { PNG } from 'pngjs';
import { readDigitPng } from '../../../src/data/image.js';
import type { FuzzFormat } from '../harness.js';

export const format: FuzzFormat = {
  name: 'png',
  async files() {
    // A dark 7 on light paper, 40×48, RGBA.
    const png = new PNG({ width: 40, height: 48 });
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < 40; x++) {
        const ink = (y >= 8 && y <= 12 && x >= 8 && x <= 32) || (x >= 30 - (y - 12) / 2 - 3 && x <= 30 - (y - 12) / 2 + 2 && y > 12 && y < 42);
        png.data.set(ink ? [20, 20, 30, 255] : [240, 235, 225, 255], (y * 40 + x) * 4);
      }
    }
    return [{ name: 'digit.png', bytes: PNG.sync.write(png) }];
  },
  async load(path) {
    return readDigitPng(path);
  },
};
