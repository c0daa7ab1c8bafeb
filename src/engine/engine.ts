/**
 * The engine is what a backend computes: dense matrix products, activations, the fused
 * softmax-cross-entropy, dropout and optimizer updates over Float32Arrays that the caller owns.
 * What the model means (layers, losses, training loop) lives elsewhere and only calls these.
 *
 * Conventions shared by every implementation:
 * - Matrices are row-major. A dense layer's kernel is [inputs × units] (Keras's order).
 * - Every operation writes into buffers it is given; none allocates, so a training step that
 *   only calls the engine allocates nothing.
 * - Sizes are passed explicitly; buffers may be longer than the region used (a final, smaller
 *   batch reuses the full-size buffers).
 */

import { EXTRA_ACTIVATION_NAMES, type ExtraActivationName } from './activation-functions.js';

export type ActivationName = 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'linear' | ExtraActivationName;

export const ACTIVATION_NAMES: readonly ActivationName[] = ['relu', 'sigmoid', 'tanh', 'softmax', 'linear', ...EXTRA_ACTIVATION_NAMES];

/** Numeric codes shared with the native addon, so the boundary passes small integers. */
export const ACTIVATION_CODES: Readonly<Record<ActivationName, number>> = {
  linear: 0,
  relu: 1,
  sigmoid: 2,
  tanh: 3,
  softmax: 4,
  gelu: 5,
  elu: 6,
  selu: 7,
  leaky_relu: 8,
  silu: 9,
  softplus: 10,
  softsign: 11,
  hard_sigmoid: 12,
  mish: 13,
};

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Adam's settings plus Keras's decoupled weight decay (AdamW's weight_decay). */
export interface AdamwSettings extends AdamSettings {
  weightDecay: number;
}

export interface RmspropSettings {
  learningRate: number;
  rho: number;
  momentum: number;
  epsilon: number;
}

/**
 * What augmentImages draws for each image, uniformly in [-v, v] for each value v: a rotation
 * (radians), a shift (fractions of the height and width), a zoom (fractions: 1 + draw; a negative
 * zoomWidth reuses the height's draw, keeping the aspect), and Simard et al.'s elastic distortion
 * (noise blurred by a Gaussian of elasticSigma pixels, times elasticAlpha pixels; 0 turns it off).
 */
export interface AugmentSettings {
  rotation: number;
  translateHeight: number;
  translateWidth: number;
  zoomHeight: number;
  zoomWidth: number;
  elasticAlpha: number;
  elasticSigma: number;
}

export interface SgdSettings {
  learningRate: number;
  momentum: number;
  nesterov: boolean;
}

/**
 * Slots of the statistics buffer that loss kernels accumulate into, so that per-step loss and
 * accuracy reach JavaScript without allocating a result object.
 */
export const STAT_LOSS_SUM = 0;
export const STAT_CORRECT = 1;

/**
 * A batch of rows kept as their nonzeros (compressed sparse rows): row r's nonzeros are
 * `columns[t]`, `values[t]` for t in [rowStarts[r], rowStarts[r + 1]), columns increasing. MNIST's
 * images are 81% zeros, so the first layer reads a fifth of what the dense batch would hold.
 */
export interface SparseRows {
  /** rows + 1 offsets, from 0. */
  readonly rowStarts: Int32Array;
  /** Room for rows × width + 16 entries, for gatherSparseRows (whole vectors are stored). */
  readonly columns: Int32Array;
  readonly values: Float32Array;
}

/** Buffers for a batch of up to `rows` sparse rows of `width` values each. */
export function allocateSparseRows(rows: number, width: number): SparseRows {
  const room = rows * width + 16;
  return { rowStarts: new Int32Array(rows + 1), columns: new Int32Array(room), values: new Float32Array(room) };
}

/**
 * The precision of a matrix product's inputs: 'float32', or 'bfloat16' — both inputs rounded to
 * bf16 (ties to even), every product accumulated in fp32 (vdpbf16ps on AVX512_BF16; elsewhere the
 * fp32 kernels on the rounded inputs, whose products are exact). Outputs stay fp32.
 */
export type MatrixPrecision = 'float32' | 'bfloat16';

/**
 * A dense kernel quantized to int8 for inference, per output channel: `scales[j]` = max |w| / 63
 * over column j, the integers in [-63, 63] held in `data` in the layout of the engine that made it
 * (`layout`), and `columnSums[j]` their sum over the column (for the activations' zero point).
 */
export interface QuantizedKernel {
  readonly layout: string;
  readonly inputs: number;
  readonly units: number;
  readonly data: Int8Array;
  readonly scales: Float32Array;
  readonly columnSums: Int32Array;
}

/** What the reduced-precision products run on. */
export interface PrecisionSupport {
  /** 'avx512_bf16' (vdpbf16ps) or 'emulated' (the fp32 kernels on rounded inputs). */
  bfloat16: 'avx512_bf16' | 'emulated';
  /** 'vnni' (vpdpbusd), 'avx2' (vpmaddubsw) or 'reference' (plain loops). */
  int8: 'vnni' | 'avx2' | 'reference';
}

export interface Engine {
  /** 'typescript' for the reference engine, 'native' for the C++ addon. */
  readonly name: 'typescript' | 'native';
  /** SIMD level in use, e.g. 'avx512', 'avx2', 'neon', 'scalar'. */
  readonly simd: string;
  /** Threads the engine splits work over. */
  readonly threads: number;
  /**
   * Whether the sparse-row products (sparseDenseForward, sparseWeightGradient) have kernels of their
   * own here. Without them they expand the rows and run the dense product, which costs more than
   * gathering a dense batch, so a model only reads its batches as nonzeros when this is true.
   */
  readonly sparseKernels: boolean;
  readonly precisionSupport: PrecisionSupport;

  /**
   * Copies rows `indices[start .. start+count)` of `source` (each `width` values) into `out`,
   * converting to float32 and multiplying by `scale` (1/255 for uint8 images).
   */
  gatherRows(
    source: Float32Array | Uint8Array,
    indices: Uint32Array,
    start: number,
    count: number,
    width: number,
    scale: number,
    out: Float32Array,
  ): void;

  /**
   * The rows gatherRows would copy, as their nonzeros: row i of `out` holds the nonzero values of
   * `source` row `indices[start + i]` times `scale`, computed as gatherRows computes them.
   */
  gatherSparseRows(
    source: Float32Array | Uint8Array,
    indices: Uint32Array,
    start: number,
    count: number,
    width: number,
    scale: number,
    out: SparseRows,
  ): void;

  /** Copies labels `labels[indices[start+i]]` into `out[i]` for i < count. */
  gatherLabels(labels: Uint8Array | Int32Array, indices: Uint32Array, start: number, count: number, out: Int32Array): void;

  /**
   * out[m×n] = activation(input[m×k] · kernel[k×n] + bias[n]); `bias` may be null.
   * With 'softmax' the activation is taken over each row of n.
   */
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
  ): void;

  /** denseForward for an input given as its nonzeros (m sparse rows of k columns); the same result. */
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
  ): void;

  /** Quantizes kernel[k×n] per output channel for int8DenseForward (see QuantizedKernel). */
  quantizeKernel(kernel: Float32Array, k: number, n: number): QuantizedKernel;

  /**
   * denseForward in int8: `input` [m × kernel.inputs] is quantized over the whole call (asymmetric,
   * to 0..127, its range widened to hold 0), multiplied with the kernel's integers exactly, and
   * rescaled to fp32: out = sa·scale[j]·(Σ q_a·q_w − za·columnSums[j]) + bias[j], then the activation.
   */
  int8DenseForward(
    input: Float32Array,
    kernel: QuantizedKernel,
    bias: Float32Array | null,
    out: Float32Array,
    m: number,
    activation: ActivationName,
  ): void;

  /**
   * output[i] = activation(input[i]) for i < count (an Activation layer on its own); with
   * 'softmax', over each row of `rowLength`. `output` may be `input`.
   */
  activationForward(activation: ActivationName, input: Float32Array, output: Float32Array, count: number, rowLength: number): void;

  /**
   * Turns the gradient with respect to an activation's output into the gradient with respect
   * to its input, in place: grad[i] *= f'(…) computed from the activation's `output`.
   * For 'softmax', rows of `rowLength` are used (Jacobian-vector product per row). gelu, silu and
   * mish also need `input`, the pre-activation (ACTIVATIONS_NEEDING_INPUT); the others ignore it.
   */
  activationBackward(
    activation: ActivationName,
    output: Float32Array,
    grad: Float32Array,
    count: number,
    rowLength: number,
    input?: Float32Array | null,
  ): void;

  /** gradInput[m×k] = gradOutput[m×n] · kernel[k×n]ᵀ */
  inputGradient(
    gradOutput: Float32Array,
    kernel: Float32Array,
    gradInput: Float32Array,
    m: number,
    k: number,
    n: number,
    precision?: MatrixPrecision,
  ): void;

  /**
   * gradKernel[k×n] = input[m×k]ᵀ · gradOutput[m×n]; and, when `gradBias` is not null,
   * gradBias[n] = column sums of gradOutput. Both are overwritten, not accumulated. With 'bfloat16'
   * the kernel gradient's product takes rounded inputs; the bias gradient sums gradOutput as given.
   */
  weightGradient(
    input: Float32Array,
    gradOutput: Float32Array,
    gradKernel: Float32Array,
    gradBias: Float32Array | null,
    m: number,
    k: number,
    n: number,
    precision?: MatrixPrecision,
  ): void;

  /** weightGradient for an input given as its nonzeros (m sparse rows of k columns); the same result. */
  sparseWeightGradient(
    input: SparseRows,
    gradOutput: Float32Array,
    gradKernel: Float32Array,
    gradBias: Float32Array | null,
    m: number,
    k: number,
    n: number,
    precision?: MatrixPrecision,
  ): void;

  /**
   * Inverted dropout: output[i] = input[i] kept with probability 1 - rate and scaled by
   * 1 / (1 - rate), or zeroed (`output` may be `input`). The decision for element i is
   * `dropoutBits(seed, i) < threshold` (see random/counter-hash.ts), so every engine drops the same
   * elements for the same seed. `mask` receives the factor applied to each element, for the
   * backward pass.
   */
  dropoutForward(input: Float32Array, output: Float32Array, mask: Float32Array, count: number, rate: number, seed: number): void;

  /** grad[i] *= mask[i] */
  dropoutBackward(grad: Float32Array, mask: Float32Array, count: number): void;

  /**
   * BatchNormalization's batch statistics: for each column j of the row-major rows × features
   * `input`, mean[j] and the biased variance[j], summed in double.
   */
  columnStatistics(input: Float32Array, rows: number, features: number, mean: Float64Array, variance: Float64Array): void;

  /** output[r, j] = input[r, j] · factor[j] + offset[j], computed in double (`output` may be `input`). */
  columnAffine(input: Float32Array, output: Float32Array, rows: number, features: number, factor: Float64Array, offset: Float64Array): void;

  /**
   * BatchNormalization's backward with the batch's own statistics: per column, sumGrad[j] = Σ g
   * and sumGradNormalized[j] = Σ g · x̂ with x̂ = (x − mean[j]) · inverse[j]; then, unless
   * gradInput is null, gradInput = scale[j] · (rows · g − sumGrad[j] − x̂ · sumGradNormalized[j]).
   */
  batchNormBackward(
    input: Float32Array,
    gradOutput: Float32Array,
    gradInput: Float32Array | null,
    rows: number,
    features: number,
    mean: Float64Array,
    inverse: Float64Array,
    scale: Float64Array,
    sumGrad: Float64Array,
    sumGradNormalized: Float64Array,
  ): void;

  /**
   * Warps each of `rows` images (height × width, row-major) of `input` into `output` by its own
   * random rotation, shift, zoom and elastic distortion (see AugmentSettings and
   * engine/augment-reference.ts); image i's draws depend only on (seed, i).
   */
  augmentImages(input: Float32Array, output: Float32Array, rows: number, height: number, width: number, settings: AugmentSettings, seed: number): void;

  /**
   * Softmax over each row of `logits` (m rows of n classes) into `probabilities`, then the
   * cross-entropy against either sparse `labels` or dense `targets` (exactly one not null).
   * Adds the summed loss over the m rows to stats[STAT_LOSS_SUM] and the number of rows whose
   * argmax equals the label (or the targets' argmax) to stats[STAT_CORRECT].
   * When `gradLogits` is not null it receives d(mean loss)/d(logits) with the mean taken over
   * `meanOver` rows (the batch size). Stable for any finite logits (log-sum-exp).
   */
  softmaxCrossEntropy(
    logits: Float32Array,
    labels: Int32Array | null,
    targets: Float32Array | null,
    probabilities: Float32Array,
    gradLogits: Float32Array | null,
    m: number,
    n: number,
    meanOver: number,
    stats: Float64Array,
  ): void;

  /**
   * Mean squared error of `predictions` (m×n) against dense `targets`, Keras's definition:
   * the mean over n, summed over rows into stats[STAT_LOSS_SUM]; the argmax matches into
   * stats[STAT_CORRECT]; and, when `grad` is not null, d(mean over `meanOver` rows)/d(predictions).
   */
  meanSquaredError(
    predictions: Float32Array,
    targets: Float32Array,
    grad: Float32Array | null,
    m: number,
    n: number,
    meanOver: number,
    stats: Float64Array,
  ): void;

  /** Counts rows whose argmax equals the label, into stats[STAT_CORRECT]. */
  countCorrect(probabilities: Float32Array, labels: Int32Array, m: number, n: number, stats: Float64Array): void;

  /** One Adam step (Keras's formula) over `count` parameters; `step` is 1 on the first update. */
  adamUpdate(
    params: Float32Array,
    grads: Float32Array,
    firstMoment: Float32Array,
    secondMoment: Float32Array,
    count: number,
    step: number,
    settings: AdamSettings,
  ): void;

  /**
   * One AdamW step in Keras's order: params -= params · weightDecay · learningRate, then Adam's
   * step. With a non-empty maxSecondMoment it is AMSGrad: the denominator uses the running maximum
   * of the second moment, kept there.
   */
  adamwUpdate(
    params: Float32Array,
    grads: Float32Array,
    firstMoment: Float32Array,
    secondMoment: Float32Array,
    maxSecondMoment: Float32Array,
    count: number,
    step: number,
    settings: AdamwSettings,
  ): void;

  /** One RMSprop step (Keras's formula); `momentumBuffer` is used only when momentum > 0. */
  rmspropUpdate(
    params: Float32Array,
    grads: Float32Array,
    meanSquare: Float32Array,
    momentumBuffer: Float32Array,
    count: number,
    settings: RmspropSettings,
  ): void;

  /** One SGD step (Keras's formula, with optional momentum and Nesterov). */
  sgdUpdate(
    params: Float32Array,
    grads: Float32Array,
    velocity: Float32Array,
    count: number,
    settings: SgdSettings,
  ): void;
}
