import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dense, dropout, f1Score, loadMnist, sequential, takeFirst, tensor } from '../../src/index.js';

// A garbage collection on demand, so each epoch starts from a clean heap.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** JavaScript objects plus the memory behind ArrayBuffers, which lives outside the JS heap. */
function allocatedBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

for (const [setting, batches] of [['0', 'dense batches'], ['1', 'batches of nonzeros']] as const) {
  test(`the training step allocates no buffers (${batches}): memory grows by far less than one batch buffer per step`, async () => {
    process.env.DIGITNET_SPARSE_INPUT = setting;
    const batchSize = 32;
    const train = takeFirst(loadMnist().train, 6400);
    const model = sequential([dense({ units: 64, activation: 'relu', inputShape: [784] }), dropout({ rate: 0.2 }), dense({ units: 10, activation: 'softmax' })], { seed: 1 });
    // Every kind of metric state: counts from the loss kernel, sums, confusion counts, per-class arrays, a histogram.
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'mae', 'precision', f1Score(), 'auc', 'sparse_top_k_categorical_accuracy'] });
    const growth: number[] = [];
    let atStart = 0;
    await model.fit(tensor(train.images, [train.count, 784]), train.labels, {
      epochs: 5,
      batchSize,
      verbose: 0,
      seed: 1,
      callbacks: [
        {
          onEpochBegin() {
            collectGarbage();
            atStart = allocatedBytes();
          },
          onEpochEnd() {
            growth.push(allocatedBytes() - atStart);
          },
          // So the running metrics are written into the batch logs after every step too.
          onBatchEnd() {},
        },
      ],
    });
    const steps = train.count / batchSize;
    // The smallest buffer a step could allocate, one layer's output for a batch, is 32 × 64 floats.
    const smallestBatchBuffer = batchSize * 64 * 4;
    // While V8 is still compiling the loops, numbers are boxed on the heap, so an epoch can grow
    // for reasons of its own; a buffer allocated per step would grow every epoch, the calmest too.
    const calmest = Math.min(...growth.slice(1));
    delete process.env.DIGITNET_SPARSE_INPUT;
    assert.ok(calmest / steps < smallestBatchBuffer / 4, `memory grew at least ${calmest} bytes per epoch of ${steps} steps (${(calmest / steps).toFixed(0)} per step): ${growth.join(', ')}`);
  });
}
