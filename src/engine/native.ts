import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ACTIVATION_CODES,
  type ActivationName,
  type AdamSettings,
  type AdamwSettings,
  type AugmentSettings,
  type Engine,
  type MatrixPrecision,
  type PrecisionSupport,
  type QuantizedKernel,
  type RmspropSettings,
  type SgdSettings,
  type SparseRows,
} from './engine.js';

/** Engine operations whose arguments the addon takes exactly as the Engine states them. */
type PassedThrough =
  | 'gatherRows'
  | 'gatherLabels'
  | 'inputGradient'
  | 'weightGradient'
  | 'dropoutForward'
  | 'dropoutBackward'
  | 'columnStatistics'
  | 'columnAffine'
  | 'batchNormBackward'
  | 'softmaxCrossEntropy'
  | 'meanSquaredError'
  | 'countCorrect';

/**
 * The functions build/Release/digitnet.node exports (native/src/addon.cc): the Engine's own where
 * the arguments are the same, and these where C++ takes them flattened (an activation's code, a
 * sparse batch's three arrays, an optimizer's settings as numbers).
 */
interface NativeAddon extends Pick<Engine, PassedThrough> {
  readonly hardwareThreads: number;
  configure(threads: number, simd: string): string;
  capabilities(): PrecisionSupport;
  int8PackedBytes(k: number, n: number): number;
  int8QuantizeKernel(kernel: Float32Array, k: number, n: number, packed: Int8Array, scales: Float32Array, columnSums: Int32Array): void;
  int8DenseForward(
    input: Float32Array,
    packed: Int8Array,
    scales: Float32Array,
    columnSums: Int32Array,
    bias: Float32Array | null,
    out: Float32Array,
    m: number,
    k: number,
    n: number,
    activation: number,
    kernel?: Int8KernelChoice,
  ): void;
  augmentImages(
    input: Float32Array,
    output: Float32Array,
    rows: number,
    height: number,
    width: number,
    rotation: number,
    translateHeight: number,
    translateWidth: number,
    zoomHeight: number,
    zoomWidth: number,
    elasticAlpha: number,
    elasticSigma: number,
    seed: number,
  ): void;
  gatherSparseRows(
    source: Float32Array | Uint8Array,
    indices: Uint32Array,
    start: number,
    count: number,
    width: number,
    scale: number,
    rowStarts: Int32Array,
    columns: Int32Array,
    values: Float32Array,
  ): void;
  sparseDenseForward(
    rowStarts: Int32Array,
    columns: Int32Array,
    values: Float32Array,
    kernel: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
    m: number,
    k: number,
    n: number,
    activation: number,
    precision?: MatrixPrecision,
  ): void;
  sparseWeightGradient(
    rowStarts: Int32Array,
    columns: Int32Array,
    values: Float32Array,
    gradOutput: Float32Array,
    gradKernel: Float32Array,
    gradBias: Float32Array | null,
    m: number,
    k: number,
    n: number,
    precision?: MatrixPrecision,
  ): void;
  denseForward(
    input: Float32Array,
    kernel: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
    m: number,
    k: number,
    n: number,
    activation: number,
    precision?: MatrixPrecision | 'bfloat16-emulated',
  ): void;
  activationForward(activation: number, input: Float32Array, output: Float32Array, count: number, rowLength: number): void;
  activationBackward(activation: number, output: Float32Array, grad: Float32Array, count: number, rowLength: number, input?: Float32Array | null): void;
  adamUpdate(
    params: Float32Array,
    grads: Float32Array,
    firstMoment: Float32Array,
    secondMoment: Float32Array,
    count: number,
    stepSize: number,
    beta1: number,
    beta2: number,
    epsilon: number,
  ): void;
  adamwUpdate(
    params: Float32Array,
    grads: Float32Array,
    firstMoment: Float32Array,
    secondMoment: Float32Array,
    maxSecondMoment: Float32Array,
    count: number,
    stepSize: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    decay: number,
  ): void;
  rmspropUpdate(
    params: Float32Array,
    grads: Float32Array,
    meanSquare: Float32Array,
    momentumBuffer: Float32Array,
    count: number,
    learningRate: number,
    rho: number,
    momentum: number,
    epsilon: number,
  ): void;
  sgdUpdate(
    params: Float32Array,
    grads: Float32Array,
    velocity: Float32Array,
    count: number,
    learningRate: number,
    momentum: number,
    nesterov: number,
  ): void;
}

export const SIMD_CHOICES = ['auto', 'avx512', 'avx2', 'scalar'] as const;

/** The int8 microkernels the addon can be asked for (tests compare each with the reference). */
export type Int8KernelChoice = 'auto' | 'reference' | 'avx2' | 'vnni';

/** The layout of kernels the native engine quantizes: panels of 16 columns, groups of 4 inputs. */
export const NATIVE_INT8_LAYOUT = 'native-panels16';

const MAX_THREADS = 256;

/**
 * Threads from DIGITNET_THREADS (a whole number from 1 to 256), or the machine's parallelism
 * when unset.
 */
export function threadsFromEnvironment(value: string | undefined = process.env.DIGITNET_THREADS): number {
  if (value === undefined || value.trim() === '') return Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
  const trimmed = value.trim();
  const threads = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new Error(`DIGITNET_THREADS=${value} is invalid: use a whole number of threads from 1 to ${MAX_THREADS}, or leave it unset to use every core.`);
  }
  return threads;
}

/** The instruction set to use from DIGITNET_SIMD (for testing the slower kernels); 'auto' when unset. */
export function simdFromEnvironment(value: string | undefined = process.env.DIGITNET_SIMD): string {
  if (value === undefined || value.trim() === '') return 'auto';
  const choice = value.trim().toLowerCase();
  // The portable kernels go by the vector unit they use (neon, sse2) or 'scalar'.
  if (choice === 'neon' || choice === 'sse2') return 'scalar';
  if (!(SIMD_CHOICES as readonly string[]).includes(choice)) {
    throw new Error(`DIGITNET_SIMD=${value} is invalid: use one of ${SIMD_CHOICES.join(', ')} (or neon/sse2 for the portable kernels).`);
  }
  return choice;
}

/**
 * The repository or installed package root: the nearest folder above this file whose
 * package.json is digitnet's. This file runs as src/engine/native.ts (tsx), dist/engine/native.js
 * and dist/src/engine/native.js (full tsc), so a fixed number of '..' would not do.
 */
function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  let directory = here;
  for (let level = 0; level < 6; level++) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
        if (typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === 'digitnet') return directory;
      } catch {
        // An unreadable manifest is not ours; keep looking upwards.
      }
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  return resolve(here, '..', '..');
}

/** Where the addon is loaded from: DIGITNET_NATIVE_PATH, else build/Release/digitnet.node in the package. */
export function nativeAddonPath(): string {
  const override = process.env.DIGITNET_NATIVE_PATH;
  if (override !== undefined && override.trim() !== '') return resolve(override);
  return join(packageRoot(), 'build', 'Release', 'digitnet.node');
}

function isAddon(value: unknown): value is NativeAddon {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['configure', 'denseForward', 'weightGradient', 'sparseDenseForward', 'adamUpdate', 'batchNormBackward'].every((name) => typeof record[name] === 'function');
}

/** The C++ engine (native/src): packed SIMD GEMMs over a persistent thread pool. */
export class NativeEngine implements Engine {
  readonly name = 'native' as const;
  readonly simd: string;
  readonly threads: number;
  readonly sparseKernels: boolean;
  readonly precisionSupport: PrecisionSupport;
  readonly gatherRows: Engine['gatherRows'];
  readonly gatherLabels: Engine['gatherLabels'];
  readonly inputGradient: Engine['inputGradient'];
  readonly weightGradient: Engine['weightGradient'];
  readonly dropoutForward: Engine['dropoutForward'];
  readonly dropoutBackward: Engine['dropoutBackward'];
  readonly columnStatistics: Engine['columnStatistics'];
  readonly columnAffine: Engine['columnAffine'];
  readonly batchNormBackward: Engine['batchNormBackward'];
  readonly softmaxCrossEntropy: Engine['softmaxCrossEntropy'];
  readonly meanSquaredError: Engine['meanSquaredError'];
  readonly countCorrect: Engine['countCorrect'];
  private readonly addon: NativeAddon;

  /** Use loadNativeEngine(); the addon is process-wide, so there is one engine per process. */
  constructor(addon: NativeAddon, simd: string, threads: number) {
    this.addon = addon;
    this.simd = simd;
    // The sparse-row kernels exist for AVX-512 only (native/src/kernels.h); elsewhere the addon
    // expands the rows for the dense kernels.
    this.sparseKernels = simd === 'avx512';
    this.threads = threads;
    this.precisionSupport = addon.capabilities();
    // The addon's functions take these arguments as they are, and use no `this`, so they serve
    // as the methods themselves: no JavaScript frame between the model and the kernel.
    this.gatherRows = addon.gatherRows;
    this.gatherLabels = addon.gatherLabels;
    this.inputGradient = addon.inputGradient;
    this.weightGradient = addon.weightGradient;
    this.dropoutForward = addon.dropoutForward;
    this.dropoutBackward = addon.dropoutBackward;
    this.columnStatistics = addon.columnStatistics;
    this.columnAffine = addon.columnAffine;
    this.batchNormBackward = addon.batchNormBackward;
    this.softmaxCrossEntropy = addon.softmaxCrossEntropy;
    this.meanSquaredError = addon.meanSquaredError;
    this.countCorrect = addon.countCorrect;
  }

  augmentImages(input: Float32Array, output: Float32Array, rows: number, height: number, width: number, settings: AugmentSettings, seed: number): void {
    const s = settings;
    this.addon.augmentImages(input, output, rows, height, width, s.rotation, s.translateHeight, s.translateWidth, s.zoomHeight, s.zoomWidth, s.elasticAlpha, s.elasticSigma, seed);
  }

  denseForward(
    input: Float32Array,
    kernel: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
    m: number,
    k: number,
    n: number,
    activation: ActivationName,
    precision?: MatrixPrecision,
  ): void {
    this.addon.denseForward(input, kernel, bias, out, m, k, n, activationCode(activation), precision);
  }

  /** denseForward in bf16 on the fp32 kernels even where AVX512_BF16 exists, for tests. */
  denseForwardEmulatedBfloat16(input: Float32Array, kernel: Float32Array, bias: Float32Array | null, out: Float32Array, m: number, k: number, n: number): void {
    this.addon.denseForward(input, kernel, bias, out, m, k, n, 0, 'bfloat16-emulated');
  }

  quantizeKernel(kernel: Float32Array, k: number, n: number): QuantizedKernel {
    const data = new Int8Array(this.addon.int8PackedBytes(k, n));
    const scales = new Float32Array(n);
    const columnSums = new Int32Array(n);
    this.addon.int8QuantizeKernel(kernel, k, n, data, scales, columnSums);
    return { layout: NATIVE_INT8_LAYOUT, inputs: k, units: n, data, scales, columnSums };
  }

  int8DenseForward(input: Float32Array, kernel: QuantizedKernel, bias: Float32Array | null, out: Float32Array, m: number, activation: ActivationName): void {
    this.int8DenseForwardWith('auto', input, kernel, bias, out, m, activation);
  }

  /** int8DenseForward on a given microkernel (tests compare each with the reference). */
  int8DenseForwardWith(
    choice: Int8KernelChoice,
    input: Float32Array,
    kernel: QuantizedKernel,
    bias: Float32Array | null,
    out: Float32Array,
    m: number,
    activation: ActivationName,
  ): void {
    if (kernel.layout !== NATIVE_INT8_LAYOUT) {
      throw new Error(`int8DenseForward: the kernel was quantized by another engine (layout "${kernel.layout}"); quantize it with this engine's quantizeKernel.`);
    }
    const { data, scales, columnSums, inputs, units } = kernel;
    this.addon.int8DenseForward(input, data, scales, columnSums, bias, out, m, inputs, units, activationCode(activation), choice);
  }

  activationForward(activation: ActivationName, input: Float32Array, output: Float32Array, count: number, rowLength: number): void {
    this.addon.activationForward(activationCode(activation), input, output, count, rowLength);
  }

  activationBackward(activation: ActivationName, output: Float32Array, grad: Float32Array, count: number, rowLength: number, input?: Float32Array | null): void {
    if (input) this.addon.activationBackward(activationCode(activation), output, grad, count, rowLength, input);
    else this.addon.activationBackward(activationCode(activation), output, grad, count, rowLength);
  }

  gatherSparseRows(
    source: Float32Array | Uint8Array,
    indices: Uint32Array,
    start: number,
    count: number,
    width: number,
    scale: number,
    out: SparseRows,
  ): void {
    this.addon.gatherSparseRows(source, indices, start, count, width, scale, out.rowStarts, out.columns, out.values);
  }

  sparseDenseForward(
    input: SparseRows,
    kernel: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
    m: number,
    k: number,
    n: number,
    activation: ActivationName,
    precision?: MatrixPrecision,
  ): void {
    this.addon.sparseDenseForward(input.rowStarts, input.columns, input.values, kernel, bias, out, m, k, n, activationCode(activation), precision);
  }

  sparseWeightGradient(
    input: SparseRows,
    gradOutput: Float32Array,
    gradKernel: Float32Array,
    gradBias: Float32Array | null,
    m: number,
    k: number,
    n: number,
    precision?: MatrixPrecision,
  ): void {
    this.addon.sparseWeightGradient(input.rowStarts, input.columns, input.values, gradOutput, gradKernel, gradBias, m, k, n, precision);
  }

  adamUpdate(
    params: Float32Array,
    grads: Float32Array,
    firstMoment: Float32Array,
    secondMoment: Float32Array,
    count: number,
    step: number,
    settings: AdamSettings,
  ): void {
    const { learningRate, beta1, beta2, epsilon } = settings;
    // The same double-precision step size as the reference engine; the loop runs in float.
    const stepSize = (learningRate * Math.sqrt(1 - Math.pow(beta2, step))) / (1 - Math.pow(beta1, step));
    this.addon.adamUpdate(params, grads, firstMoment, secondMoment, count, stepSize, beta1, beta2, epsilon);
  }

  adamwUpdate(
    params: Float32Array,
    grads: Float32Array,
    firstMoment: Float32Array,
    secondMoment: Float32Array,
    maxSecondMoment: Float32Array,
    count: number,
    step: number,
    settings: AdamwSettings,
  ): void {
    const { learningRate, beta1, beta2, epsilon, weightDecay } = settings;
    const stepSize = (learningRate * Math.sqrt(1 - Math.pow(beta2, step))) / (1 - Math.pow(beta1, step));
    this.addon.adamwUpdate(params, grads, firstMoment, secondMoment, maxSecondMoment, count, stepSize, beta1, beta2, epsilon, weightDecay * learningRate);
  }

  rmspropUpdate(
    params: Float32Array,
    grads: Float32Array,
    meanSquare: Float32Array,
    momentumBuffer: Float32Array,
    count: number,
    settings: RmspropSettings,
  ): void {
    this.addon.rmspropUpdate(params, grads, meanSquare, momentumBuffer, count, settings.learningRate, settings.rho, settings.momentum, settings.epsilon);
  }

  sgdUpdate(params: Float32Array, grads: Float32Array, velocity: Float32Array, count: number, settings: SgdSettings): void {
    this.addon.sgdUpdate(params, grads, velocity, count, settings.learningRate, settings.momentum, settings.nesterov ? 1 : 0);
  }
}

function activationCode(activation: ActivationName): number {
  const code = ACTIVATION_CODES[activation];
  if (code === undefined) {
    throw new Error(`Activation "${String(activation)}" is unknown: use one of ${Object.keys(ACTIVATION_CODES).join(', ')}.`);
  }
  return code;
}

let loaded: NativeEngine | undefined;

/**
 * Loads the addon (once per process) and returns the native engine, with DIGITNET_THREADS threads
 * (default: every core). Throws an Error saying why when the addon is missing or cannot load.
 */
export function loadNativeEngine(): NativeEngine {
  if (loaded) return loaded;
  const threads = threadsFromEnvironment();
  const simdRequest = simdFromEnvironment();
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    throw new Error(`The native engine is not built: ${path} does not exist; build it with "node scripts/build-native.js".`);
  }
  let addon: unknown;
  try {
    addon = createRequire(import.meta.url)(path);
  } catch (error) {
    throw new Error(`The native engine at ${path} could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isAddon(addon)) throw new Error(`The file ${path} is not digitnet's native addon (its functions are missing).`);
  const simd = addon.configure(threads, simdRequest);
  loaded = new NativeEngine(addon, simd, threads);
  return loaded;
}
