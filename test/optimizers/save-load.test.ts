import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { adagrad, adamw, cosineDecayRestarts, dense, exponentialDecay, lion, loadModel, nadam, piecewiseConstantDecay, sequential, tensor, type Optimizer } from '../../src/index.js';
import { Random } from '../../src/random/rng.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-optimizer-save-'));
const random = new Random(4);
const x = tensor(Float32Array.from({ length: 60 * 6 }, () => random.nextFloat()), [60, 6]);
const y = Int32Array.from({ length: 60 }, (_, i) => i % 3);

const cases: [string, () => Optimizer][] = [
  ['adamw + cosineDecayRestarts + amsgrad', () => adamw({ learningRate: cosineDecayRestarts({ initialLearningRate: 0.01, firstDecaySteps: 3 }), amsgrad: true, weightDecay: 0.01 })],
  ['nadam + piecewiseConstantDecay', () => nadam({ learningRate: piecewiseConstantDecay({ boundaries: [2, 5], values: [0.01, 0.005, 0.001] }), clipnorm: 1 })],
  ['adagrad + exponentialDecay', () => adagrad({ learningRate: exponentialDecay({ initialLearningRate: 0.1, decaySteps: 4, decayRate: 0.5, staircase: true }) })],
  ['lion', () => lion({ weightDecay: 0.1, globalClipnorm: 2 })],
];

for (const [what, make] of cases) {
  test(`${what}: the config and state survive save and load, and training continues exactly`, async () => {
    const build = () => {
      const model = sequential([dense({ units: 5, activation: 'relu', inputShape: [6] }), dense({ units: 3, activation: 'softmax' })], { seed: 2 });
      model.compile({ optimizer: make(), loss: 'sparseCategoricalCrossentropy' });
      return model;
    };
    const straight = build();
    await straight.fit(x, y, { epochs: 4, batchSize: 16, verbose: 0, seed: 3 });
    const first = build();
    await first.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, seed: 3 });
    const path = join(folder, `${what.replace(/\W+/g, '-')}.safetensors`);
    first.save(path);
    const loaded = loadModel(path);
    assert.deepEqual(loaded.getCompileConfig(), first.getCompileConfig());
    assert.equal(loaded.optimizer!.iterations, first.optimizer!.iterations);
    await loaded.fit(x, y, { epochs: 4, initialEpoch: 2, batchSize: 16, verbose: 0, seed: 3 });
    assert.deepEqual(loaded.getWeights(), straight.getWeights());
  });
}
