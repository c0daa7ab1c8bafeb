// A digitnet model file: safetensors with the model and compile configs and Adam's state.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dense, dropout, flatten, loadModel, sequential, tensor } from '../../../src/index.js';
import { Random } from '../../../src/random/rng.js';
import { decodeSafetensors } from '../../../src/saving/safetensors.js';
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
  // The header's JSON with the model, compile and optimizer configs unfolded from their strings,
  // so that edits reach the config checks (units, shapes, names) and not only the JSON parser.
  editable(bytes) {
    const buffer = Buffer.from(bytes);
    const headerLength = Number(buffer.readBigUInt64LE(0));
    const header = JSON.parse(buffer.toString('utf8', 8, 8 + headerLength)) as Record<string, unknown>;
    const metadata = header.__metadata__ as Record<string, string>;
    const unfolded = { ...header, __metadata__: Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, key === 'format' || key === 'formatVersion' ? value : JSON.parse(value)])) };
    const data = buffer.subarray(8 + headerLength);
    decodeSafetensors(buffer, 'the fuzz seed');
    return {
      text: JSON.stringify(unfolded, null, 1),
      rebuild(text) {
        let headerText = text;
        try {
          const parsed = JSON.parse(text) as Record<string, unknown>;
          const folded = parsed.__metadata__;
          if (folded && typeof folded === 'object' && !Array.isArray(folded)) {
            parsed.__metadata__ = Object.fromEntries(Object.entries(folded).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
          }
          headerText = JSON.stringify(parsed);
        } catch {
          // Not JSON any more: written as it is, for the parser to refuse.
        }
        const headerBytes = Buffer.from(headerText, 'utf8');
        const length = Buffer.alloc(8);
        length.writeBigUInt64LE(BigInt(headerBytes.length));
        return Buffer.concat([length, headerBytes, data]);
      },
    };
  },
  async load(path) {
    const model = loadModel(path);
    // Loaded is not enough: the model must also run.
    model.predict(tensor(new Float32Array(model.inputShape.reduce((a, b) => a * b, 1)), [1, ...model.inputShape]));
    return model;
  },
};
