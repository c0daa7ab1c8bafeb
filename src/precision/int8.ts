/**
 * int8 inference, the plain reference of native/src/precision.cc (the TypeScript engine runs it):
 * weights per output channel to -63..63, activations per call (the whole batch) to 0..127 with a
 * zero point, exact integer sums, rescaled to float32. The limits let the AVX2 kernel add two
 * vpmaddubsw results in 16 bits without saturating (4 × 127 × 63 = 32004 < 32767).
 */
import type { ActivationName, QuantizedKernel } from '../engine/engine.js';

export const INT8_ACTIVATION_MAX = 127;
export const INT8_WEIGHT_MAX = 63;
/** The layout name of a kernel quantized by the reference: row-major [inputs × units]. */
export const REFERENCE_INT8_LAYOUT = 'row-major';

const f = Math.fround;
// Adding and subtracting 1.5 × 2^23 rounds a float32 of magnitude below 2^22 to an integer, ties to
// even, as nearbyintf does; C++ uses the same operations so both give the same integers.
const ROUNDER = 12582912;

function roundHalfEven(value: number): number {
  return f(f(value + ROUNDER) - ROUNDER);
}

export function quantizeKernelReference(kernel: Float32Array, k: number, n: number): QuantizedKernel {
  const data = new Int8Array(k * n);
  const scales = new Float32Array(n);
  const columnSums = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let largest = 0;
    // As C++'s std::max: a NaN weight does not become the largest.
    for (let p = 0; p < k; p++) {
      const magnitude = Math.abs(kernel[p * n + j]!);
      if (magnitude > largest) largest = magnitude;
    }
    const scale = largest > 0 && Number.isFinite(largest) ? f(largest / INT8_WEIGHT_MAX) : 1;
    let sum = 0;
    for (let p = 0; p < k; p++) {
      let q = roundHalfEven(clampMagnitude(f(kernel[p * n + j]! / scale)));
      if (!(q >= -INT8_WEIGHT_MAX)) q = -INT8_WEIGHT_MAX;
      if (q > INT8_WEIGHT_MAX) q = INT8_WEIGHT_MAX;
      data[p * n + j] = q;
      sum += q;
    }
    scales[j] = scale;
    columnSums[j] = sum;
  }
  return { layout: REFERENCE_INT8_LAYOUT, inputs: k, units: n, data, scales, columnSums };
}

/** Keeps a quotient where the rounding trick is exact (|v| ≤ 256 is far past every limit); NaN stays NaN. */
function clampMagnitude(value: number): number {
  return value > 256 ? 256 : value < -256 ? -256 : value;
}

/** The activations' quantization for one call: scale, its inverse and the zero point. */
export function activationQuantization(input: Float32Array, count: number): { scale: number; inverse: number; zero: number } {
  let low = 0;
  let high = 0;
  for (let i = 0; i < count; i++) {
    const value = input[i]!;
    if (value < low) low = value;
    if (value > high) high = value;
  }
  let scale = f(f(high - low) / INT8_ACTIVATION_MAX);
  if (!(scale > 0) || !Number.isFinite(scale)) scale = 1;
  const inverse = f(1 / scale);
  const zero = Math.min(INT8_ACTIVATION_MAX, Math.max(0, roundHalfEven(clampMagnitude(f(-low * inverse)))));
  return { scale, inverse, zero };
}

export function quantizeActivation(value: number, inverse: number, zero: number): number {
  const v = f(value * inverse);
  // NaN compares false both ways and ends at 0, as in C++.
  const q = roundHalfEven(v > -256 ? (v < 256 ? v : 256) : -256) + zero;
  return q > 0 ? (q < INT8_ACTIVATION_MAX ? q : INT8_ACTIVATION_MAX) : 0;
}

export function int8DenseForwardReference(
  input: Float32Array,
  kernel: QuantizedKernel,
  bias: Float32Array | null,
  out: Float32Array,
  m: number,
  activation: ActivationName,
  applyActivation: (activation: ActivationName, values: Float32Array, rows: number, cols: number) => void,
): void {
  if (kernel.layout !== REFERENCE_INT8_LAYOUT) {
    throw new Error(`int8DenseForward: the kernel was quantized by another engine (layout "${kernel.layout}"); quantize it with this engine's quantizeKernel.`);
  }
  const k = kernel.inputs;
  const n = kernel.units;
  const { scale, inverse, zero } = activationQuantization(input, m * k);
  const row = new Int32Array(k);
  const sums = new Int32Array(n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) row[p] = quantizeActivation(input[i * k + p]!, inverse, zero);
    sums.fill(0);
    for (let p = 0; p < k; p++) {
      const a = row[p]!;
      if (a === 0) continue;
      for (let j = 0; j < n; j++) sums[j]! += a * kernel.data[p * n + j]!;
    }
    for (let j = 0; j < n; j++) {
      let value = f(f(sums[j]! - zero * kernel.columnSums[j]!) * f(scale * kernel.scales[j]!));
      if (bias) value = f(value + bias[j]!);
      out[i * n + j] = activation === 'relu' && value < 0 ? 0 : value;
    }
  }
  if (activation !== 'relu') applyActivation(activation, out, m, n);
}
