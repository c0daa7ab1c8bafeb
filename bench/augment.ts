/**
 * What the augmentation layers add to an epoch of the 784-512-512-10 network (batch 128, adam):
 * epochs with and without randomRotation + randomElasticTransform in front, alternated in the same
 * run so both see the same machine load; medians and their ratio.
 *   npx tsx bench/augment.ts [--repeats 3] [--samples 60000]
 * Also times augmentImages alone, native against the TypeScript reference, on a batch of 128.
 */
import { parseArgs } from 'node:util';
import { loadMnist } from '../src/data/mnist.js';
import type { AugmentSettings } from '../src/engine/engine.js';
import { ReferenceEngine } from '../src/engine/reference.js';
import { getEngine } from '../src/engine/select.js';
import { dense, flatten, randomElasticTransform, randomRotation, type Layer } from '../src/layers/index.js';
import { sequential } from '../src/models/sequential.js';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '3' }, samples: { type: 'string', default: '60000' } } });
const repeats = Number(values.repeats);
const samples = Number(values.samples);

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const mnist = loadMnist();
const x = { data: mnist.train.images.subarray(0, samples * 784), shape: [samples, 28, 28] };
const y = mnist.train.labels.subarray(0, samples);

async function epochSeconds(augmented: boolean): Promise<number> {
  const layers: Layer[] = augmented
    ? [randomRotation({ factor: 10 / 360, inputShape: [28, 28] }), randomElasticTransform({ alpha: 34, sigma: 4 }), flatten({})]
    : [flatten({ inputShape: [28, 28] })];
  const model = sequential([...layers, dense({ units: 512, activation: 'relu' }), dense({ units: 512, activation: 'relu' }), dense({ units: 10, activation: 'softmax' })], { seed: 1 });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const start = performance.now();
  await model.fit(x, y, { epochs: 1, batchSize: 128, verbose: 0, seed: 1 });
  return (performance.now() - start) / 1000;
}

const engine = getEngine();
const plain: number[] = [];
const augmented: number[] = [];
for (let r = 0; r < repeats; r++) {
  plain.push(await epochSeconds(false));
  augmented.push(await epochSeconds(true));
  console.log(`repeat ${r + 1}: plain ${plain[r]!.toFixed(2)} s, augmented ${augmented[r]!.toFixed(2)} s`);
}
console.log(`engine ${engine.name} (${engine.simd}, ${engine.threads} threads), ${samples} samples, ${repeats} repeats`);
console.log(`epoch median: plain ${median(plain).toFixed(2)} s, with rotation + elastic ${median(augmented).toFixed(2)} s: +${((median(augmented) / median(plain) - 1) * 100).toFixed(1)}%`);

const settings: AugmentSettings = { rotation: 0.17, translateHeight: 0, translateWidth: 0, zoomHeight: 0, zoomWidth: 0, elasticAlpha: 34, elasticSigma: 4 };
const batch = new Float32Array(128 * 784).map((_, i) => mnist.train.images[i]! / 255);
const out = new Float32Array(batch.length);
const timeIt = (run: () => void, times: number): number => {
  const list: number[] = [];
  for (let t = 0; t < times; t++) {
    const start = performance.now();
    run();
    list.push(performance.now() - start);
  }
  return median(list);
};
const reference = new ReferenceEngine();
const nativeMs = timeIt(() => engine.augmentImages(batch, out, 128, 28, 28, settings, 9), 50);
const referenceMs = timeIt(() => reference.augmentImages(batch, out, 128, 28, 28, settings, 9), 5);
console.log(`augmentImages (rotation + elastic) on 128 images: ${engine.name} ${nativeMs.toFixed(2)} ms, reference ${referenceMs.toFixed(2)} ms (${(referenceMs / nativeMs).toFixed(1)}×)`);
