import { Activation, type ActivationOptions } from './activation.js';
import { ActivityRegularization, type ActivityRegularizationOptions } from './activity-regularization.js';
import { BatchNormalization, type BatchNormalizationOptions } from './batch-normalization.js';
import { GaussianNoise, type GaussianNoiseOptions } from './gaussian-noise.js';
import { LayerNormalization, type LayerNormalizationOptions } from './layer-normalization.js';
import { Dense, type DenseOptions } from './dense.js';
import { Dropout, type DropoutOptions } from './dropout.js';
import { Flatten, type FlattenOptions } from './flatten.js';
import type { Layer, LayerConfig } from './layer.js';
import { RandomElasticTransform, type RandomElasticTransformOptions } from './random-elastic-transform.js';
import { RandomRotation, type RandomRotationOptions } from './random-rotation.js';
import { RandomTranslation, type RandomTranslationOptions } from './random-translation.js';
import { RandomZoom, type RandomZoomOptions } from './random-zoom.js';

export const LAYER_CLASS_NAMES = [
  'Dense',
  'Dropout',
  'Flatten',
  'Activation',
  'RandomRotation',
  'RandomTranslation',
  'RandomZoom',
  'RandomElasticTransform',
  'BatchNormalization',
  'LayerNormalization',
  'GaussianNoise',
  'ActivityRegularization',
] as const;

/**
 * Rebuilds a layer from its serialized form. Only the known classes can be made, and each checks
 * its config strictly, so a model file can describe layers but never run anything.
 */
export function deserializeLayer(serialized: LayerConfig): Layer {
  const config = serialized.config;
  switch (serialized.className) {
    case 'Dense':
      return new Dense(config as unknown as DenseOptions);
    case 'Dropout':
      return new Dropout(config as unknown as DropoutOptions);
    case 'Flatten':
      return new Flatten(config as FlattenOptions);
    case 'Activation':
      return new Activation(config as unknown as ActivationOptions);
    case 'RandomRotation':
      return new RandomRotation(config as unknown as RandomRotationOptions);
    case 'RandomTranslation':
      return new RandomTranslation(config as unknown as RandomTranslationOptions);
    case 'RandomZoom':
      return new RandomZoom(config as unknown as RandomZoomOptions);
    case 'RandomElasticTransform':
      return new RandomElasticTransform(config as RandomElasticTransformOptions);
    case 'BatchNormalization':
      return new BatchNormalization(config as BatchNormalizationOptions);
    case 'LayerNormalization':
      return new LayerNormalization(config as LayerNormalizationOptions);
    case 'GaussianNoise':
      return new GaussianNoise(config as unknown as GaussianNoiseOptions);
    case 'ActivityRegularization':
      return new ActivityRegularization(config as ActivityRegularizationOptions);
    default:
      throw new Error(`Unknown layer class "${serialized.className}": allowed are ${LAYER_CLASS_NAMES.join(', ')}.`);
  }
}

export { Activation, activation, type ActivationOptions } from './activation.js';
export { Dense, dense, type DenseOptions } from './dense.js';
export { Dropout, dropout, type DropoutOptions } from './dropout.js';
export { Flatten, flatten, type FlattenOptions } from './flatten.js';
export { Layer, type LayerConfig, type Weight } from './layer.js';
export { RandomElasticTransform, randomElasticTransform, type RandomElasticTransformOptions } from './random-elastic-transform.js';
export { RandomRotation, randomRotation, type RandomRotationOptions } from './random-rotation.js';
export { RandomTranslation, randomTranslation, type RandomTranslationOptions } from './random-translation.js';
export { RandomZoom, randomZoom, type RandomZoomOptions } from './random-zoom.js';
export { ActivityRegularization, activityRegularization, type ActivityRegularizationOptions } from './activity-regularization.js';
export { BatchNormalization, batchNormalization, type BatchNormalizationOptions } from './batch-normalization.js';
export { GaussianNoise, gaussianNoise, type GaussianNoiseOptions } from './gaussian-noise.js';
export { LayerNormalization, layerNormalization, type LayerNormalizationOptions } from './layer-normalization.js';
