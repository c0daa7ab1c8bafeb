import { Activation, type ActivationOptions } from './activation.js';
import { Dense, type DenseOptions } from './dense.js';
import { Dropout, type DropoutOptions } from './dropout.js';
import { Flatten, type FlattenOptions } from './flatten.js';
import type { Layer, LayerConfig } from './layer.js';

export const LAYER_CLASS_NAMES = ['Dense', 'Dropout', 'Flatten', 'Activation'] as const;

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
    default:
      throw new Error(`Unknown layer class "${serialized.className}": allowed are ${LAYER_CLASS_NAMES.join(', ')}.`);
  }
}

export { Activation, activation, type ActivationOptions } from './activation.js';
export { Dense, dense, type DenseOptions } from './dense.js';
export { Dropout, dropout, type DropoutOptions } from './dropout.js';
export { Flatten, flatten, type FlattenOptions } from './flatten.js';
export { Layer, type LayerConfig, type Weight } from './layer.js';
