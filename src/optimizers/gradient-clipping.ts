import type { Weight } from '../layers/layer.js';

/** Keras's three ways to clip gradients before an update; at most one is set. */
export interface ClippingSettings {
  /** Each weight's gradient is rescaled to at most this L2 norm. */
  clipnorm?: number;
  /** Each gradient value is clipped to [-clipvalue, clipvalue]. */
  clipvalue?: number;
  /** All gradients together are rescaled to at most this L2 norm. */
  globalClipnorm?: number;
}

/**
 * Clips the gradients in place, as Keras's _clip_gradients (clip_by_norm, clip, clip_by_global_norm).
 * Sums run in double; a non-finite global norm makes every gradient NaN, as Keras's scale does.
 */
export function clipGradients(weights: readonly Weight[], settings: ClippingSettings): void {
  const { clipnorm, clipvalue, globalClipnorm } = settings;
  if (clipvalue !== undefined) {
    for (const weight of weights) {
      const gradient = weight.gradient;
      for (let i = 0; i < gradient.length; i++) gradient[i] = Math.min(Math.max(gradient[i]!, -clipvalue), clipvalue);
    }
  } else if (clipnorm !== undefined) {
    for (const weight of weights) {
      const norm = Math.sqrt(sumOfSquares(weight.gradient));
      if (norm > clipnorm) scale(weight.gradient, clipnorm / norm);
    }
  } else if (globalClipnorm !== undefined) {
    let total = 0;
    for (const weight of weights) total += sumOfSquares(weight.gradient);
    const norm = Math.sqrt(total);
    // Keras: clip_norm · min(1/norm, 1/clip_norm), plus (norm - norm) so that inf and NaN propagate.
    const factor = globalClipnorm * Math.min(1 / norm, 1 / globalClipnorm) + (norm - norm);
    if (factor !== 1) for (const weight of weights) scale(weight.gradient, factor);
  }
}

function sumOfSquares(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return sum;
}

function scale(values: Float32Array, factor: number): void {
  for (let i = 0; i < values.length; i++) values[i]! *= factor;
}

/**
 * Keras's decoupled weight decay, applied before the update: w -= w · weightDecay · learningRate.
 */
export function decayWeights(weights: readonly Weight[], factor: number): void {
  for (const weight of weights) {
    const values = weight.values;
    for (let i = 0; i < values.length; i++) values[i]! -= values[i]! * factor;
  }
}
