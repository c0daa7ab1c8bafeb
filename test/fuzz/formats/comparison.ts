// A comparison file for `digitnet compare FILE`: every form a run may take.
import { loadComparisonFile } from '../../../src/experiments/compare.js';
import type { FuzzFormat } from '../harness.js';

export const format: FuzzFormat = {
  name: 'comparison',
  async files() {
    const runs = [
      'baseline-32',
      { preset: 'baseline-512', epochs: 2, batchSize: 64, seed: 7 },
      { name: 'wide', hidden: [{ units: 1024, dropout: 0.2 }, { units: 64 }], optimizer: 'Adam', loss: 'categorical_crossentropy', epochs: 3, learningRate: 0.001, validation: 0.1, earlyStoppingPatience: 2, restoreBest: true, inputShape: [28, 28] },
    ];
    return [{ name: 'runs.json', bytes: new TextEncoder().encode(JSON.stringify({ runs }, null, 2)) }];
  },
  async load(path) {
    return loadComparisonFile(path);
  },
};
