// Kaggle's Digit Recognizer CSV (--data file.csv, readDigitCsv).
import { readDigitCsv } from '../../../src/data/csv.js';
import { Random } from '../../../src/random/rng.js';
import type { FuzzFormat } from '../harness.js';

export const format: FuzzFormat = {
  name: 'csv',
  async files() {
    const random = new Random(6);
    const header = ['label', ...Array.from({ length: 784 }, (_, index) => `pixel${index}`)].join(',');
    const rows = Array.from({ length: 6 }, (_, row) => [row % 10, ...Array.from({ length: 784 }, () => (random.nextFloat() < 0.8 ? 0 : random.nextInt(256)))].join(','));
    return [{ name: 'train.csv', bytes: new TextEncoder().encode(`${header}\n${rows.join('\n')}\n`) }];
  },
  async load(path) {
    return readDigitCsv(path);
  },
};
