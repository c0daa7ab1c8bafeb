/**
 * The reduced-precision kernels against their references (native/src/precision.cc, src/precision/):
 * bf16 products (AVX512_BF16 or the emulation) against the TypeScript bf16 reference and fp32, and
 * int8 products (AVX2 vpmaddubsw, AVX512_VNNI vpdpbusd) against the plain integer reference, on
 * awkward sizes, for 1 and 2 threads.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ActivationName } from '../../src/engine/engine.js';
import { loadNativeEngine, nativeAddonPath, type NativeEngine } from '../../src/engine/native.js';
import { ReferenceEngine } from '../../src/engine/reference.js';
import { roundToBfloat16 } from '../../src/precision/bfloat16.js';
import { INT8_ACTIVATION_MAX, INT8_WEIGHT_MAX, activationQuantization } from '../../src/precision/int8.js';
import { Random } from '../../src/random/rng.js';

const thisFile = fileURLToPath(import.meta.url);
const root = resolve(dirname(thisFile), '..', '..');
const run = promisify(execFile);
const reference = new ReferenceEngine();
const addonMissing = existsSync(nativeAddonPath()) ? false : `the native addon is not built (${nativeAddonPath()} is missing)`;

const SIZES = [1, 7, 17, 33, 511, 785] as const;
// m × k × n triples over the awkward sizes, kept to a few seconds in all.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [7, 17, 33], [33, 7, 1], [17, 785, 33], [1, 511, 17], [33, 33, 511], [7, 785, 7], [129, 785, 33], [5, 511, 785],
];

function randomArray(random: Random, length: number, low = -1, high = 1): Float32Array {
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = random.uniform(low, high);
  return values;
}

/** ReLU-like: non-negative with a third exact zeros, as the hidden layers' inputs are. */
function reluArray(random: Random, length: number): Float32Array {
  const values = randomArray(random, length, -0.5, 1);
  for (let i = 0; i < length; i++) if (values[i]! < 0) values[i] = 0;
  return values;
}

/** Σ_p |a(i,p)|·|b(p,j)| for every element: what the rounding errors of a product scale with. */
function magnitudes(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) out[i * n + j]! += Math.abs(a[i * k + p]!) * Math.abs(b[p * n + j]!);
  return out;
}

function assertWithin(actual: Float32Array, expected: Float32Array, bound: (index: number) => number, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const difference = Math.abs(actual[i]! - expected[i]!);
    assert.ok(difference <= bound(i), `${what}: element ${i} is ${actual[i]} against ${expected[i]} (|difference| ${difference} > ${bound(i)})`);
  }
}

function assertIdentical(actual: Float32Array, expected: Float32Array, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: element ${i} is ${actual[i]} but ${expected[i]} was expected (no tolerance: integer sums are exact)`);
  }
}

/** Every reduced-precision product on a fixed workload, hashed (the thread-count check). */
function digest(engine: NativeEngine): string {
  const hash = createHash('sha256');
  const random = new Random(7);
  for (const [m, k, n] of SHAPES) {
    const input = reluArray(random, m * k);
    const kernel = randomArray(random, k * n, -0.2, 0.2);
    const bias = randomArray(random, n, -0.1, 0.1);
    const out = new Float32Array(m * n);
    engine.denseForward(input, kernel, bias, out, m, k, n, 'relu', 'bfloat16');
    hash.update(new Uint8Array(out.buffer));
    const gradKernel = new Float32Array(k * n);
    const gradBias = new Float32Array(n);
    engine.weightGradient(input, randomArray(random, m * n), gradKernel, gradBias, m, k, n, 'bfloat16');
    hash.update(new Uint8Array(gradKernel.buffer));
    hash.update(new Uint8Array(gradBias.buffer));
    engine.int8DenseForward(input, engine.quantizeKernel(kernel, k, n), bias, out, m, 'relu');
    hash.update(new Uint8Array(out.buffer));
  }
  return hash.digest('hex');
}

if (process.env.DIGITNET_PRECISION_TEST_CHILD === '1') {
  process.stdout.write(digest(loadNativeEngine()));
} else {
  test('bf16 rounding: nearest, ties to even, NaN and infinities kept, in TypeScript and in the native engine', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const cases: [number, number][] = [
      [1, 1],
      [1 + 2 ** -8, 1], // halfway between 1 and 1 + 2^-7: ties to even (1)
      [1 + 3 * 2 ** -8, 1 + 2 ** -6], // halfway, rounds up to the even neighbour
      [1 + 2 ** -8 + 2 ** -20, 1 + 2 ** -7], // just past halfway
      [-3.14159, -3.140625],
      [3.4e38, Infinity], // beyond the largest bf16
      [Infinity, Infinity],
      [0, 0],
    ];
    const input = new Float32Array(cases.map(([value]) => value));
    const out = new Float32Array(cases.length);
    // A 1-input layer with kernel 1: the output is the rounded input.
    engine.denseForward(input, new Float32Array([1]), null, out, cases.length, 1, 1, 'linear', 'bfloat16');
    cases.forEach(([value, expected], index) => {
      assert.equal(roundToBfloat16(value), expected, `TypeScript rounds ${value}`);
      assert.equal(out[index], expected, `native rounds ${value}`);
    });
    assert.ok(Number.isNaN(roundToBfloat16(Number.NaN)));
    engine.denseForward(new Float32Array([Number.NaN]), new Float32Array([1]), null, out, 1, 1, 1, 'linear', 'bfloat16');
    assert.ok(Number.isNaN(out[0]));
  });

  test('bf16 products match the bf16 reference to fp32 summation error and fp32 to bf16 rounding error', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(3);
    for (const [m, k, n] of SHAPES) {
      const input = randomArray(random, m * k);
      const kernel = randomArray(random, k * n);
      const gradOutput = randomArray(random, m * n);
      const label = `m=${m} k=${k} n=${n}`;
      // Both sides multiply the same bf16 values exactly in fp32 and differ only in the order of the
      // fp32 sums: |Δ| ≤ 2·r·2^-24·Σ|a||b| over r terms. Against fp32, each input is off by up to
      // 2^-8 relative (bf16 keeps 8 significant bits), so a product by (1 + 2^-8)² − 1 < 2^-7 + 2^-16:
      // |Δ| ≤ (2^-7 + 2^-16)·Σ|a||b| plus the same summation term.
      const check = (actual: Float32Array, bf16: Float32Array, fp32: Float32Array, sums: Float64Array, terms: number, what: string) => {
        const summation = (index: number) => 2 * terms * 2 ** -24 * sums[index]! + 1e-30;
        assertWithin(actual, bf16, summation, `${what} against the bf16 reference ${label}`);
        assertWithin(actual, fp32, (index) => (2 ** -7 + 2 ** -16) * sums[index]! + summation(index), `${what} against fp32 ${label}`);
      };
      const forward = [new Float32Array(m * n), new Float32Array(m * n), new Float32Array(m * n)] as const;
      engine.denseForward(input, kernel, null, forward[0], m, k, n, 'linear', 'bfloat16');
      reference.denseForward(input, kernel, null, forward[1], m, k, n, 'linear', 'bfloat16');
      reference.denseForward(input, kernel, null, forward[2], m, k, n, 'linear');
      check(forward[0], forward[1], forward[2], magnitudes(input, kernel, m, k, n), k, 'denseForward');
      if (engine.precisionSupport.bfloat16 === 'avx512_bf16') {
        // vdpbf16ps against the emulation: the same exact products, fp32 sums in another order.
        const emulated = new Float32Array(m * n);
        engine.denseForwardEmulatedBfloat16(input, kernel, null, emulated, m, k, n);
        assertWithin(forward[0], emulated, (index) => 2 * k * 2 ** -24 * magnitudes(input, kernel, m, k, n)[index]! + 1e-30, `vdpbf16ps against the emulation ${label}`);
      }

      const kernelTransposed = new Float32Array(n * k);
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) kernelTransposed[j * k + p] = kernel[p * n + j]!;
      const inputGrad = [new Float32Array(m * k), new Float32Array(m * k), new Float32Array(m * k)] as const;
      engine.inputGradient(gradOutput, kernel, inputGrad[0], m, k, n, 'bfloat16');
      reference.inputGradient(gradOutput, kernel, inputGrad[1], m, k, n, 'bfloat16');
      reference.inputGradient(gradOutput, kernel, inputGrad[2], m, k, n);
      check(inputGrad[0], inputGrad[1], inputGrad[2], magnitudes(gradOutput, kernelTransposed, m, n, k), n, 'inputGradient');

      const inputTransposed = new Float32Array(k * m);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) inputTransposed[p * m + i] = input[i * k + p]!;
      const weightGrad = [new Float32Array(k * n), new Float32Array(k * n), new Float32Array(k * n)] as const;
      const biasGrad = [new Float32Array(n), new Float32Array(n)] as const;
      engine.weightGradient(input, gradOutput, weightGrad[0], biasGrad[0], m, k, n, 'bfloat16');
      reference.weightGradient(input, gradOutput, weightGrad[1], biasGrad[1], m, k, n, 'bfloat16');
      reference.weightGradient(input, gradOutput, weightGrad[2], null, m, k, n);
      check(weightGrad[0], weightGrad[1], weightGrad[2], magnitudes(inputTransposed, gradOutput, k, m, n), m, 'weightGradient');
      // The bias gradient sums gradOutput as given, in fp32, in the reference's order: identical.
      assertIdentical(biasGrad[0], biasGrad[1], `bias gradient ${label}`);
    }
  });

  test('int8: every native kernel gives exactly the reference integer sums, and the TypeScript reference the same outputs', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(5);
    const kernels = (['reference', 'avx2', 'vnni'] as const).filter((choice) => choice !== 'vnni' || engine.precisionSupport.int8 === 'vnni');
    if (process.arch === 'x64') assert.ok(kernels.includes('avx2') || engine.simd === 'scalar');
    for (const [m, k, n] of SHAPES) {
      for (const activation of ['relu', 'linear', 'softmax'] as ActivationName[]) {
        // Negative inputs too (a zero point above 0), and a third exact zeros (skipped groups).
        const input = activation === 'linear' ? randomArray(random, m * k) : reluArray(random, m * k);
        const kernel = randomArray(random, k * n, -0.3, 0.3);
        const bias = randomArray(random, n, -0.1, 0.1);
        const quantized = engine.quantizeKernel(kernel, k, n);
        const label = `m=${m} k=${k} n=${n} ${activation}`;
        const expected = new Float32Array(m * n);
        engine.int8DenseForwardWith('reference', input, quantized, bias, expected, m, activation);
        for (const choice of kernels) {
          const actual = new Float32Array(m * n);
          engine.int8DenseForwardWith(choice, input, quantized, bias, actual, m, activation);
          assertIdentical(actual, expected, `${choice} kernel ${label}`);
        }
        const typescript = new Float32Array(m * n);
        reference.int8DenseForward(input, reference.quantizeKernel(kernel, k, n), bias, typescript, m, activation);
        if (activation === 'softmax') {
          // Softmax's exponentials differ in the last bit between C's expf and Math.exp.
          assertWithin(typescript, expected, () => 1e-6, `TypeScript int8 ${label}`);
        } else {
          assertIdentical(typescript, expected, `TypeScript int8 ${label}`);
        }
      }
    }
  });

  test('int8 outputs are within the quantization error of the fp32 product', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const random = new Random(9);
    for (const [m, k, n] of SHAPES) {
      const input = randomArray(random, m * k, -0.25, 1);
      const kernel = randomArray(random, k * n, -0.3, 0.3);
      const quantized = engine.quantizeKernel(kernel, k, n);
      const actual = new Float32Array(m * n);
      const exact = new Float32Array(m * n);
      engine.int8DenseForward(input, quantized, null, actual, m, 'linear');
      reference.denseForward(input, kernel, null, exact, m, k, n, 'linear');
      // Rounding puts each activation within sa/2 and each weight within sw/2 of its value, so an
      // element is off by at most Σ_p (|a|·sw/2 + |w|·sa/2 + sa·sw/4), plus fp32 rounding.
      const { scale } = activationQuantization(input, m * k);
      assert.ok(scale <= (1.25 / INT8_ACTIVATION_MAX) * 1.0001);
      assertWithin(actual, exact, (index) => {
        const i = Math.floor(index / n);
        const j = index % n;
        const sw = quantized.scales[j]!;
        assert.ok(sw <= (0.3 / INT8_WEIGHT_MAX) * 1.0001);
        let bound = 0;
        for (let p = 0; p < k; p++) bound += (Math.abs(input[i * k + p]!) * sw) / 2 + (Math.abs(kernel[p * n + j]!) * scale) / 2 + (scale * sw) / 4;
        return bound * 1.001 + 1e-6;
      }, `int8 against fp32 m=${m} k=${k} n=${n}`);
    }
  });

  test('kernels quantized by one engine are refused by the other', { skip: addonMissing }, () => {
    const engine = loadNativeEngine();
    const kernel = new Float32Array([0.5, -0.25]);
    const out = new Float32Array(2);
    assert.throws(() => engine.int8DenseForward(new Float32Array([1]), reference.quantizeKernel(kernel, 1, 2), null, out, 1, 'linear'), /quantized by another engine/);
    assert.throws(() => reference.int8DenseForward(new Float32Array([1]), engine.quantizeKernel(kernel, 1, 2), null, out, 1, 'linear'), /quantized by another engine/);
    assert.throws(() => engine.denseForward(new Float32Array([1]), new Float32Array([1]), null, out, 1, 1, 1, 'linear', 'float16' as 'bfloat16'), /precision "float16" is unknown/);
  });

  test('bf16 and int8 results are bit-identical for 1 and 2 threads', { skip: addonMissing }, async () => {
    const code = `await import(${JSON.stringify(thisFile)});`;
    const digests = await Promise.all(
      ['1', '2'].map(async (threads) => {
        const env = { ...process.env, DIGITNET_THREADS: threads, DIGITNET_PRECISION_TEST_CHILD: '1' };
        const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, env, encoding: 'utf8' });
        return stdout;
      }),
    );
    assert.match(digests[0]!, /^[0-9a-f]{64}$/);
    assert.equal(digests[1], digests[0], 'two threads differ from one');
  });

  test('the sizes tested include the awkward ones', () => {
    for (const size of SIZES) assert.ok(SHAPES.some((shape) => shape.includes(size)), `size ${size} is tested`);
  });
}
