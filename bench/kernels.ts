/**
 * Kernel benchmarks for an Engine: GFLOP/s of the dense-layer GEMMs, the time of a simulated
 * training step (the engine calls a Dense/Dropout model makes per batch) and of predicting a
 * test set. Used by the bench harness; run directly for a table:
 *   npx tsx bench/kernels.ts            (DIGITNET_THREADS=1 to measure one thread)
 *   npx tsx bench/kernels.ts first train predict gemm   (only the parts named)
 *   npx tsx bench/kernels.ts narrow steps   (the narrow layers' GEMMs and the first 50-wide layer on
 *                                            MNIST; training steps of 784-50-50-10 and 784-512-512-10)
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../src/engine/engine.js';
import { Random } from '../src/random/rng.js';

export type GemmLayout = 'forward' | 'inputGradient' | 'weightGradient';

export interface GemmShape {
  layout: GemmLayout;
  /** Rows of the output for 'forward'/'inputGradient'; the reduction (batch) for 'weightGradient'. */
  m: number;
  k: number;
  n: number;
}

export interface GemmResult {
  layout: GemmLayout;
  m: number;
  k: number;
  n: number;
  gflops: number;
  microseconds: number;
}

/** Dense layers of sizes `units` (input first) at `batch`: each layer's three GEMMs. */
export function layerShapes(units: readonly number[], batch: number): GemmShape[] {
  const shapes: GemmShape[] = [];
  for (let layer = 0; layer + 1 < units.length; layer++) {
    const k = units[layer];
    const n = units[layer + 1];
    shapes.push({ layout: 'forward', m: batch, k, n });
    // The first layer's input gradient is never needed by a model.
    if (layer > 0) shapes.push({ layout: 'inputGradient', m: batch, k, n });
    shapes.push({ layout: 'weightGradient', m: batch, k, n });
  }
  return shapes;
}

export const DEFAULT_GEMM_SHAPES: readonly GemmShape[] = layerShapes([784, 512, 512, 10], 128);

/** The narrow layers: every GEMM of 784-50-50-10 and the 10-wide output layer of 784-512-512-10. */
export const NARROW_GEMM_SHAPES: readonly GemmShape[] = [
  ...layerShapes([784, 50, 50, 10], 128),
  ...layerShapes([512, 10], 128),
  { layout: 'inputGradient', m: 128, k: 512, n: 10 },
];

function randomFloats(random: Random, length: number, low = -1, high = 1): Float32Array {
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = random.uniform(low, high);
  return values;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Times in microseconds of `body`, after warming up, over about `budgetMs` of runs. */
function timeSamples(body: () => void, budgetMs: number, minRuns = 5, maxRuns = 2000): number[] {
  for (let i = 0; i < 3; i++) body();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minRuns || (samples.length < maxRuns && performance.now() - start < budgetMs)) {
    const before = performance.now();
    body();
    samples.push((performance.now() - before) * 1000);
  }
  return samples;
}

function timeMedian(body: () => void, budgetMs: number, minRuns = 5, maxRuns = 2000): number {
  return median(timeSamples(body, budgetMs, minRuns, maxRuns));
}

/** Random images, 19% non-zero pixels like MNIST's, none on a border of 4 pixels. */
function syntheticImages(random: Random, count: number, width: number): Uint8Array {
  const side = Math.round(Math.sqrt(width));
  const images = new Uint8Array(count * width);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < width; j++) {
      const row = Math.floor(j / side);
      const column = j % side;
      const inside = row >= 4 && row < side - 4 && column >= 4 && column < side - 4;
      if (inside && random.nextFloat() < 0.3) images[i * width + j] = 1 + random.nextInt(255);
    }
  }
  return images;
}

/** Median GFLOP/s of each GEMM shape (2·m·k·n flops per call). */
export async function benchmarkGemm(
  engine: Engine,
  shapes: readonly GemmShape[] = DEFAULT_GEMM_SHAPES,
  budgetMs = 300,
): Promise<GemmResult[]> {
  const random = new Random(42);
  const results: GemmResult[] = [];
  for (const { layout, m, k, n } of shapes) {
    const input = randomFloats(random, m * k);
    const kernel = randomFloats(random, k * n);
    const bias = randomFloats(random, n);
    const output = randomFloats(random, m * n);
    const gradInput = new Float32Array(m * k);
    const gradKernel = new Float32Array(k * n);
    const gradBias = new Float32Array(n);
    const body =
      layout === 'forward'
        ? () => engine.denseForward(input, kernel, bias, output, m, k, n, 'relu')
        : layout === 'inputGradient'
          ? () => engine.inputGradient(output, kernel, gradInput, m, k, n)
          : () => engine.weightGradient(input, output, gradKernel, gradBias, m, k, n);
    const microseconds = timeMedian(body, budgetMs);
    results.push({ layout, m, k, n, microseconds, gflops: (2 * m * k * n) / (microseconds * 1000) });
    // Let other work (and the event loop) breathe between shapes.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return results;
}

export interface FirstLayerResult {
  layout: 'forward' | 'weightGradient';
  m: number;
  k: number;
  n: number;
  /** Median over the timed calls, microseconds. */
  microseconds: number;
  /** The fastest call, microseconds. */
  fastestMicroseconds: number;
}

/**
 * The first layer's forward and weight-gradient GEMMs on batches of real images (their zeros are
 * what the native engine exploits, so random dense inputs would say nothing): median and fastest
 * microseconds per call, cycling through `batches` different shuffled batches.
 */
export async function benchmarkFirstLayer(
  engine: Engine,
  images: Uint8Array,
  widths: readonly number[] = [512, 256, 50],
  batch = 128,
  k = 784,
  budgetMs = 400,
  batches = 32,
): Promise<FirstLayerResult[]> {
  const random = new Random(5);
  const count = Math.floor(images.length / k);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  random.shuffle(order);
  const inputs: Float32Array[] = [];
  for (let b = 0; b < batches; b++) {
    const input = new Float32Array(batch * k);
    engine.gatherRows(images, order, (b * batch) % Math.max(1, count - batch), batch, k, 1 / 255, input);
    inputs.push(input);
  }
  const results: FirstLayerResult[] = [];
  for (const n of widths) {
    const kernel = randomFloats(random, k * n, -0.05, 0.05);
    const bias = randomFloats(random, n);
    const output = new Float32Array(batch * n);
    const gradOutput = randomFloats(random, batch * n);
    const gradKernel = new Float32Array(k * n);
    const gradBias = new Float32Array(n);
    let next = 0;
    const forward = (): void => {
      engine.denseForward(inputs[next], kernel, bias, output, batch, k, n, 'relu');
      next = (next + 1) % batches;
    };
    const gradient = (): void => {
      engine.weightGradient(inputs[next], gradOutput, gradKernel, gradBias, batch, k, n);
      next = (next + 1) % batches;
    };
    for (const [layout, body] of [['forward', forward], ['weightGradient', gradient]] as const) {
      const samples = timeSamples(body, budgetMs, 20, 20000);
      results.push({ layout, m: batch, k, n, microseconds: median(samples), fastestMicroseconds: Math.min(...samples) });
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return results;
}

export interface TrainingStepOptions {
  /** Layer sizes, input first, e.g. [784, 512, 512, 10]. */
  units: readonly number[];
  /**
   * Training images (count × units[0] grey levels). Real MNIST matters: its pixels are mostly
   * zero, which the native engine exploits. Default: random images with MNIST's share of zeros.
   */
  images?: Uint8Array;
  batch?: number;
  /** Dropout rate after each hidden layer; 0 for none. */
  dropout?: number;
  budgetMs?: number;
}

export interface TrainingStepResult {
  units: readonly number[];
  batch: number;
  dropout: number;
  /** Median over the timed steps. */
  millisecondsPerStep: number;
  /** The fastest step: what the machine does when nothing else competes for it. */
  fastestMillisecondsPerStep: number;
  /** Steps of one epoch of 60,000 images times the median step time. */
  secondsPerEpoch: number;
}

/**
 * Median time of one training step of a Dense (relu…softmax) model with Adam, made of exactly
 * the engine calls a model makes: gather the batch, forward, loss, backward, six optimizer updates.
 */
export async function benchmarkTrainingStep(engine: Engine, options: TrainingStepOptions): Promise<TrainingStepResult> {
  const { units, batch = 128, dropout = 0, budgetMs = 1500 } = options;
  const random = new Random(7);
  const width = units[0];
  const images = options.images ?? syntheticImages(random, 60_000, width);
  const trainingImages = Math.floor(images.length / width);
  const labels = new Uint8Array(trainingImages);
  for (let i = 0; i < trainingImages; i++) labels[i] = random.nextInt(units[units.length - 1]);
  const order = new Uint32Array(trainingImages);
  for (let i = 0; i < trainingImages; i++) order[i] = i;
  random.shuffle(order);

  const layers = units.length - 1;
  const kernels = units.slice(0, -1).map((k, layer) => randomFloats(random, k * units[layer + 1], -0.05, 0.05));
  const biases = units.slice(1).map((n) => new Float32Array(n));
  const gradKernels = kernels.map((kernel) => new Float32Array(kernel.length));
  const gradBiases = biases.map((bias) => new Float32Array(bias.length));
  const moments = [...kernels, ...biases].map((values) => [new Float32Array(values.length), new Float32Array(values.length)]);
  const activations = units.map((size) => new Float32Array(batch * size));
  const gradients = units.map((size) => new Float32Array(batch * size));
  const masks = units.map((size) => new Float32Array(batch * size));
  const batchLabels = new Int32Array(batch);
  const probabilities = new Float32Array(batch * units[layers]);
  const stats = new Float64Array(2);
  const adam = { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
  let step = 0;
  let start = 0;

  const trainStep = (): void => {
    if (start + batch > trainingImages) start = 0;
    step++;
    engine.gatherRows(images, order, start, batch, width, 1 / 255, activations[0]);
    engine.gatherLabels(labels, order, start, batch, batchLabels);
    start += batch;
    for (let layer = 0; layer < layers; layer++) {
      const last = layer === layers - 1;
      const k = units[layer];
      const n = units[layer + 1];
      engine.denseForward(activations[layer], kernels[layer], biases[layer], activations[layer + 1], batch, k, n, last ? 'linear' : 'relu');
      if (!last && dropout > 0) engine.dropoutForward(activations[layer + 1], activations[layer + 1], masks[layer + 1], batch * n, dropout, step * 31 + layer);
    }
    engine.softmaxCrossEntropy(activations[layers], batchLabels, null, probabilities, gradients[layers], batch, units[layers], batch, stats);
    for (let layer = layers - 1; layer >= 0; layer--) {
      const k = units[layer];
      const n = units[layer + 1];
      engine.weightGradient(activations[layer], gradients[layer + 1], gradKernels[layer], gradBiases[layer], batch, k, n);
      if (layer > 0) {
        engine.inputGradient(gradients[layer + 1], kernels[layer], gradients[layer], batch, k, n);
        if (dropout > 0) engine.dropoutBackward(gradients[layer], masks[layer], batch * k);
        engine.activationBackward('relu', activations[layer], gradients[layer], batch * k, k);
      }
    }
    const parameters = [...kernels, ...biases];
    const grads = [...gradKernels, ...gradBiases];
    for (let i = 0; i < parameters.length; i++) {
      engine.adamUpdate(parameters[i], grads[i], moments[i][0], moments[i][1], parameters[i].length, step, adam);
    }
  };

  const samples = timeSamples(trainStep, budgetMs, 20, 5000);
  const microseconds = median(samples);
  const stepsPerEpoch = Math.ceil(60_000 / batch);
  return {
    units,
    batch,
    dropout,
    millisecondsPerStep: microseconds / 1000,
    fastestMillisecondsPerStep: Math.min(...samples) / 1000,
    secondsPerEpoch: (microseconds / 1e6) * stepsPerEpoch,
  };
}

/** Median milliseconds to predict `count` images (forward pass only) in batches of `batch`. */
export async function benchmarkPrediction(
  engine: Engine,
  units: readonly number[],
  count = 10_000,
  batch = count,
  budgetMs = 1000,
  testImages?: Uint8Array,
): Promise<number> {
  const random = new Random(11);
  const layers = units.length - 1;
  const kernels = units.slice(0, -1).map((k, layer) => randomFloats(random, k * units[layer + 1], -0.05, 0.05));
  const biases = units.slice(1).map((n) => new Float32Array(n));
  const images = testImages ?? syntheticImages(random, count, units[0]);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const activations = units.map((size) => new Float32Array(batch * size));
  const predict = (): void => {
    for (let start = 0; start < count; start += batch) {
      const rows = Math.min(batch, count - start);
      engine.gatherRows(images, order, start, rows, units[0], 1 / 255, activations[0]);
      for (let layer = 0; layer < layers; layer++) {
        const last = layer === layers - 1;
        engine.denseForward(activations[layer], kernels[layer], biases[layer], activations[layer + 1], rows, units[layer], units[layer + 1], last ? 'softmax' : 'relu');
      }
    }
  };
  return timeMedian(predict, budgetMs, 5, 200) / 1000;
}

async function main(): Promise<void> {
  const { getEngine, describeEngine } = await import('../src/engine/select.js');
  const engine = getEngine();
  let train: Uint8Array | undefined;
  let test: Uint8Array | undefined;
  try {
    const { loadMnist } = await import('../src/data/mnist.js');
    const mnist = loadMnist();
    train = mnist.train.images;
    test = mnist.test.images;
  } catch (error) {
    console.log(`MNIST unavailable (${error instanceof Error ? error.message : String(error)}); using synthetic images`);
  }
  console.log(`engine: ${describeEngine(engine)}`);
  const parts = process.argv.slice(2);
  const wanted = (part: string): boolean => parts.length === 0 || parts.includes(part);
  if (wanted('gemm')) console.log('layout          m     k     n   GFLOP/s  µs/call');
  for (const result of wanted('gemm') ? await benchmarkGemm(engine) : []) {
    console.log(
      `${result.layout.padEnd(14)} ${String(result.m).padStart(4)} ${String(result.k).padStart(5)} ${String(result.n).padStart(5)} ${result.gflops.toFixed(1).padStart(9)} ${result.microseconds.toFixed(1).padStart(8)}`,
    );
  }
  if (wanted('narrow')) console.log('narrow layers   m     k     n   GFLOP/s  µs/call');
  for (const result of wanted('narrow') ? await benchmarkGemm(engine, NARROW_GEMM_SHAPES) : []) {
    console.log(
      `${result.layout.padEnd(14)} ${String(result.m).padStart(4)} ${String(result.k).padStart(5)} ${String(result.n).padStart(5)} ${result.gflops.toFixed(1).padStart(9)} ${result.microseconds.toFixed(1).padStart(8)}`,
    );
  }
  if (train && (wanted('first') || wanted('narrow'))) {
    console.log('first layer on real MNIST batches     median µs  fastest µs');
    for (const result of await benchmarkFirstLayer(engine, train, wanted('first') ? [512, 256, 50] : [50])) {
      console.log(
        `${result.layout.padEnd(14)} ${String(result.m).padStart(4)} ${String(result.k).padStart(5)} ${String(result.n).padStart(5)} ${result.microseconds.toFixed(1).padStart(16)} ${result.fastestMicroseconds.toFixed(1).padStart(11)}`,
      );
    }
  }
  const models = wanted('train')
    ? ([[[784, 512, 512, 10], 0.2], [[784, 256, 128, 10], 0], [[784, 50, 50, 10], 0]] as const)
    : wanted('steps')
      ? ([[[784, 50, 50, 10], 0], [[784, 512, 512, 10], 0]] as const)
      : [];
  for (const [units, dropout] of models) {
    const result = await benchmarkTrainingStep(engine, { units, dropout, images: train });
    console.log(
      `train ${units.join('-')}${dropout ? ` dropout ${dropout}` : ''}: ${result.millisecondsPerStep.toFixed(3)} ms/step (fastest ${result.fastestMillisecondsPerStep.toFixed(3)}) → ${result.secondsPerEpoch.toFixed(3)} s/epoch`,
    );
  }
  for (const batch of wanted('predict') ? [10_000, 1000, 128] : []) {
    const milliseconds = await benchmarkPrediction(engine, [784, 512, 512, 10], 10_000, batch, 1000, test);
    console.log(`predict 10,000 images 784-512-512-10 (batch ${batch}): ${milliseconds.toFixed(1)} ms`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
