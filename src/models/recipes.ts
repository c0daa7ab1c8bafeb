import { dense, dropout, flatten, type Layer } from '../layers/index.js';
import { augmentationLayers, type AugmentSpec } from './augmentation.js';
import { adamw } from '../optimizers/index.js';
import { cosineDecay } from '../optimizers/schedules/cosine-decay.js';
import type { HiddenLayer } from './presets.js';
import { sequential, type Sequential } from './sequential.js';

/**
 * The recipe's training past the notebooks: AdamW whose rate warms up linearly then follows a
 * cosine to zero over the whole run (Keras's CosineDecay with warmupTarget), batch `batchSize`.
 */
export interface RecipeTraining {
  peakLearningRate: number;
  weightDecay: number;
  warmupEpochs: number;
}

/** The recipe presets' models: augmentation (if any), Flatten, relu layers with dropout, softmax. */
export function buildRecipeModel(
  hidden: readonly HiddenLayer[],
  augment: AugmentSpec | undefined,
  training: RecipeTraining,
  schedule: { epochs: number; stepsPerEpoch: number },
  seed?: number,
): Sequential {
  const imageShape = [28, 28];
  const layers: Layer[] = augment ? augmentationLayers(augment, imageShape) : [];
  layers.push(flatten(layers.length === 0 ? { inputShape: imageShape } : {}));
  for (const layer of hidden) {
    layers.push(dense({ units: layer.units, activation: 'relu' }));
    if (layer.dropout) layers.push(dropout({ rate: layer.dropout }));
  }
  layers.push(dense({ units: 10, activation: 'softmax' }));
  const model = sequential(layers, { seed });
  const totalSteps = schedule.epochs * schedule.stepsPerEpoch;
  const warmupSteps = Math.round(training.warmupEpochs * schedule.stepsPerEpoch);
  const learningRate = cosineDecay({
    initialLearningRate: training.peakLearningRate / 100,
    warmupTarget: training.peakLearningRate,
    warmupSteps,
    decaySteps: Math.max(1, totalSteps - warmupSteps),
    alpha: 0,
  });
  model.compile({ optimizer: adamw({ learningRate, weightDecay: training.weightDecay }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
