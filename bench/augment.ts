/**
 * What the augmentation layers add to an epoch of the 784-512-512-10 network (batch 128, adam):
 * two models, with and without randomRotation + randomElasticTransform in front, built once and
 * warmed up by one short epoch each, then trained one epoch at a time in turn, so that each pair
 * of epochs sees the same machine load. Reports the medians and the median of the pairs' ratios.
 *   npx tsx bench/augment.ts [--repeats 5] [--samples 60000]
 * Also times augmentImages alone, native against the TypeScript reference, on a batch of 128.
 */
import { parseArgs } from 'node:util';
import { loadMnist } from '../src/data/mnist.js';
import type { AugmentSettings } from '../src/engine/engine.js';
import { ReferenceEngine } from '../src/engine/reference.js';
import { getEngine } from '../src/engine/select.js';
import { dense, flatten, randomElasticTransform, randomRotation, type Layer } from '../src/layers/index.js';
import { sequential, type Sequential } from '../src/models/sequential.js';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '5' }, samples: { type: 'string', default: '60000' } } });
const repeats = Number(values.repeats);
const samples = Number(values.samples);

/** A ratio as the change it is: 1.094 → "+9.4%", 0.962 → "-3.8%". */
function change(ratio: number): string {
  const percent = (ratio - 1) * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
}

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const mnist = loadMnist();
const x = { data: mnist.train.images.subarray(0, samples * 784), shape: [samples, 28, 28] };
const y = mnist.train.labels.subarray(0, samples);

function buildModel(augmented: boolean): Sequential {
  const layers: Layer[] = augmented
    ? [randomRotation({ factor: 10 / 360, inputShape: [28, 28] }), randomElasticTransform({ alpha: 34, sigma: 4 }), flatten({})]
    : [flatten({ inputShape: [28, 28] })];
  const model = sequential([...layers, dense({ units: 512, activation: 'relu' }), dense({ units: 512, activation: 'relu' }), dense({ units: 10, activation: 'softmax' })], { seed: 1 });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

let epochsRun = 0;
async function epochSeconds(model: Sequential, count = samples): Promise<number> {
  const start = performance.now();
  await model.fit({ data: x.data.subarray(0, count * 784), shape: [count, 28, 28] }, y.subarray(0, count), { epochs: 1, batchSize: 128, verbose: 0, seed: ++epochsRun });
  return (performance.now() - start) / 1000;
}

const engine = getEngine();
const plainModel = buildModel(false);
const augmentedModel = buildModel(true);
await epochSeconds(plainModel, Math.min(samples, 6000));
await epochSeconds(augmentedModel, Math.min(samples, 6000));
const plain: number[] = [];
const augmented: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < repeats; r++) {
  plain.push(await epochSeconds(plainModel));
  augmented.push(await epochSeconds(augmentedModel));
  ratios.push(augmented[r]! / plain[r]!);
  console.log(`repeat ${r + 1}: plain ${plain[r]!.toFixed(2)} s, augmented ${augmented[r]!.toFixed(2)} s (${change(ratios[r]!)})`);
}
console.log(`engine ${engine.name} (${engine.simd}, ${engine.threads} threads), ${samples} samples, ${repeats} repeats`);
console.log(
  `epoch median: plain ${median(plain).toFixed(2)} s, with rotation + elastic ${median(augmented).toFixed(2)} s: ` +
    `${change(median(augmented) / median(plain))}; median of the pairs' ratios ${change(median(ratios))}`,
);

// The model above warps each batch twice, once per layer: rotation, then elastic distortion.
const none: AugmentSettings = { rotation: 0, translateHeight: 0, translateWidth: 0, zoomHeight: 0, zoomWidth: 0, elasticAlpha: 0, elasticSigma: 0 };
const rotation: AugmentSettings = { ...none, rotation: (10 / 360) * 2 * Math.PI };
const elastic: AugmentSettings = { ...none, elasticAlpha: 34, elasticSigma: 4 };
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
for (const [name, settings] of [['rotation', rotation], ['elastic', elastic]] as const) {
  const nativeMs = timeIt(() => engine.augmentImages(batch, out, 128, 28, 28, settings, 9), 200);
  const referenceMs = timeIt(() => reference.augmentImages(batch, out, 128, 28, 28, settings, 9), 5);
  console.log(`augmentImages (${name}) on 128 images: ${engine.name} ${nativeMs.toFixed(3)} ms, reference ${referenceMs.toFixed(2)} ms (${(referenceMs / nativeMs).toFixed(0)}×)`);
}
