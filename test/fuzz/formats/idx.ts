// An IDX image file, as MNIST and Fashion-MNIST ship (read by --data DIR and loadImageFolder).
import { encodeIdx, readIdx } from '../../../src/data/idx.js';
import { Random } from '../../../src/random/rng.js';
import type { FuzzFormat } from '../harness.js';

export const format: FuzzFormat = {
  name: 'idx',
  async files() {
    const random = new Random(5);
    const images = Uint8Array.from({ length: 20 * 28 * 28 }, () => (random.nextFloat() < 0.8 ? 0 : random.nextInt(256)));
    return [{ name: 'images-idx3-ubyte', bytes: encodeIdx([20, 28, 28], images) }];
  },
  async load(path) {
    return readIdx(path);
  },
};
