/** Loading a saved model for the commands that use one. */
import { loadModel } from '../saving/formats.js';
import type { Sequential } from '../models/sequential.js';
import { toCategorical } from '../data/transforms.js';
import type { ImageSet, Tensor } from '../data/tensor.js';
import { takesLabels } from '../losses/losses.js';

/**
 * The model in `path`, compiled: a file saved without compile settings gets Keras's usual
 * sparse categorical cross-entropy so its loss can still be computed.
 */
export function loadCompiledModel(path: string): Sequential {
  const model = loadModel(path);
  if (!model.loss) model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Labels for a sparse loss, one-hot rows otherwise. */
export function targetsForModel(model: Sequential, set: ImageSet): Uint8Array | Tensor {
  return model.lossName && !takesLabels(model.lossName) ? toCategorical(set.labels, model.outputShape[0]) : set.labels;
}
