import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FuzzFormat } from '../harness.js';
import { dense, dropout, flatten, sequential } from '../../../src/index.js';
import { loadTfjs, saveTfjs } from '../../../src/saving/tfjs/tfjs-format.js';

/** TensorFlow.js layers format: model.json first (what load gets), then its one weight shard. */
export const format: FuzzFormat = {
  name: 'tfjs',
  async files() {
    const model = sequential([flatten({ inputShape: [4, 4] }), dense({ units: 6, activation: 'relu' }), dropout({ rate: 0.1 }), dense({ units: 3, activation: 'softmax' })], { seed: 4 });
    const folder = mkdtempSync(join(tmpdir(), 'digitnet-fuzz-tfjs-'));
    try {
      saveTfjs(model, join(folder, 'export'));
      const names = readdirSync(join(folder, 'export')).sort((a, b) => (a === 'model.json' ? -1 : b === 'model.json' ? 1 : a.localeCompare(b)));
      return names.map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(folder, 'export', name))) }));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
  async load(path: string) {
    return loadTfjs(path);
  },
};
