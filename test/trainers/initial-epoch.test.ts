import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { adam, dense, dropout, loadModel, sequential, tensor, type Sequential } from '../../src/index.js';
import { Random } from '../../src/random/rng.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-initial-epoch-'));
const count = 90;
const random = new Random(3);
const x = tensor(Float32Array.from({ length: count * 12 }, () => random.nextFloat()), [count, 12]);
const y = Int32Array.from({ length: count }, (_, i) => (i * 7) % 4);

function freshModel(): Sequential {
  const model = sequential([dense({ units: 16, activation: 'relu', inputShape: [12] }), dropout({ rate: 0.3 }), dense({ units: 4, activation: 'softmax' })], { seed: 5 });
  model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

// batchSize 16 leaves a short last batch; validationSplit keeps the last 18 samples out of the shuffle.
const settings = { batchSize: 16, verbose: 0, seed: 9, validationSplit: 0.2 } as const;

test('loadModel then fit({ initialEpoch }) with the same seed ends with exactly the weights of one uninterrupted fit', async () => {
  const uninterrupted = freshModel();
  const full = await uninterrupted.fit(x, y, { ...settings, epochs: 5 });

  const first = freshModel();
  await first.fit(x, y, { ...settings, epochs: 2 });
  const path = join(folder, 'after-2.safetensors');
  first.save(path);
  const resumed = loadModel(path);
  const rest = await resumed.fit(x, y, { ...settings, epochs: 5, initialEpoch: 2 });

  assert.deepEqual(rest.epoch, [2, 3, 4]);
  assert.deepEqual(rest.loss, full.loss.slice(2));
  assert.deepEqual(resumed.getWeights(), uninterrupted.getWeights());
});

test('without replaying the skipped epochs the weights would differ (the test above can fail)', async () => {
  const uninterrupted = freshModel();
  await uninterrupted.fit(x, y, { ...settings, epochs: 3 });
  const first = freshModel();
  await first.fit(x, y, { ...settings, epochs: 2 });
  // A fit of one more epoch from epoch 0's stream, which is what initialEpoch used to do.
  await first.fit(x, y, { ...settings, epochs: 1 });
  assert.notDeepEqual(first.getWeights(), uninterrupted.getWeights());
});
