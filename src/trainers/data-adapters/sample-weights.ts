import type { Targets } from './array-data-adapter.js';

/** Where the trainer reads it: each sample's data, with one-hot targets smoothed if asked. */
interface LabelledData {
  targets: Targets;
}

/**
 * One weight per sample from Keras's sample_weight or class_weight (not both, as Keras), or null
 * when neither is given (every sample counts once, and the step takes its faster path).
 */
export function resolveSampleWeights(
  sampleWeight: Float32Array | readonly number[] | undefined,
  classWeight: Readonly<Record<string, number>> | undefined,
  targets: Targets,
  count: number,
): Float32Array | null {
  if (sampleWeight !== undefined && classWeight !== undefined) {
    throw new Error('fit(): give sampleWeight or classWeight, not both (as Keras): multiply the class weights into sampleWeight instead.');
  }
  if (sampleWeight !== undefined) {
    if (sampleWeight.length !== count) throw new Error(`fit(): sampleWeight has ${sampleWeight.length} weights but x has ${count} samples: give one per sample.`);
    const weights = Float32Array.from(sampleWeight);
    const bad = weights.findIndex((weight) => !Number.isFinite(weight) || weight < 0);
    if (bad >= 0) throw new Error(`fit(): sampleWeight[${bad}] is ${sampleWeight[bad]}: weights must be finite and non-negative.`);
    return weights;
  }
  if (classWeight === undefined) return null;
  for (const [label, weight] of Object.entries(classWeight)) {
    if (!Number.isFinite(weight) || weight < 0) throw new Error(`fit(): classWeight[${label}] is ${weight}: weights must be finite and non-negative.`);
  }
  const weights = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const label = targets.labels ? targets.labels[i]! : argmax(targets.values!, i * targets.width, targets.width);
    const weight = classWeight[String(label)];
    // Keras gives the classes class_weight leaves out a weight of 1.
    weights[i] = weight ?? 1;
  }
  return weights;
}

function argmax(values: Float32Array, from: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (values[from + j]! > values[from + best]!) best = j;
  return best;
}

/** Keras's label smoothing: one-hot targets t become t · (1 - smoothing) + smoothing / classes, in a copy. */
export function withSmoothedTargets<Data extends LabelledData>(data: Data, smoothing: number): Data {
  const { values, width } = data.targets;
  if (smoothing === 0 || !values) return data;
  const smoothed = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) smoothed[i] = values[i]! * (1 - smoothing) + smoothing / width;
  return { ...data, targets: { ...data.targets, values: smoothed } };
}
