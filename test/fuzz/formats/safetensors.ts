// A digitnet model file: safetensors with the model and compile configs and Adam's state.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dense, dropout, flatten, loadModel, sequential, tensor } from '../../../src/index.js';
import { Random } from '../../../src/random/rng.js';
import type { FuzzFormat } from '../harness.js';

export const format: FuzzFormat = {
  name: 'safetensors',
  async files() {
    const model = sequential([flatten({ inputShape: [4, 4] }), dense({ units: 8, activation: 'relu' }), dropout({ rate: 0.1 }), dense({ units: 3, activation: 'softmax', name: 'out' })], { seed: 3 });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const random = new Random(4);
    const x = tensor(Float32Array.from({ length: 32 * 16 }, () => random.nextFloat()), [32, 4, 4]);
    await model.fit(x, Uint8Array.from({ length: 32 }, (_, index) => index % 3), { epochs: 1, verbose: 0, seed: 1 });
    const folder = mkdtempSync(join(tmpdir(), 'digitnet-fuzz-model-'));
    try {
      model.save(join(folder, 'model.safetensors'));
      return [{ name: 'model.safetensors', bytes: readFileSync(join(folder, 'model.safetensors')) }];
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
  async load(path) {
    const model = loadModel(path);
    // Loaded is not enough: the model must also run.
    model.predict(tensor(new Float32Array(model.inputShape.reduce((a, b) => a * b, 1)), [1, ...model.inputShape]));
    return model;
  },
};
