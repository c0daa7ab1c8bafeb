/** The small trained model the Keras fuzz plugins save, and the check that a loaded model runs. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dense, dropout, flatten, sequential, tensor, type Sequential } from '../../src/index.js';
import { Random } from '../../src/random/rng.js';

export function kerasArchitecture(): Sequential {
  return sequential([flatten({ inputShape: [4, 4] }), dense({ units: 8, activation: 'relu' }), dropout({ rate: 0.1 }), dense({ units: 3, activation: 'softmax', name: 'out' })], { seed: 3 });
}

/** Compiled with Adam and trained one epoch, so the files hold an optimizer's state too. */
export async function trainedKerasModel(): Promise<Sequential> {
  const model = kerasArchitecture();
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const random = new Random(4);
  const x = tensor(Float32Array.from({ length: 32 * 16 }, () => random.nextFloat()), [32, 4, 4]);
  await model.fit(x, Uint8Array.from({ length: 32 }, (_, index) => index % 3), { epochs: 1, verbose: 0, seed: 1 });
  return model;
}

/** The bytes `save` writes to a file called `name`. */
export function savedBytes(name: string, save: (path: string) => void): Uint8Array {
  const folder = mkdtempSync(join(tmpdir(), 'digitnet-fuzz-keras-'));
  try {
    save(join(folder, name));
    return new Uint8Array(readFileSync(join(folder, name)));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Loaded is not enough: the model must also run. */
export function runOnce(model: Sequential): Sequential {
  model.predict(tensor(new Float32Array(model.inputShape.reduce((a, b) => a * b, 1)), [1, ...model.inputShape]));
  return model;
}
