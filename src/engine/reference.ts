import { roundArrayToBfloat16 } from '../precision/bfloat16.js';
import { int8DenseForwardReference, quantizeKernelReference } from '../precision/int8.js';
import { dropoutBits, dropoutThreshold } from '../random/counter-hash.js';
import { ACTIVATIONS_NEEDING_INPUT, extraActivation, extraActivationDerivative } from './activation-functions.js';
import { augmentImagesReference } from './augment-reference.js';
import {
  type AugmentSettings,
  STAT_CORRECT,
  STAT_LOSS_SUM,
  type ActivationName,
  type AdamSettings,
  type AdamwSettings,
  type Engine,
  type MatrixPrecision,
  type PrecisionSupport,
  type QuantizedKernel,
  type RmspropSettings,
  type SgdSettings,
  type SparseRows,
} from './engine.js';

/**
 * The reference engine: plain loops over Float32Array, written to be obviously right rather than
 * fast. The native engine is tested against it, and it is what runs when the addon is absent.
 * Every stored value is rounded to float32; running sums are kept in float64.
 */
export class ReferenceEngine implements Engine {
  readonly name = 'typescript' as const;
  readonly simd = 'none';
  readonly threads = 1;
  // Its loops skip zeros either way; the sparse rows at least skip reading them.
  readonly sparseKernels = true;
  readonly precisionSupport: PrecisionSupport = { bfloat16: 'emulated', int8: 'reference' };
  // Rounded copies for bf16 products, grown as needed and reused.
  private readonly roundedCopies: Float32Array[] = [new Float32Array(0), new Float32Array(0)];

  /** source[0..count) rounded to bf16 when precision asks for it, else source itself. */
  private atPrecision(source: Float32Array, count: number, precision: MatrixPrecision | undefined, slot: 0 | 1): Float32Array {
    if (precision === undefined || precision === 'float32') return source;
    if (precision !== 'bfloat16') throw new Error(`Matrix precision "${String(precision)}" is unknown: use "float32" or "bfloat16".`);
    if (this.roundedCopies[slot]!.length < count) this.roundedCopies[slot] = new Float32Array(count);
    const copy = this.roundedCopies[slot]!;
    roundArrayToBfloat16(source, copy, count);
    return copy;
  }

  quantizeKernel(kernel: Float32Array, k: number, n: number): QuantizedKernel {
    return quantizeKernelReference(kernel, k, n);
  }

  int8DenseForward(input: Float32Array, kernel: QuantizedKernel, bias: Float32Array | null, out: Float32Array, m: number, activation: ActivationName): void {
    int8DenseForwardReference(input, kernel, bias, out, m, activation, applyActivation);
  }

  gatherRows(
    source: Float32Array | Uint8Array,
    indices: Uint32Array,
    start: number,
    count: number,
    width: number,
    scale: number,
    out: Float32Array,
  ): void {
    checkGather('gatherRows', source, indices, start, count, width, scale);
    for (let row = 0; row < count; row++) {
      const from = indices[start + row] * width;
      const to = row * width;
      for (let j = 0; j < width; j++) out[to + j] = source[from + j] * scale;
    }
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
    checkGather('gatherSparseRows', source, indices, start, count, width, scale);
    const room = count * width + 16;
    if (out.rowStarts.length < count + 1 || out.columns.length < room || out.values.length < room) {
      throw new RangeError(`gatherSparseRows: out needs ${count + 1} row offsets and room for ${room} columns and values (allocateSparseRows(${count}, ${width})).`);
    }
    let total = 0;
    out.rowStarts[0] = 0;
    for (let row = 0; row < count; row++) {
      const from = indices[start + row] * width;
      for (let p = 0; p < width; p++) {
        const value = source[from + p];
        // NaN is kept, so that it spreads as it would through the dense product.
        if (value === 0) continue;
        out.columns[total] = p;
        out.values[total] = value * scale;
        total++;
      }
      out.rowStarts[row + 1] = total;
    }
  }

  gatherLabels(labels: Uint8Array | Int32Array, indices: Uint32Array, start: number, count: number, out: Int32Array): void {
    for (let row = 0; row < count; row++) out[row] = labels[indices[start + row]];
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
    input = this.atPrecision(input, m * k, precision, 0);
    kernel = this.atPrecision(kernel, k * n, precision, 1);
    // i-p-j loop order keeps the inner loop contiguous over both the kernel row and the output.
    for (let i = 0; i < m; i++) {
      const outRow = i * n;
      if (bias) for (let j = 0; j < n; j++) out[outRow + j] = bias[j];
      else out.fill(0, outRow, outRow + n);
      const inRow = i * k;
      for (let p = 0; p < k; p++) {
        const a = input[inRow + p];
        if (a === 0) continue;
        const kernelRow = p * n;
        for (let j = 0; j < n; j++) out[outRow + j] += a * kernel[kernelRow + j];
      }
    }
    applyActivation(activation, out, m, n);
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
    checkSparseRows(input, m, k);
    if (precision === 'bfloat16') {
      input = { ...input, values: this.atPrecision(input.values, input.rowStarts[m]!, precision, 0) };
      kernel = this.atPrecision(kernel, k * n, precision, 1);
    }
    // As denseForward, over the listed nonzeros only (it skips the zeros too).
    for (let i = 0; i < m; i++) {
      const outRow = i * n;
      if (bias) for (let j = 0; j < n; j++) out[outRow + j] = bias[j];
      else out.fill(0, outRow, outRow + n);
      for (let t = input.rowStarts[i]; t < input.rowStarts[i + 1]; t++) {
        const a = input.values[t];
        const kernelRow = input.columns[t] * n;
        for (let j = 0; j < n; j++) out[outRow + j] += a * kernel[kernelRow + j];
      }
    }
    applyActivation(activation, out, m, n);
  }

  activationForward(activation: ActivationName, input: Float32Array, output: Float32Array, count: number, rowLength: number): void {
    if (output !== input) for (let i = 0; i < count; i++) output[i] = input[i];
    applyActivation(activation, output, count / rowLength, rowLength);
  }

  activationBackward(activation: ActivationName, output: Float32Array, grad: Float32Array, count: number, rowLength: number, input?: Float32Array | null): void {
    switch (activation) {
      case 'linear':
        return;
      case 'relu':
        for (let i = 0; i < count; i++) if (output[i] <= 0) grad[i] = 0;
        return;
      case 'sigmoid':
        for (let i = 0; i < count; i++) grad[i] *= output[i] * (1 - output[i]);
        return;
      case 'tanh':
        for (let i = 0; i < count; i++) grad[i] *= 1 - output[i] * output[i];
        return;
      case 'softmax':
        for (let row = 0; row < count; row += rowLength) {
          let dot = 0;
          for (let j = 0; j < rowLength; j++) dot += grad[row + j] * output[row + j];
          for (let j = 0; j < rowLength; j++) grad[row + j] = output[row + j] * (grad[row + j] - dot);
        }
        return;
      default: {
        if (ACTIVATIONS_NEEDING_INPUT.has(activation) && !input) {
          throw new Error(`activationBackward: ${activation} needs its input (the pre-activation).`);
        }
        for (let i = 0; i < count; i++) grad[i] *= extraActivationDerivative(activation, output[i], input ? input[i] : 0);
      }
    }
  }

  inputGradient(
    gradOutput: Float32Array,
    kernel: Float32Array,
    gradInput: Float32Array,
    m: number,
    k: number,
    n: number,
    precision?: MatrixPrecision,
  ): void {
    gradOutput = this.atPrecision(gradOutput, m * n, precision, 0);
    kernel = this.atPrecision(kernel, k * n, precision, 1);
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        let sum = 0;
        const kernelRow = p * n;
        const gradRow = i * n;
        for (let j = 0; j < n; j++) sum += gradOutput[gradRow + j] * kernel[kernelRow + j];
        gradInput[i * k + p] = sum;
      }
    }
  }

  weightGradient(
    input: Float32Array,
    gradOutput: Float32Array,
    gradKernel: Float32Array,
    gradBias: Float32Array | null,
    m: number,
    k: number,
    n: number,
    precision?: MatrixPrecision,
  ): void {
    const roundedInput = this.atPrecision(input, m * k, precision, 0);
    const roundedGrad = this.atPrecision(gradOutput, m * n, precision, 1);
    gradKernel.fill(0, 0, k * n);
    for (let i = 0; i < m; i++) {
      const gradRow = i * n;
      for (let p = 0; p < k; p++) {
        const a = roundedInput[i * k + p];
        if (a === 0) continue;
        const kernelRow = p * n;
        for (let j = 0; j < n; j++) gradKernel[kernelRow + j] += a * roundedGrad[gradRow + j];
      }
    }
    if (gradBias) {
      gradBias.fill(0, 0, n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) gradBias[j] += gradOutput[i * n + j];
    }
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
    checkSparseRows(input, m, k);
    const values = this.atPrecision(input.values, input.rowStarts[m]!, precision, 0);
    const roundedGrad = this.atPrecision(gradOutput, m * n, precision, 1);
    gradKernel.fill(0, 0, k * n);
    for (let i = 0; i < m; i++) {
      const gradRow = i * n;
      for (let t = input.rowStarts[i]; t < input.rowStarts[i + 1]; t++) {
        const a = values[t];
        const kernelRow = input.columns[t] * n;
        for (let j = 0; j < n; j++) gradKernel[kernelRow + j] += a * roundedGrad[gradRow + j];
      }
    }
    if (gradBias) {
      gradBias.fill(0, 0, n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) gradBias[j] += gradOutput[i * n + j];
    }
  }

  columnStatistics(input: Float32Array, rows: number, features: number, mean: Float64Array, variance: Float64Array): void {
    mean.fill(0, 0, features);
    variance.fill(0, 0, features);
    for (let r = 0; r < rows; r++) {
      const row = r * features;
      for (let j = 0; j < features; j++) mean[j] += input[row + j]!;
    }
    for (let j = 0; j < features; j++) mean[j] /= rows;
    for (let r = 0; r < rows; r++) {
      const row = r * features;
      for (let j = 0; j < features; j++) {
        const centered = input[row + j]! - mean[j]!;
        variance[j] += centered * centered;
      }
    }
    for (let j = 0; j < features; j++) variance[j] /= rows;
  }

  columnAffine(input: Float32Array, output: Float32Array, rows: number, features: number, factor: Float64Array, offset: Float64Array): void {
    for (let r = 0; r < rows; r++) {
      const row = r * features;
      for (let j = 0; j < features; j++) output[row + j] = input[row + j]! * factor[j]! + offset[j]!;
    }
  }

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
  ): void {
    sumGrad.fill(0, 0, features);
    sumGradNormalized.fill(0, 0, features);
    for (let r = 0; r < rows; r++) {
      const row = r * features;
      for (let j = 0; j < features; j++) {
        const g = gradOutput[row + j]!;
        sumGrad[j] += g;
        sumGradNormalized[j] += g * ((input[row + j]! - mean[j]!) * inverse[j]!);
      }
    }
    if (!gradInput) return;
    for (let r = 0; r < rows; r++) {
      const row = r * features;
      for (let j = 0; j < features; j++) {
        const normalized = (input[row + j]! - mean[j]!) * inverse[j]!;
        gradInput[row + j] = scale[j]! * (rows * gradOutput[row + j]! - sumGrad[j]! - normalized * sumGradNormalized[j]!);
      }
    }
  }

  dropoutForward(input: Float32Array, output: Float32Array, mask: Float32Array, count: number, rate: number, seed: number): void {
    const threshold = dropoutThreshold(rate);
    const keptScale = Math.fround(1 / (1 - rate));
    for (let i = 0; i < count; i++) {
      const factor = dropoutBits(seed, i) < threshold ? 0 : keptScale;
      mask[i] = factor;
      output[i] = input[i] * factor;
    }
  }

  dropoutBackward(grad: Float32Array, mask: Float32Array, count: number): void {
    for (let i = 0; i < count; i++) grad[i] *= mask[i];
  }

  augmentImages(input: Float32Array, output: Float32Array, rows: number, height: number, width: number, settings: AugmentSettings, seed: number): void {
    augmentImagesReference(input, output, rows, height, width, settings, seed);
  }

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
  ): void {
    let lossSum = 0;
    let correct = 0;
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let max = logits[row];
      let argmax = 0;
      for (let j = 1; j < n; j++) {
        if (logits[row + j] > max) {
          max = logits[row + j];
          argmax = j;
        }
      }
      let sumExp = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(logits[row + j] - max);
        probabilities[row + j] = e;
        sumExp += e;
      }
      const logSumExp = Math.log(sumExp);
      for (let j = 0; j < n; j++) probabilities[row + j] /= sumExp;
      if (labels) {
        const label = labels[i];
        lossSum += logSumExp - (logits[row + label] - max);
        if (argmax === label) correct++;
        if (gradLogits) {
          for (let j = 0; j < n; j++) gradLogits[row + j] = (probabilities[row + j] - (j === label ? 1 : 0)) / meanOver;
        }
      } else if (targets) {
        let targetSum = 0;
        let targetArgmax = 0;
        for (let j = 0; j < n; j++) {
          const t = targets[row + j];
          targetSum += t;
          if (t > targets[row + targetArgmax]) targetArgmax = j;
          lossSum += t * (logSumExp - (logits[row + j] - max));
        }
        if (argmax === targetArgmax) correct++;
        if (gradLogits) {
          for (let j = 0; j < n; j++) gradLogits[row + j] = (probabilities[row + j] * targetSum - targets[row + j]) / meanOver;
        }
      }
    }
    stats[STAT_LOSS_SUM] += lossSum;
    stats[STAT_CORRECT] += correct;
  }

  meanSquaredError(
    predictions: Float32Array,
    targets: Float32Array,
    grad: Float32Array | null,
    m: number,
    n: number,
    meanOver: number,
    stats: Float64Array,
  ): void {
    let lossSum = 0;
    let correct = 0;
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let rowSum = 0;
      let argmax = 0;
      let targetArgmax = 0;
      for (let j = 0; j < n; j++) {
        const difference = predictions[row + j] - targets[row + j];
        rowSum += difference * difference;
        if (grad) grad[row + j] = (2 * difference) / (n * meanOver);
        if (predictions[row + j] > predictions[row + argmax]) argmax = j;
        if (targets[row + j] > targets[row + targetArgmax]) targetArgmax = j;
      }
      lossSum += rowSum / n;
      if (argmax === targetArgmax) correct++;
    }
    stats[STAT_LOSS_SUM] += lossSum;
    stats[STAT_CORRECT] += correct;
  }

  countCorrect(probabilities: Float32Array, labels: Int32Array, m: number, n: number, stats: Float64Array): void {
    let correct = 0;
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let argmax = 0;
      for (let j = 1; j < n; j++) if (probabilities[row + j] > probabilities[row + argmax]) argmax = j;
      if (argmax === labels[i]) correct++;
    }
    stats[STAT_CORRECT] += correct;
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
    // Keras folds both bias corrections into the step size.
    const stepSize = (learningRate * Math.sqrt(1 - Math.pow(beta2, step))) / (1 - Math.pow(beta1, step));
    for (let i = 0; i < count; i++) {
      const g = grads[i];
      firstMoment[i] += (g - firstMoment[i]) * (1 - beta1);
      secondMoment[i] += (g * g - secondMoment[i]) * (1 - beta2);
      params[i] -= (stepSize * firstMoment[i]) / (Math.sqrt(secondMoment[i]) + epsilon);
    }
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
    const decay = Math.fround(weightDecay * learningRate);
    const amsgrad = maxSecondMoment.length > 0;
    if (amsgrad && maxSecondMoment.length < count) {
      throw new RangeError(`adamwUpdate: maxSecondMoment holds ${maxSecondMoment.length} values but ${count} are needed (or none, without AMSGrad).`);
    }
    for (let i = 0; i < count; i++) {
      params[i] -= params[i] * decay;
      const g = grads[i];
      firstMoment[i] += (g - firstMoment[i]) * (1 - beta1);
      secondMoment[i] += (g * g - secondMoment[i]) * (1 - beta2);
      let second = secondMoment[i];
      if (amsgrad) {
        if (maxSecondMoment[i] > second) second = maxSecondMoment[i];
        else maxSecondMoment[i] = second;
      }
      params[i] -= (stepSize * firstMoment[i]) / (Math.sqrt(second) + epsilon);
    }
  }

  rmspropUpdate(
    params: Float32Array,
    grads: Float32Array,
    meanSquare: Float32Array,
    momentumBuffer: Float32Array,
    count: number,
    settings: RmspropSettings,
  ): void {
    const { learningRate, rho, momentum, epsilon } = settings;
    for (let i = 0; i < count; i++) {
      const g = grads[i];
      meanSquare[i] = rho * meanSquare[i] + (1 - rho) * g * g;
      const increment = (learningRate * g) / Math.sqrt(meanSquare[i] + epsilon);
      if (momentum > 0) {
        momentumBuffer[i] = momentum * momentumBuffer[i] + increment;
        params[i] -= momentumBuffer[i];
      } else {
        params[i] -= increment;
      }
    }
  }

  sgdUpdate(params: Float32Array, grads: Float32Array, velocity: Float32Array, count: number, settings: SgdSettings): void {
    const { learningRate, momentum, nesterov } = settings;
    if (momentum === 0) {
      for (let i = 0; i < count; i++) params[i] -= learningRate * grads[i];
      return;
    }
    for (let i = 0; i < count; i++) {
      const g = grads[i];
      velocity[i] = momentum * velocity[i] - learningRate * g;
      params[i] += nesterov ? momentum * velocity[i] - learningRate * g : velocity[i];
    }
  }
}

function applyActivation(activation: ActivationName, values: Float32Array, m: number, n: number): void {
  const count = m * n;
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < count; i++) if (values[i] < 0) values[i] = 0;
      return;
    case 'sigmoid':
      for (let i = 0; i < count; i++) values[i] = 1 / (1 + Math.exp(-values[i]));
      return;
    case 'tanh':
      for (let i = 0; i < count; i++) values[i] = Math.tanh(values[i]);
      return;
    case 'softmax':
      for (let row = 0; row < count; row += n) {
        let max = values[row];
        for (let j = 1; j < n; j++) if (values[row + j] > max) max = values[row + j];
        let sum = 0;
        for (let j = 0; j < n; j++) {
          const e = Math.exp(values[row + j] - max);
          values[row + j] = e;
          sum += e;
        }
        for (let j = 0; j < n; j++) values[row + j] /= sum;
      }
      return;
    default:
      for (let i = 0; i < count; i++) values[i] = extraActivation(activation, values[i]);
  }
}

/** The checks the native engine makes, so that both refuse the same malformed rows. */
function checkSparseRows(input: SparseRows, m: number, k: number): void {
  const { rowStarts, columns, values } = input;
  if (rowStarts.length < m + 1) throw new RangeError(`Sparse rows: rowStarts holds ${rowStarts.length} offsets but ${m + 1} are needed.`);
  if (rowStarts[0] !== 0) throw new RangeError(`Sparse rows: rowStarts[0] is ${rowStarts[0]}; it must be 0.`);
  for (let r = 0; r < m; r++) {
    const begin = rowStarts[r]!;
    const end = rowStarts[r + 1]!;
    if (end < begin || end > columns.length || end > values.length) {
      throw new RangeError(`Sparse rows: rowStarts[${r + 1}] is ${end}: offsets must not decrease nor pass the ${columns.length} columns and ${values.length} values given.`);
    }
    for (let t = begin; t < end; t++) {
      if (columns[t]! < 0 || columns[t]! >= k || (t > begin && columns[t]! <= columns[t - 1]!)) {
        throw new RangeError(`Sparse rows: columns[${t}] is ${columns[t]} in row ${r}: a row's columns must increase and lie in 0..${k - 1}.`);
      }
    }
  }
}

/** The checks the native gathers make: a finite scale, and every index inside the source. */
function checkGather(method: string, source: Float32Array | Uint8Array, indices: Uint32Array, start: number, count: number, width: number, scale: number): void {
  if (!Number.isFinite(scale)) throw new RangeError(`${method}: scale ${scale} is invalid; it must be a finite number.`);
  const rowsInSource = width > 0 ? Math.floor(source.length / width) : 0;
  for (let row = start; row < start + count && width > 0; row++) {
    if (indices[row]! >= rowsInSource) {
      throw new RangeError(`${method}: index ${indices[row]} at position ${row} is outside the source's ${rowsInSource} rows.`);
    }
  }
}
