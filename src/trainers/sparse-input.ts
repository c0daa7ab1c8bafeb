import type { Engine } from '../engine/engine.js';
import { Dense } from '../layers/dense.js';
import { Flatten } from '../layers/flatten.js';
import { ImageAugmentation } from '../layers/image-augmentation.js';
import type { Layer } from '../layers/layer.js';
import type { Features } from './data-adapters/array-data-adapter.js';

// When the first layer reads the batch as its nonzeros (see sparseInputLayer).
const SPARSE_INPUT_BELOW = 0.35;
const SPARSE_INPUT_MINIMUM_UNITS = 256;
const SPARSE_INPUT_LARGEST_TRAINING_BATCH = 8192;

/**
 * The index of the Dense layer that should read the batch as its nonzeros, or -1. That pays when
 * it is the first layer (after reshapes), is wide, and the samples are mostly exact zeros, as
 * MNIST's images are (81%): its forward product and weight gradient then touch only the nonzeros
 * (measured on MNIST batches of 128 with 2 threads: 14–21% faster at 256 and 512 units, break-even
 * at 128, slower at 50, where the dense kernels' zero skipping wins). The results are the same
 * either way. DIGITNET_SPARSE_INPUT=0 turns it off, 1 uses it whenever the layers allow.
 */
export function sparseInputLayer(layers: readonly Layer[], engine: Engine, features: Features, batchSize: number, training: boolean): number {
  const setting = process.env.DIGITNET_SPARSE_INPUT;
  if (setting === '0') return -1;
  // The engine's sparse weight gradient takes batches of up to 8,192 samples.
  if (training && batchSize > SPARSE_INPUT_LARGEST_TRAINING_BATCH) return -1;
  // Augmentation moves pixels but keeps the background at exact zeros, so a Dense after it still
  // reads a mostly-zero batch (the trainer then takes the nonzeros from the augmented batch).
  let index = 0;
  while (index < layers.length && (layers[index] instanceof Flatten || layers[index] instanceof ImageAugmentation)) index++;
  const layer = layers[index];
  // int8 reads a dense batch (it quantizes the whole of it).
  if (!(layer instanceof Dense) || layer.int8Active) return -1;
  if (setting === '1') return index;
  if (!engine.sparseKernels || layer.units < SPARSE_INPUT_MINIMUM_UNITS) return -1;
  return sampledDensity(features) < SPARSE_INPUT_BELOW ? index : -1;
}

/** Whether the layers before the sparse layer compute (augment) rather than only reshape: then its nonzeros come from their output. */
export function sparseFromComputedInput(layers: readonly Layer[], sparseLayer: number): boolean {
  return layers.slice(0, Math.max(sparseLayer, 0)).some((layer) => !(layer instanceof Flatten));
}

/** The share of nonzero values in up to 256 evenly spaced samples. */
export function sampledDensity(features: Features): number {
  const samples = Math.min(features.count, 256);
  const { source, width } = features;
  let nonzero = 0;
  for (let s = 0; s < samples; s++) {
    const from = Math.floor((s * features.count) / samples) * width;
    for (let j = from; j < from + width; j++) if (source[j] !== 0) nonzero++;
  }
  return nonzero / (samples * width);
}
