import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { ACTIVATION_NAMES, STAT_CORRECT, STAT_LOSS_SUM, allocateSparseRows, type Engine, type SparseRows } from '../../src/engine/engine.js';
import { loadNativeEngine, nativeAddonPath, threadsFromEnvironment } from '../../src/engine/native.js';
import { ReferenceEngine } from '../../src/engine/reference.js';
import { describeEngine } from '../../src/engine/select.js';
import { dropoutBits, dropoutThreshold } from '../../src/random/counter-hash.js';
import { Random } from '../../src/random/rng.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const thisFile = fileURLToPath(import.meta.url);
const run = promisify(execFile);

const reference = new ReferenceEngine();
const addonMissing = existsSync(nativeAddonPath())
  ? false
  : `the native addon is not built (${nativeAddonPath()} is missing; run "node scripts/build-native.js")`;

/** Mostly zeros like MNIST pixels: whole zero columns (the border) and scattered zeros elsewhere. */
function sparseArray(random: Random, rows: number, width: number): Float32Array {
  const values = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < width; j++) {
      if (j % 5 !== 0 && random.nextFloat() < 0.2) values[i * width + j] = random.uniform(0, 1);
    }
  }
  return values;
}

/**
 * Rows like MNIST batches for the sparse path: about 80% exact zeros at random places, with row 0
 * all zero, row 2 fully dense (negatives too) and, when there are enough rows, every sixth row all
 * zero as well. Values are multiples of 1/256 like scaled pixels.
 */
function mnistLikeRows(random: Random, rows: number, width: number): Float32Array {
  const values = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) {
    if (i === 0 || (i % 6 === 5 && rows > 12)) continue;
    for (let j = 0; j < width; j++) {
      if (i === 2) values[i * width + j] = (1 + random.nextInt(255)) / (random.nextFloat() < 0.5 ? 256 : -256);
      else if (random.nextFloat() < 0.2) values[i * width + j] = (1 + random.nextInt(255)) / 256;
    }
  }
  return values;
}

/** MNIST-like bytes: about 80% zeros, row 0 all zero, row 2 without a zero. */
function mnistLikeBytes(random: Random, rows: number, width: number): Uint8Array {
  const bytes = new Uint8Array(rows * width);
  for (let i = 1; i < rows; i++) {
    for (let j = 0; j < width; j++) if (i === 2 || random.nextFloat() < 0.2) bytes[i * width + j] = 1 + random.nextInt(255);
  }
  return bytes;
}

function shuffledIndices(random: Random, count: number): Uint32Array {
  const indices = new Uint32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  random.shuffle(indices);
  return indices;
}

function randomArray(random: Random, length: number, low = -1, high = 1): Float32Array {
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = random.uniform(low, high);
  return values;
}

function maxAbs(values: Float32Array, count = values.length): number {
  let max = 0;
  for (let i = 0; i < count; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

/** max|a−b| ≤ tolerance·max(1, max|expected|) over the first `count` values, with no NaN on either side. */
function assertClose(actual: Float32Array, expected: Float32Array, count: number, what: string, tolerance = 1e-5): void {
  const scale = Math.max(1, maxAbs(expected, count));
  let worst = 0;
  let worstIndex = -1;
  for (let i = 0; i < count; i++) {
    const difference = Math.abs(actual[i] - expected[i]);
    if (!(difference <= worst)) {
      worst = difference;
      worstIndex = i;
    }
  }
  assert.ok(
    worst <= tolerance * scale,
    `${what}: element ${worstIndex} is ${actual[worstIndex]} but the reference has ${expected[worstIndex]} (|difference| ${worst} > ${tolerance}·${scale})`,
  );
}

// The three GEMM layouts on one shape, native against reference; each side gets fresh buffers
// made larger than needed and viewed at an offset, so byteOffset and spare capacity both matter.
function checkGemmShape(engine: Engine, random: Random, m: number, k: number, n: number, capacityRows = m, sparse = false): void {
  const offset = 3;
  const view = (values: Float32Array): Float32Array => {
    const padded = new Float32Array(values.length + offset + 5);
    padded.set(values, offset);
    return padded.subarray(offset);
  };
  const input = sparse ? sparseArray(random, capacityRows, k) : randomArray(random, capacityRows * k);
  const kernel = randomArray(random, k * n);
  const bias = randomArray(random, n);
  const gradOutput = sparse ? sparseArray(random, capacityRows, n) : randomArray(random, capacityRows * n);
  const label = `m=${m} k=${k} n=${n}${sparse ? ' sparse' : ''}`;

  for (const activation of ['linear', 'relu'] as const) {
    for (const withBias of [true, false]) {
      const expected = new Float32Array(capacityRows * n);
      const actual = view(new Float32Array(capacityRows * n));
      reference.denseForward(input, kernel, withBias ? bias : null, expected, m, k, n, activation);
      engine.denseForward(view(input), view(kernel), withBias ? view(bias) : null, actual, m, k, n, activation);
      assertClose(actual, expected, m * n, `denseForward ${activation}${withBias ? '' : ' without bias'} ${label}`);
      for (let i = m * n; i < capacityRows * n; i++) assert.equal(actual[i], 0, `denseForward wrote past m rows (${label})`);
    }
  }

  const expectedInput = new Float32Array(capacityRows * k);
  const actualInput = view(new Float32Array(capacityRows * k));
  reference.inputGradient(gradOutput, kernel, expectedInput, m, k, n);
  engine.inputGradient(view(gradOutput), view(kernel), actualInput, m, k, n);
  assertClose(actualInput, expectedInput, m * k, `inputGradient ${label}`);

  const expectedKernel = new Float32Array(k * n);
  const expectedBias = new Float32Array(n);
  const actualKernel = view(new Float32Array(k * n).fill(7));
  const actualBias = view(new Float32Array(n).fill(7));
  reference.weightGradient(input, gradOutput, expectedKernel, expectedBias, m, k, n);
  engine.weightGradient(view(input), view(gradOutput), actualKernel, actualBias, m, k, n);
  assertClose(actualKernel, expectedKernel, k * n, `weightGradient ${label}`);
  // The bias gradient sums the same float32 values in the same order as the reference.
  assert.deepEqual(actualBias.subarray(0, n), expectedBias, `weightGradient bias ${label}`);
  engine.weightGradient(view(input), view(gradOutput), actualKernel, null, m, k, n);
  assertClose(actualKernel, expectedKernel, k * n, `weightGradient without bias ${label}`);
}

// denseForward and weightGradient on mostly-zero inputs (the per-row sparse path), native against
// reference, through views at an offset (typed arrays from JavaScript are not 64-byte aligned).
function checkSparseShape(engine: Engine, random: Random, m: number, k: number, n: number): void {
  const offset = 5;
  const view = (values: Float32Array): Float32Array => {
    const padded = new Float32Array(values.length + offset + 3);
    padded.set(values, offset);
    return padded.subarray(offset);
  };
  const input = mnistLikeRows(random, m, k);
  const kernel = randomArray(random, k * n);
  const bias = randomArray(random, n);
  const gradOutput = randomArray(random, m * n);
  const label = `m=${m} k=${k} n=${n} mostly zeros`;
  for (const activation of ['linear', 'relu'] as const) {
    for (const withBias of [true, false]) {
      const expected = new Float32Array(m * n);
      const actual = view(new Float32Array(m * n).fill(7));
      reference.denseForward(input, kernel, withBias ? bias : null, expected, m, k, n, activation);
      engine.denseForward(view(input), view(kernel), withBias ? view(bias) : null, actual, m, k, n, activation);
      assertClose(actual, expected, m * n, `denseForward ${activation}${withBias ? '' : ' without bias'} ${label}`);
    }
  }
  const expectedKernel = new Float32Array(k * n);
  const expectedBias = new Float32Array(n);
  const actualKernel = view(new Float32Array(k * n).fill(7));
  const actualBias = view(new Float32Array(n).fill(7));
  reference.weightGradient(input, gradOutput, expectedKernel, expectedBias, m, k, n);
  engine.weightGradient(view(input), view(gradOutput), actualKernel, actualBias, m, k, n);
  assertClose(actualKernel, expectedKernel, k * n, `weightGradient ${label}`);
  assert.deepEqual(actualBias.subarray(0, n), expectedBias, `weightGradient bias ${label}`);
  engine.weightGradient(view(input), view(gradOutput), actualKernel, null, m, k, n);
  assertClose(actualKernel, expectedKernel, k * n, `weightGradient without bias ${label}`);
}

const SMALL_SIZES = [1, 7, 33];
const LARGE_SHAPES: Array<[number, number, number]> = [
  [513, 784, 33],
  [784, 33, 513],
  [33, 513, 784],
  [7, 784, 513],
];

/** Results of a fixed workload, for comparing runs with different threads or instruction sets. */
function workloadDigest(engine: Engine, againstReference: boolean): { hash: string; worstError: number } {
  const random = new Random(99);
  const hash = createHash('sha256');
  let worstError = 0;
  const record = (actual: Float32Array, expected: Float32Array | null): void => {
    hash.update(new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength));
    if (expected && againstReference) {
      const scale = Math.max(1, maxAbs(expected));
      for (let i = 0; i < actual.length; i++) worstError = Math.max(worstError, Math.abs(actual[i] - expected[i]) / scale);
    }
  };
  // Inputs: 'pixels' mostly zero with zero columns, 'mnist' like MNIST rows, 'dense' random. The
  // narrow shapes (10 to 64 columns) cover the narrow weight-gradient kernel and, on sparse inputs,
  // the scattered one, each split among threads when large enough.
  type Input = 'pixels' | 'mnist' | 'dense';
  const shapes: ReadonlyArray<readonly [number, number, number, Input]> = [
    [128, 784, 512, 'pixels'], [96, 256, 128, 'dense'], [128, 512, 10, 'dense'], [33, 50, 7, 'dense'], [513, 33, 300, 'dense'],
    [1100, 784, 64, 'mnist'], [77, 784, 50, 'mnist'], [131, 300, 513, 'mnist'],
    [128, 50, 50, 'dense'], [128, 50, 10, 'dense'], [256, 700, 12, 'dense'], [64, 300, 64, 'dense'], [128, 784, 50, 'pixels'], [200, 517, 13, 'mnist'],
  ];
  for (const [m, k, n, kind] of shapes) {
    const input = kind === 'pixels' ? sparseArray(random, m, k) : kind === 'mnist' ? mnistLikeRows(random, m, k) : randomArray(random, m * k);
    const kernel = randomArray(random, k * n);
    const bias = randomArray(random, n);
    const gradOutput = randomArray(random, m * n);
    const out = new Float32Array(m * n);
    const expectedOut = new Float32Array(m * n);
    engine.denseForward(input, kernel, bias, out, m, k, n, 'relu');
    if (againstReference) reference.denseForward(input, kernel, bias, expectedOut, m, k, n, 'relu');
    record(out, expectedOut);
    const gradInput = new Float32Array(m * k);
    const expectedGradInput = new Float32Array(m * k);
    engine.inputGradient(gradOutput, kernel, gradInput, m, k, n);
    if (againstReference) reference.inputGradient(gradOutput, kernel, expectedGradInput, m, k, n);
    record(gradInput, expectedGradInput);
    const gradKernel = new Float32Array(k * n);
    const gradBias = new Float32Array(n);
    const expectedGradKernel = new Float32Array(k * n);
    engine.weightGradient(input, gradOutput, gradKernel, gradBias, m, k, n);
    if (againstReference) reference.weightGradient(input, gradOutput, expectedGradKernel, null, m, k, n);
    record(gradKernel, expectedGradKernel);
    record(gradBias, null);
  }
  // Batches given as their nonzeros, gathered from bytes: the forward product and weight gradient.
  for (const [m, k, n] of [[128, 784, 512], [300, 784, 256], [77, 784, 50], [5, 33, 7]] as const) {
    const images = mnistLikeBytes(random, m, k);
    const order = shuffledIndices(random, m);
    const rows = allocateSparseRows(m, k);
    const expectedRows = allocateSparseRows(m, k);
    engine.gatherSparseRows(images, order, 0, m, k, 1 / 255, rows);
    reference.gatherSparseRows(images, order, 0, m, k, 1 / 255, expectedRows);
    const kernel = randomArray(random, k * n);
    const bias = randomArray(random, n);
    const gradOutput = randomArray(random, m * n);
    const out = new Float32Array(m * n);
    const expectedOut = new Float32Array(m * n);
    engine.sparseDenseForward(rows, kernel, bias, out, m, k, n, 'relu');
    if (againstReference) reference.sparseDenseForward(expectedRows, kernel, bias, expectedOut, m, k, n, 'relu');
    record(out, expectedOut);
    const gradKernel = new Float32Array(k * n);
    const gradBias = new Float32Array(n);
    const expectedGradKernel = new Float32Array(k * n);
    engine.sparseWeightGradient(rows, gradOutput, gradKernel, gradBias, m, k, n);
    if (againstReference) reference.sparseWeightGradient(expectedRows, gradOutput, expectedGradKernel, null, m, k, n);
    record(gradKernel, expectedGradKernel);
    record(gradBias, null);
  }
  const count = 200_003;
  const params = randomArray(random, count);
  const grads = randomArray(random, count);
  const first = new Float32Array(count);
  const second = new Float32Array(count);
  for (let step = 1; step <= 3; step++) {
    engine.adamUpdate(params, grads, first, second, count, step, { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  }
  record(params, null);
  const mask = new Float32Array(count);
  engine.dropoutForward(grads, grads, mask, count, 0.2, 12345);
  record(grads, null);
  return { hash: hash.digest('hex'), worstError };
}

async function runChild(environment: Record<string, string | undefined>, code: string): Promise<{ stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(environment)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, env, encoding: 'utf8' });
}

if (process.env.DIGITNET_NATIVE_TEST_CHILD === '1') {
  // Child mode: print the workload digest of the engine this environment selects.
  const engine = loadNativeEngine();
  const againstReference = process.env.DIGITNET_SIMD !== undefined || process.env.DIGITNET_SPARSE_FORWARD !== undefined;
  process.stdout.write(JSON.stringify({ engine: describeEngine(engine), ...workloadDigest(engine, againstReference) }));
} else {
  test('native GEMMs match the reference engine on awkward shapes', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(1);
    for (const m of SMALL_SIZES) for (const k of SMALL_SIZES) for (const n of SMALL_SIZES) checkGemmShape(engine, random, m, k, n);
    for (const [m, k, n] of LARGE_SHAPES) checkGemmShape(engine, random, m, k, n);
    // A final smaller batch reusing the full-size buffers.
    checkGemmShape(engine, random, 96, 784, 512, 128);
    checkGemmShape(engine, random, 96, 50, 10, 128);
    // The narrow layers of 784-50-50-10 and 784-512-512-10, and narrow gradients split among threads.
    for (const [m, k, n] of [[128, 50, 50], [128, 50, 10], [128, 512, 10], [256, 700, 12], [64, 300, 64], [128, 784, 50]] as const) checkGemmShape(engine, random, m, k, n);
    // Mostly-zero inputs take the path that skips all-zero reduction steps.
    for (const [m, k, n] of [[128, 784, 512], [33, 513, 7], [7, 33, 50], [96, 300, 10]] as const) checkGemmShape(engine, random, m, k, n, m, true);
  });

  test('native GEMMs match the reference on mostly-zero inputs (the sparse path)', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(3);
    // Batches with remainders against the kernels' row groups and list blocks, widths around whole
    // vectors and column blocks, reductions around the tiles. Forward products narrower than 256
    // columns (and weight gradients narrower than 32) stay on the dense path here; the child runs
    // of the thread test below force every shape through the sparse path.
    for (const [m, k, n] of [
      [128, 784, 512],
      [128, 784, 50],
      [1, 784, 256],
      [7, 784, 33],
      [33, 33, 513],
      [33, 513, 784],
      [300, 784, 300],
      [1030, 200, 260],
      [513, 784, 65],
      [131, 257, 100],
      [1100, 784, 48],
      [9, 7, 40],
    ] as const) {
      checkSparseShape(engine, random, m, k, n);
    }
  });

  test('native GEMMs handle empty dimensions', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const bias = new Float32Array([1, -2, 3]);
    const out = new Float32Array(6).fill(9);
    engine.denseForward(new Float32Array(0), new Float32Array(0), bias, out, 2, 0, 3, 'relu');
    assert.deepEqual(out, new Float32Array([1, 0, 3, 1, 0, 3]));
    const gradKernel = new Float32Array(6).fill(9);
    const gradBias = new Float32Array(3).fill(9);
    engine.weightGradient(new Float32Array(0), new Float32Array(0), gradKernel, gradBias, 0, 2, 3);
    assert.deepEqual(gradKernel, new Float32Array(6));
    assert.deepEqual(gradBias, new Float32Array(3));
  });

  test('NaN and negative zero pass through relu as in the reference', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const input = new Float32Array([1, Number.NaN, 0, 2, -1, 0.5]);
    const kernel = new Float32Array([1, -1, 2, 0.5, -3, 1]);
    const bias = new Float32Array([-0, 0]);
    const expected = new Float32Array(6);
    const actual = new Float32Array(6);
    reference.denseForward(input, kernel, bias, expected, 3, 2, 2, 'relu');
    engine.denseForward(input, kernel, bias, actual, 3, 2, 2, 'relu');
    assert.deepEqual(Array.from(actual, (value) => Object.is(value, -0) ? '-0' : String(value)), Array.from(expected, (value) => Object.is(value, -0) ? '-0' : String(value)));
  });

  test('denseForward and activationForward match the reference for every activation', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(2);
    for (const [m, k, n] of [[33, 7, 10], [128, 50, 513]] as const) {
      const input = randomArray(random, m * k, -2, 2);
      const kernel = randomArray(random, k * n, -2, 2);
      const bias = randomArray(random, n);
      for (const activation of ACTIVATION_NAMES) {
        const expected = new Float32Array(m * n);
        const actual = new Float32Array(m * n);
        reference.denseForward(input, kernel, bias, expected, m, k, n, activation);
        engine.denseForward(input, kernel, bias, actual, m, k, n, activation);
        assertClose(actual, expected, m * n, `denseForward ${activation} m=${m} k=${k} n=${n}`);

        const values = randomArray(random, m * n, -30, 30);
        const expectedActivated = new Float32Array(m * n);
        const actualActivated = new Float32Array(m * n);
        reference.activationForward(activation, values, expectedActivated, m * n, n);
        engine.activationForward(activation, values, actualActivated, m * n, n);
        assertClose(actualActivated, expectedActivated, m * n, `activationForward ${activation}`);
        const inPlace = values.slice();
        engine.activationForward(activation, inPlace, inPlace, m * n, n);
        assertClose(inPlace, expectedActivated, m * n, `activationForward ${activation} in place`);
      }
    }
  });

  test('activationBackward matches the reference for every activation', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(3);
    const rows = 70;
    const rowLength = 513;
    for (const activation of ACTIVATION_NAMES) {
      const output = new Float32Array(rows * rowLength);
      const input = randomArray(random, rows * rowLength, -3, 3);
      reference.activationForward(activation, input, output, rows * rowLength, rowLength);
      if (activation === 'relu') output.fill(0, 0, 100);
      const grad = randomArray(random, rows * rowLength);
      const expected = grad.slice();
      // gelu, silu and mish need the pre-activation as well as the output.
      reference.activationBackward(activation, output, expected, rows * rowLength, rowLength, input);
      engine.activationBackward(activation, output, grad, rows * rowLength, rowLength, input);
      assertClose(grad, expected, rows * rowLength, `activationBackward ${activation}`);
    }
  });

  test('dropout drops exactly the elements the reference drops', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(4);
    for (const [count, rate, seed] of [[100_000, 0.2, 7], [1_001, 0.5, 0xffffffff], [64, 0, 3], [70_000, 0.999, 123456789]] as const) {
      const values = randomArray(random, count + 10);
      const expectedValues = values.slice();
      const expectedMask = new Float32Array(count + 10);
      const actualMask = new Float32Array(count + 10);
      reference.dropoutForward(expectedValues, expectedValues, expectedMask, count, rate, seed);
      // Out of place on the native side: the input stays as it was.
      const output = new Float32Array(count + 10);
      const before = values.slice();
      engine.dropoutForward(values, output, actualMask, count, rate, seed);
      assert.deepEqual(actualMask, expectedMask, `dropout mask count=${count} rate=${rate}`);
      assert.deepEqual(output.subarray(0, count), expectedValues.subarray(0, count), `dropout values count=${count} rate=${rate}`);
      assert.deepEqual(values, before, `dropout left its input alone, count=${count}`);
      engine.dropoutForward(values, values, actualMask, count, rate, seed);
      assert.deepEqual(values, expectedValues, `dropout in place, count=${count} rate=${rate}`);
      const threshold = dropoutThreshold(rate);
      for (let i = 0; i < count; i += 997) assert.equal(actualMask[i] === 0, dropoutBits(seed, i) < threshold);

      const grad = randomArray(random, count);
      const expectedGrad = grad.slice();
      reference.dropoutBackward(expectedGrad, expectedMask, count);
      engine.dropoutBackward(grad, actualMask, count);
      assert.deepEqual(grad, expectedGrad);
    }
  });

  test('softmax cross-entropy matches the reference, with labels or targets, and survives huge logits', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(5);
    const m = 130;
    const n = 10;
    for (const magnitude of [3, 1e4]) {
      const logits = randomArray(random, m * n, -magnitude, magnitude);
      const labels = new Int32Array(m);
      for (let i = 0; i < m; i++) labels[i] = random.nextInt(n);
      const targets = new Float32Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) targets[i * n + j] = random.nextFloat();
      for (const sparse of [true, false]) {
        const expectedProbabilities = new Float32Array(m * n);
        const expectedGrad = new Float32Array(m * n);
        const expectedStats = new Float64Array([1, 2]);
        const actualProbabilities = new Float32Array(m * n);
        const actualGrad = new Float32Array(m * n);
        const actualStats = new Float64Array([1, 2]);
        reference.softmaxCrossEntropy(logits, sparse ? labels : null, sparse ? null : targets, expectedProbabilities, expectedGrad, m, n, 128, expectedStats);
        engine.softmaxCrossEntropy(logits, sparse ? labels : null, sparse ? null : targets, actualProbabilities, actualGrad, m, n, 128, actualStats);
        const what = `softmaxCrossEntropy ${sparse ? 'labels' : 'targets'} |logits| ≤ ${magnitude}`;
        assert.ok(actualGrad.every(Number.isFinite) && actualProbabilities.every(Number.isFinite), `${what}: NaN or infinity`);
        assertClose(actualProbabilities, expectedProbabilities, m * n, `${what} probabilities`);
        assertClose(actualGrad, expectedGrad, m * n, `${what} gradient`);
        assert.ok(Number.isFinite(actualStats[STAT_LOSS_SUM]));
        assert.ok(Math.abs(actualStats[STAT_LOSS_SUM] - expectedStats[STAT_LOSS_SUM]) <= 1e-5 * Math.max(1, Math.abs(expectedStats[STAT_LOSS_SUM])), `${what} loss`);
        assert.equal(actualStats[STAT_CORRECT], expectedStats[STAT_CORRECT], `${what} correct`);
        // Without a gradient buffer only the loss and probabilities are produced.
        engine.softmaxCrossEntropy(logits, sparse ? labels : null, sparse ? null : targets, actualProbabilities, null, m, n, 128, actualStats);
      }
    }
  });

  test('mean squared error and countCorrect match the reference', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(6);
    const m = 77;
    const n = 10;
    const predictions = randomArray(random, m * n);
    const targets = randomArray(random, m * n, 0, 1);
    const labels = new Int32Array(m);
    for (let i = 0; i < m; i++) labels[i] = random.nextInt(n);
    const expectedGrad = new Float32Array(m * n);
    const actualGrad = new Float32Array(m * n);
    const expectedStats = new Float64Array(2);
    const actualStats = new Float64Array(2);
    reference.meanSquaredError(predictions, targets, expectedGrad, m, n, 128, expectedStats);
    engine.meanSquaredError(predictions, targets, actualGrad, m, n, 128, actualStats);
    assertClose(actualGrad, expectedGrad, m * n, 'meanSquaredError gradient');
    assert.ok(Math.abs(actualStats[STAT_LOSS_SUM] - expectedStats[STAT_LOSS_SUM]) <= 1e-9 * Math.max(1, expectedStats[STAT_LOSS_SUM]));
    assert.equal(actualStats[STAT_CORRECT], expectedStats[STAT_CORRECT]);
    reference.countCorrect(predictions, labels, m, n, expectedStats);
    engine.countCorrect(predictions, labels, m, n, actualStats);
    assert.equal(actualStats[STAT_CORRECT], expectedStats[STAT_CORRECT]);
  });

  test('gatherRows and gatherLabels copy exactly what the reference copies', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(7);
    const rows = 300;
    const width = 784;
    const images = new Uint8Array(rows * width);
    for (let i = 0; i < images.length; i++) images[i] = random.nextInt(256);
    const floats = randomArray(random, rows * width);
    const labels = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) labels[i] = random.nextInt(10);
    const indices = new Uint32Array(rows);
    for (let i = 0; i < rows; i++) indices[i] = i;
    random.shuffle(indices);
    for (const [source, scale] of [[images, 1 / 255], [floats, 1], [floats, 0.5]] as const) {
      const expected = new Float32Array(128 * width);
      const actual = new Float32Array(128 * width);
      reference.gatherRows(source, indices, 160, 128, width, scale, expected);
      engine.gatherRows(source, indices, 160, 128, width, scale, actual);
      assert.deepEqual(actual, expected);
    }
    for (const source of [labels, Int32Array.from(labels)]) {
      const expected = new Int32Array(128);
      const actual = new Int32Array(128);
      reference.gatherLabels(source, indices, 100, 128, expected);
      engine.gatherLabels(source, indices, 100, 128, actual);
      assert.deepEqual(actual, expected);
    }
    assert.throws(() => engine.gatherRows(images, new Uint32Array([rows]), 0, 1, width, 1, new Float32Array(width)), /outside/);
  });

  test('sparse rows: gathered as the reference gathers them, and their products equal the dense ones bit for bit', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(11);
    const capacity = 600;
    const width = 784;
    const images = mnistLikeBytes(random, capacity, width);
    const floats = mnistLikeRows(random, capacity, width);
    const order = shuffledIndices(random, capacity);
    // 1, 7 and 33 rows, a batch of 128, a final smaller batch in full-size buffers, and 513 rows.
    const shapes: ReadonlyArray<readonly [number, number, number]> = [
      [1, width, 512], [7, width, 33], [33, width, 256], [128, width, 512], [96, width, 10], [128, width, 50], [513, width, 300],
    ];
    for (const [source, scale] of [[images, 1 / 255], [floats, 1], [floats, 0.5]] as const) {
      for (const [m, k, n] of shapes) {
        const label = `m=${m} k=${k} n=${n} from ${source instanceof Uint8Array ? 'bytes' : 'floats'} × ${scale}`;
        const rows = allocateSparseRows(128 > m ? 128 : m, k);
        const expectedRows = allocateSparseRows(m, k);
        engine.gatherSparseRows(source, order, 40, m, k, scale, rows);
        reference.gatherSparseRows(source, order, 40, m, k, scale, expectedRows);
        const entries = expectedRows.rowStarts[m]!;
        assert.deepEqual(rows.rowStarts.subarray(0, m + 1), expectedRows.rowStarts.subarray(0, m + 1), `rowStarts ${label}`);
        assert.deepEqual(rows.columns.subarray(0, entries), expectedRows.columns.subarray(0, entries), `columns ${label}`);
        assert.deepEqual(rows.values.subarray(0, entries), expectedRows.values.subarray(0, entries), `values ${label}`);

        const dense = new Float32Array(m * k);
        engine.gatherRows(source, order, 40, m, k, scale, dense);
        const kernel = randomArray(random, k * n);
        const bias = randomArray(random, n);
        const gradOutput = randomArray(random, m * n);
        for (const activation of ['relu', 'linear', 'softmax'] as const) {
          const fromDense = new Float32Array(m * n);
          const fromRows = new Float32Array(m * n).fill(7);
          const expected = new Float32Array(m * n);
          engine.denseForward(dense, kernel, activation === 'linear' ? null : bias, fromDense, m, k, n, activation);
          engine.sparseDenseForward(rows, kernel, activation === 'linear' ? null : bias, fromRows, m, k, n, activation);
          reference.sparseDenseForward(expectedRows, kernel, activation === 'linear' ? null : bias, expected, m, k, n, activation);
          assert.deepEqual(fromRows, fromDense, `sparseDenseForward ${activation} ${label}`);
          assertClose(fromRows, expected, m * n, `sparseDenseForward ${activation} against the reference, ${label}`);
        }
        const fromDenseKernel = new Float32Array(k * n);
        const fromDenseBias = new Float32Array(n);
        const fromRowsKernel = new Float32Array(k * n).fill(7);
        const fromRowsBias = new Float32Array(n).fill(7);
        const expectedKernel = new Float32Array(k * n);
        const expectedBias = new Float32Array(n);
        engine.weightGradient(dense, gradOutput, fromDenseKernel, fromDenseBias, m, k, n);
        engine.sparseWeightGradient(rows, gradOutput, fromRowsKernel, fromRowsBias, m, k, n);
        reference.sparseWeightGradient(expectedRows, gradOutput, expectedKernel, expectedBias, m, k, n);
        assert.deepEqual(fromRowsKernel, fromDenseKernel, `sparseWeightGradient ${label}`);
        assert.deepEqual(fromRowsBias, fromDenseBias, `sparseWeightGradient bias ${label}`);
        assertClose(fromRowsKernel, expectedKernel, k * n, `sparseWeightGradient against the reference, ${label}`);
        assert.deepEqual(fromRowsBias, expectedBias, `sparseWeightGradient bias against the reference, ${label}`);
      }
    }
  });

  test('the weight gradient of a layer with one input computes its bias gradient too', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(12);
    for (const [m, n] of [[128, 300], [700, 512], [5, 7]] as const) {
      const input = randomArray(random, m);
      const gradOutput = randomArray(random, m * n);
      const expectedKernel = new Float32Array(n);
      const expectedBias = new Float32Array(n);
      const actualKernel = new Float32Array(n).fill(7);
      const actualBias = new Float32Array(n).fill(7);
      reference.weightGradient(input, gradOutput, expectedKernel, expectedBias, m, 1, n);
      engine.weightGradient(input, gradOutput, actualKernel, actualBias, m, 1, n);
      assertClose(actualKernel, expectedKernel, n, `weightGradient k=1 m=${m} n=${n}`);
      assert.deepEqual(actualBias, expectedBias, `bias gradient k=1 m=${m} n=${n}`);
    }
  });

  test('gathers refuse a scale that is not finite and an index outside the source, in both engines', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const source = new Uint8Array(8).fill(3);
    for (const candidate of [engine, reference]) {
      for (const scale of [Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(() => candidate.gatherRows(source, new Uint32Array([0]), 0, 1, 4, scale, new Float32Array(4)), /scale (NaN|Infinity) is invalid; it must be a finite number/);
        assert.throws(() => candidate.gatherSparseRows(source, new Uint32Array([0]), 0, 1, 4, scale, allocateSparseRows(1, 4)), /scale (NaN|Infinity) is invalid/);
      }
      assert.throws(() => candidate.gatherSparseRows(source, new Uint32Array([2]), 0, 1, 4, 1, allocateSparseRows(1, 4)), /index 2 at position 0 is outside the source's 2 rows/);
      assert.throws(() => candidate.gatherRows(source, new Uint32Array([5]), 0, 1, 4, 1, new Float32Array(4)), /index 5 at position 0 is outside the source's 2 rows/);
    }
  });

  test('malformed sparse rows are refused by both engines before any product', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const kernel = new Float32Array(4 * 3);
    const out = new Float32Array(2 * 3);
    const rows = (rowStarts: number[], columns: number[]): SparseRows => ({
      rowStarts: Int32Array.from(rowStarts),
      columns: Int32Array.from(columns),
      values: new Float32Array(columns.length).fill(1),
    });
    const cases: Array<[SparseRows, RegExp]> = [
      [rows([0, 2, 3], [1, 1, 2]), /columns\[1\] is 1 in row 0: a row's columns must increase and lie in 0\.\.3/],
      [rows([0, 1, 2], [0, 4]), /columns\[1\] is 4 in row 1: a row's columns must increase and lie in 0\.\.3/],
      [rows([0, 1, 5], [0, 1]), /rowStarts\[2\] is 5: offsets must not decrease nor pass the 2 columns/],
      [rows([1, 1, 1], [0]), /rowStarts\[0\] is 1; it must be 0/],
    ];
    for (const [input, message] of cases) {
      for (const candidate of [engine, reference]) {
        assert.throws(() => candidate.sparseDenseForward(input, kernel, null, out, 2, 4, 3, 'linear'), message);
        assert.throws(() => candidate.sparseWeightGradient(input, out, kernel, null, 2, 4, 3), message);
      }
    }
    assert.throws(
      () => engine.gatherSparseRows(new Uint8Array(8), new Uint32Array([2]), 0, 1, 4, 1, allocateSparseRows(1, 4)),
      /index 2 at position 0 is outside the source's 2 rows/,
    );
  });

  test('optimizer updates match the reference over several steps', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(8);
    const count = 70_001;
    const initial = randomArray(random, count);
    const gradients = [randomArray(random, count), randomArray(random, count, -1e-3, 1e-3), randomArray(random, count)];
    const runBoth = (what: string, update: (target: Engine, params: Float32Array, buffers: Float32Array[], grads: Float32Array, step: number) => void): void => {
      const states = [reference, engine].map(() => ({ params: initial.slice(), buffers: [new Float32Array(count), new Float32Array(count)] }));
      for (let step = 1; step <= gradients.length; step++) {
        update(reference, states[0].params, states[0].buffers, gradients[step - 1], step);
        update(engine, states[1].params, states[1].buffers, gradients[step - 1], step);
      }
      assertClose(states[1].params, states[0].params, count, `${what} params`);
      for (let b = 0; b < 2; b++) assertClose(states[1].buffers[b], states[0].buffers[b], count, `${what} buffer ${b}`);
    };
    runBoth('adam', (target, params, [first, second], grads, step) =>
      target.adamUpdate(params, grads, first, second, count, step, { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }));
    for (const momentum of [0, 0.9]) {
      runBoth(`rmsprop momentum=${momentum}`, (target, params, [meanSquare, velocity], grads) =>
        target.rmspropUpdate(params, grads, meanSquare, velocity, count, { learningRate: 0.001, rho: 0.9, momentum, epsilon: 1e-7 }));
      for (const nesterov of [false, true]) {
        runBoth(`sgd momentum=${momentum} nesterov=${nesterov}`, (target, params, [velocity], grads) =>
          target.sgdUpdate(params, grads, velocity, count, { learningRate: 0.01, momentum, nesterov }));
      }
    }
  });

  test('short buffers and bad sizes throw instead of touching memory', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const small = new Float32Array(4);
    assert.throws(() => engine.denseForward(small, small, null, small, 2, 3, 2, 'linear'), /input holds 4 values but 6 are needed/);
    assert.throws(() => engine.inputGradient(small, small, small, -1, 1, 1), /must not be negative/);
    assert.throws(() => engine.adamUpdate(small, small, small, small, 5, 1, { learningRate: 1, beta1: 0.9, beta2: 0.9, epsilon: 1e-7 }), /holds 4 values/);
    assert.throws(() => engine.dropoutForward(small, small, small, 4, 1, 1), /rate 1 is invalid/);
    const labels = new Int32Array([12]);
    assert.throws(() => engine.softmaxCrossEntropy(small, labels, null, small, null, 1, 4, 1, new Float64Array(2)), /label 12/);
  });

  test('worker threads can use the addon alongside the main thread', { skip: addonMissing }, async () => {
    const engine = loadNativeEngine();
    const [m, k, n] = [128, 300, 200];
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.path);
      const { m, k, n } = workerData;
      const input = new Float32Array(m * k).map((_, i) => (i % 7) / 7);
      const kernel = new Float32Array(k * n).map((_, i) => (i % 5) / 5 - 0.4);
      const out = new Float32Array(m * n);
      for (let repeat = 0; repeat < 200; repeat++) addon.denseForward(input, kernel, null, out, m, k, n, 1);
      parentPort.postMessage(out);`;
    // execArgv: [] keeps the test runner's and tsx's flags out of the plain-JavaScript workers.
    const workers = [0, 1].map(() => new Worker(code, { eval: true, execArgv: [], workerData: { path: nativeAddonPath(), m, k, n } }));
    const exits = workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve)));
    const results = workers.map((worker) => new Promise<Float32Array>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (exitCode) => reject(new Error(`a worker exited with code ${exitCode} before answering`)));
    }));
    const input = new Float32Array(m * k).map((_, i) => (i % 7) / 7);
    const kernel = new Float32Array(k * n).map((_, i) => (i % 5) / 5 - 0.4);
    const out = new Float32Array(m * n);
    for (let repeat = 0; repeat < 200; repeat++) engine.denseForward(input, kernel, null, out, m, k, n, 'relu');
    for (const result of await Promise.all(results)) assert.deepEqual(result, out);
    await Promise.all(exits);
    // The main thread's engine still works after the workers' environments are gone.
    engine.denseForward(input, kernel, null, out, m, k, n, 'relu');
  });

  test('worker threads can gather sparse rows at the same time (each call keeps its own scratch)', { skip: addonMissing }, async () => {
    loadNativeEngine();
    // Each worker lists batches of different widths 400 times, with two threads of the pool, and
    // counts the calls whose lists differ from its first.
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.path);
      addon.configure(2, 'auto');
      const count = 256, width = 784 + workerData.id * 16;
      const source = new Uint8Array(count * width);
      let state = 1 + workerData.id;
      for (let i = 0; i < source.length; i++) {
        state = (state * 1103515245 + 12345) >>> 0;
        if ((state >>> 16) % 5 === 0) source[i] = 1 + ((state >>> 8) & 127);
      }
      const indices = new Uint32Array(count).map((_, i) => (i * 37) % count);
      const starts = new Int32Array(count + 1), columns = new Int32Array(count * width + 16), values = new Float32Array(count * width + 16);
      addon.gatherSparseRows(source, indices, 0, count, width, 1 / 255, starts, columns, values);
      const first = [starts.slice(), columns.slice(0, starts[count]), values.slice(0, starts[count])];
      let wrong = 0;
      for (let repeat = 0; repeat < 400; repeat++) {
        addon.gatherSparseRows(source, indices, 0, count, width, 1 / 255, starts, columns, values);
        let same = starts.every((value, i) => value === first[0][i]);
        for (let i = 0; same && i < first[1].length; i++) same = columns[i] === first[1][i] && values[i] === first[2][i];
        if (!same) wrong++;
      }
      parentPort.postMessage(wrong);`;
    const workers = [0, 1].map((id) => new Worker(code, { eval: true, execArgv: [], workerData: { path: nativeAddonPath(), id } }));
    const wrong = await Promise.all(workers.map((worker) => new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (exitCode) => reject(new Error(`a worker exited with code ${exitCode} before answering`)));
    })));
    assert.deepEqual(wrong, [0, 0]);
  });

  test('DIGITNET_THREADS must be a whole number of threads', () => {
    assert.equal(threadsFromEnvironment('3'), 3);
    assert.throws(() => threadsFromEnvironment('two'), /DIGITNET_THREADS=two is invalid/);
    assert.throws(() => threadsFromEnvironment('0'), /DIGITNET_THREADS=0 is invalid/);
    assert.throws(() => threadsFromEnvironment('1.5'), /DIGITNET_THREADS=1.5 is invalid/);
  });

  test('results are bit-identical for 1, 2 and 3 threads, and the AVX2 and portable kernels are right too', { skip: addonMissing }, async () => {
    const code = `await import(${JSON.stringify(thisFile)});`;
    const runs = await Promise.all(
      [
        { DIGITNET_THREADS: '1' },
        { DIGITNET_THREADS: '2' },
        { DIGITNET_THREADS: '3' },
        { DIGITNET_THREADS: '2', DIGITNET_SIMD: 'avx2' },
        { DIGITNET_THREADS: '2', DIGITNET_SIMD: 'scalar' },
        // Every product on the sparse path (even dense inputs and narrow outputs), then on none.
        { DIGITNET_THREADS: '1', DIGITNET_SPARSE_FORWARD: '2', DIGITNET_SPARSE_GRADIENT: '2' },
        { DIGITNET_THREADS: '2', DIGITNET_SPARSE_FORWARD: '2', DIGITNET_SPARSE_GRADIENT: '2' },
        { DIGITNET_THREADS: '3', DIGITNET_SPARSE_FORWARD: '2', DIGITNET_SPARSE_GRADIENT: '2' },
        { DIGITNET_THREADS: '2', DIGITNET_SPARSE_FORWARD: '0', DIGITNET_SPARSE_GRADIENT: '0' },
      ].map(async (environment) => {
        const { stdout } = await runChild({ ...environment, DIGITNET_NATIVE_TEST_CHILD: '1' }, code);
        return JSON.parse(stdout) as { engine: string; hash: string; worstError: number };
      }),
    );
    assert.match(runs[0].engine, /1 thread\)/);
    assert.match(runs[1].engine, /2 threads\)/);
    assert.equal(runs[1].hash, runs[0].hash, 'two threads differ from one');
    assert.equal(runs[2].hash, runs[0].hash, 'three threads differ from one');
    assert.equal(runs[6].hash, runs[5].hash, 'two threads differ from one on the sparse path');
    assert.equal(runs[7].hash, runs[5].hash, 'three threads differ from one on the sparse path');
    for (const result of runs) assert.ok(result.worstError <= 1e-5, `${result.engine}: error ${result.worstError} against the reference`);
  });

  test('without the addon, getEngine falls back to TypeScript with a one-line notice', async () => {
    const code = `const { getEngine, describeEngine } = await import(${JSON.stringify(join(root, 'src/engine/select.ts'))}); getEngine(); process.stdout.write(describeEngine(getEngine()));`;
    const missing = join(root, 'build', 'no-such-addon.node');
    const fallback = await runChild({ DIGITNET_NATIVE_PATH: missing, DIGITNET_ENGINE: undefined }, code);
    assert.equal(fallback.stdout, 'typescript');
    const lines = fallback.stderr.split('\n').filter((line) => line.trim() !== '');
    assert.equal(lines.length, 1, `expected one notice line, got: ${fallback.stderr}`);
    assert.match(lines[0], /native engine could not be loaded .*no-such-addon\.node.*using the TypeScript engine/);

    await assert.rejects(runChild({ DIGITNET_NATIVE_PATH: missing, DIGITNET_ENGINE: 'native' }, code), /The native engine is not built/);
    await assert.rejects(runChild({ DIGITNET_ENGINE: 'gpu' }, code), /DIGITNET_ENGINE=gpu is not an engine/);
    const typescript = await runChild({ DIGITNET_ENGINE: 'ts' }, code);
    assert.equal(typescript.stdout, 'typescript');
    assert.equal(typescript.stderr, '');
  });
}
