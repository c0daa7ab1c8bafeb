import { dense, dropout, flatten, randomElasticTransform, randomRotation, randomTranslation, randomZoom, type Layer } from '../layers/index.js';
import { adamw } from '../optimizers/index.js';
import { cosineDecay } from '../optimizers/schedules/cosine-decay.js';
import type { HiddenLayer } from './presets.js';
import { sequential, type Sequential } from './sequential.js';

/**
 * Augmentation in front of a model, as the CLI's --augment spells it: degrees of rotation,
 * fractions of shift and zoom, and Simard's elastic distortion (alpha, sigma in pixels).
 */
export interface AugmentSpec {
  rotationDegrees?: number;
  translation?: number;
  zoom?: number;
  elastic?: { alpha: number; sigma: number };
}

/** The augmentation layers an AugmentSpec asks for, the first taking the image shape. */
export function augmentationLayers(spec: AugmentSpec, inputShape: readonly number[]): Layer[] {
  const layers: Layer[] = [];
  const first = (): { inputShape?: readonly number[] } => (layers.length === 0 ? { inputShape } : {});
  if (spec.rotationDegrees) layers.push(randomRotation({ factor: spec.rotationDegrees / 360, ...first() }));
  if (spec.zoom) layers.push(randomZoom({ heightFactor: spec.zoom, ...first() }));
  if (spec.translation) layers.push(randomTranslation({ heightFactor: spec.translation, widthFactor: spec.translation, ...first() }));
  if (spec.elastic) layers.push(randomElasticTransform({ ...spec.elastic, ...first() }));
  return layers;
}

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
