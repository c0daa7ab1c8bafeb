/**
 * BatchNormalization's kernels for one training step of a batch-normalized 800-unit layer (batch
 * 128): columnStatistics + columnAffine forward and batchNormBackward, native against the
 * TypeScript reference, alternated so both see the same machine load; medians over the repeats.
 *   npx tsx bench/batch-normalization.ts [--rows 128] [--features 800] [--steps 200] [--repeats 5]
 */
import { parseArgs } from 'node:util';
import type { Engine } from '../src/engine/engine.js';
import { ReferenceEngine } from '../src/engine/reference.js';
import { getEngine } from '../src/engine/select.js';
import { Random } from '../src/random/rng.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '128' }, features: { type: 'string', default: '800' }, steps: { type: 'string', default: '200' }, repeats: { type: 'string', default: '5' } },
});
const rows = Number(values.rows);
const features = Number(values.features);
const steps = Number(values.steps);
const repeats = Number(values.repeats);

const random = new Random(1);
const input = Float32Array.from({ length: rows * features }, () => random.nextFloat() * 2 - 1);
const gradOutput = Float32Array.from({ length: rows * features }, () => random.nextFloat() - 0.5);
const output = new Float32Array(rows * features);
const gradInput = new Float32Array(rows * features);
const perFeature = (): Float64Array => new Float64Array(features).fill(1);
const [mean, variance, factor, offset, inverse, scale, sumGrad, sumGradNormalized] = Array.from({ length: 8 }, perFeature);

function millisecondsPerStep(engine: Engine): number {
  const start = performance.now();
  for (let step = 0; step < steps; step++) {
    engine.columnStatistics(input, rows, features, mean!, variance!);
    engine.columnAffine(input, output, rows, features, factor!, offset!);
    engine.batchNormBackward(input, gradOutput, gradInput, rows, features, mean!, inverse!, scale!, sumGrad!, sumGradNormalized!);
  }
  return (performance.now() - start) / steps;
}

const median = (list: number[]): number => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const native = getEngine();
const reference = new ReferenceEngine();
millisecondsPerStep(native);
millisecondsPerStep(reference);
const times = { native: [] as number[], reference: [] as number[] };
for (let repeat = 0; repeat < repeats; repeat++) {
  times.native.push(millisecondsPerStep(native));
  times.reference.push(millisecondsPerStep(reference));
}
const nativeMedian = median(times.native);
const referenceMedian = median(times.reference);
console.log(`BatchNormalization forward + backward, ${rows} × ${features}, ${native.name === 'native' ? `native (${native.simd}, ${native.threads} threads)` : native.name} against the TypeScript reference:`);
console.log(`  native ${nativeMedian.toFixed(3)} ms per step, reference ${referenceMedian.toFixed(3)} ms, ${(referenceMedian / nativeMedian).toFixed(1)}× faster (medians of ${repeats} × ${steps} steps)`);
